//! An Auto Scaling group's target-tracking policies and scheduled actions: their schema,
//! reading them for all of a stack's groups in one call each, and bringing them to what the
//! stack declares.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_autoscaling::types::{MetricType, PredefinedMetricSpecification, TargetTrackingConfiguration};

use super::Cx;
use crate::aws;
use crate::model::*;

pub static TARGET_TRACKING: &[AttrSpec] = &[
    attr(
        "metric",
        Ty::Enum(&["cpu", "network_in", "network_out", "requests_per_target"]),
        Presence::Default(Lit::Str("cpu")),
        Update::InPlace,
        "Average CPU utilisation, network bytes in/out per instance, or requests per target of `target_group`.",
    ),
    attr(
        "target_group",
        Ty::Ref("target_group"),
        Presence::Optional,
        Update::InPlace,
        "For requests_per_target: the group's target group whose load balancer counts the requests.",
    ),
    attr(
        "target",
        Ty::Number,
        Presence::Required,
        Update::InPlace,
        "The value to hold the metric at: for cpu a percentage up to 100 (e.g. 40 or 37.5), for network bytes.",
    )
    .with(&[Check::Positive]),
    attr("disable_scale_in", Ty::Bool, Presence::Default(Lit::Bool(false)), Update::InPlace, "Only ever scale out."),
];

pub static SCHEDULE: &[AttrSpec] = &[
    attr("name", Ty::Str, Presence::Required, Update::InPlace, "Name of the scheduled action, unique in the group.")
        .with(super::limits::AUTOSCALING_NAME),
    attr(
        "recurrence",
        Ty::Str,
        Presence::Required,
        Update::InPlace,
        "When, as a cron expression in UTC (\"0 22 * * *\").",
    )
    .with(&[Check::Len(1, 255), Check::Format(&crate::constraint::formats::CRON)]),
    attr("min_size", Ty::Int, Presence::Optional, Update::InPlace, "New minimum size.").with(super::limits::NOT_NEGATIVE),
    attr("max_size", Ty::Int, Presence::Optional, Update::InPlace, "New maximum size.").with(super::limits::NOT_NEGATIVE),
    attr(
        "desired_capacity",
        Ty::Int,
        Presence::Optional,
        Update::InPlace,
        "New desired capacity, within the new (or the group's) minimum and maximum. Give at least one of the three sizes.",
    )
    .with(super::limits::NOT_NEGATIVE),
];

fn metric_type(metric: &str) -> MetricType {
    match metric {
        "network_in" => MetricType::AsgAverageNetworkIn,
        "network_out" => MetricType::AsgAverageNetworkOut,
        "requests_per_target" => MetricType::AlbRequestCountPerTarget,
        _ => MetricType::AsgAverageCpuUtilization,
    }
}

fn metric_name(t: &MetricType) -> Option<&'static str> {
    Some(match t {
        MetricType::AsgAverageCpuUtilization => "cpu",
        MetricType::AsgAverageNetworkIn => "network_in",
        MetricType::AsgAverageNetworkOut => "network_out",
        MetricType::AlbRequestCountPerTarget => "requests_per_target",
        _ => return None,
    })
}

/// The policy name stackr gives a group's tracking policy for one metric.
fn policy_name(group: &str, metric: &str) -> String {
    format!("{group}-{metric}")
}

fn block(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::Map(pairs.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.to_string(), v)).collect())
}

/// A group's policies and scheduled actions as its block attributes.
#[derive(Debug, Default)]
pub struct Scaling {
    blocks: Vec<(&'static str, Value)>,
}

impl Scaling {
    /// Sets every block attribute this covers on the group's live attributes (empty lists
    /// for a group that has none).
    pub fn fill(self, attrs: &mut Attrs) {
        for name in ["target_tracking", "schedule", "step_scaling", "simple_scaling"] {
            attrs.insert(name.into(), Value::List(vec![]));
        }
        attrs.extend(self.blocks.into_iter().map(|(k, v)| (k.to_string(), v)));
    }
}

/// Target-tracking policies (on predefined metrics), step and simple policies with their
/// alarms, and scheduled actions of the stack's groups, by group name: DescribePolicies and
/// DescribeScheduledActions for each group (both take one group name), all at once, then the
/// alarms by name. Without a group name they would list the region's.
pub async fn read_all(cx: &Cx, groups: &[String]) -> anyhow::Result<HashMap<String, Scaling>> {
    let mut out: HashMap<String, (Vec<Value>, Vec<Value>)> =
        groups.iter().map(|g| (g.clone(), (vec![], vec![]))).collect();
    if groups.is_empty() {
        return Ok(HashMap::new());
    }
    let reads = groups.iter().map(|g| async move {
        let asg = &cx.aws.autoscaling;
        let policies = async {
            let mut pages = asg.describe_policies().auto_scaling_group_name(g).into_paginator().items().send();
            let mut all = vec![];
            while let Some(p) = pages.next().await {
                all.push(p.map_err(aws::error)?);
            }
            anyhow::Ok(all)
        };
        let schedules = async {
            let mut pages = asg.describe_scheduled_actions().auto_scaling_group_name(g).into_paginator().items().send();
            let mut all = vec![];
            while let Some(s) = pages.next().await {
                all.push(s.map_err(aws::error)?);
            }
            anyhow::Ok(all)
        };
        tokio::try_join!(policies, schedules)
    });
    let read = super::read_each(reads.collect()).await?;
    let (policies, schedules): (Vec<_>, Vec<_>) = read.into_iter().unzip();
    let policies: Vec<_> = policies.into_iter().flatten().collect();
    let mut stepped = super::asg_step::read(cx, &policies).await?;
    for p in policies {
        let Some(entry) = p.auto_scaling_group_name().and_then(|g| out.get_mut(g)) else { continue };
        let Some(tt) = p.target_tracking_configuration() else { continue };
        let spec = tt.predefined_metric_specification();
        let Some(metric) = spec.and_then(|m| m.predefined_metric_type()).and_then(metric_name) else {
            continue;
        };
        let label = spec.and_then(|m| m.resource_label());
        let tg = label.and_then(|l| super::asg_requests::target_group(p.policy_arn()?, l));
        entry.0.push(block([
            ("metric", Value::str(metric)),
            ("target_group", Value::from(tg)),
            // AWS keeps the double as it was put, so the file's 37.5 reads back as 37.5 and 40
            // as 40.0, which is the file's whole 40 again.
            ("target", Value::number(tt.target_value().unwrap_or_default()).unwrap_or_default()),
            ("disable_scale_in", Value::Bool(tt.disable_scale_in().unwrap_or(false))),
        ]));
    }
    for s in schedules.into_iter().flatten() {
        let Some(entry) = s.auto_scaling_group_name().and_then(|g| out.get_mut(g)) else { continue };
        let int = |v: Option<i32>| v.map_or(Value::Null, |n| Value::Int(n.into()));
        entry.1.push(block([
            ("name", Value::from(s.scheduled_action_name().map(String::from))),
            ("recurrence", Value::from(s.recurrence().map(String::from))),
            ("min_size", int(s.min_size())),
            ("max_size", int(s.max_size())),
            ("desired_capacity", int(s.desired_capacity())),
        ]));
    }
    Ok(out
        .into_iter()
        .map(|(g, (mut p, mut s))| {
            p.sort();
            s.sort();
            let mut blocks = vec![("target_tracking", Value::List(p)), ("schedule", Value::List(s))];
            if let Some((step, simple)) = stepped.remove(&g) {
                blocks.extend([("step_scaling", step), ("simple_scaling", simple)]);
            }
            (g, Scaling { blocks })
        })
        .collect())
}

fn by_key(v: Option<&Value>, key: &str) -> BTreeMap<String, BTreeMap<String, Value>> {
    v.map(|v| v.as_list())
        .unwrap_or_default()
        .iter()
        .filter_map(|b| {
            let m = b.as_map()?;
            Some((m.get(key)?.as_str()?.to_string(), m.clone()))
        })
        .collect()
}

fn int(m: &BTreeMap<String, Value>, k: &str) -> Option<i32> {
    m.get(k).and_then(Value::as_int).and_then(|i| i32::try_from(i).ok())
}

/// Puts and deletes tracking policies and scheduled actions to go from `have` to `want`.
pub async fn sync(cx: &Cx, group: &str, have: &Attrs, want: &Attrs) -> anyhow::Result<()> {
    let asg = &cx.aws.autoscaling;
    let (old, new) = (by_key(have.get("target_tracking"), "metric"), by_key(want.get("target_tracking"), "metric"));
    for metric in old.keys().filter(|m| !new.contains_key(*m)) {
        let r = asg.delete_policy().auto_scaling_group_name(group).policy_name(policy_name(group, metric)).send().await;
        r.map_err(aws::error)?;
    }
    for (metric, b) in new.iter().filter(|(m, b)| old.get(*m) != Some(b)) {
        let label = match b.get("target_group").and_then(Value::as_str) {
            Some(tg) => Some(super::asg_requests::resource_label(cx, tg).await?),
            None => None,
        };
        let spec = PredefinedMetricSpecification::builder()
            .predefined_metric_type(metric_type(metric))
            .set_resource_label(label)
            .build();
        let config = TargetTrackingConfiguration::builder()
            .predefined_metric_specification(spec)
            .target_value(b.get("target").and_then(Value::as_f64).unwrap_or_default())
            .disable_scale_in(b.get("disable_scale_in").and_then(Value::as_bool).unwrap_or(false))
            .build();
        let call = asg.put_scaling_policy().auto_scaling_group_name(group).policy_name(policy_name(group, metric));
        call.policy_type("TargetTrackingScaling")
            .target_tracking_configuration(config)
            .send()
            .await
            .map_err(aws::error)?;
    }
    let (old, new) = (by_key(have.get("schedule"), "name"), by_key(want.get("schedule"), "name"));
    for name in old.keys().filter(|n| !new.contains_key(*n)) {
        asg.delete_scheduled_action()
            .auto_scaling_group_name(group)
            .scheduled_action_name(name)
            .send()
            .await
            .map_err(aws::error)?;
    }
    for (name, b) in new.iter().filter(|(n, b)| old.get(*n) != Some(b)) {
        asg.put_scheduled_update_group_action()
            .auto_scaling_group_name(group)
            .scheduled_action_name(name)
            .set_recurrence(b.get("recurrence").and_then(Value::as_str).map(String::from))
            .set_min_size(int(b, "min_size"))
            .set_max_size(int(b, "max_size"))
            .set_desired_capacity(int(b, "desired_capacity"))
            .send()
            .await
            .map_err(aws::error)?;
    }
    Ok(())
}
