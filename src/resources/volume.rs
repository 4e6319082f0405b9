//! `volume`: an EBS volume, optionally attached to an instance. Growing it and changing its
//! type, IOPS or throughput are one ModifyVolume call; attaching, detaching and moving it to
//! another instance are in place; its availability zone, encryption and source snapshot force
//! replacement. EBS volumes cannot shrink: the plan refuses that (see [`Kind::check_update`]).
//! Deleting or replacing one takes a snapshot first unless told not to (volume_snapshot.rs).
//!
//! A volume is detached (and the detach waited for) before it is deleted. When the instance a
//! volume is attached to is replaced, the planner lets the volume go first (its live `instance`
//! is a reference), so the volume detaches, the old instance goes, and the volume attaches to
//! the new one.

use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType, Volume as AwsVolume, VolumeType};

use super::adopt::{self, Described};
use super::retry::{self, Window};
use super::volume_aws::{attach, detach, forced, wait_available, wait_modified};
pub use super::volume_aws::{encryption_floor, root_device, root_mapping, root_volumes};
use super::volume_snapshot;
use super::{Cx, Found, Kind, ec2tags, eventual, s, with_computed};
use crate::aws;
use crate::model::*;
use crate::stack::{Diagnostics, Resource, Stack};

pub struct Volume;

/// EBS volume types, shared with the `instance` kind's root volume.
pub const VOLUME_TYPES: &[&str] = &["gp2", "gp3", "io1", "io2", "st1", "sc1", "standard"];

static SCHEMA: Schema = Schema {
    kind: "volume",
    doc: "An EBS volume, optionally attached to an instance.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr(
            "az",
            Ty::Str,
            Presence::Required,
            Update::ForceNew,
            "Availability zone, in the stack's region and the attached instance's zone.",
        )
        .with(&[Check::Format(&crate::constraint::formats::AVAILABILITY_ZONE)]),
        attr(
            "size",
            Ty::Int,
            Presence::Optional,
            Update::InPlace,
            "Size in GiB; it can grow in place, never shrink. Required unless `snapshot` is given (then the snapshot's size, and at least that). By type: gp2 1-16384, gp3 1-65536, io1 4-16384, io2 4-65536, st1 and sc1 125-16384, standard 1-1024.",
        )
        .with(&[Check::Range(1, 65536)]),
        attr("type", Ty::Enum(VOLUME_TYPES), Presence::Default(Lit::Str("gp3")), Update::InPlace, "Volume type."),
        attr(
            "iops",
            Ty::Int,
            Presence::Optional,
            Update::InPlace,
            "Provisioned IOPS (io1, io2 and gp3 only). By type: gp3 3000-80000, io1 100-64000, io2 100-256000; at most 500, 50 and 1000 per GiB.",
        )
        .with(&[Check::Range(100, 256_000)]),
        attr(
            "throughput",
            Ty::Int,
            Presence::Optional,
            Update::InPlace,
            "Throughput in MiB/s (gp3 only), at most 0.25 per provisioned IOPS.",
        )
        .with(&[Check::Range(125, 2000)]),
        attr(
            "encrypted",
            Ty::Bool,
            Presence::Optional,
            Update::ForceNew,
            "Encrypt the volume (default: the account's EBS encryption-by-default setting). An encrypted volume is never replaced to honour `false`.",
        ),
        attr(
            "instance",
            Ty::Ref("instance"),
            Presence::Default(Lit::Null),
            Update::InPlace,
            "The instance to attach to (omit to leave it detached).",
        ),
        attr("device", Ty::Str, Presence::Default(Lit::Null), Update::InPlace, "Device name there, e.g. /dev/sdf.")
            .with(&[Check::Format(&crate::constraint::formats::DEVICE_NAME)]),
        attr(
            "force_detach",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "Detach by force from a running instance that still uses the device (risks the data being written).",
        ),
        attr(
            "snapshot",
            Ty::Str,
            Presence::Optional,
            Update::ForceNew,
            "Make the volume from this EBS snapshot (snap-…); the plan checks that it exists and that `size`, if given, holds it.",
        )
        .with(&[Check::Format(&crate::constraint::formats::SNAPSHOT_ID)]),
        attr(
            "snapshot_before_destroy",
            Ty::Bool,
            Presence::Default(Lit::Bool(true)),
            Update::InPlace,
            "Before the volume is deleted or replaced, take a snapshot (tagged with the stack, address, volume id and time, and not owned by the stack) and wait until it is completed; the plan says so. Recorded on the volume (tag stackr:snapshot-before-destroy), so it still holds once the block is removed.",
        ),
        TAGS,
        computed("id", "The volume id (vol-…)."),
    ],
};

#[async_trait]
impl Kind for Volume {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn validate(&self, res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
        super::validate::ebs::volume(res, stack, diags);
    }

    fn holds_data(&self) -> bool {
        true
    }

    fn accept_live(&self, live: &mut Attrs, want: &mut Attrs) {
        encryption_floor(live, want, "encrypted");
        live.insert("force_detach".into(), want.get("force_detach").cloned().unwrap_or(Value::Bool(false)));
    }

    fn freed_by_deleting(&self) -> &'static [&'static str] {
        &["instance"]
    }

    fn destroy_note(&self, live: &Attrs) -> Option<String> {
        volume_snapshot::note(live)
    }

    fn delete_settings(&self) -> &'static [&'static str] {
        &["snapshot_before_destroy"]
    }

    async fn check_create(&self, cx: &Cx, want: &Attrs) -> anyhow::Result<Option<(&'static str, String)>> {
        volume_snapshot::check_create(cx, want).await
    }

    fn check_update(&self, before: &Attrs, after: &Attrs) -> Option<String> {
        let size = |a: &Attrs| a.get("size").and_then(Value::as_int);
        match (size(before), size(after)) {
            (Some(b), Some(a)) if a < b => Some(format!(
                "an EBS volume cannot shrink ({b} GiB to {a} GiB); keep size >= {b}, or create a new volume and copy the data"
            )),
            _ => None,
        }
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let mut pages =
            cx.aws.ec2.describe_volumes().filters(ec2tags::owner_filter(cx)).into_paginator().items().send();
        let mut owned = vec![];
        while let Some(v) = pages.next().await {
            owned.extend(live_object(&v.map_err(aws::error)?));
        }
        Ok(Found { owned, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let out = adopt::absent(cx.aws.ec2.describe_volumes().volume_ids(id).send().await.map_err(aws::error))?;
        let Some(v) = out.and_then(|o| o.volumes().first().cloned()) else { return Ok(None) };
        Ok(adopt::ec2(id, v.tags(), live_object(&v)))
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let int = |k: &str| want.get(k).and_then(Value::as_int).and_then(|n| i32::try_from(n).ok());
        let out = cx
            .aws
            .ec2
            .create_volume()
            .availability_zone(s(want, "az"))
            .set_size(int("size"))
            .volume_type(VolumeType::from(s(want, "type")))
            .set_iops(int("iops"))
            .set_throughput(int("throughput"))
            .set_encrypted(want.get("encrypted").and_then(Value::as_bool))
            .set_snapshot_id(want.get("snapshot").and_then(Value::as_str).map(String::from))
            .tag_specifications(tag_spec(cx, addr, want))
            .send()
            .await
            .map_err(aws::error)?;
        // CreateVolume takes a client token (the SDK sends one, the same on its retries).
        let id = out.volume_id().unwrap_or_default().to_string();
        let describe = || async { cx.aws.ec2.describe_volumes().volume_ids(&id).send().await.map_err(aws::error) };
        eventual::visible(describe).await?;
        wait_available(cx, &id).await?;
        if let Some(instance) = want.get("instance").and_then(Value::as_str) {
            attach(cx, &id, instance, s(want, "device")).await?;
        }
        let chosen = |k: &'static str, v: Option<Value>| (k, want.get(k).cloned().or(v).unwrap_or_default());
        let int = |n: Option<i32>| n.map(|n| Value::Int(n.into()));
        Ok(with_computed(
            want,
            [
                ("id", Value::str(&id)),
                chosen("size", int(out.size())),
                chosen("iops", int(out.iops())),
                chosen("throughput", int(out.throughput())),
                ("encrypted", Value::Bool(out.encrypted().unwrap_or(false))),
            ],
        ))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let differs = |k: &str| want.get(k).is_some_and(|w| live.attrs.get(k) != Some(w));
        let int = |k: &str| want.get(k).and_then(Value::as_int).and_then(|n| i32::try_from(n).ok());
        if ["size", "type", "iops", "throughput"].iter().any(|k| differs(k)) {
            let call = cx
                .aws
                .ec2
                .modify_volume()
                .volume_id(&live.id)
                .set_size(int("size").filter(|_| differs("size")))
                .set_volume_type(differs("type").then(|| VolumeType::from(s(want, "type"))))
                .set_iops(int("iops").filter(|_| differs("iops")))
                .set_throughput(int("throughput").filter(|_| differs("throughput")));
            // One modification at a time: a volume still optimizing an earlier one refuses.
            let send = || async {
                let r = call.clone().send().await.map_err(aws::error);
                if r.as_ref().is_err_and(|e| e.code.as_deref() == Some("IncorrectModificationState")) {
                    let _ = wait_modified(cx, &live.id, true).await;
                }
                r
            };
            retry::on_codes(&["IncorrectModificationState"], Window::State.get(), send).await?;
            wait_modified(cx, &live.id, false).await?;
        }
        let at =
            |a: &Attrs| (a.get("instance").cloned().unwrap_or_default(), a.get("device").cloned().unwrap_or_default());
        if at(&live.attrs) != at(want) {
            if let Some(old) = live.attrs.get("instance").and_then(Value::as_str) {
                detach(cx, &live.id, old, forced(want)).await?;
            }
            if let Some(new) = want.get("instance").and_then(Value::as_str) {
                attach(cx, &live.id, new, s(want, "device")).await?;
            }
        }
        ec2tags::sync(cx, live, want).await?;
        volume_snapshot::sync_setting(cx, live, want).await?;
        let keep = |k: &'static str| (k, want.get(k).or(live.attrs.get(k)).cloned().unwrap_or_default());
        let enc = ("encrypted", live.attrs.get("encrypted").cloned().unwrap_or_default());
        Ok(with_computed(want, [keep("id"), keep("iops"), keep("throughput"), enc]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        if let Some(instance) = live.attrs.get("instance").and_then(Value::as_str) {
            detach(cx, &live.id, instance, forced(&live.attrs)).await?;
        }
        // After the detach: a volume detached without force was unmounted first, so the
        // snapshot holds everything written, not only what reached the disk (crash-consistent).
        if volume_snapshot::before_destroy(&live.attrs)
            && let Some(snap) = volume_snapshot::take(cx, live).await?
        {
            crate::apply::note(format!("snapshot {snap} of {} taken before deleting it", live.id));
        }
        match cx.aws.ec2.delete_volume().volume_id(&live.id).send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("InvalidVolume.NotFound") => Ok(()),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }
}

/// The ownership and user tags, and the snapshot setting when it is off.
fn tag_spec(cx: &Cx, addr: &Address, want: &Attrs) -> aws_sdk_ec2::types::TagSpecification {
    let spec = ec2tags::spec(ResourceType::Volume, cx, addr, want);
    let mut tags = spec.tags().to_vec();
    tags.extend(volume_snapshot::setting_tag(want));
    aws_sdk_ec2::types::TagSpecification::builder().resource_type(ResourceType::Volume).set_tags(Some(tags)).build()
}

fn live_object(v: &AwsVolume) -> Option<LiveObject> {
    let id = v.volume_id().unwrap_or_default().to_string();
    if matches!(v.state().map(|s| s.as_str()), Some("deleting" | "deleted")) {
        return None;
    }
    // A root volume is tagged with its instance's address: the instance's part, skipped here.
    let (addr, tags) = ec2tags::split("volume", &id, v.tags())?;
    // Still on the instance until detached: a busy or detaching volume is not free yet.
    let attached = v.attachments().iter().find(|a| a.state().map(|s| s.as_str()) != Some("detached"));
    let int = |n: Option<i32>| n.map_or(Value::Null, |n| Value::Int(n.into()));
    let attrs = Attrs::from([
        ("az".into(), Value::from(v.availability_zone().map(String::from))),
        ("size".into(), int(v.size())),
        ("type".into(), Value::from(v.volume_type().map(|t| t.as_str().to_string()))),
        ("iops".into(), int(v.iops())),
        ("throughput".into(), int(v.throughput())),
        ("encrypted".into(), Value::Bool(v.encrypted().unwrap_or(false))),
        ("snapshot".into(), Value::from(v.snapshot_id().filter(|s| !s.is_empty()).map(String::from))),
        ("snapshot_before_destroy".into(), volume_snapshot::read_setting(v.tags())),
        ("instance".into(), Value::from(attached.and_then(|a| a.instance_id()).map(String::from))),
        ("device".into(), Value::from(attached.and_then(|a| a.device()).map(String::from))),
        // Not AWS's: how stackr detaches; read as the stack gives it (`accept_live`).
        ("force_detach".into(), Value::Bool(false)),
        ("tags".into(), tags),
        ("id".into(), Value::str(&id)),
    ]);
    Some(LiveObject { addr, id, attrs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::{VarInputs, load_str};

    /// The messages `validate` gives for the volumes in `body`.
    fn problems(body: &str) -> Vec<String> {
        let text = format!("stack \"t\" {{}}\n{body}");
        let stack = load_str("t.hcl", &text, &VarInputs::default(), &crate::resources::schemas()).unwrap();
        let mut d = Diagnostics::default();
        stack.resources.iter().for_each(|r| Volume.validate(r, &stack, &mut d));
        d.iter().map(|d| d.render(false)).collect()
    }

    #[test]
    fn iops_throughput_and_attachment_combinations_are_checked_where_written() {
        let ok = "volume \"v\" {\n  az = \"us-east-1a\"\n  size = 10\n  type = \"gp3\"\n  iops = 4000\n  throughput = 200\n}\n";
        assert!(problems(ok).is_empty());
        let p = problems("volume \"v\" {\n  az = \"us-east-1a\"\n  size = 10\n  type = \"gp2\"\n  iops = 300\n}\n");
        assert!(
            p[0].contains("iops can only be set for io1, io2 and gp3 volumes, not gp2") && p[0].contains("t.hcl:6"),
            "{p:?}"
        );
        let p =
            problems("volume \"v\" {\n  az = \"us-east-1a\"\n  size = 10\n  type = \"io2\"\n  throughput = 300\n}\n");
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p[0].contains("io2 volumes need `iops`") && p[1].contains("throughput can only be set for gp3"),
            "{p:?}"
        );
        let p = problems("volume \"v\" {\n  az = \"us-east-1a\"\n  size = 10\n  device = \"/dev/sdf\"\n}\n");
        assert!(p[0].contains("`device` needs an `instance`"), "{p:?}");
        let p = problems("volume \"v\" {\n  az = \"us-east-1a\"\n  size = 10\n  instance = \"i-123\"\n}\n");
        assert!(p[0].contains("needs a `device`"), "{p:?}");
    }

    #[test]
    fn shrinking_is_refused_and_growing_is_not() {
        let at = |n: i64| Attrs::from([("size".to_string(), Value::Int(n))]);
        let msg = Volume.check_update(&at(20), &at(10)).unwrap();
        assert!(msg.contains("cannot shrink (20 GiB to 10 GiB)"), "{msg}");
        assert_eq!(Volume.check_update(&at(10), &at(20)), None);
        assert_eq!(Volume.check_update(&at(10), &at(10)), None);
    }

    #[test]
    fn root_mapping_only_when_the_stack_sets_root_volume_attributes() {
        assert!(root_mapping(&Attrs::new()).is_none());
        let want = Attrs::from([("root_volume_size".to_string(), Value::Int(20))]);
        let ebs = root_mapping(&want).unwrap();
        assert_eq!(ebs.volume_size(), Some(20));
        assert_eq!(ebs.delete_on_termination(), Some(true));
        assert_eq!(ebs.volume_type(), None);
    }
}
