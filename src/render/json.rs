//! The machine plan: Terraform's plan JSON (`format_version`, `resource_changes`,
//! `planned_values`, `configuration`), with stackr kinds as the closest `aws_*` types (see
//! [`super::tftypes`]), so policy tools that read Terraform plans (checkov, OPA/conftest) read
//! stackr's. Every resource also carries `stackr_address`, so bots can map back.

use serde_json::{Map, Value as J, json};

use super::tftypes::{attr_name, tf_type, translate};
use crate::model::{Address, Attrs, Key, Value, is_private};
use crate::plan::{Action, Change, Plan};

/// The version of Terraform's plan representation this follows.
pub const FORMAT_VERSION: &str = "1.2";

pub fn plan(plan: &Plan) -> J {
    let resource_changes: Vec<J> = plan.changes.iter().map(|c| resource_change(plan, c)).collect();
    let planned: Vec<J> = plan.changes.iter().filter(|c| c.action != Action::Delete).map(planned_resource).collect();
    let configured: Vec<J> = plan.changes.iter().filter(|c| c.raw.is_some()).map(configured_resource).collect();
    let (add, chg, del) = plan.summary();
    json!({
        "format_version": FORMAT_VERSION,
        // checkov only reads files that have this key; the value says who wrote the plan.
        "terraform_version": format!("{}+stackr", env!("CARGO_PKG_VERSION")),
        "stackr_version": env!("CARGO_PKG_VERSION"),
        "stack": plan.stack,
        "destroy": plan.destroy,
        "planned_values": { "root_module": { "resources": planned } },
        "resource_changes": resource_changes,
        "configuration": { "root_module": { "resources": configured } },
        "summary": { "add": add, "change": chg, "destroy": del },
        "has_changes": plan.has_changes(),
    })
}

/// The Terraform address of a stackr address: `vpc.main` is `aws_vpc.main`.
pub fn tf_address(addr: &Address) -> String {
    let tf = Address { kind: tf_type(&addr.kind), ..addr.clone() };
    tf.to_string()
}

/// Terraform's `index` of an instance: its `count.index` or `each.key`.
pub fn tf_index(addr: &Address) -> Option<J> {
    addr.key.as_ref().map(|k| match k {
        Key::Index(i) => json!(i),
        Key::Str(s) => json!(s),
    })
}

/// What every resource entry starts with.
fn head(addr: &Address) -> Map<String, J> {
    let mut m = Map::new();
    m.insert("address".into(), json!(tf_address(addr)));
    if !addr.module.is_empty() {
        m.insert("module_address".into(), json!(addr.module));
    }
    m.insert("mode".into(), json!("managed"));
    m.insert("type".into(), json!(tf_type(&addr.kind)));
    m.insert("name".into(), json!(addr.name));
    if let Some(index) = tf_index(addr) {
        m.insert("index".into(), index);
    }
    m.insert("provider_name".into(), json!("aws"));
    m.insert("stackr_address".into(), json!(addr.to_string()));
    m
}

pub fn actions(c: &Change) -> &'static [&'static str] {
    match c.action {
        Action::NoOp => &["no-op"],
        Action::Create => &["create"],
        Action::Update => &["update"],
        Action::Replace if c.create_before_destroy => &["create", "delete"],
        Action::Replace => &["delete", "create"],
        Action::Delete => &["delete"],
    }
}

fn resource_change(plan: &Plan, c: &Change) -> J {
    let kind = &c.addr.kind;
    let before = c.before().map(|a| translate(kind, a));
    let after = c.after.as_ref().map(|a| translate(kind, a));
    let mut change = Map::new();
    change.insert("actions".into(), json!(actions(c)));
    change.insert("before".into(), before.as_ref().map_or(J::Null, known_attrs));
    change.insert("after".into(), after.as_ref().map_or(J::Null, known_attrs));
    change.insert("after_unknown".into(), after.as_ref().map_or(json!({}), unknown_mask));
    change.insert("before_sensitive".into(), if before.is_some() { sensitive_mask(c) } else { J::Bool(false) });
    change.insert("after_sensitive".into(), if after.is_some() { sensitive_mask(c) } else { J::Bool(false) });
    if !c.forces.is_empty() {
        let paths = c.forces.iter().map(|f| json!([attr_name(kind, f)])).collect();
        change.insert("replace_paths".into(), J::Array(paths));
    }
    let mut m = head(&c.addr);
    if let Some(from) = &c.moved_from {
        m.insert("previous_address".into(), json!(tf_address(from)));
    }
    // Two live objects claiming one address (a raced apply): the extra one is Terraform's
    // "deposed" object, keyed by its id, so addresses stay unique per entry.
    let extra = c.action == Action::Delete && plan.changes.iter().any(|o| o.addr == c.addr && !std::ptr::eq(o, c));
    if let (true, Some(l)) = (extra, &c.live) {
        m.insert("deposed".into(), json!(l.id));
    }
    m.insert("change".into(), J::Object(change));
    J::Object(m)
}

fn planned_resource(c: &Change) -> J {
    let after = c.after.as_ref().map(|a| translate(&c.addr.kind, a)).unwrap_or_default();
    let mut m = head(&c.addr);
    m.insert("schema_version".into(), json!(0));
    m.insert("values".into(), known_attrs(&after));
    m.insert("sensitive_values".into(), sensitive_mask(c));
    J::Object(m)
}

/// The configuration side: which attributes refer to which resources. checkov draws the
/// edges of its resource graph from these `references`.
fn configured_resource(c: &Change) -> J {
    let raw = c.raw.as_ref().map(|a| translate(&c.addr.kind, a)).unwrap_or_default();
    let expressions: Map<String, J> = raw
        .iter()
        .filter(|(k, _)| !is_private(k))
        .filter_map(|(k, v)| {
            let mut refs = vec![];
            v.refs(&mut refs);
            let names: Vec<String> = refs.iter().flat_map(reference_names).collect();
            (!names.is_empty()).then(|| (k.clone(), json!({ "references": names })))
        })
        .collect();
    let mut m = head(&c.addr);
    m.remove("provider_name");
    m.insert("provider_config_key".into(), json!("aws"));
    m.insert("expressions".into(), J::Object(expressions));
    J::Object(m)
}

/// Terraform lists a reference as the attribute path and the resource: `aws_vpc.main.id`,
/// `aws_vpc.main`.
fn reference_names(r: &crate::model::Ref) -> Vec<String> {
    let base = tf_address(&r.addr);
    let attr = r.attr.clone().unwrap_or_else(|| {
        crate::resources::kind(&r.addr.kind).map_or_else(|| "id".to_string(), |k| k.schema().ref_attr.to_string())
    });
    vec![format!("{base}.{}", attr_name(&r.addr.kind, &attr)), base]
}

/// Known values only: an unknown attribute of an object is left out, an unknown element of a
/// list is `null` (so positions hold), as Terraform writes `after`.
fn known_attrs(a: &Attrs) -> J {
    J::Object(a.iter().filter(|(k, v)| !is_private(k) && !is_unknown(v)).map(|(k, v)| (k.clone(), known(v))).collect())
}

fn is_unknown(v: &Value) -> bool {
    matches!(v, Value::Unknown | Value::Ref(_) | Value::Expr(_))
}

fn known(v: &Value) -> J {
    match v {
        Value::Unknown | Value::Ref(_) | Value::Expr(_) => J::Null,
        Value::List(l) => J::Array(l.iter().map(known).collect()),
        Value::Map(m) => {
            J::Object(m.iter().filter(|(_, v)| !is_unknown(v)).map(|(k, v)| (k.clone(), known(v))).collect())
        }
        other => other.to_json(),
    }
}

/// `true` where a value is known only after apply, mirroring the value's shape.
fn unknown_mask(a: &Attrs) -> J {
    J::Object(a.iter().filter(|(k, _)| !is_private(k)).filter_map(|(k, v)| Some((k.clone(), unknown(v)?))).collect())
}

fn unknown(v: &Value) -> Option<J> {
    match v {
        Value::Unknown | Value::Ref(_) | Value::Expr(_) => Some(J::Bool(true)),
        Value::List(l) if l.iter().any(Value::has_unknown) => {
            Some(J::Array(l.iter().map(|i| unknown(i).unwrap_or(J::Bool(false))).collect()))
        }
        Value::Map(m) if m.values().any(Value::has_unknown) => {
            Some(J::Object(m.iter().filter_map(|(k, i)| Some((k.clone(), unknown(i)?))).collect()))
        }
        _ => None,
    }
}

/// `{"attr": true}` for each attribute whose value is a secret (already masked in the plan).
fn sensitive_mask(c: &Change) -> J {
    J::Object(c.sensitive.iter().map(|s| (attr_name(&c.addr.kind, s), J::Bool(true))).collect())
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
