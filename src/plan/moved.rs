//! `moved` blocks in the plan. With no state file, an object's address is what its ownership
//! marks say; a move re-reads the live state as if the marks already named the new address, so
//! the diff compares the object with its new block, and the change records where it came from
//! (apply then rewrites the marks: see `Kind::rehome`). Moves whose `from` has no live object
//! are ignored, as Terraform ignores them.

use std::collections::HashMap;

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
    if stack.moved.is_empty() {
        return (out, from_of);
    }
    // Cycles were refused when the stack loaded; an object on one stays where it is.
    let dest = |o: &LiveObject| follow(&stack.moved, &o.addr).ok().and_then(|(to, m)| Some((to, m?)));
    let staying: Vec<&LiveObject> = live.objects.iter().filter(|o| dest(o).is_none()).collect();
    for obj in &mut out.objects {
        let Some((to, m)) = dest(obj) else { continue };
        let kind = resources::kind(&obj.addr.kind).expect("live objects are of known kinds");
        if let Some(why) = kind.move_refusal() {
            diags.push(refused(stack, m, obj, &to, why));
            continue;
        }
        if let Some(there) = staying.iter().find(|o| o.addr == to) {
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
