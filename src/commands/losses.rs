//! Before a plan is shown or applied: what deleting an object would destroy that the stack did
//! not make (a user's hand-made access keys, its console password). Such a delete is refused,
//! with the list, unless the object's `force_destroy` is set: in the file while the block is
//! there, else as recorded on the object itself (a removed block has only that).

use crate::plan::{Action, Plan};
use crate::resources::{self, Cx, flag};
use crate::stack::{Diagnostic, Diagnostics, Stack};

/// Reads, for every delete the plan holds, what it would lose; an error lists each refusal.
pub async fn refuse(cx: &Cx, stack: &Stack, plan: &Plan) -> anyhow::Result<()> {
    let checks = plan.changes.iter().filter(|c| matches!(c.action, Action::Delete | Action::Replace)).filter_map(|c| {
        let (live, kind) = (c.live.as_ref()?, resources::kind(&c.addr.kind)?);
        let declared = stack.resource(&c.addr);
        let force = flag(declared.map_or(&live.attrs, |r| &r.attrs), "force_destroy");
        (!force).then_some(async move { anyhow::Ok((c, declared, kind.lost_on_delete(cx, live).await?)) })
    });
    let mut diags = Diagnostics::default();
    // Eight at a time: a check is six IAM calls, and a destroy of hundreds of users would
    // otherwise send thousands at once, which IAM throttles account-wide (and which overran
    // LocalStack's listener).
    for (c, declared, lost) in resources::read_each_by(8, checks.collect()).await? {
        if lost.is_empty() {
            continue;
        }
        let mut d = Diagnostic::error(format!(
            "{}: deleting it would also delete what the stack did not make: {}",
            c.addr,
            lost.join(", ")
        ));
        d = match declared {
            Some(r) => d.at(&r.file, r.span_of("force_destroy")).hint(
                "if they may go, set `force_destroy = true` on the block; otherwise remove them from the object first",
            ),
            None => d.hint(format!(
                "the block is gone from the file: if they may go, put it back with `force_destroy = true`, apply, then remove it \
                 (`force_destroy` is recorded on {}); otherwise remove them from the object first",
                c.addr
            )),
        };
        diags.push(d);
    }
    if diags.0.is_empty() { Ok(()) } else { Err(diags.into()) }
}
