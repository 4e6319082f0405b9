//! An Auto Scaling group's step and simple scaling policies, each with the CloudWatch alarm that
//! runs it: their schema, reading them back as the blocks the file writes, and bringing them to
//! what the stack declares. The policy is named by its block; the alarm is `<group>-<policy>`,
//! on the group's metric (dimension `AutoScalingGroupName`), with the policy's ARN as its only
//! action, tagged with the stack's ownership tags when made (see asg_alarms.rs).

use std::collections::{BTreeMap, HashMap};

use aws_sdk_autoscaling::types::{ScalingPolicy, StepAdjustment};

use super::asg_alarms::{self, Alarm};
use super::{Cx, limits};
use crate::aws;
use crate::model::*;

const NAME: AttrSpec =
    attr("name", Ty::Str, Presence::Required, Update::InPlace, "Policy name, unique among the group's policies.")
        .with(limits::AUTOSCALING_NAME);
const METRIC: AttrSpec = attr(
    "metric",
    Ty::Enum(&["cpu", "network_in", "network_out"]),
    Presence::Default(Lit::Str("cpu")),
    Update::InPlace,
    "The group's metric the alarm watches: CPUUtilization, NetworkIn or NetworkOut (AWS/EC2).",
);
const STATISTIC: AttrSpec = attr(
    "statistic",
    Ty::Enum(&["Average", "Maximum", "Minimum", "Sum", "SampleCount"]),
    Presence::Default(Lit::Str("Average")),
    Update::InPlace,
    "How the alarm aggregates the metric over a period.",
);
const THRESHOLD: AttrSpec =
    attr("threshold", Ty::Number, Presence::Required, Update::InPlace, "The alarm's threshold (for cpu a percentage).");
const COMPARISON: AttrSpec = attr(
    "comparison",
    Ty::Enum(&[">=", ">", "<=", "<"]),
    Presence::Default(Lit::Str(">=")),
    Update::InPlace,
    "Metric against threshold: `>=`/`>` scale on high values, `<=`/`<` on low ones.",
);
const PERIOD: AttrSpec = attr(
    "period",
    Ty::Int,
    Presence::Default(Lit::Int(60)),
    Update::InPlace,
    "Seconds per evaluation period: a multiple of 60 (EC2 metrics have one-minute resolution at best).",
)
.with(&[crate::constraint::Check::Range(60, 86_400)]);
const EVALUATION_PERIODS: AttrSpec = attr(
    "evaluation_periods",
    Ty::Int,
    Presence::Default(Lit::Int(1)),
    Update::InPlace,
    "Consecutive periods over the threshold before the alarm fires; times period at most a day.",
)
.with(&[crate::constraint::Check::Range(1, 1440)]);
const ADJUSTMENT_TYPE: AttrSpec = attr(
    "adjustment_type",
    Ty::Enum(&["ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"]),
    Presence::Default(Lit::Str("ChangeInCapacity")),
    Update::InPlace,
    "What a change means: instances to add (negative: remove), a percentage of the group, or the new size.",
);

pub static STEP_SCALING: &[AttrSpec] = &[
    NAME,
    METRIC,
    STATISTIC,
    THRESHOLD,
    COMPARISON,
    PERIOD,
    EVALUATION_PERIODS,
    ADJUSTMENT_TYPE,
    attr(
        "adjustments",
        Ty::Set(&Ty::Map(&Ty::Number)),
        Presence::Required,
        Update::InPlace,
        "Steps `{ lower = 0, upper = 20, change = 1 }`: bounds relative to the threshold (lower inclusive, upper exclusive), contiguous, one bound open.",
    ),
];

pub static SIMPLE_SCALING: &[AttrSpec] = &[
    NAME,
    METRIC,
    STATISTIC,
    THRESHOLD,
    COMPARISON,
    PERIOD,
    EVALUATION_PERIODS,
    ADJUSTMENT_TYPE,
    attr("change", Ty::Int, Presence::Required, Update::InPlace, "The change to make when the alarm fires."),
    attr(
        "cooldown",
        Ty::Int,
        Presence::Default(Lit::Int(300)),
        Update::InPlace,
        "Seconds after a scaling activity before the policy acts again.",
    )
    .with(limits::NOT_NEGATIVE),
];

/// The two block attributes, with the policy type each one is.
pub const KINDS: [(&str, &str); 2] = [("step_scaling", "StepScaling"), ("simple_scaling", "SimpleScaling")];

fn block(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> BTreeMap<String, Value> {
    pairs.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.to_string(), v)).collect()
}

fn num(f: Option<f64>) -> Value {
    f.and_then(Value::number).unwrap_or_default()
}

/// A step as the file writes it. AWS keeps the bounds as sent (doubles relative to the
/// threshold), so `0` reads back as 0.0, the file's whole 0; an unset bound stays unset.
fn step_value(s: &StepAdjustment) -> Value {
    Value::Map(block([
        ("lower", num(s.metric_interval_lower_bound())),
        ("upper", num(s.metric_interval_upper_bound())),
        ("change", s.scaling_adjustment().map_or(Value::Null, |c| Value::Int(c.into()))),
    ]))
}

/// One policy of the group as its block, with the alarm's settings when the alarm is the
/// policy's (named for it, on this group, acting on this policy only). Without such an alarm
/// the alarm's attributes are left out, so the plan shows the difference and the apply puts it.
pub fn policy_block(group: &str, p: &ScalingPolicy, alarm: Option<&Alarm>) -> Option<(&'static str, Value)> {
    let kind = KINDS.iter().find(|(_, t)| p.policy_type() == Some(*t))?.0;
    let mut b = block([
        ("name", Value::from(p.policy_name().map(String::from))),
        ("adjustment_type", Value::from(p.adjustment_type().map(String::from))),
    ]);
    if kind == "step_scaling" {
        let mut steps: Vec<Value> = p.step_adjustments().iter().map(step_value).collect();
        steps.sort();
        b.insert("adjustments".into(), Value::List(steps));
    } else {
        b.insert("change".into(), p.scaling_adjustment().map_or(Value::Null, |c| Value::Int(c.into())));
        b.insert("cooldown".into(), Value::Int(p.cooldown().unwrap_or(300).into()));
    }
    if let Some(a) = alarm.filter(|a| a.serves(group, p.policy_arn())) {
        b.extend(a.block_attrs());
    }
    b.retain(|_, v| !v.is_null());
    Some((kind, Value::Map(b)))
}

/// The step and simple policies among a group's policies, as `(step_scaling, simple_scaling)`
/// block lists per group, with their alarms read in batches.
pub async fn read(cx: &Cx, policies: &[ScalingPolicy]) -> anyhow::Result<HashMap<String, (Value, Value)>> {
    let ours: Vec<&ScalingPolicy> =
        policies.iter().filter(|p| KINDS.iter().any(|(_, t)| p.policy_type() == Some(*t))).collect();
    let names: Vec<String> =
        ours.iter().filter_map(|p| Some(asg_alarms::name(p.auto_scaling_group_name()?, p.policy_name()?))).collect();
    let alarms = asg_alarms::describe(cx, &names).await?;
    let mut out: HashMap<String, (Vec<Value>, Vec<Value>)> = HashMap::new();
    for p in ours {
        let (Some(group), Some(name)) = (p.auto_scaling_group_name(), p.policy_name()) else { continue };
        let alarm = alarms.get(&asg_alarms::name(group, name));
        let Some((kind, b)) = policy_block(group, p, alarm) else { continue };
        let entry = out.entry(group.to_string()).or_default();
        if kind == "step_scaling" { &mut entry.0 } else { &mut entry.1 }.push(b);
    }
    Ok(out
        .into_iter()
        .map(|(g, (mut step, mut simple))| {
            step.sort();
            simple.sort();
            (g, (Value::List(step), Value::List(simple)))
        })
        .collect())
}

/// Every step and simple block of `attrs` by policy name, with its policy type.
fn declared(attrs: &Attrs) -> BTreeMap<String, (&'static str, BTreeMap<String, Value>)> {
    let mut out = BTreeMap::new();
    for (attr, ty) in KINDS {
        for b in attrs.get(attr).map(Value::as_list).unwrap_or_default() {
            let Some(m) = b.as_map() else { continue };
            if let Some(name) = m.get("name").and_then(Value::as_str) {
                out.insert(name.to_string(), (ty, m.clone()));
            }
        }
    }
    out
}

/// Puts and deletes policies and their alarms to go from `have` to `want`. An alarm goes
/// before its policy and comes after it: it never acts on a policy that is not there.
pub async fn sync(cx: &Cx, addr: &Address, group: &str, have: &Attrs, want: &Attrs) -> anyhow::Result<()> {
    let (old, new) = (declared(have), declared(want));
    let gone: Vec<String> = old.keys().filter(|n| !new.contains_key(*n)).cloned().collect();
    if !gone.is_empty() {
        asg_alarms::delete(cx, &gone.iter().map(|n| asg_alarms::name(group, n)).collect::<Vec<_>>()).await?;
        for name in &gone {
            delete_policy(cx, group, name).await?;
        }
    }
    for (name, (ty, b)) in new.iter().filter(|(n, b)| old.get(*n) != Some(b)) {
        let arn = put_policy(cx, group, name, ty, b).await?;
        asg_alarms::put(cx, addr, group, name, &arn, b).await?;
    }
    Ok(())
}

/// Deletes every alarm of the group's step and simple policies (the group's deletion takes its
/// policies with it, not their alarms).
pub async fn delete_alarms(cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
    let names: Vec<String> = declared(&live.attrs).keys().map(|n| asg_alarms::name(&live.id, n)).collect();
    asg_alarms::delete(cx, &names).await
}

fn steps(b: &BTreeMap<String, Value>) -> Vec<StepAdjustment> {
    let items = b.get("adjustments").map(Value::as_list).unwrap_or_default();
    items
        .iter()
        .filter_map(Value::as_map)
        .map(|m| {
            let f = |k: &str| m.get(k).and_then(Value::as_f64);
            let change = m.get("change").and_then(Value::as_int).and_then(|c| i32::try_from(c).ok());
            StepAdjustment::builder()
                .set_metric_interval_lower_bound(f("lower"))
                .set_metric_interval_upper_bound(f("upper"))
                .scaling_adjustment(change.unwrap_or_default())
                .build()
        })
        .collect()
}

/// PutScalingPolicy (create or replace in one call); returns the policy's ARN for its alarm.
async fn put_policy(cx: &Cx, group: &str, name: &str, ty: &str, b: &BTreeMap<String, Value>) -> anyhow::Result<String> {
    let int = |k: &str| b.get(k).and_then(Value::as_int).and_then(|v| i32::try_from(v).ok());
    let mut call = cx
        .aws
        .autoscaling
        .put_scaling_policy()
        .auto_scaling_group_name(group)
        .policy_name(name)
        .policy_type(ty)
        .set_adjustment_type(b.get("adjustment_type").and_then(Value::as_str).map(String::from));
    call = match ty {
        "StepScaling" => call.set_step_adjustments(Some(steps(b))),
        _ => call.set_scaling_adjustment(int("change")).set_cooldown(int("cooldown")),
    };
    let out = call.send().await.map_err(aws::error)?;
    out.policy_arn().map(String::from).ok_or_else(|| anyhow::anyhow!("PutScalingPolicy for {name} returned no ARN"))
}

/// DeletePolicy. AWS answers ValidationError for a policy (or group) it does not know, the
/// same code as for a bad request: gone is checked by reading the group's policies again.
async fn delete_policy(cx: &Cx, group: &str, name: &str) -> anyhow::Result<()> {
    let asg = &cx.aws.autoscaling;
    let Err(e) = asg.delete_policy().auto_scaling_group_name(group).policy_name(name).send().await.map_err(aws::error)
    else {
        return Ok(());
    };
    if e.code.as_deref() == Some("ValidationError") {
        let left = asg.describe_policies().auto_scaling_group_name(group).policy_names(name).send().await;
        if left.is_ok_and(|o| o.scaling_policies().is_empty()) {
            return Ok(());
        }
    }
    Err(e.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_read_back_as_the_file_writes_them() {
        let s = StepAdjustment::builder().metric_interval_lower_bound(20.0).scaling_adjustment(2).build();
        let want = Value::Map(block([("lower", Value::Int(20)), ("change", Value::Int(2))]));
        assert_eq!(step_value(&s), want);
        let s = StepAdjustment::builder()
            .metric_interval_lower_bound(-12.5)
            .metric_interval_upper_bound(0.0)
            .scaling_adjustment(-1)
            .build();
        let m = step_value(&s);
        assert_eq!(m.as_map().unwrap()["upper"], Value::Int(0));
        assert_eq!(m.as_map().unwrap()["lower"], Value::number(-12.5).unwrap());
    }

    #[test]
    fn a_policy_without_its_alarm_reads_without_the_alarm_settings() {
        let p = ScalingPolicy::builder()
            .auto_scaling_group_name("g")
            .policy_name("cpu-high")
            .policy_type("SimpleScaling")
            .adjustment_type("ChangeInCapacity")
            .scaling_adjustment(1)
            .build();
        let (kind, b) = policy_block("g", &p, None).unwrap();
        assert_eq!(kind, "simple_scaling");
        let m = b.as_map().unwrap();
        assert_eq!(m["cooldown"], Value::Int(300), "AWS's default when none was set");
        assert!(!m.contains_key("threshold"));
    }
}
