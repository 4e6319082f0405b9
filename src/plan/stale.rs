//! The stale-plan guard: a saved plan may be applied only if planning again now gives exactly
//! the same changes, each computed from the same live object. Anything else (an object edited
//! or deleted out of band, a new object in the way, a different stack file or variable) is
//! listed, and nothing is applied.

use std::collections::{BTreeMap, BTreeSet};

use super::Plan;
use super::saved::{Saved, SavedVar, digest, fingerprint, var_digest};
use crate::model::{Address, Value};
use crate::stack::Stack;

/// Why the saved plan no longer holds, each reason once with the objects it is about; empty
/// when it holds.
pub fn check(saved: &Saved, stack: &Stack, region: &str, fresh: &Plan) -> Vec<String> {
    let mut out = vec![];
    let mut objects: Vec<(&Address, String)> = vec![];
    if saved.stack != stack.name {
        out.push(format!(
            "the plan is for stack \"{}\", but {} is stack \"{}\"",
            saved.stack, stack.file.path, stack.name
        ));
        return out;
    }
    if saved.region != region {
        out.push(format!("the plan was made for region {}, but this run targets {region}", saved.region));
        return out;
    }
    variables(saved, stack, &mut out);
    let now: BTreeMap<&Address, &super::Change> =
        fresh.changes.iter().filter(|c| c.acts()).map(|c| (&c.addr, c)).collect();
    let shown = fresh.redacted();
    let shown: BTreeMap<&Address, &super::Change> = shown.changes.iter().map(|c| (&c.addr, c)).collect();
    let mut seen = BTreeSet::new();
    for s in &saved.changes {
        seen.insert(&s.address);
        let Some(c) = now.get(&s.address) else {
            let why = if fresh.changes.iter().any(|c| c.addr == s.address) {
                "the account already matches the stack file (was this plan applied already?)"
            } else {
                "the object is neither in the stack file nor in the account any more"
            };
            objects.push((&s.address, format!("the planned {} is no longer needed: {why}", s.action.verb())));
            continue;
        };
        if fingerprint(c.live.as_ref()) != s.fingerprint {
            let what = match (&s.before, shown.get(&s.address).and_then(|c| c.live.as_ref())) {
                (Some(_), None) => "was deleted in the account since the plan".to_string(),
                (None, Some(l)) => format!("now exists in the account ({}), and did not when the plan was made", l.id),
                (Some(before), Some(l)) => match differing(before, &l.attrs) {
                    d if d.is_empty() => "was replaced in the account since the plan".into(),
                    d => format!("changed in the account since the plan ({})", d.join(", ")),
                },
                (None, None) => "changed in the account since the plan".into(),
            };
            objects.push((&s.address, what));
        } else if c.action != s.action {
            objects.push((
                &s.address,
                format!("the plan was to {} it; now it would be to {}", s.action.verb(), c.action.verb()),
            ));
        } else if c.moved_from != s.moved_from {
            let was = |m: &Option<Address>| m.as_ref().map_or("no move".to_string(), |a| format!("a move from {a}"));
            objects
                .push((&s.address, format!("the plan had {}; now it has {}", was(&s.moved_from), was(&c.moved_from))));
        } else if digest(c) != s.digest {
            objects.push((&s.address, "the stack file or variables now ask for something different".into()));
        }
    }
    for (addr, c) in &now {
        if !seen.contains(addr) {
            objects.push((addr, format!("a {} that is not in the reviewed plan", c.action.verb())));
        }
    }
    out.extend(grouped(objects));
    out
}

/// One line per reason: `ADDRESS: reason` for one object, `reason: A, B, C (3 objects)` for
/// several, in the order the reasons first appear.
fn grouped(objects: Vec<(&Address, String)>) -> Vec<String> {
    let mut reasons: Vec<(String, Vec<String>)> = vec![];
    for (addr, why) in objects {
        match reasons.iter_mut().find(|(w, _)| *w == why) {
            Some((_, addrs)) => addrs.push(addr.to_string()),
            None => reasons.push((why, vec![addr.to_string()])),
        }
    }
    reasons
        .into_iter()
        .map(|(why, addrs)| match addrs.as_slice() {
            [one] => format!("{one}: {why}"),
            many => format!("{why}: {} ({} objects)", many.join(", "), many.len()),
        })
        .collect()
}

fn variables(saved: &Saved, stack: &Stack, out: &mut Vec<String>) {
    for (name, recorded) in &saved.variables {
        let matches = match (recorded, stack.variables.get(name)) {
            (SavedVar::Value(v), Some(now)) => v == now,
            (SavedVar::Sensitive { sha256 }, Some(now)) => &var_digest(name, now) == sha256,
            (_, None) => false,
        };
        if !matches {
            let how =
                if matches!(recorded, SavedVar::Sensitive { .. }) { " (sensitive: compared by digest)" } else { "" };
            out.push(format!("variable \"{name}\" has a different value than when the plan was made{how}"));
        }
    }
}

/// Names of attributes whose values differ, private ones aside.
fn differing(a: &crate::model::Attrs, b: &crate::model::Attrs) -> Vec<String> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).filter(|k| !crate::model::is_private(k)).collect();
    keys.into_iter()
        .filter(|k| a.get(*k).unwrap_or(&Value::Null) != b.get(*k).unwrap_or(&Value::Null))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_shared_by_many_objects_is_said_once() {
        let (a, b, c) = (Address::new("vpc", "main"), Address::new("subnet", "a"), Address::new("subnet", "b"));
        let same = "the stack file or variables now ask for something different";
        let lines = grouped(vec![(&a, same.into()), (&b, "was deleted".into()), (&c, same.into())]);
        assert_eq!(lines, [format!("{same}: vpc.main, subnet.b (2 objects)"), "subnet.a: was deleted".to_string()]);
    }
}
