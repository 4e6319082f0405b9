//! The Auto Scaling group's own AWS calls beside the Kind trait: looking one group up, waiting
//! for its instances to be in service, and syncing its tags (which propagate to instances, so
//! every tag is written with `propagate_at_launch`).

use std::time::{Duration, Instant};

use aws_sdk_autoscaling::client::Waiters;
use aws_sdk_autoscaling::types::{AutoScalingGroup, ScalingActivityStatusCode, Tag};
use aws_smithy_runtime_api::client::waiters::error::WaiterError;

use super::retry::{self, Window};
use super::uncoded;
use super::{Cx, tag_changes, user_tags};
use crate::aws;
use crate::model::Attrs;

pub(super) fn tag(group: &str, k: &str, v: &str) -> Tag {
    Tag::builder()
        .resource_id(group)
        .resource_type("auto-scaling-group")
        .key(k)
        .value(v)
        .propagate_at_launch(true)
        .build()
}

pub(super) async fn sync_tags(cx: &Cx, group: &str, have: &Attrs, want: &Attrs) -> anyhow::Result<()> {
    let (set, remove) = tag_changes(have, want);
    let set: Vec<Tag> = set.iter().map(|(k, v)| tag(group, k, v)).collect();
    // Removed tags are sent as they are now, value included.
    let old = user_tags(have);
    let unset: Vec<Tag> = remove.iter().map(|k| tag(group, k, old.get(k).map_or("", String::as_str))).collect();
    if !unset.is_empty() {
        cx.aws.autoscaling.delete_tags().set_tags(Some(unset)).send().await.map_err(aws::error)?;
    }
    if !set.is_empty() {
        cx.aws.autoscaling.create_or_update_tags().set_tags(Some(set)).send().await.map_err(aws::error)?;
    }
    Ok(())
}

/// Names DescribeAutoScalingGroups takes in one call, kept to one page's worth.
pub(super) const NAMES_MAX: usize = 50;

/// Every group a DescribeAutoScalingGroups call (with its filters or names) answers, all pages.
pub(super) async fn list(
    call: aws_sdk_autoscaling::operation::describe_auto_scaling_groups::builders::DescribeAutoScalingGroupsFluentBuilder,
) -> anyhow::Result<Vec<AutoScalingGroup>> {
    let mut pages = call.into_paginator().items().send();
    let mut out = vec![];
    while let Some(g) = pages.next().await {
        out.push(g.map_err(aws::error)?);
    }
    Ok(out)
}

pub(super) async fn describe(cx: &Cx, name: &str) -> anyhow::Result<Option<AutoScalingGroup>> {
    let out = cx
        .aws
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .map_err(aws::error)?;
    Ok(out.auto_scaling_groups().first().cloned())
}

/// Waits until `min` instances are in service (the group is usable), as `Still creating…`.
/// Launches that fail end the wait at once with the scaling activity's own message (a
/// profile IAM has not yet propagated is waited out).
///
/// Not the SDK's GroupInService waiter: it counts an empty answer as success (a group not yet
/// listed just after its create would pass), it cannot stop at a failed launch (that is in
/// DescribeScalingActivities, so a launch AWS has refused would be waited on for the whole
/// state window), and it polls every 15 s or more where instances take AWS seconds to start.
pub(super) async fn wait_in_service(cx: &Cx, name: &str, min: i32) -> anyhow::Result<AutoScalingGroup> {
    let start = Instant::now();
    let since = aws_smithy_types::DateTime::from(std::time::SystemTime::now() - Duration::from_secs(60));
    loop {
        let group = describe(cx, name).await?.ok_or_else(|| anyhow::anyhow!("group {name} vanished while starting"))?;
        let in_service =
            group.instances().iter().filter(|i| i.lifecycle_state().map(|s| s.as_str()) == Some("InService")).count();
        if in_service >= usize::try_from(min).unwrap_or(0) {
            return Ok(group);
        }
        if let Some(why) = failed_launch(cx, name, &since, start.elapsed()).await? {
            anyhow::bail!("{name}: launching instances failed: {why}");
        }
        anyhow::ensure!(
            start.elapsed() < Window::State.get(),
            "{name}: {in_service} of {min} instances in service after {}s",
            start.elapsed().as_secs()
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// The message of a failed launch since `since`, if any. A failure naming the instance profile
/// is IAM's propagation delay while the IAM window lasts: Auto Scaling retries it itself.
async fn failed_launch(
    cx: &Cx,
    name: &str,
    since: &aws_smithy_types::DateTime,
    waited: Duration,
) -> anyhow::Result<Option<String>> {
    let out = cx.aws.autoscaling.describe_scaling_activities().auto_scaling_group_name(name).send().await;
    let out = out.map_err(aws::error)?;
    let failed = out.activities().iter().filter(|a| a.start_time() >= Some(since)).find(|a| {
        let profile = a.status_message().is_some_and(uncoded::activity_profile_not_ready);
        a.status_code() == Some(&ScalingActivityStatusCode::Failed)
            && !(profile && waited < Window::IamPropagation.get())
    });
    Ok(failed.map(|a| a.status_message().or(a.description()).unwrap_or("no reason given").to_string()))
}

/// Deletes the group with its instances (ForceDelete) and waits until it is gone. AWS refuses
/// while a scaling activity runs (ScalingActivityInProgress) or instances are still being
/// launched or terminated (ResourceInUse): retried until they end.
pub(super) async fn delete(cx: &Cx, name: &str) -> anyhow::Result<()> {
    if describe(cx, name).await?.is_none() {
        return Ok(());
    }
    let send = || async {
        let call = cx.aws.autoscaling.delete_auto_scaling_group().auto_scaling_group_name(name).force_delete(true);
        call.send().await.map_err(aws::error)
    };
    if let Err(e) = retry::on_codes(&["ScalingActivityInProgress", "ResourceInUse"], Window::State.get(), send).await {
        // Gone meanwhile (AWS answers ValidationError for a name it does not know).
        if describe(cx, name).await?.is_some() {
            return Err(e.into());
        }
    }
    // The SDK's GroupNotExists waiter is this wait exactly (DescribeAutoScalingGroups of the
    // name until it lists nothing). Its 15 s between polls is small beside a forced delete,
    // which terminates the group's instances first.
    let waiter = cx.aws.autoscaling.wait_until_group_not_exists().auto_scaling_group_names(name);
    match waiter.wait(Window::State.get()).await {
        Ok(_) => Ok(()),
        Err(WaiterError::ExceededMaxWait(m)) => {
            let state = describe(cx, name).await?.and_then(|g| g.status().map(String::from));
            let state = state.unwrap_or_else(|| "listed".into());
            anyhow::bail!("waiting for {name} to be deleted: still {state} after {}s", m.elapsed().as_secs())
        }
        Err(WaiterError::OperationFailed(f)) => Err(aws::error(f.into_error()).into()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("waiting for {name} to be deleted"))),
    }
}
