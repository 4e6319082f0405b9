//! Turning a desired resource's attributes into comparable values: references replaced by
//! what they point at (or `Unknown` when that exists only after apply), stack-dependent
//! defaults filled in, and the kind's canonical form applied. The planner and the executor
//! both use this, so what apply sends is exactly what plan compared.

use std::collections::HashMap;

use crate::model::{Address, Attrs, Deferred, Ty, Value};
use crate::resources::Kind;

/// Replaces every reference in `v` using `lookup(addr, attr)` (`attr` is `None` for the
/// target kind's reference attribute) and evaluates the expressions over them whose inputs
/// are all known; the others become `Unknown`. `Err` is an expression that fails.
pub fn resolve_value(v: &Value, lookup: &dyn Fn(&Address, Option<&str>) -> Value) -> Result<Value, String> {
    Ok(match v {
        Value::Ref(r) => lookup(&r.addr, r.attr.as_deref()),
        Value::Expr(d) => {
            let scope = d.scope.iter().map(|(k, x)| Ok((k.clone(), resolve_value(x, lookup)?)));
            let scope = scope.collect::<Result<_, String>>()?;
            let d = Deferred { expr: d.expr.clone(), scope };
            match d.scope.values().any(Value::has_unknown) {
                true => Value::Unknown,
                false => crate::stack::evaluate_deferred(&d)?,
            }
        }
        Value::List(l) => Value::List(l.iter().map(|x| resolve_value(x, lookup)).collect::<Result<_, _>>()?),
        Value::Map(m) => Value::Map(
            m.iter().map(|(k, x)| Ok((k.clone(), resolve_value(x, lookup)?))).collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// What `target.attr` is in `states` (`attr` `None`: the kind's reference attribute), `Unknown`
/// when that object or attribute does not exist yet: the lookup every resolution uses.
pub fn in_states(states: &HashMap<Address, Attrs>, target: &Address, attr: Option<&str>) -> Value {
    let attr = attr.unwrap_or_else(|| crate::resources::kind(&target.kind).map_or("id", |k| k.schema().ref_attr));
    states.get(target).and_then(|s| s.get(attr)).cloned().unwrap_or(Value::Unknown)
}

/// An attribute whose expression failed: its name and the message.
pub type Failed = (String, String);

/// The desired attributes of `addr`, resolved against `states` (the attributes each other
/// resource has, or will have, after its own change), completed and canonical.
pub fn desired(
    kind: &dyn Kind,
    stack: &str,
    addr: &Address,
    raw: &Attrs,
    states: &HashMap<Address, Attrs>,
) -> Result<Attrs, Failed> {
    let lookup = |target: &Address, attr: Option<&str>| in_states(states, target, attr);
    let mut attrs = Attrs::new();
    for (k, v) in raw {
        let mut r = resolve_value(v, &lookup).map_err(|e| (k.clone(), e))?;
        if let Some(spec) = kind.schema().attr(k).filter(|_| super::coerce::has_expr(v)) {
            r = super::coerce::coerce(&spec.ty, r).map_err(|e| (k.clone(), e))?;
        }
        attrs.insert(k.clone(), r);
    }
    kind.complete(stack, addr, &mut attrs);
    kind.canonical(&mut attrs);
    sort_sets(kind, &mut attrs);
    Ok(attrs)
}

/// Re-sorts set-typed attributes: resolving references can change their order.
fn sort_sets(kind: &dyn Kind, attrs: &mut Attrs) {
    for spec in kind.schema().attrs {
        if let (Ty::Set(_) | Ty::Blocks(_), Some(Value::List(items))) = (&spec.ty, attrs.get_mut(spec.name)) {
            items.sort();
            // Two unknown values are not the same value: keep both.
            items.dedup_by(|a, b| a == b && !a.has_unknown());
        }
    }
}

/// The strings inside `v` that, according to `ty`, refer to other objects, with their kind.
pub fn ref_strings(ty: &Ty, v: &Value, out: &mut Vec<(&'static str, String)>) {
    match (ty, v) {
        (Ty::Ref(kind), Value::Str(s)) => out.push((kind, s.clone())),
        (Ty::List(t) | Ty::Set(t), Value::List(items)) => items.iter().for_each(|i| ref_strings(t, i, out)),
        (Ty::Map(t), Value::Map(m)) => m.values().for_each(|i| ref_strings(t, i, out)),
        (Ty::Blocks(specs), Value::List(items)) => {
            for item in items {
                if let Value::Map(m) = item {
                    for spec in *specs {
                        if let Some(x) = m.get(spec.name) {
                            ref_strings(&spec.ty, x, out);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// `attrs` without the list items (plain or nested blocks) that refer to any of `doomed`:
/// the state an object must reach before the objects it refers to can be deleted.
pub fn release(kind: &dyn Kind, attrs: &Attrs, doomed: &dyn Fn(&str) -> bool) -> Attrs {
    let mut out = attrs.clone();
    for spec in kind.schema().attrs {
        // A single in-place reference (an internet gateway's VPC) is let go by unsetting it.
        if let (Ty::Ref(_), Some(v)) = (&spec.ty, out.get_mut(spec.name)) {
            if spec.update == crate::model::Update::InPlace && v.as_str().is_some_and(doomed) {
                *v = Value::Null;
            }
            continue;
        }
        let Some(Value::List(items)) = out.get_mut(spec.name) else { continue };
        let item_ty = match &spec.ty {
            Ty::List(t) | Ty::Set(t) => Some(**t),
            Ty::Blocks(_) => None,
            _ => continue,
        };
        items.retain(|item| {
            let mut refs = vec![];
            match item_ty {
                Some(t) => ref_strings(&t, item, &mut refs),
                None => ref_strings(&spec.ty, &Value::List(vec![item.clone()]), &mut refs),
            }
            !refs.iter().any(|(_, id)| doomed(id))
        });
    }
    out
}
