//! The Auto Scaling group's own AWS calls beside the Kind trait: looking one group up, waiting
//! for its instances to be in service, and syncing its tags (which propagate to instances, so
//! every tag is written with `propagate_at_launch`).

use std::time::{Duration, Instant};

use aws_sdk_autoscaling::types::{AutoScalingGroup, Tag};

use super::{Cx, tag_changes, user_tags};
use crate::aws;
use crate::model::Attrs;

/// How long create waits for `min_size` instances in service, and delete for the group to go.
pub(super) const WAIT: Duration = Duration::from_secs(15 * 60);

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
pub(super) async fn wait_in_service(cx: &Cx, name: &str, min: i32) -> anyhow::Result<AutoScalingGroup> {
    let start = Instant::now();
    loop {
        let group = describe(cx, name).await?.ok_or_else(|| anyhow::anyhow!("group {name} vanished while starting"))?;
        let in_service =
            group.instances().iter().filter(|i| i.lifecycle_state().map(|s| s.as_str()) == Some("InService")).count();
        if in_service >= usize::try_from(min).unwrap_or(0) {
            return Ok(group);
        }
        anyhow::ensure!(
            start.elapsed() < WAIT,
            "{name}: {in_service} of {min} instances in service after {}s",
            WAIT.as_secs()
        );
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}
