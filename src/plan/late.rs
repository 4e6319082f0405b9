//! References that may be settled late: the list items of attributes marked `late` (a
//! security group's rules) may name an object that does not exist yet. Their order edges are
//! added last, and only where they close no cycle. Otherwise a create or update leaves those
//! items out and a `Complete` step adds them once the objects exist; and a delete that would
//! wait on an object waiting on it first releases the items naming it, so two groups whose
//! rules name each other are made, and deleted, without a deadlock.

use std::collections::HashMap;

use super::Change;
use super::order::{Op, Step};
use crate::model::{Address, Attrs, Value};

/// A create or update (`step`, of change `change`) that references `dep`, made by `waits`.
pub struct Wait {
    pub step: usize,
    pub change: usize,
    pub dep: Address,
    pub waits: Vec<usize>,
}

/// A delete (`referent`) that should follow the delete of change `referrer` (step `after`),
/// which names it in a late attribute.
pub struct Let {
    pub referent: usize,
    pub referrer: usize,
    pub after: usize,
}

/// Whether step `from` waits on step `to`, directly or through other steps.
fn reaches(steps: &[Step], from: usize, to: usize) -> bool {
    let mut seen = vec![false; steps.len()];
    let mut todo = vec![from];
    while let Some(s) = todo.pop() {
        if s == to {
            return true;
        }
        if !std::mem::replace(&mut seen[s], true) {
            todo.extend(&steps[s].after);
        }
    }
    false
}

fn add(steps: &mut Vec<Step>, change: usize, op: Op, after: Vec<usize>) -> usize {
    steps.push(Step { change, op, after, release: None, late: vec![] });
    steps.len() - 1
}

/// Adds the creates' and updates' late edges; a cycle-closing one becomes a `Complete` step.
pub fn waits(steps: &mut Vec<Step>, waits: Vec<Wait>) {
    let mut complete: HashMap<usize, usize> = HashMap::new();
    for w in waits {
        if w.waits.iter().all(|&t| !reaches(steps, t, w.step)) {
            steps[w.step].after.extend(&w.waits);
            continue;
        }
        steps[w.step].late.push(w.dep);
        let c = *complete.entry(w.change).or_insert_with(|| add(steps, w.change, Op::Complete, vec![w.step]));
        steps[c].after.extend(w.waits);
    }
    // What waited for the object waits for it whole, unless that is what it waits on.
    for (&change, &c) in &complete {
        let main = steps[c].after[0];
        for s in 0..steps.len() {
            let makes = matches!(steps[s].op, Op::Create | Op::Update);
            let waiter = makes && steps[s].change != change && steps[s].after.contains(&main);
            if waiter && !reaches(steps, c, s) {
                steps[s].after.push(c);
            }
        }
    }
}

/// Orders the late deletes; where the referent's delete would wait on itself, the referrer
/// first drops the items naming any object being deleted.
pub fn lets(
    steps: &mut Vec<Step>,
    released: &mut HashMap<usize, usize>,
    changes: &[Change],
    lets: Vec<Let>,
    doomed: &dyn Fn(&str) -> bool,
) {
    for l in lets {
        if !reaches(steps, l.after, l.referent) {
            steps[l.referent].after.push(l.after);
            continue;
        }
        let r = super::order::release_step(steps, released, changes, l.referrer, doomed);
        steps[l.after].after.push(r);
        steps[l.referent].after.push(r);
    }
}

/// `want` without the items of late attributes that name objects not made yet: what a step
/// with `late` references sends first.
pub fn partial(kind: &dyn crate::resources::Kind, mut want: Attrs) -> Attrs {
    for spec in kind.schema().attrs.iter().filter(|a| a.late) {
        if let Some(Value::List(items)) = want.get_mut(spec.name) {
            items.retain(|i| !i.has_unknown());
        }
    }
    want
}

/// Tells the plan's reader which items a create or update adds in a second step.
pub fn notes(steps: &[Step], changes: &mut [Change]) {
    for s in steps.iter().filter(|s| !s.late.is_empty()) {
        let made = |a: &Address| {
            changes.iter().any(|c| &c.addr == a && matches!(c.action, super::Action::Create | super::Action::Replace))
        };
        let names: Vec<String> = s.late.iter().filter(|a| made(a)).map(ToString::to_string).collect();
        if names.is_empty() {
            continue;
        }
        let attrs: Vec<&str> =
            changes[s.change].kind().schema().attrs.iter().filter(|a| a.late).map(|a| a.name).collect();
        let (names, them) = (names.join(", "), if names.len() == 1 { "it exists" } else { "they exist" });
        changes[s.change].notes.push(format!("its {} naming {names} are added once {them}", attrs.join("/")));
    }
}
