//! `instance`: an EC2 instance. The instance type changes in place with a stop and start;
//! security groups, IMDSv2 and tags change in place; the AMI, subnet, user data, key pair,
//! public-IP choice and root volume settings are fixed at launch and force replacement.
//!
//! What EC2 does not report is recorded in tags at launch: the digest of the user data (see
//! [`super::userdata`]) and the public-IP choice (the address an instance has later may be an
//! Elastic IP, so its presence says nothing about the choice). The root volume is tagged with
//! the instance's address, so the `volume` kind leaves it alone.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, HttpTokensState, Instance as AwsInstance, InstanceStateName, Tag};

use super::adopt::{self, Described};
use super::instance_aws::{change_type, launch, start, stop, wait_running, wait_state};
use super::{Cx, Found, Kind, ec2tags, s, strs, userdata, volume, with_computed};
use crate::aws;
use crate::model::*;

pub struct Instance;

/// Records `associate_public_ip` as requested at launch.
pub(super) const PUBLIC_IP_TAG: &str = "stackr:associate-public-ip";

static SCHEMA: Schema = Schema {
    kind: "instance",
    doc: "An EC2 instance.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr("ami", Ty::Str, Presence::Required, Update::ForceNew, "The AMI to launch (ami-…).").with(super::limits::AMI),
        attr("type", Ty::Str, Presence::Required, Update::Restart, "Instance type, e.g. t3.micro.")
            .with(super::limits::INSTANCE_TYPE),
        attr("subnet", Ty::Ref("subnet"), Presence::Required, Update::ForceNew, "The subnet to launch into."),
        attr(
            "security_groups",
            Ty::Set(&Ty::Ref("security_group")),
            Presence::Optional,
            Update::InPlace,
            "Security groups (default: the VPC's default group).",
        ),
        attr("key_name", Ty::Str, Presence::Default(Lit::Null), Update::ForceNew, "An EC2 key pair for SSH.")
            .with(super::limits::KEY_NAME),
        attr(
            "role",
            Ty::Ref("iam_role"),
            Presence::Default(Lit::Null),
            Update::InPlace,
            "An IAM role with `instance_profile = true`; the instance gets its instance profile.",
        ),
        attr(
            "user_data",
            Ty::Str,
            Presence::Default(Lit::Null),
            Update::ForceNew,
            "Script run at first boot, usually template(\"x.sh\", {…}); plans show its size and sha256 digest, never its text (see --show-sensitive).",
        )
        .with(super::limits::USER_DATA),
        attr(
            "imdsv2",
            Ty::Bool,
            Presence::Default(Lit::Bool(true)),
            Update::InPlace,
            "Require IMDSv2 session tokens for the instance metadata service.",
        ),
        attr(
            "associate_public_ip",
            Ty::Bool,
            Presence::Optional,
            Update::ForceNew,
            "Give the instance a public IPv4 address (default: the subnet's setting).",
        ),
        attr("root_volume_size", Ty::Int, Presence::Optional, Update::ForceNew, "Root volume size in GiB (by type: see volume).")
            .with(&[Check::Range(1, 65536)]),
        attr(
            "root_volume_type",
            Ty::Enum(volume::VOLUME_TYPES),
            Presence::Optional,
            Update::ForceNew,
            "Root volume type.",
        ),
        attr("root_volume_encrypted", Ty::Bool, Presence::Optional, Update::ForceNew, "Encrypt the root volume."),
        attr(
            "state",
            Ty::Enum(&["running", "stopped"]),
            Presence::Default(Lit::Str("running")),
            Update::InPlace,
            "Whether the instance runs; a stopped instance is started again (or stopped) in place.",
        ),
        TAGS,
        computed("id", "The instance id (i-…)."),
        computed("private_ip", "The primary private IPv4 address."),
        computed("public_ip", "The public IPv4 address, if any."),
        computed("az", "The availability zone it runs in."),
    ],
};

#[async_trait]
impl Kind for Instance {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn validate(&self, res: &super::Resource, stack: &super::Stack, diags: &mut super::Diagnostics) {
        super::validate::network::instance(res, stack, diags);
        super::validate::ebs::root_volume(res, diags);
    }

    fn canonical(&self, attrs: &mut Attrs) {
        userdata::canonical(attrs);
    }

    fn holds_data(&self) -> bool {
        true
    }

    fn must_hold(&self) -> &'static [&'static str] {
        // EC2 refuses an instance without a security group.
        &["security_groups"]
    }

    fn accept_live(&self, live: &mut Attrs, want: &mut Attrs) {
        volume::encryption_floor(live, want, "root_volume_encrypted");
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let alive = Filter::builder()
            .name("instance-state-name")
            .set_values(Some(["pending", "running", "stopping", "stopped"].map(String::from).to_vec()))
            .build();
        let mut pages = cx
            .aws
            .ec2
            .describe_instances()
            .filters(ec2tags::owner_filter(cx))
            .filters(alive)
            .into_paginator()
            .items()
            .send();
        let mut found = vec![];
        while let Some(r) = pages.next().await {
            found.extend(r.map_err(aws::error)?.instances().iter().filter_map(owned).cloned());
        }
        let ids = found.iter().filter_map(root_volume_id).map(String::from).collect();
        let roots = volume::root_volumes(cx, ids).await?;
        let owned = found.iter().filter_map(|i| live_object(i, &roots)).collect();
        Ok(Found { owned, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let out = adopt::absent(cx.aws.ec2.describe_instances().instance_ids(id).send().await.map_err(aws::error))?;
        let found = out.and_then(|o| o.reservations().iter().flat_map(|r| r.instances()).next().cloned());
        let gone = |i: &AwsInstance| {
            matches!(
                i.state().and_then(|s| s.name()),
                Some(InstanceStateName::Terminated | InstanceStateName::ShuttingDown)
            )
        };
        let Some(i) = found.filter(|i| !gone(i)) else { return Ok(None) };
        if owned(&i).is_none() {
            anyhow::bail!("{id} was launched by an Auto Scaling group and belongs to it: adopt the group instead");
        }
        let root = root_volume_id(&i).map(String::from);
        let roots = volume::root_volumes(cx, root.iter().cloned().collect()).await?;
        let mut described = adopt::ec2(id, i.tags(), live_object(&i, &roots));
        // The root volume gets the instance's ownership tags too, as at launch.
        if let (Some(d), Some(root)) = (described.as_mut(), root) {
            d.live.attrs.insert("_root_volume".into(), Value::Str(root));
        }
        Ok(described)
    }

    async fn take_ownership(&self, cx: &Cx, addr: &Address, live: &LiveObject) -> anyhow::Result<()> {
        let root = live.attrs.get("_root_volume").and_then(Value::as_str);
        let ids: Vec<&str> = std::iter::once(live.id.as_str()).chain(root).collect();
        adopt::ec2_take(cx, addr, &ids).await
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let root = match volume::root_mapping(want) {
            Some(ebs) => Some(volume::root_device(cx, s(want, "ami"), ebs).await?),
            None => None,
        };
        let mut token = userdata::client_token(&cx.stack, addr, want);
        // A token EC2 remembers from an instance destroyed since hands that instance back.
        let mut id = None;
        for _ in 0..3 {
            let inst = launch(cx, addr, want, root.clone(), &token).await?;
            match relaunch_token(&inst, &token) {
                Some(next) => token = next,
                None => {
                    id = inst.instance_id().map(String::from);
                    break;
                }
            }
        }
        let id = id.ok_or_else(|| anyhow::anyhow!("EC2 kept returning terminated instances for this launch"))?;
        let now = wait_running(cx, &id).await?;
        if s(want, "state") == "stopped" {
            stop(cx, &id).await?;
        }
        Ok(with_computed(want, computed_of(&now)))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let differs = |k: &str| live.attrs.get(k) != want.get(k);
        let ec2 = &cx.aws.ec2;
        let mut computed: Vec<(&'static str, Value)> = ["id", "private_ip", "public_ip", "az"]
            .map(|k| (k, live.attrs.get(k).cloned().unwrap_or_default()))
            .to_vec();
        if want.get("security_groups").is_some() && differs("security_groups") {
            let groups = strs(want, "security_groups").into_iter().map(String::from).collect();
            let call = ec2.modify_instance_attribute().instance_id(&live.id).set_groups(Some(groups));
            call.send().await.map_err(aws::error)?;
        }
        if differs("imdsv2") {
            let tokens = if want.get("imdsv2").and_then(Value::as_bool) == Some(false) {
                HttpTokensState::Optional
            } else {
                HttpTokensState::Required
            };
            // The hop limit is sent unchanged: moto fails without one (AWS keeps it if omitted).
            let hops = live.attrs.get("_imds_hop_limit").and_then(Value::as_int).and_then(|n| i32::try_from(n).ok());
            let call = ec2
                .modify_instance_metadata_options()
                .instance_id(&live.id)
                .http_tokens(tokens)
                .set_http_put_response_hop_limit(hops);
            call.send().await.map_err(aws::error)?;
        }
        if differs("role") {
            userdata::set_role(cx, &live.id, want.get("role").and_then(Value::as_str)).await?;
        }
        let run = s(want, "state") != "stopped";
        if differs("type") {
            computed = change_type(cx, &live.id, s(want, "type"), run).await?;
        } else if differs("state") && run {
            computed = computed_of(&start(cx, &live.id).await?);
        } else if differs("state") {
            stop(cx, &live.id).await?;
        }
        ec2tags::sync(cx, live, want).await?;
        Ok(with_computed(want, computed))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        match cx.aws.ec2.terminate_instances().instance_ids(&live.id).send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("InvalidInstanceID.NotFound") => return Ok(()),
            other => other?,
        };
        wait_state(cx, &live.id, InstanceStateName::Terminated, &[]).await.map(|_| ())
    }
}

/// The token to launch with again when EC2 handed back an instance that is already gone (a
/// token outlives its instance), else `None`.
fn relaunch_token(i: &AwsInstance, token: &str) -> Option<String> {
    let state = i.state().and_then(|s| s.name());
    let gone = matches!(state, Some(InstanceStateName::Terminated | InstanceStateName::ShuttingDown));
    gone.then(|| userdata::next_token(token, i.instance_id().unwrap_or_default()))
}

/// The instance, unless an Auto Scaling group launched it: then it is the group's. (Those
/// tagged with another kind's address, a launch template's, are skipped by `ec2tags::split`.)
fn owned(i: &AwsInstance) -> Option<&AwsInstance> {
    let asg = i.tags().iter().any(|t| t.key() == Some("aws:autoscaling:groupName"));
    (!asg).then_some(i)
}

/// The root volume's id: the mapping at the root device name. moto puts the default root
/// volume at /dev/sda1 whatever the AMI says, so fall back to the only mapping at launch.
fn root_volume_id(i: &AwsInstance) -> Option<&str> {
    let maps = i.block_device_mappings();
    let root = maps.iter().find(|m| m.device_name() == i.root_device_name()).or(maps.first())?;
    root.ebs()?.volume_id()
}

fn live_object(i: &AwsInstance, roots: &HashMap<String, [Value; 3]>) -> Option<LiveObject> {
    let id = i.instance_id().unwrap_or_default().to_string();
    let (addr, tags) = ec2tags::split("instance", &id, i.tags())?;
    let tag = |k: &str| i.tags().iter().find(|t| t.key() == Some(k)).and_then(Tag::value);
    let [size, vtype, encrypted] = root_volume_id(i).and_then(|v| roots.get(v)).cloned().unwrap_or_default();
    let mut groups: Vec<&str> = i.security_groups().iter().filter_map(|g| g.group_id()).collect();
    if groups.is_empty() {
        // moto reports groups given through a network interface only on the interface.
        let primary = i.network_interfaces().iter().find(|n| n.attachment().and_then(|a| a.device_index()) == Some(0));
        groups = primary.map(|n| n.groups().iter().filter_map(|g| g.group_id()).collect()).unwrap_or_default();
    }
    let profile = i.iam_instance_profile().and_then(|p| p.arn());
    let http_tokens = i.metadata_options().and_then(|m| m.http_tokens());
    let hops = i.metadata_options().and_then(|m| m.http_put_response_hop_limit());
    let mut attrs = Attrs::from([
        ("ami".into(), Value::from(i.image_id().map(String::from))),
        ("type".into(), Value::from(i.instance_type().map(|t| t.as_str().to_string()))),
        ("subnet".into(), Value::from(i.subnet_id().map(String::from))),
        ("security_groups".into(), str_set(groups)),
        ("key_name".into(), Value::from(i.key_name().filter(|k| !k.is_empty()).map(String::from))),
        ("role".into(), Value::from(profile.and_then(userdata::profile_name).map(String::from))),
        ("user_data".into(), Value::from(tag(userdata::DIGEST_TAG).map(String::from))),
        ("imdsv2".into(), Value::Bool(http_tokens == Some(&HttpTokensState::Required))),
        ("associate_public_ip".into(), tag(PUBLIC_IP_TAG).map_or(Value::Null, |v| Value::Bool(v == "true"))),
        ("root_volume_size".into(), size),
        ("root_volume_type".into(), vtype),
        ("root_volume_encrypted".into(), encrypted),
        ("state".into(), Value::str(run_state(i))),
        ("tags".into(), tags),
        // Private: what an IMDS change must send back unchanged, never compared or shown.
        ("_imds_hop_limit".into(), hops.map_or(Value::Null, |n| Value::Int(n.into()))),
    ]);
    attrs.extend(computed_of(i).into_iter().map(|(k, v)| (k.to_string(), v)));
    Some(LiveObject { addr, id, attrs })
}

/// `running` for an instance that runs or is starting, `stopped` for one stopping or stopped.
fn run_state(i: &AwsInstance) -> &'static str {
    match i.state().and_then(|s| s.name()) {
        Some(InstanceStateName::Stopping | InstanceStateName::Stopped) => "stopped",
        _ => "running",
    }
}

pub(super) fn computed_of(i: &AwsInstance) -> Vec<(&'static str, Value)> {
    vec![
        ("id", Value::from(i.instance_id().map(String::from))),
        ("private_ip", Value::from(i.private_ip_address().map(String::from))),
        ("public_ip", Value::from(i.public_ip_address().map(String::from))),
        ("az", Value::from(i.placement().and_then(|p| p.availability_zone()).map(String::from))),
    ]
}

#[cfg(test)]
#[path = "instance_tests.rs"]
mod tests;
