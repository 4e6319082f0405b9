//! A volume's snapshots. `snapshot_before_destroy` (default true, like CloudFormation's
//! `DeletionPolicy: Snapshot`) takes a snapshot before the volume is deleted or replaced, waits
//! until it is `completed`, and only then deletes; the setting is recorded on the volume as a
//! tag, so a block removed from the file still has it. `snapshot` makes a volume from one; the
//! plan refuses a size smaller than the snapshot's.
//!
//! The snapshot carries where it came from (stack, address, volume, time) under tag keys that
//! are not the ownership tags: it is never an object of the stack, which would delete it.

use std::collections::HashSet;

use aws_sdk_ec2::types::{Filter, ResourceType, SnapshotState, Tag, TagSpecification};
use aws_smithy_types::date_time::Format;

use super::poll::{self, Poll};
use super::retry::{self, Window};
use super::{Cx, eventual, user_tags};
use crate::aws;
use crate::model::{Address, Attrs, LiveObject, Value};

/// Present with "false" when the volume is deleted without a snapshot; absent means true.
pub const SETTING_TAG: &str = "stackr:snapshot-before-destroy";
/// Where a snapshot came from. Deliberately not `stackr:stack`/`stackr:address`.
pub const FROM_STACK: &str = "stackr:snapshot-of-stack";
pub const FROM_ADDRESS: &str = "stackr:snapshot-of-address";
pub const FROM_VOLUME: &str = "stackr:snapshot-of-volume";
pub const TAKEN_AT: &str = "stackr:snapshot-taken-at";

/// CreateSnapshot's refusals that pass: one snapshot request per volume every few seconds,
/// and a volume still in a transition.
const PASSING: &[&str] = &["SnapshotCreationPerVolumeRateExceeded", "IncorrectState"];

/// Whether deleting an object with these attributes takes a snapshot first.
pub fn before_destroy(attrs: &Attrs) -> bool {
    attrs.get("snapshot_before_destroy").and_then(Value::as_bool) != Some(false)
}

/// The setting as the volume's tags record it.
pub fn read_setting(tags: &[Tag]) -> Value {
    Value::Bool(!tags.iter().any(|t| t.key() == Some(SETTING_TAG) && t.value() == Some("false")))
}

/// The tag a create adds when the stack turns the snapshot off.
pub fn setting_tag(want: &Attrs) -> Option<Tag> {
    (!before_destroy(want)).then(|| Tag::builder().key(SETTING_TAG).value("false").build())
}

/// What the plan says on a delete or replace line.
pub fn note(live: &Attrs) -> Option<String> {
    before_destroy(live).then(|| "a snapshot is taken first: snapshot_before_destroy = true".to_string())
}

/// Records a changed setting on the volume.
pub async fn sync_setting(cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<()> {
    if before_destroy(&live.attrs) == before_destroy(want) {
        return Ok(());
    }
    let ec2 = &cx.aws.ec2;
    match setting_tag(want) {
        Some(tag) => ec2.create_tags().resources(&live.id).tags(tag).send().await.map_err(aws::error).map(|_| ()),
        None => {
            let tag = Tag::builder().key(SETTING_TAG).build();
            ec2.delete_tags().resources(&live.id).tags(tag).send().await.map_err(aws::error).map(|_| ())
        }
    }?;
    Ok(())
}

/// The snapshot's description and tags: the volume's own tags, and where it came from.
fn provenance(stack: &str, addr: &Address, vol: &str, taken: &str, live: &Attrs) -> (String, Vec<Tag>) {
    let mut tags: Vec<Tag> = user_tags(live).into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
    for (k, v) in [(FROM_STACK, stack), (FROM_ADDRESS, &addr.to_string()), (FROM_VOLUME, vol), (TAKEN_AT, taken)] {
        tags.push(Tag::builder().key(k).value(v).build());
    }
    // CreateSnapshot takes at most 255 characters of description; the tags hold it all.
    let description = format!("stackr: {addr} of stack {stack} ({vol}), taken before deleting it");
    (description.chars().take(255).collect(), tags)
}

/// Takes the snapshot and waits until it is completed; returns its id, or `None` when the
/// volume is already gone. A snapshot that ends in `error` fails with AWS's reason.
pub async fn take(cx: &Cx, live: &LiveObject) -> anyhow::Result<Option<String>> {
    let vol = live.id.as_str();
    let id = match in_progress(cx, vol).await? {
        Some(id) => id,
        None => match create(cx, live).await {
            Err(e)
                if e.downcast_ref::<aws::AwsError>().and_then(|e| e.code.as_deref())
                    == Some("InvalidVolume.NotFound") =>
            {
                return Ok(None);
            }
            other => other?,
        },
    };
    crate::apply::status("snapshotting", format!("{id} of {vol}"));
    wait_completed(cx, &id, vol).await?;
    Ok(Some(id))
}

/// A snapshot of this volume that an interrupted run started and stackr tagged: waited for
/// rather than taking another.
async fn in_progress(cx: &Cx, vol: &str) -> anyhow::Result<Option<String>> {
    let filters = [
        Filter::builder().name("volume-id").values(vol).build(),
        Filter::builder().name(format!("tag:{FROM_VOLUME}")).values(vol).build(),
        Filter::builder().name("status").values("pending").build(),
    ];
    let call = cx.aws.ec2.describe_snapshots().owner_ids("self").set_filters(Some(filters.to_vec()));
    let out = call.send().await.map_err(aws::error)?;
    Ok(out.snapshots().first().and_then(|s| s.snapshot_id()).map(String::from))
}

/// CreateSnapshot has no client token: sent without the SDK's retries, and a lost answer is
/// found by the time tag unique to this attempt.
async fn create(cx: &Cx, live: &LiveObject) -> anyhow::Result<String> {
    let vol = live.id.as_str();
    let taken = aws_smithy_types::DateTime::from(std::time::SystemTime::now()).fmt(Format::DateTime)?;
    let (description, tags) = provenance(&cx.stack, &live.addr, vol, &taken, &live.attrs);
    let spec = TagSpecification::builder().resource_type(ResourceType::Snapshot).set_tags(Some(tags)).build();
    let ec2 = &cx.aws.ec2;
    let send = || async {
        let call = ec2.create_snapshot().volume_id(vol).description(&description).tag_specifications(spec.clone());
        let out = call.customize().config_override(eventual::no_retry()).send().await.map_err(aws::error)?;
        Ok(out.snapshot_id().unwrap_or_default().to_string())
    };
    let lookup = || async {
        let by_time = Filter::builder().name(format!("tag:{TAKEN_AT}")).values(&taken).build();
        let of = Filter::builder().name("volume-id").values(vol).build();
        let out = ec2.describe_snapshots().owner_ids("self").filters(of).filters(by_time).send().await;
        let out = out.map_err(aws::error)?;
        let found = out.snapshots().iter().filter_map(|s| s.snapshot_id()).map(String::from);
        Ok(found.map(|id| (id.clone(), id)).collect())
    };
    let none = HashSet::new();
    let once = || eventual::create_once(&live.addr, &none, send, lookup);
    let passing = |e: &anyhow::Error| {
        e.downcast_ref::<aws::AwsError>().and_then(|e| e.code.as_deref()).is_some_and(|c| PASSING.contains(&c))
    };
    let start = std::time::Instant::now();
    let five = std::time::Duration::from_secs(5);
    let mut delays = retry::delays(five, five);
    loop {
        match once().await {
            Err(e) if passing(&e) && start.elapsed() < Window::State.get() => {
                tokio::time::sleep(delays.next().unwrap_or(five)).await;
            }
            other => return other,
        }
    }
}

/// Polls until the snapshot is completed, with its progress; `error` fails with AWS's reason.
/// Snapshots of large new volumes take hours: the limit is well beyond the usual state window.
async fn wait_completed(cx: &Cx, id: &str, vol: &str) -> anyhow::Result<()> {
    let what = format!("snapshot {id} of {vol}, taken before deleting it");
    poll::until_within(&what, Window::State.get() * 12, || async {
        let out = match cx.aws.ec2.describe_snapshots().snapshot_ids(id).send().await.map_err(aws::error) {
            // Not visible yet right after the create: EC2 is eventually consistent.
            Err(e) if e.code.as_deref() == Some("InvalidSnapshot.NotFound") => {
                return Ok(Poll::Pending("unknown".into()));
            }
            other => other?,
        };
        let snap = out.snapshots().first();
        Ok(match snap.and_then(|s| s.state()) {
            Some(SnapshotState::Completed) => Poll::Done(()),
            Some(SnapshotState::Error) => Poll::Failed(format!(
                "it failed: {}; {vol} was kept (apply again to take another, or set snapshot_before_destroy = false)",
                snap.and_then(|s| s.state_message()).unwrap_or("AWS gave no reason")
            )),
            state => {
                let progress = snap.and_then(|s| s.progress()).unwrap_or("0%");
                crate::apply::status("snapshotting", format!("{id} of {vol}, {progress} done"));
                Poll::Pending(format!("{} ({progress})", state.map_or("unknown", |s| s.as_str())))
            }
        })
    })
    .await
}

/// Why a volume of `size` GiB cannot be made from a snapshot of `snapshot` GiB.
pub fn size_problem(size: Option<i64>, snapshot: i64, id: &str) -> Option<String> {
    let size = size?;
    (size < snapshot).then(|| {
        format!("{id} holds {snapshot} GiB: a volume made from it is at least that ({size} GiB given); omit `size` to take the snapshot's")
    })
}

/// The plan's check of a volume to be made from a snapshot: that it exists, and that the size
/// given (if any) holds it. Returns the attribute at fault and why.
pub async fn check_create(cx: &Cx, want: &Attrs) -> anyhow::Result<Option<(&'static str, String)>> {
    let Some(id) = want.get("snapshot").and_then(Value::as_str) else { return Ok(None) };
    let out = match cx.aws.ec2.describe_snapshots().snapshot_ids(id).send().await.map_err(aws::error) {
        Err(e) if matches!(e.code.as_deref(), Some("InvalidSnapshot.NotFound" | "InvalidSnapshotID.Malformed")) => {
            return Ok(Some(("snapshot", format!("snapshot {id} was not found in this account and region"))));
        }
        other => other?,
    };
    let size = out.snapshots().first().and_then(|s| s.volume_size()).map(i64::from);
    Ok(size.and_then(|n| size_problem(want.get("size").and_then(Value::as_int), n, id)).map(|m| ("size", m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_defaults_to_true_and_only_false_is_recorded() {
        assert!(before_destroy(&Attrs::new()));
        let off = Attrs::from([("snapshot_before_destroy".to_string(), Value::Bool(false))]);
        assert!(!before_destroy(&off));
        assert_eq!(setting_tag(&off).unwrap().value(), Some("false"));
        assert!(setting_tag(&Attrs::new()).is_none());
        assert_eq!(read_setting(&[]), Value::Bool(true));
        assert_eq!(read_setting(&[setting_tag(&off).unwrap()]), Value::Bool(false));
        assert!(note(&Attrs::new()).unwrap().contains("snapshot_before_destroy"));
        assert_eq!(note(&off), None);
    }

    #[test]
    fn a_snapshot_says_where_it_came_from_without_being_owned() {
        let live = Attrs::from([("tags".to_string(), crate::model::str_map([("Name", "app-data")]))]);
        let addr = Address::new("volume", "data");
        let (desc, tags) = provenance("app", &addr, "vol-1", "2026-01-01T00:00:00Z", &live);
        assert!(desc.contains("volume.data") && desc.contains("app") && desc.contains("vol-1"), "{desc}");
        let get = |k: &str| tags.iter().find(|t| t.key() == Some(k)).and_then(|t| t.value());
        assert_eq!(get("Name"), Some("app-data"));
        assert_eq!(get(FROM_ADDRESS), Some("volume.data"));
        assert_eq!(get(FROM_VOLUME), Some("vol-1"));
        assert_eq!(get(TAKEN_AT), Some("2026-01-01T00:00:00Z"));
        assert_eq!(get(super::super::ec2tags::STACK_TAG), None, "the stack would own it");
        assert_eq!(get(super::super::ec2tags::ADDRESS_TAG), None);
    }

    /// The plan of `body` against one live volume in us-east-1a whose setting is `recorded`.
    fn plan_against(body: &str, recorded: bool) -> crate::plan::Plan {
        let text = format!("stack \"t\" {{}}\n{body}");
        let stack = crate::stack::load_str("t.hcl", &text, &Default::default(), &super::super::schemas()).unwrap();
        let vol = super::super::live(
            "volume.data",
            "vol-1",
            &[
                ("az", Value::str("us-east-1a")),
                ("size", Value::Int(1)),
                ("type", Value::str("gp3")),
                ("encrypted", Value::Bool(false)),
                ("snapshot_before_destroy", Value::Bool(recorded)),
                ("tags", crate::model::str_map([("Name", "t-data")])),
            ],
        );
        let live = crate::live::LiveState { objects: vec![vol], ..Default::default() };
        crate::plan::plan(&stack, &live, false).unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn the_plan_says_so_on_a_delete_as_the_volume_records_it() {
        let notes = |p: crate::plan::Plan| p.changes[0].notes.clone();
        assert_eq!(notes(plan_against("", true)), vec![note(&Attrs::new()).unwrap()]);
        assert!(notes(plan_against("", false)).is_empty());
    }

    #[test]
    fn a_replace_goes_by_the_setting_the_stack_gives_now() {
        let moved = |setting: &str| {
            format!(
                "volume \"data\" {{\n  az = \"us-east-1b\"\n  size = 1\n  snapshot_before_destroy = {setting}\n}}\n"
            )
        };
        let p = plan_against(&moved("false"), true);
        let c = &p.changes[0];
        assert_eq!(c.action, crate::plan::Action::Replace);
        assert!(c.notes.is_empty(), "{:?}", c.notes);
        assert_eq!(c.live.as_ref().unwrap().attrs.get("snapshot_before_destroy"), Some(&Value::Bool(false)));
        let p = plan_against(&moved("true"), false);
        assert_eq!(p.changes[0].notes, vec![note(&Attrs::new()).unwrap()]);
    }

    #[test]
    fn a_size_below_the_snapshots_is_refused() {
        assert!(size_problem(Some(4), 8, "snap-1").unwrap().contains("snap-1 holds 8 GiB"));
        assert_eq!(size_problem(Some(8), 8, "snap-1"), None);
        assert_eq!(size_problem(None, 8, "snap-1"), None);
    }
}
