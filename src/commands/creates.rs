//! Before a plan is shown or applied: what the account says about the objects it creates (a
//! volume from a snapshot too large for the size given, or from one that does not exist), so
//! the plan fails at the attribute and nothing is changed, rather than apply failing midway.

use crate::plan::{Action, Plan};
use crate::resources::{self, Cx};
use crate::stack::{Diagnostic, Diagnostics, Stack};

/// Runs every kind's [`resources::Kind::check_create`] for the plan's creates and replaces.
pub async fn refuse(cx: &Cx, stack: &Stack, plan: &Plan) -> anyhow::Result<()> {
    let checks = plan.changes.iter().filter(|c| matches!(c.action, Action::Create | Action::Replace)).filter_map(|c| {
        let (after, kind) = (c.after.as_ref()?, resources::kind(&c.addr.kind)?);
        Some(async move { anyhow::Ok((c, kind.check_create(cx, after).await?)) })
    });
    let mut diags = Diagnostics::default();
    for (c, problem) in resources::read_each(checks.collect()).await? {
        let Some((attr, msg)) = problem else { continue };
        let mut d = Diagnostic::error(format!("{}: {msg}", c.addr));
        if let Some(r) = stack.resource(&c.addr) {
            d = d.at(&r.file, r.span_of(attr));
        }
        diags.push(d);
    }
    if diags.0.is_empty() { Ok(()) } else { Err(diags.into()) }
}
