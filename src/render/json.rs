//! The machine plan: JSON in the shape of Terraform's plan representation
//! (`format_version`, `resource_changes[].change.actions/before/after/after_unknown`), so
//! tools that read Terraform plans can read stackr's.

use serde_json::{Map, Value as J, json};

use crate::model::{Attrs, Value, is_private};
use crate::plan::{Action, Plan};

pub fn plan(plan: &Plan) -> J {
    let changes: Vec<J> = plan
        .changes
        .iter()
        .map(|c| {
            let actions: &[&str] = match c.action {
                Action::NoOp => &["no-op"],
                Action::Create => &["create"],
                Action::Update => &["update"],
                Action::Replace => &["delete", "create"],
                Action::Delete => &["delete"],
            };
            let mut change = Map::new();
            change.insert("actions".into(), json!(actions));
            change.insert("before".into(), c.before().map_or(J::Null, attrs_json));
            change.insert("after".into(), c.after.as_ref().map_or(J::Null, attrs_json));
            change.insert("after_unknown".into(), c.after.as_ref().map_or(json!({}), unknown_json));
            if !c.forces.is_empty() {
                change.insert("replace_paths".into(), J::Array(c.forces.iter().map(|f| json!([f])).collect()));
            }
            json!({
                "address": c.addr.to_string(),
                "mode": "managed",
                "type": c.addr.kind,
                "name": c.addr.name,
                "change": change,
            })
        })
        .collect();
    let (add, chg, del) = plan.summary();
    json!({
        "format_version": "1.2",
        "stackr_version": env!("CARGO_PKG_VERSION"),
        "stack": plan.stack,
        "destroy": plan.destroy,
        "resource_changes": changes,
        "summary": { "add": add, "change": chg, "destroy": del },
        "has_changes": plan.has_changes(),
    })
}

fn attrs_json(a: &Attrs) -> J {
    J::Object(
        a.iter()
            .filter(|(k, v)| !is_private(k) && !matches!(v, Value::Unknown))
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
    )
}

/// `true` where a value is known only after apply, mirroring the value's shape.
fn unknown_json(a: &Attrs) -> J {
    J::Object(a.iter().filter(|(k, _)| !is_private(k)).filter_map(|(k, v)| Some((k.clone(), unknown(v)?))).collect())
}

fn unknown(v: &Value) -> Option<J> {
    match v {
        Value::Unknown | Value::Ref(_) => Some(J::Bool(true)),
        Value::List(l) if l.iter().any(Value::has_unknown) => {
            Some(J::Array(l.iter().map(|i| unknown(i).unwrap_or(J::Bool(false))).collect()))
        }
        Value::Map(m) if m.values().any(Value::has_unknown) => {
            Some(J::Object(m.iter().filter_map(|(k, i)| Some((k.clone(), unknown(i)?))).collect()))
        }
        _ => None,
    }
}
