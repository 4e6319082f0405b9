//! `data "ebs_snapshot"`: the newest completed snapshot stackr took of a volume before deleting
//! or replacing it (`snapshot_before_destroy`), found by the stack and address it came from or by
//! the volume's id, so a stack can restore from it (`snapshot = data.ebs_snapshot.NAME.id`).

use async_trait::async_trait;
use aws_sdk_ec2::types::Filter;

use super::account::result;
use super::{DataKind, failed, str_arg};
use crate::aws::Aws;
use crate::model::{Attrs, Presence, Schema, Ty, Update, Value, attr};
use crate::resources::volume_snapshot::{FROM_ADDRESS, FROM_STACK, FROM_VOLUME};

pub struct EbsSnapshot;

static EBS_SNAPSHOT: Schema = Schema {
    kind: "ebs_snapshot",
    doc: "The newest completed snapshot stackr took of a volume before deleting or replacing it.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr("stack", Ty::Str, Presence::Optional, Update::InPlace, "The stack the volume was in, with `address`."),
        attr("address", Ty::Str, Presence::Optional, Update::InPlace, "The volume's address there: volume.data."),
        attr("volume_id", Ty::Str, Presence::Optional, Update::InPlace, "Or the volume's id (vol-…)."),
        result("id", Ty::Str, "The snapshot id (snap-…)."),
        result("snapshot_volume_id", Ty::Str, "The id of the volume it was taken of."),
        result("volume_size", Ty::Int, "Its size in GiB: the least a volume made from it can be."),
        result("start_time", Ty::Str, "When it was taken."),
    ],
};

/// The tag filters a lookup asks for; `None` when the arguments name no volume.
fn filters(args: &Attrs) -> Option<Vec<Filter>> {
    let tag = |k: &str, v: &str| Filter::builder().name(format!("tag:{k}")).values(v).build();
    let mut out = vec![Filter::builder().name("status").values("completed").build()];
    match (str_arg(args, "stack"), str_arg(args, "address"), str_arg(args, "volume_id")) {
        (Some(s), Some(a), v) => {
            out.extend([tag(FROM_STACK, s), tag(FROM_ADDRESS, a)]);
            out.extend(v.map(|v| tag(FROM_VOLUME, v)));
        }
        (None, None, Some(v)) => out.push(tag(FROM_VOLUME, v)),
        _ => return None,
    }
    Some(out)
}

#[async_trait]
impl DataKind for EbsSnapshot {
    fn schema(&self) -> &'static Schema {
        &EBS_SNAPSHOT
    }

    async fn read(&self, aws: &Aws, args: &Attrs) -> Result<Attrs, String> {
        let filters = filters(args).ok_or("an ebs_snapshot lookup takes stack and address, or volume_id")?;
        let call = aws.ec2.describe_snapshots().owner_ids("self").set_filters(Some(filters));
        let mut pages = call.into_paginator().items().send();
        let mut newest: Option<aws_sdk_ec2::types::Snapshot> = None;
        while let Some(s) = pages.next().await {
            let s = s.map_err(|e| failed("EBS snapshots", e))?;
            let key = |s: &aws_sdk_ec2::types::Snapshot| {
                (s.start_time().map(|t| t.as_nanos()), s.snapshot_id().map(String::from))
            };
            if newest.as_ref().is_none_or(|n| key(&s) > key(n)) {
                newest = Some(s);
            }
        }
        let s = newest.ok_or("stackr has taken no completed snapshot of that volume in this region")?;
        let text = |v: Option<&str>| Value::from(v.map(String::from));
        let mut out = args.clone();
        out.insert("id".into(), text(s.snapshot_id()));
        out.insert("snapshot_volume_id".into(), text(s.volume_id()));
        out.insert("volume_size".into(), s.volume_size().map_or(Value::Null, |n| Value::Int(n.into())));
        let when = s.start_time().and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok());
        out.insert("start_time".into(), Value::from(when));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lookup_names_a_volume_by_stack_and_address_or_by_id() {
        let args = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), Value::str(*v))).collect();
        assert!(filters(&args(&[])).is_none());
        assert!(filters(&args(&[("stack", "app")])).is_none());
        let by_addr = filters(&args(&[("stack", "app"), ("address", "volume.data")])).unwrap();
        let names: Vec<&str> = by_addr.iter().filter_map(|f| f.name()).collect();
        assert_eq!(names, ["status", "tag:stackr:snapshot-of-stack", "tag:stackr:snapshot-of-address"]);
        assert_eq!(filters(&args(&[("volume_id", "vol-1")])).unwrap().len(), 2);
    }
}
