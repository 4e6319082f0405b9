//! `moved` blocks in the plan. With no state file, an object's address is what its ownership
//! marks say; a move re-reads the live state as if the marks already named the new address, so
//! the diff compares the object with its new block, and the change records where it came from
//! (apply then rewrites the marks: see `Kind::rehome`). Moves whose `from` has no live object
//! are ignored, as Terraform ignores them. Terraform's implied moves are made too: an object at
//! `vpc.main` when the file declares only `vpc.main[0]` (count was added), and the reverse,
//! also for module calls.

use std::collections::{HashMap, HashSet};

use crate::live::LiveState;
use crate::model::{Address, LiveObject};
use crate::resources;
use crate::stack::moved::{Moved, follow};
use crate::stack::{Diagnostic, Diagnostics, Stack};

/// The live state with every object a chain of moves takes elsewhere re-addressed, and the
/// address each moved object had, by its new address. A move that cannot be made (its kind
/// cannot change address, or another object holds the new one) is an error at its block.
pub(super) fn relocate(
    stack: &Stack,
    live: &LiveState,
    diags: &mut Diagnostics,
) -> (LiveState, HashMap<Address, Address>) {
    let mut out = live.clone();
    let mut from_of: HashMap<Address, Address> = HashMap::new();
    let declared: HashSet<&Address> = stack.resources.iter().map(|r| &r.addr).collect();
    // Cycles were refused when the stack loaded; an object on one stays where it is. Without
    // a block, an object at an address nothing declares may take an implied move (`None`).
    let dest = |o: &LiveObject| -> Option<(Address, Option<&Moved>)> {
        match follow(&stack.moved, &o.addr).ok() {
            Some((to, Some(m))) => Some((to, Some(m))),
            _ if declared.contains(&o.addr) => None,
            _ => o.addr.implied_targets().into_iter().find(|t| declared.contains(t)).map(|to| (to, None)),
        }
    };
    let staying: HashMap<&Address, &LiveObject> =
        live.objects.iter().filter(|o| dest(o).is_none()).map(|o| (&o.addr, o)).collect();
    for obj in &mut out.objects {
        let Some((to, m)) = dest(obj) else { continue };
        let kind = resources::kind(&obj.addr.kind).expect("live objects are of known kinds");
        // An implied move that cannot be made is not made, as in Terraform: the object is then
        // planned like any the file no longer declares.
        let refusal = kind.move_refusal();
        let there = staying.get(&to);
        let Some(m) = m else {
            if refusal.is_none() && there.is_none() && !from_of.contains_key(&to) {
                from_of.insert(to.clone(), obj.addr.clone());
                obj.addr = to;
            }
            continue;
        };
        if let Some(why) = refusal {
            diags.push(refused(stack, m, obj, &to, why));
            continue;
        }
        if let Some(there) = there {
            diags.push(occupied(stack, m, obj, &to, &there.id));
            continue;
        }
        match from_of.get(&to) {
            // Two objects at one old address (a raced apply) move together: the diff keeps one.
            Some(prev) if prev != &obj.addr => {
                diags.push(occupied(stack, m, obj, &to, &format!("moved there from {prev}")));
                continue;
            }
            _ => {}
        }
        from_of.insert(to.clone(), obj.addr.clone());
        obj.addr = to;
    }
    (out, from_of)
}

fn refused(stack: &Stack, m: &Moved, obj: &LiveObject, to: &Address, why: String) -> Diagnostic {
    Diagnostic::error(format!("{} ({}) cannot move to {to}", obj.addr, obj.id))
        .at(&stack.file, m.span.clone())
        .label(format!("a {} cannot change address", obj.addr.kind))
        .hint(why)
}

/// Terraform's "moved object still exists", for the account: both addresses hold an object.
fn occupied(stack: &Stack, m: &Moved, obj: &LiveObject, to: &Address, other: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "{} ({}) cannot move to {to}: an object already exists there ({other})",
        obj.addr, obj.id
    ))
    .at(&stack.file, m.span.clone())
    .label("both addresses hold an object in the account")
    .hint(format!(
        "an address holds one object: remove this moved block (then {} is destroyed as no longer in the file), \
         or delete one of the two objects",
        obj.addr
    ))
}
