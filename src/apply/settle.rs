//! After an apply: waiting until the account's listings show what it did, so the plan made
//! next (by the user, or a CI job's check) neither misses a new object nor sees a deleted one.

use std::time::{Duration, Instant};

use super::Outcome;
use crate::model::Address;
use crate::plan::{Action, Plan};
use crate::resources::Cx;

/// Waits until the account's listings show what the apply did: objects it created listed, and
/// objects it deleted gone. EC2 and ELB listings lag behind creates and deletes for a few
/// seconds; a plan made in that gap would create an object a second time. Returns what is
/// still not shown after the listing window (then the next plan may see the gap).
pub(super) async fn settle(cx: &Cx, plan: &Plan, out: &Outcome) -> anyhow::Result<Vec<Address>> {
    use crate::resources::retry::Window;
    let mut made: Vec<(&Address, String)> = vec![];
    let mut gone: Vec<(&Address, String)> = vec![];
    let mut moved: Vec<(&Address, String)> = vec![];
    let failed: std::collections::HashSet<&Address> = out.errors.iter().map(|(a, _, _)| a).collect();
    for c in plan.changes.iter().filter(|c| !failed.contains(&c.addr)) {
        if matches!(c.action, Action::Create | Action::Replace) && !c.kind().schema().singleton {
            let id = out.states.get(&c.addr).and_then(|a| super::ident(c.kind(), a));
            made.extend(id.map(|id| (&c.addr, id.to_string())));
        }
        if matches!(c.action, Action::Delete | Action::Replace) {
            gone.extend(c.live.as_ref().map(|l| (&c.addr, l.id.clone())));
        }
        // A moved object must be listed at its new address: listed at the old one, a plan
        // without the moved block would destroy it.
        if c.moved_from.is_some() && matches!(c.action, Action::NoOp | Action::Update) {
            moved.extend(c.live.as_ref().map(|l| (&c.addr, l.id.clone())));
        }
    }
    // A replacement under the same identifier (an IAM name) is both: it is there, as it should be.
    gone.retain(|g| !made.iter().any(|m| m.1 == g.1));
    let kinds: std::collections::HashSet<&str> =
        made.iter().chain(&gone).chain(&moved).map(|(a, _)| a.kind.as_str()).collect();
    // Only listings count here, so the lookups of declared names (one call per name) are skipped.
    let cx = &Cx { declared: Default::default(), ..cx.clone() };
    let start = Instant::now();
    loop {
        if kinds.is_empty() {
            return Ok(vec![]);
        }
        let (live, unlisted) = crate::live::read_listed(cx, |k| kinds.contains(k)).await?;
        // Found only by its name is not enough: a later read without that name (a destroy, a
        // block removed) would not see it until the listing does.
        let ids: std::collections::HashSet<&str> =
            live.objects.iter().map(|o| o.id.as_str()).filter(|id| !unlisted.contains(*id)).collect();
        let mut missing: Vec<Address> =
            made.iter().filter(|(_, id)| !ids.contains(id.as_str())).map(|(a, _)| (*a).clone()).collect();
        missing.extend(gone.iter().filter(|(_, id)| ids.contains(id.as_str())).map(|(a, _)| (*a).clone()));
        let at = |a: &Address, id: &str| live.objects.iter().any(|o| o.id == id && &o.addr == a);
        missing.extend(moved.iter().filter(|(a, id)| !at(a, id)).map(|(a, _)| (*a).clone()));
        if missing.is_empty() || start.elapsed() > Window::Listing.get() {
            return Ok(missing);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
