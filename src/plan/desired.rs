//! One declared resource's change: its desired attributes resolved against what the plan
//! knows so far, then compared with the live object it claims (or made from nothing), and the
//! order resources are planned in.

use std::collections::{HashMap, HashSet};

use super::{Action, Change, Options, conflicts, home, resolve, sensitive};
use crate::live::LiveState;
use crate::model::{Address, Attrs, LiveObject, Presence, Value};
use crate::resources::{self, Kind};
use crate::stack::{Diagnostic, Diagnostics, Resource, Stack};

/// What planning each resource reads.
pub(super) struct Each<'a> {
    pub stack: &'a Stack,
    pub live: &'a LiveState,
    pub by_addr: &'a HashMap<&'a Address, Vec<&'a LiveObject>>,
    pub opts: &'a Options,
    pub moved_from: &'a HashMap<Address, Address>,
}

impl Each<'_> {
    /// The change of `res`, its references resolved against `states`; `None` when an
    /// expression fails (reported).
    pub fn plan(
        &self,
        res: &Resource,
        states: &HashMap<Address, Attrs>,
        diags: &mut Diagnostics,
        warnings: &mut Vec<Diagnostic>,
    ) -> Option<Change> {
        let kind = resources::kind(&res.addr.kind).expect("stack kinds are checked at load");
        let found = self.by_addr.get(&res.addr).and_then(|v| v.first()).copied();
        let want = match resolve::desired(kind, &self.stack.name, &res.addr, &res.attrs, states) {
            Ok(want) => want,
            Err((attr, msg)) => {
                diags.push(Diagnostic::error(format!("{}: {msg}", res.addr)).at(&res.file, res.span_of(&attr)));
                return None;
            }
        };
        Some(match found {
            None => {
                if let Some(name) = kind.unique_name(&want).filter(|n| self.live.is_foreign(kind.schema().kind, n)) {
                    diags.push(conflicts::conflict(self.stack, res, &name));
                }
                conflicts::side_conflicts(kind, None, &want, self.live, res, diags);
                diags.0.extend(home::foreign_singleton(self.stack, self.live, res));
                if let Some((w, hint)) = kind.create_warning(&want) {
                    let at = res.span.clone();
                    warnings.push(Diagnostic::warning(format!("{}: {w}", res.addr)).at(&res.file, at).hint(hint));
                }
                create(kind, res.addr.clone(), want, res)
            }
            Some(obj) => {
                conflicts::side_conflicts(kind, Some(&obj.attrs), &want, self.live, res, diags);
                let mut change = compare(kind, obj, want, res, self.opts.replace.contains(&res.addr));
                change.moved_from = self.moved_from.get(&res.addr).cloned();
                if let (Action::Update, Some(live), Some(after)) = (change.action, &change.live, &change.after)
                    && let Some(msg) = kind.check_update(&live.attrs, after)
                {
                    diags.push(Diagnostic::error(format!("{}: {msg}", res.addr)).at(&res.file, res.span.clone()));
                }
                change
            }
        })
    }
}

/// Resources in an order where every resource comes after those it references; where late
/// references (security groups naming each other) close a loop, one goes before what those
/// name, and is flagged `true`.
pub(super) fn topo_order(stack: &Stack) -> Vec<(&Resource, bool)> {
    let mut done: HashSet<&Address> = HashSet::new();
    let mut out = Vec::with_capacity(stack.resources.len());
    let ready = |r: &Resource, firm: bool, done: &HashSet<&Address>| {
        let waits = |d: &&Address| !firm || !r.soft_deps.contains(d);
        !done.contains(&r.addr) && r.deps.iter().filter(waits).all(|d| done.contains(d) || stack.resource(d).is_none())
    };
    while out.len() < stack.resources.len() {
        let before = out.len();
        for r in &stack.resources {
            if ready(r, false, &done) {
                done.insert(&r.addr);
                out.push((r, false));
            }
        }
        if out.len() > before {
            continue;
        }
        // Only late references are left waiting: one resource goes without them.
        match stack.resources.iter().find(|r| ready(r, true, &done)) {
            Some(r) => {
                done.insert(&r.addr);
                out.push((r, true));
            }
            // Cycles are rejected when the stack is loaded; this only guards against looping.
            None => {
                out.extend(stack.resources.iter().filter(|r| !done.contains(&r.addr)).map(|r| (r, false)));
                break;
            }
        }
    }
    out
}

pub(super) fn create(kind: &dyn Kind, addr: Address, mut want: Attrs, res: &Resource) -> Change {
    for spec in kind.schema().attrs.iter().filter(|a| a.presence == Presence::Computed) {
        want.insert(spec.name.to_string(), Value::Unknown);
    }
    Change {
        addr,
        action: Action::Create,
        live: None,
        after: Some(want),
        raw: Some(res.attrs.clone()),
        changed: vec![],
        forces: vec![],
        deps: res.deps.clone(),
        soft_deps: res.soft_deps.clone(),
        create_before_destroy: res.lifecycle.create_before_destroy,
        sensitive: sensitive(kind, res),
        moved_from: None,
        notes: vec![],
    }
}

/// Compares desired with live attribute by attribute, following the schema. Attributes under
/// `lifecycle { ignore_changes }` keep their live values; `force` replaces regardless.
fn compare(kind: &dyn Kind, obj: &LiveObject, want: Attrs, res: &Resource, force: bool) -> Change {
    let mut live = obj.clone();
    kind.canonical(&mut live.attrs);
    let mut after = want;
    kind.accept_live(&mut live.attrs, &mut after);
    let (mut changed, mut forces) = (vec![], vec![]);
    for spec in kind.schema().attrs {
        if spec.presence == Presence::Computed {
            let v = live.attrs.get(spec.name).cloned().unwrap_or_default();
            after.insert(spec.name.to_string(), v);
            continue;
        }
        let have = live.attrs.get(spec.name).cloned().unwrap_or_default();
        if res.lifecycle.ignore_changes.iter().any(|i| i == spec.name) {
            after.insert(spec.name.to_string(), have);
            continue;
        }
        match after.get(spec.name) {
            // Left to AWS: whatever it chose is what we want.
            None if spec.presence == Presence::Optional => {
                after.insert(spec.name.to_string(), have);
            }
            want if want.cloned().unwrap_or_default() != have => {
                changed.push(spec.name.to_string());
                if spec.update == crate::model::Update::ForceNew {
                    forces.push(spec.name.to_string());
                }
            }
            _ => {}
        }
    }
    for name in kind.recomputed(&changed) {
        after.insert(name.to_string(), Value::Unknown);
    }
    // Changes the schema allows in place that AWS allows only in some directions (a network
    // load balancer's subnets can be added, never removed).
    for f in kind.forces(&live.attrs, &after) {
        if changed.iter().any(|c| c == f) && !forces.iter().any(|x| x == f) {
            forces.push(f.to_string());
        }
    }
    let action = match (forces.is_empty() && !force, changed.is_empty()) {
        (false, _) => Action::Replace,
        (true, false) => Action::Update,
        (true, true) if kind.pending(&live.attrs).is_some() => Action::Update,
        (true, true) => Action::NoOp,
    };
    if action == Action::Replace {
        for spec in kind.schema().attrs.iter().filter(|a| a.presence == Presence::Computed) {
            after.insert(spec.name.to_string(), Value::Unknown);
        }
    }
    if action == Action::Replace {
        // The object replaced goes as the stack now says (its delete reads these from live).
        for k in kind.delete_settings() {
            live.attrs.extend(after.get(*k).map(|v| (k.to_string(), v.clone())));
        }
        changed.retain(|c| !kind.delete_settings().contains(&c.as_str()));
    }
    let notes = match action {
        Action::Update => {
            kind.pending(&live.attrs).into_iter().chain(kind.update_note(&live.attrs, &after, &changed)).collect()
        }
        Action::Replace => kind.destroy_note(&live.attrs).into_iter().collect(),
        _ => vec![],
    };
    Change {
        notes,
        addr: obj.addr.clone(),
        action,
        live: Some(live),
        after: Some(after),
        raw: Some(res.attrs.clone()),
        changed,
        forces,
        deps: res.deps.clone(),
        soft_deps: res.soft_deps.clone(),
        create_before_destroy: res.lifecycle.create_before_destroy,
        sensitive: sensitive(kind, res),
        moved_from: None,
    }
}
