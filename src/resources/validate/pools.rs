//! An Auto Scaling group's `mixed_instances` and `warm_pool`: one block of each, never both
//! (AWS's PutWarmPool refuses a group with a mixed instances policy), instance types AWS
//! takes as overrides (1 to 40, each once), and a pool whose minimum fits its maximum.

use super::error;
use crate::model::Value;
use crate::stack::{Diagnostics, Resource};

pub fn group(res: &Resource, diags: &mut Diagnostics) {
    let blocks = |k: &str| res.attrs.get(k).map(Value::as_list).unwrap_or_default();
    for k in ["mixed_instances", "warm_pool"] {
        if blocks(k).len() > 1 {
            diags.push(error(res, &format!("{k}[1]"), format!("an Auto Scaling group has one {k} block")));
        }
    }
    let (mixed, warm) = (blocks("mixed_instances"), blocks("warm_pool"));
    if let (Some(_), Some(_)) = (mixed.first(), warm.first()) {
        diags.push(
            error(res, "warm_pool[0]", "AWS does not give a warm pool to a group with a mixed instances policy")
                .hint("remove the warm_pool block, or mixed_instances"),
        );
    }
    if let Some(b) = mixed.first().and_then(Value::as_map) {
        let types: Vec<&str> =
            b.get("instance_types").map(Value::as_list).unwrap_or_default().iter().filter_map(Value::as_str).collect();
        let at = "mixed_instances[0].instance_types";
        if types.is_empty() {
            diags.push(error(res, at, "mixed_instances needs at least one instance type"));
        }
        if let Some(t) = types.iter().enumerate().find(|(i, t)| types[..*i].contains(t)).map(|(_, t)| t) {
            diags.push(error(res, at, format!("instance type {t:?} is listed twice")));
        }
    }
    if let Some(b) = warm.first().and_then(Value::as_map) {
        let int = |k: &str| b.get(k).and_then(Value::as_int);
        if let (Some(min), Some(max)) = (int("min_size"), int("max_group_prepared_capacity"))
            && min > max
        {
            diags.push(error(
                res,
                "warm_pool[0].min_size",
                format!("the warm pool's min_size {min} is above its max_group_prepared_capacity {max}"),
            ));
        }
    }
}
