//! The `volume` kind's own AWS calls beside the Kind trait: attaching and detaching (with the
//! busy device and the detaching state AWS goes through), waiting for a modification, and the
//! root volumes of instances (read in one call, and their launch mappings).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{
    EbsBlockDevice, Filter, VolumeAttachmentState, VolumeModificationState, VolumeState, VolumeType,
};

use super::poll::{self, Poll};
use super::retry::{self, Window};
use super::{Cx, ec2tags, eventual};
use crate::aws;
use crate::model::*;

/// Size, type and encryption of instances' root volumes (by id), in one DescribeVolumes call:
/// the `instance` kind reads them all at once rather than one call per instance.
pub async fn root_volumes(cx: &Cx, ids: Vec<String>) -> anyhow::Result<HashMap<String, [Value; 3]>> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    // A filter, not VolumeIds: a volume gone since the instance listing is no error. EC2 takes
    // at most 200 filter values a call.
    for chunk in ids.chunks(ec2tags::FILTER_VALUES_MAX) {
        let filter = Filter::builder().name("volume-id").set_values(Some(chunk.to_vec())).build();
        let mut pages = cx.aws.ec2.describe_volumes().filters(filter).into_paginator().items().send();
        while let Some(v) = pages.next().await {
            let v = v.map_err(aws::error)?;
            let attrs = [
                v.size().map_or(Value::Null, |n| Value::Int(n.into())),
                v.volume_type().map_or(Value::Null, |t| Value::str(t.as_str())),
                v.encrypted().map_or(Value::Null, Value::Bool),
            ];
            out.insert(v.volume_id().unwrap_or_default().to_string(), attrs);
        }
    }
    Ok(out)
}

/// The root volume settings the stack gives, if any.
pub fn root_mapping(want: &Attrs) -> Option<EbsBlockDevice> {
    let (size, vtype, enc) =
        (want.get("root_volume_size"), want.get("root_volume_type"), want.get("root_volume_encrypted"));
    if [size, vtype, enc].iter().all(|v| v.is_none_or(Value::is_null)) {
        return None;
    }
    Some(
        EbsBlockDevice::builder()
            .set_volume_size(size.and_then(Value::as_int).and_then(|n| i32::try_from(n).ok()))
            .set_volume_type(vtype.and_then(Value::as_str).map(VolumeType::from))
            .set_encrypted(enc.and_then(Value::as_bool))
            // Stated, not left to the default: some EC2 implementations keep the volume otherwise.
            .delete_on_termination(true)
            .build(),
    )
}

/// Completes a root volume mapping for `ami`: the AMI's root device name, which the mapping
/// must use, and, when the stack gives no size, the size of the AMI's root snapshot (what EC2
/// would choose; some EC2 implementations refuse a mapping with neither size nor snapshot).
pub async fn root_device(cx: &Cx, ami: &str, ebs: EbsBlockDevice) -> anyhow::Result<(String, EbsBlockDevice)> {
    let out = cx.aws.ec2.describe_images().image_ids(ami).send().await.map_err(aws::error)?;
    let image = out.images().first().ok_or_else(|| anyhow::anyhow!("AMI {ami} was not found"))?;
    let dev = image.root_device_name().ok_or_else(|| anyhow::anyhow!("AMI {ami} has no root device name"))?;
    let snapshot_size = image
        .block_device_mappings()
        .iter()
        .find(|m| m.device_name() == Some(dev))
        .and_then(|m| m.ebs())
        .and_then(|e| e.volume_size());
    let ebs = match (ebs.volume_size(), snapshot_size) {
        (None, Some(n)) => EbsBlockDevice::builder()
            .volume_size(n)
            .set_volume_type(ebs.volume_type().cloned())
            .set_encrypted(ebs.encrypted())
            .set_delete_on_termination(ebs.delete_on_termination())
            .build(),
        _ => ebs,
    };
    Ok((dev.to_string(), ebs))
}

pub(super) async fn wait_available(cx: &Cx, id: &str) -> anyhow::Result<()> {
    wait_volume(cx, id, VolumeState::Available, &format!("waiting for {id} to become available")).await
}

/// Waits until the volume is in `target` (`error` and `deleted` end the wait).
async fn wait_volume(cx: &Cx, id: &str, target: VolumeState, what: &str) -> anyhow::Result<()> {
    poll::until(what, || async {
        let out = cx.aws.ec2.describe_volumes().volume_ids(id).send().await.map_err(aws::error)?;
        let state = out.volumes().first().and_then(|v| v.state()).cloned();
        Ok(match state {
            Some(s) if s == target => Poll::Done(()),
            Some(s @ (VolumeState::Error | VolumeState::Deleted | VolumeState::Deleting)) => {
                Poll::Failed(format!("it is {}", s.as_str()))
            }
            other => Poll::Pending(other.map_or("unknown".into(), |s| s.as_str().to_string())),
        })
    })
    .await
}

pub(super) fn forced(attrs: &Attrs) -> bool {
    attrs.get("force_detach").and_then(Value::as_bool) == Some(true)
}

/// Where the stack asks for no encryption but AWS encrypted anyway (encryption by default),
/// the volume stays: AWS would only make another encrypted one.
pub fn encryption_floor(live: &Attrs, want: &mut Attrs, attr: &str) {
    let (have, asked) = (live.get(attr).and_then(Value::as_bool), want.get(attr).and_then(Value::as_bool));
    if have == Some(true) && asked == Some(false) {
        want.insert(attr.to_string(), Value::Bool(true));
    }
}

/// Attaches and waits until the volume is in use. A volume still detaching from its previous
/// instance (or still being created) is refused for a moment: retried. A retried attach whose
/// first answer was lost finds it attached to this instance already.
pub(super) async fn attach(cx: &Cx, id: &str, instance: &str, device: &str) -> anyhow::Result<()> {
    let call = || async {
        if attached_to(cx, id).await.ok().flatten().as_deref() == Some(instance) {
            return Ok(());
        }
        let send = || async {
            let call = cx.aws.ec2.attach_volume().volume_id(id).instance_id(instance).device(device);
            call.send().await.map_err(aws::error)
        };
        eventual::visible(send).await.map(|_| ())
    };
    retry::on_codes(&["VolumeInUse", "IncorrectState"], Window::State.get(), call).await?;
    wait_volume(cx, id, VolumeState::InUse, &format!("waiting for {id} to attach to {instance}")).await
}

/// The instance the volume is attached to (or attaching to), if any.
async fn attached_to(cx: &Cx, id: &str) -> anyhow::Result<Option<String>> {
    let out = cx.aws.ec2.describe_volumes().volume_ids(id).send().await.map_err(aws::error)?;
    let v = out.volumes().first();
    let live = |a: &&aws_sdk_ec2::types::VolumeAttachment| {
        matches!(a.state(), Some(VolumeAttachmentState::Attached | VolumeAttachmentState::Attaching))
    };
    Ok(v.and_then(|v| v.attachments().iter().find(live)).and_then(|a| a.instance_id()).map(String::from))
}

/// Detaches and waits until the volume is free. Already detached is fine: the instance may
/// have been terminated, which detaches its volumes. A running instance that still uses the
/// device keeps it `busy` indefinitely: that fails at once with what to do, unless the stack
/// asks for a forced detach.
pub(super) async fn detach(cx: &Cx, id: &str, instance: &str, force: bool) -> anyhow::Result<()> {
    let call = cx.aws.ec2.detach_volume().volume_id(id).instance_id(instance).force(force);
    match call.send().await.map_err(aws::error) {
        Err(e) if matches!(e.code.as_deref(), Some("IncorrectState" | "InvalidAttachment.NotFound")) => {}
        other => {
            other?;
        }
    }
    let start = Instant::now();
    let mut delay = Duration::from_secs(1);
    loop {
        let out = cx.aws.ec2.describe_volumes().volume_ids(id).send().await.map_err(aws::error)?;
        let v = out.volumes().first();
        let attachment = v.and_then(|v| v.attachments().first()).and_then(|a| a.state());
        if attachment == Some(&VolumeAttachmentState::Busy) {
            anyhow::bail!(
                "{id} is busy on {instance}: the instance still uses the device. Unmount it (or stop the instance) and apply again, or set `force_detach = true` on the volume to detach it anyway"
            );
        }
        if v.is_none_or(|v| v.state() == Some(&VolumeState::Available)) {
            return Ok(());
        }
        if start.elapsed() > Window::State.get() {
            anyhow::bail!("{id} is still detaching from {instance} after {}s", start.elapsed().as_secs());
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

/// Waits until a modification has taken effect (EC2 reports "optimizing" once the new size
/// and type are usable), so the next read sees the new values; with `finished`, until it is
/// over entirely (another modification can start only then).
pub(super) async fn wait_modified(cx: &Cx, id: &str, finished: bool) -> anyhow::Result<()> {
    let start = Instant::now();
    let mut delay = Duration::from_secs(1);
    loop {
        let out = cx.aws.ec2.describe_volumes_modifications().volume_ids(id).send().await.map_err(aws::error)?;
        let latest = out.volumes_modifications().iter().max_by_key(|m| m.start_time().map(|t| t.secs()));
        let state = latest.and_then(|m| m.modification_state());
        let busy = match state {
            Some(VolumeModificationState::Failed) => {
                let why = latest.and_then(|m| m.status_message()).unwrap_or("no reason given");
                anyhow::bail!("modifying {id} failed: {why}");
            }
            Some(VolumeModificationState::Modifying) => true,
            Some(VolumeModificationState::Optimizing) => finished,
            _ => false,
        };
        if !busy {
            return Ok(());
        }
        if start.elapsed() > Window::State.get() {
            anyhow::bail!("{id} is still being modified after {}s", start.elapsed().as_secs());
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(15));
    }
}
