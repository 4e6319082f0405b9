//! What the stack's record means for a plan. IAM is global and a stack may be deployed in
//! several regions: only the deployment in the stack's IAM home region changes its IAM
//! objects; elsewhere a plan reads them (references resolve) and leaves them as they are, and
//! the home region's destroy waits until the other deployments, which use them, are gone. A
//! singleton the stack does not own (an account password policy set before) is never taken
//! over by declaring it: `stackr adopt` first.

use crate::live::LiveState;
use crate::model::Value;
use crate::stack::{Diagnostic, Diagnostics, Resource, Stack};

use super::{Action, Change};

fn is_iam(kind: &str) -> bool {
    kind.starts_with("iam_")
}

/// An error when `res` declares a singleton that exists and that the stack does not own,
/// listing its current settings so the user sees what adopting would keep or change.
pub(super) fn foreign_singleton(stack: &Stack, live: &LiveState, res: &Resource) -> Option<Diagnostic> {
    let have = live.foreign_singletons.iter().find(|o| o.addr.kind == res.addr.kind)?;
    let rules: Vec<String> =
        have.attrs.iter().filter(|(k, _)| k.as_str() != "id").map(|(k, v)| format!("{k} = {}", show(v))).collect();
    Some(
        Diagnostic::error(format!(
            "{}: the account already has one, which this stack did not create; its current settings: {}",
            res.addr,
            rules.join(", ")
        ))
        .at(&res.file, res.span.clone())
        .label("exists in the account, not owned by this stack")
        .hint(format!(
            "stackr never takes over what it did not create. To manage it from this stack (a destroy then deletes \
             it), adopt it: `stackr adopt -f {} {}=account`; otherwise remove the block",
            stack.file.path, res.addr
        )),
    )
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "(not set)".into(),
        Value::Str(s) => format!("\"{s}\""),
        other => crate::render::output_value(other),
    }
}

/// Keeps a plan made outside the IAM home region away from IAM objects, and a destroy in the
/// home region from deleting IAM objects other regions' deployments use.
pub(super) fn confine(
    stack: &Stack,
    live: &LiveState,
    destroy: bool,
    changes: &mut Vec<Change>,
    warnings: &mut Vec<Diagnostic>,
    diags: &mut Diagnostics,
) {
    let home = &live.iam_home;
    if *home == live.region {
        if destroy {
            diags.0.extend(others_still_deployed(stack, live, changes));
        }
        return;
    }
    let mut left = 0;
    changes.retain_mut(|c| {
        if !is_iam(&c.addr.kind) {
            return true;
        }
        let at = stack.resource(&c.addr).map(|r| (r.file.clone(), r.span.clone()));
        if let Some(from) = c.moved_from.take() {
            let d = Diagnostic::warning(format!(
                "{}: moved from {from}, but it is managed from {home}: this plan leaves its address as it is",
                c.addr
            ))
            .hint(format!("apply the stack in {home} to move it"));
            warnings.push(match &at {
                Some((file, at)) => d.at(file, at.clone()),
                None => d,
            });
        }
        match c.action {
            Action::NoOp => {}
            Action::Create => {
                let d = Diagnostic::error(format!(
                    "{}: does not exist, and stack \"{}\"'s IAM objects are managed from {home}, not {}",
                    c.addr, stack.name, live.region
                ))
                .hint(format!("IAM is global: apply the stack in {home} first, which creates it"));
                diags.push(match at {
                    Some((file, at)) => d.at(&file, at),
                    None => d,
                });
            }
            Action::Update | Action::Replace => {
                let d = Diagnostic::warning(format!(
                    "{}: differs from the file ({}), but it is managed from {home}: this plan leaves it as it is",
                    c.addr,
                    c.changed.join(", ")
                ))
                .hint(format!("apply the stack in {home} to change it"));
                warnings.push(match at {
                    Some((file, at)) => d.at(&file, at),
                    None => d,
                });
                c.action = Action::NoOp;
                c.after = c.live.as_ref().map(|l| l.attrs.clone());
                (c.changed, c.forces) = (vec![], vec![]);
            }
            Action::Delete => {
                left += 1;
                return false;
            }
        }
        true
    });
    if left > 0 {
        warnings.push(Diagnostic::warning(format!(
            "{left} IAM object(s) of stack \"{}\" are managed from {home}, not {}: this plan does not delete them",
            stack.name, live.region
        )));
    }
}

/// A destroy in the IAM home region that would delete IAM objects while deployments in other
/// regions (whose instances use its roles) remain.
fn others_still_deployed(stack: &Stack, live: &LiveState, changes: &[Change]) -> Option<Diagnostic> {
    let others: Vec<&str> =
        live.record.iter().flat_map(|r| &r.regions).map(String::as_str).filter(|r| *r != live.region).collect();
    if others.is_empty() || !changes.iter().any(|c| is_iam(&c.addr.kind)) {
        return None;
    }
    Some(
        Diagnostic::error(format!(
            "stack \"{}\" is still deployed in {}, whose objects use the IAM objects this destroy would delete",
            stack.name,
            others.join(", ")
        ))
        .hint(format!("destroy those deployments first (`stackr destroy --region {}`)", others[0])),
    )
}
