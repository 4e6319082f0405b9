//! Orders a plan's changes into steps. The rules AWS imposes are expressed as edges here,
//! never as sleeps: an object is created or updated after what it references; an object is
//! deleted after everything that still refers to it has let go (deleted, updated, or first
//! "released" when the reference will be re-pointed at a replacement); a replacement deletes
//! the old object before creating the new one (or the other way round with
//! `create_before_destroy`); and a create waits for the delete of an object whose
//! account-unique name it takes over. A `moved` object's address is re-recorded before it is
//! updated.

use std::collections::{HashMap, HashSet};

use super::late::{self, Let, Wait};
use super::resolve::{ref_strings, release};
use super::{Action, Change};
use crate::model::{Address, Attrs, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Delete,
    Create,
    Update,
    /// An update that only drops references to objects about to be deleted.
    Release,
    /// Records a `moved` block's new address on the object (its tags or IAM path).
    Move,
    /// Adds what a create or update left out of its late attributes (see [`super::late`]).
    Complete,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub change: usize,
    pub op: Op,
    /// Steps that must finish first.
    pub after: Vec<usize>,
    /// For `Release`: the attributes to update to.
    pub release: Option<Attrs>,
    /// For a create or update: references it does not wait for; the items naming them are
    /// left out until its `Complete` step.
    pub late: Vec<Address>,
}

/// The value other objects use to refer to this one (its id, or its name for IAM groups).
fn ref_value(c: &Change) -> Option<String> {
    let live = c.live.as_ref()?;
    let attr = c.kind().schema().ref_attr;
    live.attrs.get(attr).and_then(Value::as_str).map(String::from).or_else(|| Some(live.id.clone()))
}

pub fn steps(changes: &[Change]) -> Result<Vec<Step>, String> {
    let mut steps: Vec<Step> = vec![];
    let add = |steps: &mut Vec<Step>, change: usize, op: Op| {
        steps.push(Step { change, op, after: vec![], release: None, late: vec![] });
        steps.len() - 1
    };
    let (mut del, mut cre, mut upd) = (HashMap::new(), HashMap::new(), HashMap::new());
    for (i, c_) in changes.iter().enumerate() {
        match c_.action {
            Action::NoOp => {}
            Action::Create => {
                cre.insert(i, add(&mut steps, i, Op::Create));
            }
            Action::Update => {
                upd.insert(i, add(&mut steps, i, Op::Update));
            }
            Action::Delete => {
                del.insert(i, add(&mut steps, i, Op::Delete));
            }
            Action::Replace => {
                let d = add(&mut steps, i, Op::Delete);
                let c = add(&mut steps, i, Op::Create);
                // Normally delete then create (names are often unique); with
                // create_before_destroy the new object exists before the old one goes.
                if c_.create_before_destroy {
                    steps[d].after.push(c);
                } else {
                    steps[c].after.push(d);
                }
                del.insert(i, d);
                cre.insert(i, c);
            }
        }
    }

    // A move re-records the object's address before anything else changes it, so a failed
    // update leaves it found at its new address.
    for (i, c) in changes.iter().enumerate() {
        if c.moved_from.is_some() && matches!(c.action, Action::NoOp | Action::Update) {
            let m = add(&mut steps, i, Op::Move);
            if let Some(&u) = upd.get(&i) {
                steps[u].after.push(m);
            }
        }
    }

    // Creates and updates follow the creates and updates of what they reference.
    let desired: HashMap<_, usize> =
        changes.iter().enumerate().filter(|(_, c)| c.raw.is_some()).map(|(i, c)| (&c.addr, i)).collect();
    let mut waits = vec![];
    for (i, c) in changes.iter().enumerate() {
        let Some(&me) = cre.get(&i).or(upd.get(&i)) else { continue };
        for dep in &c.deps {
            let Some(j) = desired.get(dep) else { continue };
            let made = cre.get(j).into_iter().chain(upd.get(j)).copied();
            if c.soft_deps.contains(dep) {
                waits.push(Wait { step: me, change: i, dep: dep.clone(), waits: made.collect() });
            } else {
                steps[me].after.extend(made);
            }
        }
    }

    // Deletes follow whatever still refers to the doomed object in the account.
    let by_ref: HashMap<(&str, String), usize> =
        changes.iter().enumerate().filter_map(|(i, c)| Some(((c.kind().schema().kind, ref_value(c)?), i))).collect();
    let doomed: HashSet<String> = del.keys().filter_map(|&i| ref_value(&changes[i])).collect();
    let mut released: HashMap<usize, usize> = HashMap::new();
    let mut lets = vec![];
    for (j, c) in changes.iter().enumerate() {
        let Some(live) = &c.live else { continue };
        let (mut refs, mut late_refs) = (vec![], vec![]);
        for spec in c.kind().schema().attrs {
            if let Some(v) = live.attrs.get(spec.name) {
                ref_strings(&spec.ty, v, if spec.late { &mut late_refs } else { &mut refs });
            }
        }
        let late_only: Vec<_> = late_refs.iter().filter(|r| !refs.contains(r)).cloned().collect();
        refs.extend(late_refs);
        let freed = freed_refs(c);
        for (kind, id) in refs {
            let freed_here = freed.contains(&(kind, id.clone()));
            let late_here = late_only.contains(&(kind, id.clone()));
            let Some(&x) = by_ref.get(&(kind, id)) else { continue };
            let Some(&dx) = del.get(&x).filter(|_| x != j) else { continue };
            if let Some(&dj) = del.get(&j) {
                // What the referent's deletion frees goes after it, the rest before it.
                if freed_here {
                    steps[dj].after.push(dx);
                } else if late_here {
                    lets.push(Let { referent: dx, referrer: j, after: dj });
                } else {
                    steps[dx].after.push(dj);
                }
            } else if let Some(&uj) = upd.get(&j) {
                // A replacement made first needs no release: the referrer moves straight to
                // the new object, then the old one goes. What the deletion frees by itself
                // (a volume of a terminated instance) is not released first either: it moves
                // once the old object is gone.
                if freed_here {
                    steps[uj].after.push(dx);
                } else if changes[x].action == Action::Replace && !changes[x].create_before_destroy {
                    let r = release_step(&mut steps, &mut released, changes, j, &|s| doomed.contains(s));
                    steps[dx].after.push(r);
                    steps[uj].after.push(r);
                } else {
                    steps[dx].after.push(uj);
                }
            }
        }
    }

    // Deletes a kind must follow without a reference in the account to say so.
    for (&i, &di) in &del {
        let after = changes[i].kind().deleted_after();
        for (&x, &dx) in &del {
            if x != i && after.contains(&changes[x].addr.kind.as_str()) {
                steps[di].after.push(dx);
            }
        }
    }

    // A create that takes over a unique name waits for the delete that frees it.
    for (&i, &ci) in &cre {
        let c = &changes[i];
        let Some(name) = c.after.as_ref().and_then(|a| c.kind().unique_name(a)) else { continue };
        for (&x, &dx) in &del {
            let old = &changes[x];
            let same = old.addr.kind == c.addr.kind
                && old.live.as_ref().and_then(|l| old.kind().unique_name(&l.attrs)) == Some(name.clone());
            if same && x != i {
                steps[ci].after.push(dx);
            }
        }
    }

    // Late references go in last: only where they close no cycle do they order anything.
    late::waits(&mut steps, waits);
    late::lets(&mut steps, &mut released, changes, lets, &|s| doomed.contains(s));

    for s in &mut steps {
        s.after.sort_unstable();
        s.after.dedup();
    }
    check_acyclic(&steps, changes)?;
    Ok(steps)
}

/// The step in which change `j` drops its references to objects being deleted: one per
/// change, however many of them it lets go of.
pub(super) fn release_step(
    steps: &mut Vec<Step>,
    released: &mut HashMap<usize, usize>,
    changes: &[Change],
    j: usize,
    doomed: &dyn Fn(&str) -> bool,
) -> usize {
    *released.entry(j).or_insert_with(|| {
        let live = changes[j].live.as_ref().expect("releases have a live object");
        let attrs = release(changes[j].kind(), &live.attrs, doomed);
        steps.push(Step { change: j, op: Op::Release, after: vec![], release: Some(attrs), late: vec![] });
        steps.len() - 1
    })
}

/// The references of `c` whose referent's deletion lets go of `c` by itself.
fn freed_refs(c: &Change) -> HashSet<(&'static str, String)> {
    let mut out = vec![];
    let Some(live) = &c.live else { return HashSet::new() };
    for name in c.kind().freed_by_deleting() {
        if let (Some(spec), Some(v)) = (c.kind().schema().attr(name), live.attrs.get(*name)) {
            ref_strings(&spec.ty, v, &mut out);
        }
    }
    out.into_iter().collect()
}

/// Kahn's algorithm; a leftover step means the rules above produced a cycle.
fn check_acyclic(steps: &[Step], changes: &[Change]) -> Result<(), String> {
    let mut indegree: Vec<usize> = steps.iter().map(|s| s.after.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![vec![]; steps.len()];
    for (i, s) in steps.iter().enumerate() {
        for &a in &s.after {
            dependents[a].push(i);
        }
    }
    let mut ready: Vec<usize> = (0..steps.len()).filter(|&i| indegree[i] == 0).collect();
    let mut seen = 0;
    while let Some(i) = ready.pop() {
        seen += 1;
        for &d in &dependents[i] {
            indegree[d] -= 1;
            if indegree[d] == 0 {
                ready.push(d);
            }
        }
    }
    if seen == steps.len() {
        return Ok(());
    }
    let stuck: Vec<String> = (0..steps.len())
        .filter(|&i| indegree[i] > 0)
        .map(|i| format!("{} ({:?})", changes[steps[i].change].addr, steps[i].op))
        .collect();
    Err(format!("cannot order these changes, they wait on each other: {}", stuck.join(", ")))
}
