//! Step and simple scaling policies: what AWS refuses in PutScalingPolicy and PutMetricAlarm
//! (steps that overlap or leave a gap, more than one open bound, a period CloudWatch cannot
//! evaluate), and what it accepts but never acts on (steps on the side of the threshold the
//! alarm never reaches, a CPU threshold above 100%). Bounds are relative to the threshold, as
//! in AWS: a `>=` alarm's steps cover 0 to +infinity, a `<=` alarm's -infinity to 0.

use super::error;
use crate::model::Value;
use crate::stack::{Diagnostics, Resource};

type Block = std::collections::BTreeMap<String, Value>;

/// One step as written: bounds as numbers (None when open) and the change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub change: i64,
}

pub fn check(res: &Resource, diags: &mut Diagnostics) {
    let mut names: Vec<&str> = vec![];
    let group = res.attrs.get("name").and_then(Value::as_str);
    for attr in ["step_scaling", "simple_scaling"] {
        let items = res.attrs.get(attr).map(Value::as_list).unwrap_or_default();
        for (i, b) in items.iter().enumerate().filter_map(|(i, b)| Some((i, b.as_map()?))) {
            let path = format!("{attr}[{i}]");
            if let Some(name) = b.get("name").and_then(Value::as_str) {
                if names.contains(&name) {
                    diags.push(error(
                        res,
                        &format!("{path}.name"),
                        format!("two scaling policies are named \"{name}\""),
                    ));
                }
                names.push(name);
                if let Some(g) = group.filter(|g| g.chars().count() + 1 + name.chars().count() > 255) {
                    let msg = format!("the alarm name {g}-{name} is longer than CloudWatch's 255 characters");
                    diags.push(error(res, &format!("{path}.name"), msg));
                }
            }
            alarm(res, &path, b, diags);
            if attr == "step_scaling" {
                let high = matches!(b.get("comparison").and_then(Value::as_str), Some(">=" | ">") | None);
                let path = format!("{path}.adjustments");
                match parse(b) {
                    Err(why) => diags.push(error(res, &path, why)),
                    Ok(steps) => {
                        if let Err(why) = intervals(&steps, high) {
                            diags.push(error(res, &path, why));
                        }
                    }
                }
            }
            if b.get("adjustment_type").and_then(Value::as_str) == Some("ExactCapacity") {
                exact(res, &path, attr, b, diags);
            }
        }
    }
}

/// The alarm's own limits: a whole-minute period (EC2 metrics come once a minute at best), at
/// most a day of evaluation, a CPU threshold that can be reached.
fn alarm(res: &Resource, path: &str, b: &Block, diags: &mut Diagnostics) {
    let int = |k: &str| b.get(k).and_then(Value::as_int);
    if let Some(p) = int("period").filter(|p| p % 60 != 0) {
        diags.push(error(res, &format!("{path}.period"), format!("period {p} is not a multiple of 60 seconds")));
    }
    if let (Some(p), Some(n)) = (int("period"), int("evaluation_periods"))
        && p * n > 86_400
    {
        diags.push(error(
            res,
            &format!("{path}.evaluation_periods"),
            format!("{n} periods of {p} s is more than the day CloudWatch evaluates at most"),
        ));
    }
    let cpu = b.get("metric").and_then(Value::as_str).is_none_or(|m| m == "cpu");
    if let Some(t) = b.get("threshold").and_then(Value::as_f64).filter(|t| cpu && !(0.0..=100.0).contains(t)) {
        diags.push(error(res, &format!("{path}.threshold"), format!("a CPU threshold is a percentage; {t} is not")));
    }
}

/// A size can only be set to a count: ExactCapacity changes are at least 0.
fn exact(res: &Resource, path: &str, attr: &str, b: &Block, diags: &mut Diagnostics) {
    let changes: Vec<i64> = if attr == "step_scaling" {
        parse(b).map(|s| s.iter().map(|s| s.change).collect()).unwrap_or_default()
    } else {
        b.get("change").and_then(Value::as_int).into_iter().collect()
    };
    if let Some(c) = changes.iter().find(|c| **c < 0) {
        let at = if attr == "step_scaling" { "adjustments" } else { "change" };
        diags.push(error(
            res,
            &format!("{path}.{at}"),
            format!("with ExactCapacity a change is a group size; {c} is not"),
        ));
    }
}

/// The steps of a block, or what is wrong with one of them.
pub fn parse(b: &Block) -> Result<Vec<Step>, String> {
    let items = b.get("adjustments").map(Value::as_list).unwrap_or_default();
    if items.is_empty() {
        return Err("a step scaling policy needs at least one step".into());
    }
    let mut out = vec![];
    for (i, item) in items.iter().enumerate() {
        let Some(m) = item.as_map() else { continue };
        if let Some(k) = m.keys().find(|k| !["lower", "upper", "change"].contains(&k.as_str())) {
            return Err(format!("step {} has an unknown key `{k}` (steps take lower, upper and change)", i + 1));
        }
        let change = match m.get("change") {
            Some(Value::Int(c)) => *c,
            Some(other) if !other.has_unknown() => {
                return Err(format!("step {}: change is a whole number of instances or percent", i + 1));
            }
            Some(_) => 0,
            None => return Err(format!("step {} has no change", i + 1)),
        };
        let (lower, upper) = (m.get("lower").and_then(Value::as_f64), m.get("upper").and_then(Value::as_f64));
        out.push(Step { lower, upper, change });
    }
    Ok(out)
}

fn show(b: Option<f64>, open: &str) -> String {
    b.map_or(open.to_string(), |v| Value::number(v).map_or(v.to_string(), |n| format!("{}", n.to_json())))
}

/// Steps sorted by their lower bound must meet end to end, with the one open bound on the far
/// side of the threshold from the alarm's and the near end at the threshold (0).
pub fn intervals(steps: &[Step], high: bool) -> Result<(), String> {
    let mut sorted = steps.to_vec();
    sorted.sort_by(|a, b| a.lower.unwrap_or(f64::NEG_INFINITY).total_cmp(&b.lower.unwrap_or(f64::NEG_INFINITY)));
    for s in &sorted {
        if let (Some(l), Some(u)) = (s.lower, s.upper)
            && l >= u
        {
            return Err(format!(
                "a step's lower bound {} is not below its upper bound {}",
                show(s.lower, ""),
                show(s.upper, "")
            ));
        }
    }
    let open_lower = sorted.iter().filter(|s| s.lower.is_none()).count();
    let open_upper = sorted.iter().filter(|s| s.upper.is_none()).count();
    if open_lower + open_upper != 1 {
        let side = if high { "the highest step has no upper bound" } else { "the lowest step has no lower bound" };
        return Err(format!("exactly one bound is left open: {side}"));
    }
    for pair in sorted.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        match (a.upper, b.lower) {
            (Some(u), Some(l)) if u > l => {
                return Err(format!(
                    "steps overlap: one ends at {} and the next starts at {}",
                    show(a.upper, ""),
                    show(b.lower, "")
                ));
            }
            (Some(u), Some(l)) if u < l => {
                return Err(format!("steps leave a gap from {} to {}", show(a.upper, ""), show(b.lower, "")));
            }
            (None, _) | (_, None) => return Err("steps overlap: a step with an open bound is not at the end".into()),
            _ => {}
        }
    }
    let (first, last) = (sorted[0], sorted[sorted.len() - 1]);
    if high && (last.upper.is_some() || first.lower != Some(0.0)) {
        return Err(format!(
            "for a `>=` or `>` alarm the steps run from 0 (the threshold) up, the last without an upper bound; these run from {} to {}",
            show(first.lower, "-infinity"),
            show(last.upper, "+infinity")
        ));
    }
    if !high && (first.lower.is_some() || last.upper != Some(0.0)) {
        return Err(format!(
            "for a `<=` or `<` alarm the steps run from 0 (the threshold) down, the first without a lower bound; these run from {} to {}",
            show(first.lower, "-infinity"),
            show(last.upper, "+infinity")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(lower: Option<f64>, upper: Option<f64>) -> Step {
        Step { lower, upper, change: 1 }
    }

    #[test]
    fn contiguous_steps_from_the_threshold_are_accepted() {
        assert_eq!(intervals(&[s(Some(20.0), None), s(Some(0.0), Some(20.0))], true), Ok(()));
        assert_eq!(intervals(&[s(Some(0.0), None)], true), Ok(()));
        assert_eq!(intervals(&[s(None, Some(-10.0)), s(Some(-10.0), Some(0.0))], false), Ok(()));
    }

    #[test]
    fn gaps_overlaps_and_open_bounds_are_refused() {
        let gap = intervals(&[s(Some(0.0), Some(10.0)), s(Some(20.0), None)], true).unwrap_err();
        assert_eq!(gap, "steps leave a gap from 10 to 20");
        let overlap = intervals(&[s(Some(0.0), Some(30.0)), s(Some(20.0), None)], true).unwrap_err();
        assert_eq!(overlap, "steps overlap: one ends at 30 and the next starts at 20");
        let two_open = intervals(&[s(Some(0.0), None), s(Some(20.0), None)], true).unwrap_err();
        assert!(two_open.starts_with("exactly one bound is left open"), "{two_open}");
        let closed = intervals(&[s(Some(0.0), Some(20.0))], true).unwrap_err();
        assert!(closed.starts_with("exactly one bound is left open"), "{closed}");
        let inverted = intervals(&[s(Some(20.0), Some(10.0)), s(Some(10.0), None)], true).unwrap_err();
        assert!(inverted.contains("not below its upper bound"), "{inverted}");
    }

    #[test]
    fn steps_must_start_at_the_threshold_on_the_alarm_side() {
        let late = intervals(&[s(Some(5.0), None)], true).unwrap_err();
        assert!(late.contains("run from 5 to +infinity"), "{late}");
        let wrong_side = intervals(&[s(Some(0.0), None)], false).unwrap_err();
        assert!(wrong_side.contains("`<=` or `<` alarm"), "{wrong_side}");
        let fraction = intervals(&[s(Some(0.0), Some(12.5)), s(Some(12.5), None)], true);
        assert_eq!(fraction, Ok(()));
    }
}
