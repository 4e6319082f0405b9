//! Names a create would take that another owner holds in the account: found when planning,
//! pointing at the attribute that asks for the name, rather than failing mid-apply.

use crate::live::LiveState;
use crate::model::Attrs;
use crate::resources::{self, Kind};
use crate::stack::{Diagnostic, Diagnostics, Stack};

pub(super) fn conflict(stack: &Stack, res: &crate::stack::Resource, name: &str) -> Diagnostic {
    Diagnostic::error(format!("{} would create \"{name}\", but an object of that name exists and is not owned by this stack", res.addr))
        .at(&res.file, res.span_of("name"))
        .label("name already taken in the account")
        .hint(match resources::kind(&res.addr.kind).and_then(|k| k.adopt_refusal()) {
            Some(why) => format!("stackr never takes over objects implicitly, and this one cannot be adopted: {why}"),
            None => format!(
                "stackr never takes over objects implicitly. If it should belong to this stack, adopt it: `stackr adopt -f {} {}={name}`; otherwise choose another `name`, or rename or remove the existing object",
                stack.file.path, res.addr
            ),
        })
}

/// Objects a change would make besides its own (a role's instance profile) whose names another
/// owner holds: found now rather than mid-apply.
pub(super) fn side_conflicts(
    kind: &dyn Kind,
    had: Option<&Attrs>,
    want: &Attrs,
    live: &LiveState,
    res: &crate::stack::Resource,
    diags: &mut Diagnostics,
) {
    let before = had.map(|a| kind.side_claims(a)).unwrap_or_default();
    for (space, name, attr) in kind.side_claims(want) {
        if before.iter().any(|(s, n, _)| *s == space && *n == name) || !live.is_foreign(space, &name) {
            continue;
        }
        diags.push(
            Diagnostic::error(format!("{} would create {space} \"{name}\", but one of that name exists and is not owned by this stack", res.addr))
                .at(&res.file, res.span_of(attr))
                .label(format!("{space} name already taken in the account"))
                .hint(format!("stackr never takes over objects implicitly: delete or rename the existing {space} (it may be left from another tool), or give the role another `name`")),
        );
    }
}
