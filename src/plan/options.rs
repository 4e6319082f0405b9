//! What the user can ask of a plan beyond the stack file: destroy everything, replace an object
//! regardless of changes (`-replace`), or plan only some objects and what they depend on
//! (`-target`); and the lifecycle guard that refuses plans destroying protected objects.

use std::collections::HashSet;

use super::{Action, Change};
use crate::live::LiveState;
use crate::model::Address;
use crate::stack::{Diagnostic, Diagnostics, Stack};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Delete every object the stack owns.
    pub destroy: bool,
    /// Replace these objects even if nothing about them changed.
    pub replace: Vec<Address>,
    /// Only these objects (and what they depend on); empty means everything.
    pub target: Vec<Address>,
}

/// `lifecycle { prevent_destroy = true }` turns any delete or replace of the object into a
/// diagnostic at the lifecycle block, so nothing is applied.
pub(super) fn prevent_destroy(stack: &Stack, changes: &[Change], diags: &mut Diagnostics) {
    for c in changes.iter().filter(|c| matches!(c.action, Action::Delete | Action::Replace)) {
        let Some(res) = stack.resource(&c.addr).filter(|r| r.lifecycle.prevent_destroy) else { continue };
        let what = match (c.action, c.forces.first()) {
            (Action::Replace, Some(attr)) => format!("replace it (a change of `{attr}` forces replacement)"),
            (Action::Replace, None) => "replace it (-replace was given)".to_string(),
            _ => "destroy it".to_string(),
        };
        let at = res.lifecycle.span.clone().unwrap_or_else(|| res.span.clone());
        diags.push(
            Diagnostic::error(format!("{} is protected by lifecycle.prevent_destroy, but this plan would {what}", c.addr))
                .at(&res.file, at)
                .label("prevent_destroy is true")
                .hint("undo the change that forces replacement, or set prevent_destroy = false first if the object really should go"),
        );
    }
}

/// `-replace` and `-target` must name objects of this stack.
pub(super) fn unknown_addresses(stack: &Stack, live: &LiveState, opts: &super::Options, diags: &mut Diagnostics) {
    for (flag, addrs) in [("-replace", &opts.replace), ("-target", &opts.target)] {
        for a in addrs {
            // A block address targets each of its instances; -replace names one instance.
            let names = |b: &Address| if flag == "-target" { a.covers(b) } else { a == b };
            let known = stack.resources.iter().any(|r| names(&r.addr)) || live.objects.iter().any(|o| names(&o.addr));
            if !known {
                diags.push(Diagnostic::error(format!("{flag}={a}: no such object in the stack or the account")));
            }
            if flag == "-replace" && !live.objects.iter().any(|o| &o.addr == a) && stack.resource(a).is_some() {
                diags.push(Diagnostic::error(format!(
                    "{flag}={a}: it does not exist yet, so there is nothing to replace"
                )));
            }
        }
    }
}

/// With targets, only their changes and those of everything they depend on (in the stack
/// file) remain.
pub(super) fn target(changes: Vec<Change>, stack: &Stack, targets: &[Address]) -> Vec<Change> {
    if targets.is_empty() {
        return changes;
    }
    let mut keep: HashSet<Address> = HashSet::new();
    let covered = |a: &Address| targets.iter().any(|t| t.covers(a));
    let mut todo: Vec<Address> = targets.to_vec();
    todo.extend(stack.resources.iter().map(|r| &r.addr).filter(|a| covered(a)).cloned());
    todo.extend(changes.iter().map(|c| &c.addr).filter(|a| covered(a)).cloned());
    while let Some(a) = todo.pop() {
        if keep.insert(a.clone())
            && let Some(res) = stack.resource(&a)
        {
            todo.extend(res.deps.iter().cloned());
        }
    }
    changes.into_iter().filter(|c| keep.contains(&c.addr)).collect()
}
