//! The account and region a stack is planned in: `availability_zones`, `caller_identity`,
//! `region`. They take no arguments besides the zone state filter.

use async_trait::async_trait;

use super::{DataKind, failed, strs};
use crate::aws::Aws;
use crate::model::{AttrSpec, Attrs, Lit, Presence, Schema, Ty, Update, Value, attr};

/// A result attribute of a data kind.
pub(super) const fn result(name: &'static str, ty: Ty, doc: &'static str) -> AttrSpec {
    AttrSpec { name, ty, presence: Presence::Computed, update: Update::InPlace, doc, checks: &[], late: false }
}

pub struct AvailabilityZones;

static ZONES: Schema = Schema {
    kind: "availability_zones",
    doc: "The region's availability zones in a state (default available), sorted by name.",
    ref_attr: "names",
    singleton: false,
    attrs: &[
        attr(
            "state",
            Ty::Enum(&["available", "information", "impaired", "unavailable"]),
            Presence::Default(Lit::Str("available")),
            Update::InPlace,
            "Only zones in this state.",
        ),
        result("names", Ty::Set(&Ty::Str), "Zone names (us-east-1a, …), sorted."),
        result("zone_ids", Ty::Set(&Ty::Str), "Zone ids (use1-az1, …), in the order of names."),
    ],
};

#[async_trait]
impl DataKind for AvailabilityZones {
    fn schema(&self) -> &'static Schema {
        &ZONES
    }

    async fn read(&self, aws: &Aws, args: &Attrs) -> Result<Attrs, String> {
        let state = super::str_arg(args, "state").unwrap_or("available");
        // Without AllAvailabilityZones, EC2 lists only the zones the account may use (opt-in
        // zones once opted in), as Terraform's default; the state is filtered here because
        // not every EC2 implementation filters on it.
        let out =
            aws.ec2.describe_availability_zones().send().await.map_err(|e| failed("the availability zones", e))?;
        let mut zones: Vec<(String, String)> = out
            .availability_zones()
            .iter()
            .filter(|z| z.state().is_some_and(|s| s.as_str() == state))
            .filter_map(|z| Some((z.zone_name()?.to_string(), z.zone_id().unwrap_or_default().to_string())))
            .collect();
        zones.sort();
        Ok(Attrs::from([
            ("state".into(), Value::str(state)),
            ("names".into(), strs(zones.iter().map(|z| z.0.clone()))),
            ("zone_ids".into(), strs(zones.iter().map(|z| z.1.clone()))),
        ]))
    }
}

pub struct CallerIdentity;

static CALLER: Schema = Schema {
    kind: "caller_identity",
    doc: "Who the credentials belong to (STS GetCallerIdentity).",
    ref_attr: "account_id",
    singleton: false,
    attrs: &[
        result("account_id", Ty::Str, "The account id."),
        result("arn", Ty::Str, "The caller's ARN."),
        result("user_id", Ty::Str, "The caller's unique id."),
    ],
};

#[async_trait]
impl DataKind for CallerIdentity {
    fn schema(&self) -> &'static Schema {
        &CALLER
    }

    async fn read(&self, aws: &Aws, _args: &Attrs) -> Result<Attrs, String> {
        let out = aws.sts.get_caller_identity().send().await.map_err(|e| failed("the caller identity", e))?;
        Ok(Attrs::from([
            ("account_id".into(), Value::from(out.account().map(String::from))),
            ("arn".into(), Value::from(out.arn().map(String::from))),
            ("user_id".into(), Value::from(out.user_id().map(String::from))),
        ]))
    }
}

pub struct Region;

static REGION: Schema = Schema {
    kind: "region",
    doc: "The region the stack is planned in.",
    ref_attr: "name",
    singleton: false,
    attrs: &[result("name", Ty::Str, "The region's name (us-east-1, …).")],
};

#[async_trait]
impl DataKind for Region {
    fn schema(&self) -> &'static Schema {
        &REGION
    }

    async fn read(&self, aws: &Aws, _args: &Attrs) -> Result<Attrs, String> {
        Ok(Attrs::from([("name".into(), Value::str(aws.region.clone()))]))
    }
}
