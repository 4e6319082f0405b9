//! A volume's snapshots against LocalStack, checked through the SDK: deleting a volume (its
//! block removed, `stackr destroy`) or replacing it takes a tagged snapshot first and waits for
//! it; `snapshot_before_destroy = false` does not; a stack restores a volume from a snapshot
//! and plans clean, and a size the snapshot does not fit in is refused at plan time. Also the
//! realism rules: snapshots pending for a while, and one failed on demand.

mod common;

use std::time::Duration;

use aws_sdk_ec2::types::{Snapshot, Tag as Ec2Tag};
use common::realism::{account_as, key_with, stackr_as};
use common::*;

const NOTE: &str = "a snapshot is taken first: snapshot_before_destroy = true";

struct Case {
    dir: tempfile::TempDir,
    name: String,
}

impl Case {
    fn new(prefix: &str) -> Case {
        require_localstack();
        Case { dir: tempfile::tempdir().unwrap(), name: unique(prefix) }
    }

    fn write(&self, body: &str) -> String {
        let text = format!("stack \"{}\" {{}}\n{body}", self.name);
        p(&stack_file(self.dir.path(), "stack.hcl", &text)).to_string()
    }
}

fn volume(name: &str, attrs: &str) -> String {
    format!("volume \"{name}\" {{\n  az = \"us-east-1a\"\n{attrs}  tags = {{ team = \"data\" }}\n}}\n")
}

/// The stack's volume at `addr`, found by its ownership tags.
async fn volume_id(acct: &Account, stack: &str, addr: &str) -> String {
    let out = acct.ec2.describe_volumes().filters(tag_filter(stack)).send().await.unwrap();
    let v = out.volumes().iter().find(|v| tag(v.tags(), "stackr:address") == Some(addr));
    v.unwrap_or_else(|| panic!("no {addr} in {stack}")).volume_id().unwrap().to_string()
}

async fn volume_gone(acct: &Account, id: &str) -> bool {
    match acct.ec2.describe_volumes().volume_ids(id).send().await {
        Ok(out) => out.volumes().iter().all(|v| v.state().is_some_and(|s| s.as_str() == "deleted")),
        Err(_) => true,
    }
}

async fn snapshots_of(acct: &Account, vol: &str) -> Vec<Snapshot> {
    let of = aws_sdk_ec2::types::Filter::builder().name("volume-id").values(vol).build();
    acct.ec2.describe_snapshots().owner_ids("self").filters(of).send().await.unwrap().snapshots().to_vec()
}

/// The one snapshot of `vol`, completed, telling where it came from and not owned by the stack.
async fn the_snapshot(acct: &Account, stack: &str, addr: &str, vol: &str) -> String {
    let snaps = snapshots_of(acct, vol).await;
    assert_eq!(snaps.len(), 1, "one snapshot of {vol}: {snaps:?}");
    let s = &snaps[0];
    assert_eq!(s.state().map(|s| s.as_str()), Some("completed"));
    let tags: &[Ec2Tag] = s.tags();
    assert_eq!(tag(tags, "stackr:snapshot-of-stack"), Some(stack));
    assert_eq!(tag(tags, "stackr:snapshot-of-address"), Some(addr));
    assert_eq!(tag(tags, "stackr:snapshot-of-volume"), Some(vol));
    assert!(tag(tags, "stackr:snapshot-taken-at").is_some_and(|t| t.contains('T')), "{tags:?}");
    assert_eq!(tag(tags, "team"), Some("data"), "the volume's own tags are kept");
    assert_eq!(tag(tags, "stackr:stack"), None, "the snapshot is not the stack's to delete");
    assert!(s.description().unwrap_or_default().contains(addr));
    s.snapshot_id().unwrap().to_string()
}

async fn delete_snapshot(acct: &Account, id: &str) {
    acct.ec2.delete_snapshot().snapshot_id(id).send().await.unwrap();
}

#[tokio::test]
async fn a_removed_volume_is_snapshotted_first_and_a_stack_restores_from_it() {
    let (c, acct) = (Case::new("snap"), account().await);
    apply_settled(&c.write(&volume("data", "  size = 2\n")), &["+ resource \"volume\" \"data\""]);
    let vol = volume_id(&acct, &c.name, "volume.data").await;

    let gone = c.write("");
    let plan = stackr(&["plan", "-f", &gone]).expect(0);
    assert!(plan.stdout.contains(NOTE) && plan.stdout.contains("- resource \"volume\" \"data\""), "{}", plan.stdout);
    let run = stackr(&["apply", "-f", &gone, "--auto-approve"]).expect(0);
    let snap = the_snapshot(&acct, &c.name, "volume.data", &vol).await;
    assert!(
        run.stdout.contains(&format!("volume.data: snapshot {snap} of {vol} taken before deleting it")),
        "{}",
        run.stdout
    );
    assert!(volume_gone(&acct, &vol).await);
    let clean = stackr(&["plan", "-f", &gone, "--detailed-exitcode"]);
    assert_eq!(clean.code, 0, "the snapshot is not the stack's:\n{}", clean.stdout);

    // Another stack makes a volume from it, found by where it came from: the size is the
    // snapshot's, and it plans clean.
    let r = Case::new("restore");
    let lookup =
        format!("data \"ebs_snapshot\" \"last\" {{\n  stack = \"{}\"\n  address = \"volume.data\"\n}}\n", c.name);
    let restore = format!("{lookup}{}", volume("back", "  snapshot = data.ebs_snapshot.last.id\n"));
    apply_settled(&r.write(&restore), &["+ resource \"volume\" \"back\"", &snap]);
    let back = volume_id(&acct, &r.name, "volume.back").await;
    let v = acct.ec2.describe_volumes().volume_ids(&back).send().await.unwrap().volumes()[0].clone();
    assert_eq!((v.snapshot_id(), v.size()), (Some(snap.as_str()), Some(2)));

    let from = format!("  snapshot = \"{snap}\"\n");
    let none = r.write(&lookup.replace("volume.data", "volume.other"));
    let refused = stackr(&["plan", "-f", &none]).expect(1);
    assert!(refused.stderr.contains("stackr has taken no completed snapshot of that volume"), "{}", refused.stderr);

    // Smaller than the snapshot: refused where written, nothing made.
    let small = r.write(&format!("{}{}", volume("back", &from), volume("small", &format!("{from}  size = 1\n"))));
    let refused = stackr(&["plan", "-f", &small]).expect(1);
    assert!(refused.stderr.contains(&format!("volume.small: {snap} holds 2 GiB")), "{}", refused.stderr);
    assert!(refused.stderr.contains("stack.hcl:"), "{}", refused.stderr);
    let missing = r.write(&volume("back", "  snapshot = \"snap-0123456789abcdef0\"\n"));
    let refused = stackr(&["plan", "-f", &missing]).expect(1);
    assert!(refused.stderr.contains("snapshot snap-0123456789abcdef0 was not found"), "{}", refused.stderr);

    // Turned off, recorded on the volume: removing the block then deletes without a snapshot.
    let off = format!("{from}  snapshot_before_destroy = false\n");
    apply_settled(&r.write(&volume("back", &off)), &["~ snapshot_before_destroy"]);
    let v = acct.ec2.describe_volumes().volume_ids(&back).send().await.unwrap().volumes()[0].clone();
    assert_eq!(tag(v.tags(), "stackr:snapshot-before-destroy"), Some("false"));
    let plan = stackr(&["plan", "-f", &r.write("")]).expect(0);
    assert!(!plan.stdout.contains(NOTE), "{}", plan.stdout);
    stackr(&["apply", "-f", &r.write(""), "--auto-approve"]).expect(0);
    assert!(volume_gone(&acct, &back).await);
    assert!(snapshots_of(&acct, &back).await.is_empty(), "no snapshot was taken");
    delete_snapshot(&acct, &snap).await;
}

#[tokio::test]
async fn a_replaced_volume_and_a_destroyed_one_are_snapshotted_first() {
    let (c, acct) = (Case::new("snaprep"), account().await);
    apply_settled(&c.write(&volume("data", "  size = 1\n")), &[]);
    let first = volume_id(&acct, &c.name, "volume.data").await;

    let moved = c.write(&volume("data", "  size = 1\n").replace("us-east-1a", "us-east-1b"));
    let (plan, run) = apply_settled(&moved, &["-/+ resource \"volume\" \"data\"", NOTE]);
    assert!(plan.stdout.contains("forces replacement"), "{}", plan.stdout);
    let snap = the_snapshot(&acct, &c.name, "volume.data", &first).await;
    assert!(run.stdout.contains(&snap), "{}", run.stdout);
    assert!(volume_gone(&acct, &first).await);
    let second = volume_id(&acct, &c.name, "volume.data").await;
    assert_ne!(first, second);

    let destroy = stackr(&["destroy", "-f", &moved, "--auto-approve"]).expect(0);
    let last = the_snapshot(&acct, &c.name, "volume.data", &second).await;
    assert!(destroy.stdout.contains(&last), "{}", destroy.stdout);
    assert!(volume_gone(&acct, &second).await);
    delete_snapshot(&acct, &snap).await;
    delete_snapshot(&acct, &last).await;
}

#[tokio::test]
async fn a_snapshot_that_fails_keeps_the_volume_and_fails_the_delete() {
    let c = Case::new("snapfail");
    let key = key_with("sf", r#"{"snapshot_pending": 1, "snapshot_errors": true, "scale": 1}"#);
    let acct = account().await;
    let tags = "  size = 1\n  tags = { \"stackr-realism:snapshot-error\" = \"Internal error\" }\n";
    let file = c.write(&format!("volume \"data\" {{\n  az = \"us-east-1a\"\n{tags}}}\n"));
    stackr_as(&key, &["apply", "-f", &file, "--auto-approve"]).expect(0);
    let vol = volume_id(&acct, &c.name, "volume.data").await;

    let gone = c.write("");
    let failed = stackr_as(&key, &["apply", "-f", &gone, "--auto-approve"]).expect(1);
    assert!(failed.stderr.contains("it failed: Internal error"), "{}", failed.stderr);
    assert!(failed.stderr.contains(&vol), "{}", failed.stderr);
    assert!(!volume_gone(&acct, &vol).await, "the volume is kept");
    let again = stackr_as(&key, &["plan", "-f", &gone]).expect(0);
    assert!(again.stdout.contains(NOTE), "still to delete, snapshot first:\n{}", again.stdout);

    acct.ec2.delete_volume().volume_id(&vol).send().await.unwrap();
    for s in snapshots_of(&acct, &vol).await {
        delete_snapshot(&acct, s.snapshot_id().unwrap()).await;
    }
}

#[tokio::test]
async fn realism_keeps_new_snapshots_pending_for_a_while() {
    require_localstack();
    let me = account_as(&key_with("sp", r#"{"snapshot_pending": 2, "scale": 1}"#), 1).await;
    let plain = account().await;
    let v = plain.ec2.create_volume().availability_zone("us-east-1a").size(1).send().await.unwrap();
    let vol = v.volume_id().unwrap().to_string();
    let out = me.ec2.create_snapshot().volume_id(&vol).send().await.unwrap();
    assert_eq!(out.state().map(|s| s.as_str()), Some("pending"));
    let id = out.snapshot_id().unwrap().to_string();
    let state = |a: &Account| {
        let call = a.ec2.describe_snapshots().snapshot_ids(&id).send();
        async move { call.await.unwrap().snapshots()[0].clone() }
    };
    let seen = state(&me).await;
    assert_eq!(seen.state().map(|s| s.as_str()), Some("pending"));
    assert!(seen.progress().is_some_and(|p| p.ends_with('%')), "{seen:?}");
    assert_eq!(state(&plain).await.state().map(|s| s.as_str()), Some("completed"), "a plain caller sees moto's");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(state(&me).await.state().map(|s| s.as_str()), Some("completed"));
    delete_snapshot(&plain, &id).await;
    plain.ec2.delete_volume().volume_id(&vol).send().await.unwrap();
}
