//! The diff: `plan(desired stack, live objects) -> Plan`, a pure function with no I/O. Each
//! resource gets one change (create, update in place, replace with the attributes that force
//! it, delete, or no-op) and the changes are ordered into a step graph for the executor.

mod coerce;
mod conflicts;
mod desired;
mod duplicates;
mod home;
pub mod late;
mod moved;
mod options;
mod order;
mod redact;
mod replace_first;
pub mod resolve;
pub mod saved;
pub mod stale;

pub use redact::MASK;

pub use options::Options;

use std::collections::{HashMap, HashSet};

pub use order::{Op, Step};

use desired::Each;

use crate::live::LiveState;
use crate::model::{Address, Attrs, LiveObject, Value};
use crate::resources::{self, Kind};
use crate::stack::{Diagnostic, Diagnostics, Stack};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    NoOp,
    Create,
    Update,
    Replace,
    Delete,
}

impl Action {
    /// The action as a verb in a sentence: "the planned create", "now it would be to destroy".
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "destroy",
            Action::NoOp => "no-op",
        }
    }
}

/// One resource's change.
#[derive(Debug, Clone)]
pub struct Change {
    pub addr: Address,
    pub action: Action,
    /// The live object it starts from (update, replace, delete).
    pub live: Option<LiveObject>,
    /// Attributes after the change, `Unknown` where known only after apply (create, update,
    /// replace, no-op).
    pub after: Option<Attrs>,
    /// The desired attributes with references unresolved; the executor resolves them against
    /// what earlier steps produced.
    pub raw: Option<Attrs>,
    /// Attributes that differ, and among them those that force replacement.
    pub changed: Vec<String>,
    pub forces: Vec<String>,
    /// Desired dependencies (from references in the stack file).
    pub deps: Vec<Address>,
    /// Those of `deps` the change may make before they exist ([`crate::stack::Resource::soft_deps`]).
    pub soft_deps: Vec<Address>,
    /// Replace by creating the new object first (`lifecycle { create_before_destroy = true }`).
    pub create_before_destroy: bool,
    /// Attributes whose values are secret (user data, values from `sensitive` variables).
    /// Renderers receive plans already redacted (see `Plan::redacted`), so this only tells
    /// them which values are masks, e.g. for Terraform JSON's `after_sensitive`.
    pub sensitive: Vec<String>,
    /// The address the object had before a `moved` block gave it this one; apply records the
    /// new address on the object (Terraform's `previous_address`).
    pub moved_from: Option<Address>,
    /// What an update does besides setting attributes: AWS work it waits for, instances it
    /// replaces ([`Kind::pending`], [`Kind::update_note`]). Taken before redaction, which
    /// drops the private attributes they are read from.
    pub notes: Vec<String>,
}

impl Change {
    pub fn before(&self) -> Option<&Attrs> {
        self.live.as_ref().map(|l| &l.attrs)
    }

    /// Whether applying it does anything: an action, or a move with none (which Terraform
    /// also shows, and counts as a change for `--detailed-exitcode`).
    pub fn acts(&self) -> bool {
        self.action != Action::NoOp || self.moved_from.is_some()
    }

    pub fn kind(&self) -> &'static dyn Kind {
        resources::kind(&self.addr.kind).expect("changes are only made for known kinds")
    }
}

/// A complete plan: the changes, the order to make them in, and the stack's outputs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub stack: String,
    pub changes: Vec<Change>,
    pub steps: Vec<Step>,
    pub outputs: Vec<(String, Value)>,
    /// Outputs printed masked (declared sensitive or derived from a sensitive variable).
    pub sensitive_outputs: Vec<String>,
    pub destroy: bool,
    /// What the plan leaves alone and the user should know (a duplicate that holds data).
    pub warnings: Vec<Diagnostic>,
}

impl Plan {
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    /// (to add, to change, to destroy), counting a replacement as one add and one destroy.
    pub fn summary(&self) -> (usize, usize, usize) {
        let r = self.count(Action::Replace);
        (self.count(Action::Create) + r, self.count(Action::Update), self.count(Action::Delete) + r)
    }

    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(Change::acts)
    }
}

/// Plans `stack` against `live`. With `destroy`, every owned object is deleted.
#[cfg(test)]
pub fn plan(stack: &Stack, live: &LiveState, destroy: bool) -> Result<Plan, Diagnostics> {
    plan_with(stack, live, &Options { destroy, ..Options::default() })
}

/// Plans with every option: destroy, forced replacements, targets.
pub fn plan_with(stack: &Stack, live: &LiveState, opts: &Options) -> Result<Plan, Diagnostics> {
    let destroy = opts.destroy;
    let mut diags = Diagnostics::default();
    // A destroy moves nothing, but reads objects at their new addresses so the blocks there
    // (`prevent_destroy`, sensitive attributes) apply; what cannot move is deleted where it is.
    let mut scratch = Diagnostics::default();
    let (relocated, moved_from) = moved::relocate(stack, live, if destroy { &mut scratch } else { &mut diags });
    let live = &relocated;
    let mut by_addr: HashMap<&Address, Vec<&LiveObject>> = HashMap::new();
    for obj in &live.objects {
        by_addr.entry(&obj.addr).or_default().push(obj);
    }
    let referrers = duplicates::referrers(&live.objects);
    by_addr.values_mut().for_each(|v| duplicates::order(v, &referrers));
    let mut warnings = vec![];
    let mut changes = Vec::new();
    let mut states: HashMap<Address, Attrs> = HashMap::new();
    let mut claimed: HashSet<&Address> = HashSet::new();
    if !destroy {
        let each = Each { stack, live, by_addr: &by_addr, opts, moved_from: &moved_from };
        let mut early = vec![];
        for (res, without_late) in desired::topo_order(stack) {
            claimed.insert(&res.addr);
            let Some(change) = each.plan(res, &states, &mut diags, &mut warnings) else { continue };
            states.insert(res.addr.clone(), change.after.clone().unwrap_or_default());
            early.extend(without_late.then_some(changes.len()));
            changes.push(change);
        }
        // Those planned before the objects their late references name: again, now those are
        // known (only their late attributes can differ, and no one else reads those).
        for i in early {
            let res = stack.resource(&changes[i].addr).expect("planned from the stack");
            let (mut d, mut w) = (Diagnostics::default(), vec![]);
            if let Some(change) = each.plan(res, &states, &mut d, &mut w) {
                states.insert(res.addr.clone(), change.after.clone().unwrap_or_default());
                changes[i] = change;
            }
        }
    }
    for obj in &live.objects {
        let kept = by_addr[&obj.addr].first().filter(|f| f.id != obj.id && claimed.contains(&obj.addr));
        let duplicate = kept.is_some();
        if let Some(kept) = kept.filter(|_| !duplicates::free(obj, &referrers)) {
            warnings.push(duplicates::kept(&obj.addr, &kept.id, obj));
            continue;
        }
        if !claimed.contains(&obj.addr) || duplicate {
            changes.push(Change {
                addr: obj.addr.clone(),
                action: Action::Delete,
                live: Some(obj.clone()),
                after: None,
                raw: None,
                changed: vec![],
                forces: vec![],
                deps: vec![],
                soft_deps: vec![],
                create_before_destroy: false,
                sensitive: deleted_sensitive(stack, obj),
                moved_from: moved_from.get(&obj.addr).filter(|_| destroy).cloned(),
                notes: crate::resources::kind(&obj.addr.kind)
                    .and_then(|k| k.destroy_note(&obj.attrs))
                    .into_iter()
                    .collect(),
            });
        }
    }
    if !destroy {
        check_outputs(stack, &states, &mut diags);
    }
    home::confine(stack, live, destroy, &mut changes, &mut warnings, &mut diags);
    replace_first::mark(stack, &mut changes, &mut diags);
    options::prevent_destroy(stack, &changes, &mut diags);
    options::unknown_addresses(stack, live, opts, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let mut changes = options::target(changes, stack, &opts.target);
    sort_for_display(&mut changes);
    let steps = order::steps(&changes).map_err(|msg| {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error(msg));
        d
    })?;
    late::notes(&steps, &mut changes);
    let outputs =
        if destroy { vec![] } else { stack.outputs.iter().map(|o| (o.name.clone(), o.value.clone())).collect() };
    let sensitive_outputs = stack.outputs.iter().filter(|o| o.sensitive).map(|o| o.name.clone()).collect();
    Ok(Plan { stack: stack.name.clone(), changes, steps, outputs, sensitive_outputs, destroy, warnings })
}

/// Outputs whose expressions fail on the values the plan knows: reported now, not after apply.
fn check_outputs(stack: &Stack, states: &HashMap<Address, Attrs>, diags: &mut Diagnostics) {
    let lookup = |addr: &Address, attr: Option<&str>| resolve::in_states(states, addr, attr);
    for o in &stack.outputs {
        if let Err(msg) = resolve::resolve_value(&o.value, &lookup) {
            diags.push(Diagnostic::error(format!("output.{}: {msg}", o.name)).at(&stack.file, o.span.clone()));
        }
    }
}

/// The resource's attributes from sensitive variables, and those of its kind that always are.
fn sensitive(kind: &dyn Kind, res: &crate::stack::Resource) -> Vec<String> {
    let mut out: Vec<String> = redact::always_sensitive(kind.schema()).chain(res.sensitive.iter().cloned()).collect();
    out.sort();
    out.dedup();
    out
}

/// What of an object being deleted is secret: what the stack file marks when it still declares
/// the object (destroy, duplicates); when it no longer does, nothing says whether its tags came
/// from a sensitive variable, so they are masked too (`--show-sensitive` shows them).
fn deleted_sensitive(stack: &Stack, obj: &LiveObject) -> Vec<String> {
    let Some(kind) = resources::kind(&obj.addr.kind) else { return vec![] };
    if let Some(res) = stack.resource(&obj.addr) {
        return sensitive(kind, res);
    }
    let tags = kind.schema().attrs.iter().filter(|a| a.name == "tags").map(|a| a.name.to_string());
    redact::always_sensitive(kind.schema()).chain(tags).collect()
}

/// Changes listed by address, as Terraform lists them.
fn sort_for_display(changes: &mut [Change]) {
    changes
        .sort_by(|a, b| a.addr.cmp(&b.addr).then(a.live.as_ref().map(|l| &l.id).cmp(&b.live.as_ref().map(|l| &l.id))));
}

#[cfg(test)]
mod deferred_tests;
#[cfg(test)]
mod home_tests;
#[cfg(test)]
mod late_tests;
#[cfg(test)]
mod moved_tests;
#[cfg(test)]
mod options_tests;
#[cfg(test)]
mod order_tests;
#[cfg(test)]
mod tests;
