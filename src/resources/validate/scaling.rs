//! Auto Scaling: sizes that fit together, in the group and in each scheduled action (AWS checks
//! a scheduled size against the group's when it runs, or refuses PutScheduledUpdateGroupAction),
//! one tracking policy per metric with a CPU target that is a percentage, and subnets and
//! target groups in one VPC.

use super::{error, same_vpc, targets, vpc_of};
use crate::model::Value;
use crate::stack::{Diagnostics, Resource, Stack};

type Block = std::collections::BTreeMap<String, Value>;

fn blocks<'a>(res: &'a Resource, name: &str) -> impl Iterator<Item = (usize, &'a Block)> {
    let items = res.attrs.get(name).map(Value::as_list).unwrap_or_default();
    items.iter().enumerate().filter_map(|(i, b)| Some((i, b.as_map()?)))
}

pub fn group(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    // Negative sizes are the schema's to report.
    let int = |k: &str| res.attrs.get(k).and_then(Value::as_int).filter(|n| *n >= 0);
    let (min, max) = (int("min_size").unwrap_or(0), int("max_size").unwrap_or(0));
    if min > max {
        diags.push(error(res, "min_size", format!("min_size {min} must be between 0 and max_size {max}")));
    }
    if let Some(d) = int("desired_capacity").filter(|d| *d < min || *d > max) {
        diags.push(error(
            res,
            "desired_capacity",
            format!("desired_capacity {d} is outside min_size..max_size ({min}..{max})"),
        ));
    }
    tracking(res, diags);
    super::steps::check(res, diags);
    schedules(res, min, max, diags);
    let subnets = targets(stack, res, "subnets");
    if let Some(vpc) = subnets.iter().find_map(|s| vpc_of(stack, s)) {
        same_vpc(stack, res, "subnets", vpc, &subnets, diags);
        same_vpc(stack, res, "target_groups", vpc, &targets(stack, res, "target_groups"), diags);
    }
}

fn tracking(res: &Resource, diags: &mut Diagnostics) {
    let mut metrics: Vec<&str> = vec![];
    for (i, b) in blocks(res, "target_tracking") {
        let path = format!("target_tracking[{i}]");
        let metric = b.get("metric").and_then(Value::as_str).unwrap_or("cpu");
        if metrics.contains(&metric) {
            diags.push(error(res, &path, "one target_tracking block per metric"));
        }
        metrics.push(metric);
        requests(res, &path, metric, b, diags);
        // f64's text is the number's own: 150 for 150, 100.5 for 100.5.
        if let Some(t) = b.get("target").and_then(Value::as_f64).filter(|t| metric == "cpu" && *t > 100.0) {
            diags.push(error(
                res,
                &format!("{path}.target"),
                format!("a CPU target is a percentage; {t} is above 100"),
            ));
        }
    }
}

/// Request-count tracking names one of the group's own target groups; other metrics none.
fn requests(res: &Resource, path: &str, metric: &str, b: &Block, diags: &mut Diagnostics) {
    let tg = b.get("target_group").filter(|v| !v.is_null());
    match (metric, tg) {
        ("requests_per_target", None) => diags.push(error(
            res,
            path,
            "requests_per_target tracking needs `target_group`: the target group whose requests are counted",
        )),
        ("requests_per_target", Some(tg)) => {
            let own = res.attrs.get("target_groups").map(Value::as_list).unwrap_or_default();
            if !own.contains(tg) {
                diags.push(error(
                    res,
                    &format!("{path}.target_group"),
                    format!("{} is not one of this group's target_groups", super::show(tg)),
                ));
            }
        }
        (_, Some(_)) => diags.push(error(
            res,
            &format!("{path}.target_group"),
            format!("`target_group` is only for requests_per_target, not {metric}"),
        )),
        _ => {}
    }
}

/// Each scheduled action: a size to set, and sizes that fit with each other and the group's.
fn schedules(res: &Resource, min: i64, max: i64, diags: &mut Diagnostics) {
    let mut names: Vec<&str> = vec![];
    for (i, b) in blocks(res, "schedule") {
        let path = format!("schedule[{i}]");
        let int = |k: &str| b.get(k).and_then(Value::as_int).filter(|n| *n >= 0);
        if let Some(name) = b.get("name").and_then(Value::as_str) {
            if names.contains(&name) {
                diags.push(error(res, &format!("{path}.name"), format!("two scheduled actions are named \"{name}\"")));
            }
            names.push(name);
        }
        let (smin, smax, desired) = (int("min_size"), int("max_size"), int("desired_capacity"));
        if smin.is_none() && smax.is_none() && desired.is_none() {
            diags.push(error(
                res,
                &path,
                "a scheduled action sets at least one of min_size, max_size and desired_capacity",
            ));
            continue;
        }
        let (lo, hi) = (smin.unwrap_or(min), smax.unwrap_or(max));
        let whose = |own: Option<i64>| if own.is_some() { "its" } else { "the group's" };
        if lo > hi {
            diags.push(error(res, &path, format!("its minimum {lo} is above {} maximum {hi}", whose(smax))));
        } else if let Some(d) = desired.filter(|d| *d < lo || *d > hi) {
            let (bound, which) = if d > hi {
                (hi, format!("{} maximum", whose(smax)))
            } else {
                (lo, format!("{} minimum", whose(smin)))
            };
            diags.push(error(
                res,
                &format!("{path}.desired_capacity"),
                format!("scheduled desired_capacity {d} is {} {which} {bound}", if d > hi { "above" } else { "below" }),
            ));
        }
    }
}
