//! `subnet`: a subnet of a VPC in one availability zone.

use async_trait::async_trait;
use aws_sdk_ec2::client::Waiters;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType};
use ipnet::Ipv4Net;

use super::adopt::{self, Described};
use super::retry::{self, Window};
use super::{Cx, Found, Kind, ec2tags, eventual, s, with_computed};
use crate::aws;
use crate::model::*;
use crate::stack::{Diagnostic, Diagnostics, Resource, Stack};

pub struct Subnet;

static SCHEMA: Schema = Schema {
    kind: "subnet",
    doc: "A subnet of a VPC in one availability zone.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr("vpc", Ty::Ref("vpc"), Presence::Required, Update::ForceNew, "The VPC the subnet belongs to."),
        attr(
            "cidr",
            Ty::Cidr,
            Presence::Required,
            Update::ForceNew,
            "IPv4 CIDR block, inside the VPC's and not overlapping its other subnets.",
        )
        .with(&[Check::Prefix(16, 28)]),
        attr(
            "az",
            Ty::Str,
            Presence::Optional,
            Update::ForceNew,
            "Availability zone, in the stack's region (default: AWS chooses).",
        )
        .with(&[Check::Format(&crate::constraint::formats::AVAILABILITY_ZONE)]),
        attr(
            "map_public_ip",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "Give instances launched here a public IPv4 address.",
        ),
        TAGS,
        computed("id", "The subnet id (subnet-…)."),
        computed("arn", "The subnet ARN."),
    ],
};

#[async_trait]
impl Kind for Subnet {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn validate(&self, res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
        super::validate::network::subnet(res, stack, diags);
        let Some(net) = literal_cidr(&res.attrs) else { return };
        let Some(Value::Ref(vpc_ref)) = res.attrs.get("vpc") else { return };
        if let Some(vpc_net) = stack.resource(&vpc_ref.addr).and_then(|v| literal_cidr(&v.attrs))
            && !vpc_net.contains(&net)
        {
            diags.push(
                Diagnostic::error(format!("subnet CIDR {net} is outside {}'s CIDR {vpc_net}", vpc_ref.addr))
                    .at(&res.file, res.span_of("cidr"))
                    .label(format!("not inside {vpc_net}")),
            );
        }
        // AWS rejects overlapping subnets in one VPC; say so before anything is created.
        for other in stack.resources.iter().filter(|o| o.addr.kind == "subnet" && o.addr < res.addr) {
            let same_vpc = other.attrs.get("vpc") == res.attrs.get("vpc");
            if let Some(o) = literal_cidr(&other.attrs).filter(|o| same_vpc && (o.contains(&net) || net.contains(o))) {
                diags.push(
                    Diagnostic::error(format!("subnet CIDR {net} overlaps {} ({o}) in the same VPC", other.addr))
                        .at(&res.file, res.span_of("cidr"))
                        .label("overlapping range"),
                );
            }
        }
    }

    fn deleted_after(&self) -> &'static [&'static str] {
        // Their network interfaces sit in the subnet and carry the group until they are gone.
        &["autoscaling_group", "instance", "load_balancer"]
    }

    fn replace_first(&self, live: &Attrs, after: &Attrs) -> Option<Result<(), String>> {
        let (old, new) = (literal_cidr(live), literal_cidr(after));
        let overlap = matches!((old, new), (Some(o), Some(n)) if o.contains(&n) || n.contains(&o));
        Some(if overlap && live.get("vpc") == after.get("vpc") {
            Err(format!(
                "its new subnet cannot be made beside the old one: {} overlaps {} in the same VPC; use a CIDR that does not overlap",
                s(after, "cidr"),
                s(live, "cidr")
            ))
        } else {
            Ok(())
        })
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let mut pages =
            cx.aws.ec2.describe_subnets().filters(ec2tags::owner_filter(cx)).into_paginator().items().send();
        let mut owned = vec![];
        while let Some(sn) = pages.next().await {
            owned.extend(live_object(&sn.map_err(aws::error)?));
        }
        Ok(Found { owned, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let out = adopt::absent(cx.aws.ec2.describe_subnets().subnet_ids(id).send().await.map_err(aws::error))?;
        let Some(sn) = out.and_then(|o| o.subnets().first().cloned()) else { return Ok(None) };
        Ok(adopt::ec2(id, sn.tags(), live_object(&sn)))
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let az = want.get("az").and_then(Value::as_str);
        let ec2 = &cx.aws.ec2;
        let sn = eventual::create_once(
            addr,
            &cx.known,
            || async {
                let call = ec2
                    .create_subnet()
                    .vpc_id(s(want, "vpc"))
                    .cidr_block(s(want, "cidr"))
                    .set_availability_zone(az.map(String::from))
                    .tag_specifications(ec2tags::spec(ResourceType::Subnet, cx, addr, want));
                let out = call.customize().config_override(eventual::no_retry()).send().await.map_err(aws::error)?;
                Ok(out.subnet().cloned())
            },
            || async {
                let out = ec2.describe_subnets().set_filters(Some(eventual::addressed(cx, addr).to_vec())).send().await;
                let out = out.map_err(aws::error)?;
                Ok(out.subnets().iter().map(|n| (n.subnet_id().unwrap_or_default().into(), Some(n.clone()))).collect())
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("CreateSubnet returned no subnet"))?;
        let id = sn.subnet_id().unwrap_or_default().to_string();
        eventual::visible(|| async { ec2.describe_subnets().subnet_ids(&id).send().await.map_err(aws::error) }).await?;
        ec2.wait_until_subnet_available()
            .subnet_ids(&id)
            .wait(Window::State.get())
            .await
            .map_err(|e| anyhow::anyhow!("waiting for {id} to become available: {e}"))?;
        if want.get("map_public_ip").and_then(Value::as_bool) == Some(true) {
            set_public_ip(cx, &id, true).await?;
        }
        Ok(with_computed(
            want,
            [
                ("id", Value::str(&id)),
                ("az", Value::from(sn.availability_zone().map(String::from))),
                ("arn", Value::from(sn.subnet_arn().map(String::from))),
            ],
        ))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let public = want.get("map_public_ip").and_then(Value::as_bool).unwrap_or(false);
        if live.attrs.get("map_public_ip").and_then(Value::as_bool) != Some(public) {
            set_public_ip(cx, &live.id, public).await?;
        }
        ec2tags::sync(cx, live, want).await?;
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        Ok(with_computed(want, [keep("id"), keep("az"), keep("arn")]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        // Interfaces of terminated instances and deleted load balancers are released a while
        // after them.
        let r = retry::on_codes(&["DependencyViolation"], Window::Dependency.get(), || async {
            cx.aws.ec2.delete_subnet().subnet_id(&live.id).send().await.map_err(aws::error)
        })
        .await;
        match r {
            Err(e) if e.code.as_deref() == Some("InvalidSubnetID.NotFound") => Ok(()),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }
}

fn live_object(sn: &aws_sdk_ec2::types::Subnet) -> Option<LiveObject> {
    let id = sn.subnet_id().unwrap_or_default().to_string();
    let (addr, tags) = ec2tags::split("subnet", &id, sn.tags())?;
    let attrs = Attrs::from([
        ("vpc".into(), Value::from(sn.vpc_id().map(String::from))),
        ("cidr".into(), Value::from(sn.cidr_block().map(String::from))),
        ("az".into(), Value::from(sn.availability_zone().map(String::from))),
        ("map_public_ip".into(), Value::Bool(sn.map_public_ip_on_launch().unwrap_or(false))),
        ("tags".into(), tags),
        ("id".into(), Value::str(&id)),
        ("arn".into(), Value::from(sn.subnet_arn().map(String::from))),
    ]);
    Some(LiveObject { addr, id, attrs })
}

fn literal_cidr(attrs: &Attrs) -> Option<Ipv4Net> {
    attrs.get("cidr")?.as_str()?.parse().ok()
}

async fn set_public_ip(cx: &Cx, id: &str, on: bool) -> anyhow::Result<()> {
    let v = AttributeBooleanValue::builder().value(on).build();
    cx.aws.ec2.modify_subnet_attribute().subnet_id(id).map_public_ip_on_launch(v).send().await.map_err(aws::error)?;
    Ok(())
}
