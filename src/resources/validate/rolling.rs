//! An Auto Scaling group's `rolling_update`: one block, health percentages AWS accepts together,
//! checkpoints that are percentages, and a rollback AWS can do (to a numbered version only).

use super::error;
use crate::model::Value;
use crate::stack::{Diagnostics, Resource};

pub fn group(res: &Resource, diags: &mut Diagnostics) {
    let blocks = res.attrs.get("rolling_update").map(Value::as_list).unwrap_or_default();
    if blocks.len() > 1 {
        diags.push(error(res, "rolling_update[1]", "an Auto Scaling group has one rolling_update block"));
    }
    let empty = Default::default();
    let b = blocks.first().and_then(Value::as_map).unwrap_or(&empty);
    let int = |k: &str| b.get(k).and_then(Value::as_int);
    if let (Some(lo), Some(hi)) = (int("min_healthy_percentage"), int("max_healthy_percentage"))
        && (hi < lo || hi - lo > 100)
    {
        diags.push(error(
            res,
            "rolling_update[0].max_healthy_percentage",
            format!(
                "max_healthy_percentage {hi} must be at least min_healthy_percentage {lo} and at most 100 above it"
            ),
        ));
    }
    let checkpoints = b.get("checkpoints").map(Value::as_list).unwrap_or_default();
    if let Some(c) = checkpoints.iter().filter_map(Value::as_int).find(|c| !(1..=100).contains(c)) {
        diags.push(error(
            res,
            "rolling_update[0].checkpoints",
            format!("checkpoint {c} is not a percentage from 1 to 100"),
        ));
    }
    let symbolic = res.attrs.get("launch_template_version").and_then(Value::as_str).is_some_and(|v| v.starts_with('$'));
    let rollback = b.get("auto_rollback") != Some(&Value::Bool(false)) && b.get("enabled") != Some(&Value::Bool(false));
    if symbolic && rollback {
        diags.push(
            error(
                res,
                "launch_template_version",
                "AWS rolls back only to a numbered launch template version, and stackr pins the version only for a template the group refers to directly (launch_template = launch_template.NAME)",
            )
            .hint("give launch_template_version a number, or set rolling_update { auto_rollback = false }"),
        );
    }
}
