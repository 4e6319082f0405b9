//! The CloudWatch alarms of an Auto Scaling group's step and simple policies. Ownership: an
//! alarm is named `<group>-<policy>` and carries the stack's ownership tags (set by
//! PutMetricAlarm when it creates the alarm), and stackr reads it by that name for each policy
//! it reads: one DescribeAlarms per 100 alarms for the whole stack, never a listing of the
//! account's alarms, and never a tag lookup per alarm. The group's name is unique in the region
//! and the stack's own, so the name is too; an alarm that does not watch the group or does not
//! act on the policy reads as no alarm and is put again.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, MetricAlarm, Statistic, Tag};

use super::Cx;
use super::ec2tags::{ADDRESS_TAG, STACK_TAG};
use super::retry::Window;
use crate::aws;
use crate::model::{Address, Value};

/// Alarm names DescribeAlarms and DeleteAlarms take in one call.
const NAMES_MAX: usize = 100;

/// The dimension CloudWatch keys an Auto Scaling group's EC2 metrics by.
pub const GROUP_DIMENSION: &str = "AutoScalingGroupName";

const NAMESPACE: &str = "AWS/EC2";

/// The file's metric names and CloudWatch's.
const METRICS: [(&str, &str); 3] =
    [("cpu", "CPUUtilization"), ("network_in", "NetworkIn"), ("network_out", "NetworkOut")];

/// The file's comparisons and CloudWatch's operators.
const COMPARISONS: [(&str, &str); 4] = [
    (">=", "GreaterThanOrEqualToThreshold"),
    (">", "GreaterThanThreshold"),
    ("<=", "LessThanOrEqualToThreshold"),
    ("<", "LessThanThreshold"),
];

/// The alarm stackr makes for a group's policy.
pub fn name(group: &str, policy: &str) -> String {
    format!("{group}-{policy}")
}

/// An alarm as DescribeAlarms gives it.
#[derive(Debug, Clone)]
pub struct Alarm(pub MetricAlarm);

impl Alarm {
    /// Whether this is the alarm of `policy_arn` on `group`: the group's metric and the policy
    /// as its only action.
    pub fn serves(&self, group: &str, policy_arn: Option<&str>) -> bool {
        let dims = self.0.dimensions();
        let on_group = dims.len() == 1 && dims[0].name() == Some(GROUP_DIMENSION) && dims[0].value() == Some(group);
        let actions = self.0.alarm_actions();
        on_group && policy_arn.is_some_and(|arn| actions.len() == 1 && actions[0] == arn)
    }

    /// The alarm's settings as block attributes. CloudWatch keeps the threshold as a double
    /// (70 reads as 70.0, the file's whole 70) and the statistic and operator as names.
    pub fn block_attrs(&self) -> BTreeMap<String, Value> {
        let a = &self.0;
        let metric = METRICS
            .iter()
            .find(|(_, m)| a.namespace() == Some(NAMESPACE) && a.metric_name() == Some(*m))
            .map(|(f, _)| Value::str(*f));
        let op = a.comparison_operator().map(ComparisonOperator::as_str);
        let comparison = COMPARISONS.iter().find(|(_, o)| op == Some(*o)).map(|(f, _)| Value::str(*f));
        let int = |v: Option<i32>| v.map_or(Value::Null, |n| Value::Int(n.into()));
        [
            ("metric", metric.unwrap_or_default()),
            ("statistic", a.statistic().map_or(Value::Null, |s| Value::str(s.as_str()))),
            ("threshold", a.threshold().and_then(Value::number).unwrap_or_default()),
            ("comparison", comparison.unwrap_or_default()),
            ("period", int(a.period())),
            ("evaluation_periods", int(a.evaluation_periods())),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

/// The alarms of these names that exist, by name, in batches of [`NAMES_MAX`].
pub async fn describe(cx: &Cx, names: &[String]) -> anyhow::Result<HashMap<String, Alarm>> {
    let reads = names.chunks(NAMES_MAX).map(|chunk| async move {
        let mut pages =
            cx.aws.cloudwatch.describe_alarms().set_alarm_names(Some(chunk.to_vec())).into_paginator().send();
        let mut all = vec![];
        while let Some(page) = pages.next().await {
            all.extend(page.map_err(aws::error)?.metric_alarms().iter().cloned());
        }
        anyhow::Ok(all)
    });
    let read = super::read_each(reads.collect()).await?;
    Ok(read.into_iter().flatten().filter_map(|a| Some((a.alarm_name()?.to_string(), Alarm(a)))).collect())
}

/// Puts the alarm of `policy` (block `b`) on `group`, acting on `policy_arn`, then waits until
/// DescribeAlarms shows it as put: CloudWatch is eventually consistent, and a plan right after
/// the apply must see what the apply made.
pub async fn put(
    cx: &Cx,
    addr: &Address,
    group: &str,
    policy: &str,
    policy_arn: &str,
    b: &BTreeMap<String, Value>,
) -> anyhow::Result<()> {
    let text = |k: &str| b.get(k).and_then(Value::as_str).unwrap_or_default();
    let int = |k: &str| b.get(k).and_then(Value::as_int).and_then(|v| i32::try_from(v).ok());
    let metric = METRICS.iter().find(|(f, _)| *f == text("metric")).map_or("CPUUtilization", |(_, m)| m);
    let op = COMPARISONS.iter().find(|(f, _)| *f == text("comparison")).map_or(COMPARISONS[0].1, |(_, o)| o);
    let tags = [(STACK_TAG, cx.stack.to_string()), (ADDRESS_TAG, addr.to_string())]
        .into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect::<Vec<_>>();
    let alarm = name(group, policy);
    cx.aws
        .cloudwatch
        .put_metric_alarm()
        .alarm_name(&alarm)
        .alarm_description(format!("stackr: scaling policy {policy} of {group}"))
        .namespace(NAMESPACE)
        .metric_name(metric)
        .dimensions(Dimension::builder().name(GROUP_DIMENSION).value(group).build())
        .statistic(Statistic::from(text("statistic")))
        .threshold(b.get("threshold").and_then(Value::as_f64).unwrap_or_default())
        .comparison_operator(ComparisonOperator::from(op))
        .set_period(int("period"))
        .set_evaluation_periods(int("evaluation_periods"))
        .alarm_actions(policy_arn)
        .set_tags(Some(tags))
        .send()
        .await
        .map_err(aws::error)?;
    let start = Instant::now();
    loop {
        let seen = describe(cx, std::slice::from_ref(&alarm)).await?;
        let current = |a: &Alarm| a.block_attrs().iter().all(|(k, v)| b.get(k) == Some(v));
        if seen.get(&alarm).is_some_and(|a| a.serves(group, Some(policy_arn)) && current(a)) {
            return Ok(());
        }
        anyhow::ensure!(
            start.elapsed() < Window::Listing.get(),
            "alarm {alarm}: CloudWatch does not show it {}s after it was put",
            start.elapsed().as_secs()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Deletes the alarms of these names that exist. DeleteAlarms fails whole (ResourceNotFound)
/// when one of its names is missing, so only the names DescribeAlarms shows are sent.
pub async fn delete(cx: &Cx, names: &[String]) -> anyhow::Result<()> {
    let found = describe(cx, names).await?;
    let mut names: Vec<String> = found.into_keys().collect();
    names.sort();
    for chunk in names.chunks(NAMES_MAX) {
        let call = cx.aws.cloudwatch.delete_alarms().set_alarm_names(Some(chunk.to_vec()));
        match call.send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("ResourceNotFound") => {}
            other => {
                other?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm(group: &str, action: &str) -> Alarm {
        Alarm(
            MetricAlarm::builder()
                .alarm_name(name(group, "p"))
                .namespace(NAMESPACE)
                .metric_name("CPUUtilization")
                .dimensions(Dimension::builder().name(GROUP_DIMENSION).value(group).build())
                .alarm_actions(action)
                .statistic(Statistic::Average)
                .threshold(70.0)
                .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
                .period(60)
                .evaluation_periods(2)
                .build(),
        )
    }

    #[test]
    fn an_alarm_reads_back_as_the_block_wrote_it() {
        let m = alarm("g", "arn:p").block_attrs();
        assert_eq!(m["metric"], Value::str("cpu"));
        assert_eq!(m["threshold"], Value::Int(70), "70.0 is the file's 70");
        assert_eq!(m["comparison"], Value::str(">="));
        assert_eq!((m["period"].clone(), m["evaluation_periods"].clone()), (Value::Int(60), Value::Int(2)));
    }

    #[test]
    fn an_alarm_serves_only_its_group_and_policy() {
        assert!(alarm("g", "arn:p").serves("g", Some("arn:p")));
        assert!(!alarm("g", "arn:p").serves("other", Some("arn:p")));
        assert!(!alarm("g", "arn:old").serves("g", Some("arn:p")));
        assert!(!alarm("g", "arn:p").serves("g", None));
    }
}
