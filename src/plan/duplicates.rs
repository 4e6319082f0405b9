//! Two owned objects at one address: a create retried after its answer was lost, where AWS
//! takes no client token, or an out-of-band copy. The one in use is the stack's (what other
//! objects refer to); a free copy is deleted as a duplicate, but one that holds data or has
//! dependents is never deleted automatically: the plan keeps it and says how to resolve it.

use std::collections::HashMap;

use super::resolve::ref_strings;
use crate::model::{Address, LiveObject, Value};
use crate::resources;
use crate::stack::Diagnostic;

/// How many live objects refer to each (kind, id).
pub(super) fn referrers(objects: &[LiveObject]) -> HashMap<(&'static str, String), usize> {
    let mut out = HashMap::new();
    for o in objects {
        let Some(kind) = resources::kind(&o.addr.kind) else { continue };
        let mut refs = vec![];
        for spec in kind.schema().attrs {
            if let Some(v) = o.attrs.get(spec.name) {
                ref_strings(&spec.ty, v, &mut refs);
            }
        }
        for r in refs {
            *out.entry(r).or_default() += 1;
        }
    }
    out
}

fn key(o: &LiveObject) -> (&'static str, String) {
    let kind = resources::kind(&o.addr.kind).expect("live objects are of known kinds");
    let id = o.attrs.get(kind.schema().ref_attr).and_then(Value::as_str).unwrap_or(&o.id).to_string();
    (kind.schema().kind, id)
}

/// Puts the object the stack keeps first: the most referred to, then the lowest id.
pub(super) fn order(objects: &mut [&LiveObject], refs: &HashMap<(&'static str, String), usize>) {
    objects.sort_by(|a, b| {
        let n = |o: &LiveObject| refs.get(&key(o)).copied().unwrap_or(0);
        n(b).cmp(&n(a)).then(a.id.cmp(&b.id))
    });
}

/// Whether a duplicate (not the kept object) may be deleted automatically.
pub(super) fn free(o: &LiveObject, refs: &HashMap<(&'static str, String), usize>) -> bool {
    let holds_data = resources::kind(&o.addr.kind).is_some_and(|k| k.holds_data());
    !holds_data && !refs.contains_key(&key(o))
}

/// The warning for a duplicate kept because it holds data or has dependents.
pub(super) fn kept(addr: &Address, kept_id: &str, dup: &LiveObject) -> Diagnostic {
    Diagnostic::warning(format!(
        "{addr} exists twice in the account: {kept_id} (the one this stack uses) and {} (left as it is)",
        dup.id
    ))
    .hint(format!(
        "two objects carry the address when a create is retried after its answer was lost. {} holds data or has \
         dependents, so stackr will not delete it: delete it yourself if nothing in it is needed, or give it a block \
         of its own and `stackr adopt` it",
        dup.id
    ))
}
