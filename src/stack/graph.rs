//! Reference cycles between resources. A cycle has no creation order, so it is reported at the
//! attribute that closes it, with the whole loop spelled out. References settled late (rules
//! naming another security group) are left out: they wait for their object instead.

use super::Resource;
use super::diag::{Diagnostic, Diagnostics};
use crate::model::{Address, Value};
use std::collections::{BTreeMap, HashMap};

pub(super) fn check_cycles(resources: &[Resource], diags: &mut Diagnostics) {
    let index: HashMap<&Address, usize> = resources.iter().enumerate().map(|(i, r)| (&r.addr, i)).collect();
    // 0 = unvisited, 1 = on the current path, 2 = finished.
    let mut state = vec![0u8; resources.len()];
    let mut reported: Vec<Vec<usize>> = vec![];
    for start in 0..resources.len() {
        let mut path = vec![];
        visit(start, resources, &index, &mut state, &mut path, &mut reported);
    }
    for cycle in reported {
        let from = &resources[cycle[0]];
        let to = &resources[cycle[1 % cycle.len()]];
        let names: Vec<String> =
            cycle.iter().chain(std::iter::once(&cycle[0])).map(|i| resources[*i].addr.to_string()).collect();
        let at = ref_path(&from.attrs, &to.addr).map_or(from.span.clone(), |p| from.span_of(&p));
        diags.push(
            Diagnostic::error(format!("reference cycle: {}", names.join(" -> ")))
                .at(&from.file, at)
                .label(format!("{} refers to {} here", from.addr, to.addr))
                .hint(
                    "resources that refer to each other have no order to create them in; remove one of the references",
                ),
        );
    }
}

fn visit(
    i: usize,
    resources: &[Resource],
    index: &HashMap<&Address, usize>,
    state: &mut [u8],
    path: &mut Vec<usize>,
    reported: &mut Vec<Vec<usize>>,
) {
    match state[i] {
        2 => return,
        1 => {
            let pos = path.iter().position(|p| *p == i).unwrap_or(0);
            reported.push(path[pos..].to_vec());
            return;
        }
        _ => {}
    }
    state[i] = 1;
    path.push(i);
    for dep in resources[i].firm_deps() {
        if let Some(&j) = index.get(dep) {
            visit(j, resources, index, state, path, reported);
        }
    }
    path.pop();
    state[i] = 2;
}

/// The attribute path (as used for spans) at which `attrs` refers to `target`.
fn ref_path(attrs: &BTreeMap<String, Value>, target: &Address) -> Option<String> {
    fn walk(v: &Value, path: String, target: &Address) -> Option<String> {
        match v {
            Value::Ref(r) if &r.addr == target => Some(path),
            Value::List(items) => items.iter().enumerate().find_map(|(i, item)| {
                let p = if matches!(item, Value::Map(_)) { format!("{path}[{i}]") } else { path.clone() };
                walk(item, p, target)
            }),
            Value::Map(m) => m.iter().find_map(|(k, item)| walk(item, format!("{path}.{k}"), target)),
            _ => None,
        }
    }
    attrs.iter().find_map(|(k, v)| walk(v, k.clone(), target))
}
