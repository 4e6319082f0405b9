//! `vpc`: a VPC with its IPv4 CIDR, DNS settings and tenancy.

use async_trait::async_trait;
use aws_sdk_ec2::client::Waiters;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Tenancy, VpcAttributeName};

use super::adopt::{self, Described};
use super::retry::{self, Window};
use super::{Cx, Found, Kind, ec2tags, eventual, s, with_computed};
use crate::aws;
use crate::model::*;

pub struct Vpc;

static SCHEMA: Schema = Schema {
    kind: "vpc",
    doc: "A virtual private cloud.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr("cidr", Ty::Cidr, Presence::Required, Update::ForceNew, "IPv4 CIDR block of the VPC.")
            .with(&[Check::Prefix(16, 28)]),
        attr(
            "enable_dns_support",
            Ty::Bool,
            Presence::Default(Lit::Bool(true)),
            Update::InPlace,
            "Amazon DNS resolution in the VPC.",
        ),
        attr(
            "enable_dns_hostnames",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "Public DNS hostnames for instances with public IPs.",
        ),
        attr(
            "instance_tenancy",
            Ty::Enum(&["default", "dedicated"]),
            Presence::Default(Lit::Str("default")),
            Update::ForceNew,
            "Tenancy of instances launched into the VPC.",
        ),
        TAGS,
        computed("id", "The VPC id (vpc-…)."),
        computed("owner_id", "The account that owns the VPC."),
    ],
};

#[async_trait]
impl Kind for Vpc {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let mut pages = cx.aws.ec2.describe_vpcs().filters(ec2tags::owner_filter(cx)).into_paginator().items().send();
        let mut vpcs = vec![];
        while let Some(vpc) = pages.next().await {
            vpcs.push(vpc.map_err(aws::error)?);
        }
        let reads = vpcs.into_iter().filter_map(|vpc| {
            let id = vpc.vpc_id().unwrap_or_default().to_string();
            let (addr, tags) = ec2tags::split("vpc", &id, vpc.tags())?;
            Some(async move { read_one(cx, vpc, id, addr, tags).await })
        });
        let owned = super::read_each(reads.collect()).await?;
        Ok(Found { owned, ..Found::default() })
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let ec2 = &cx.aws.ec2;
        let vpc = eventual::create_once(
            addr,
            &cx.known,
            || async {
                let call = ec2
                    .create_vpc()
                    .cidr_block(s(want, "cidr"))
                    .instance_tenancy(Tenancy::from(s(want, "instance_tenancy")))
                    .tag_specifications(ec2tags::spec(ResourceType::Vpc, cx, addr, want));
                let out = call.customize().config_override(eventual::no_retry()).send().await.map_err(aws::error)?;
                Ok(out.vpc().cloned())
            },
            || async {
                let out = ec2.describe_vpcs().set_filters(Some(eventual::addressed(cx, addr).to_vec())).send().await;
                let out = out.map_err(aws::error)?;
                Ok(out.vpcs().iter().map(|v| (v.vpc_id().unwrap_or_default().into(), Some(v.clone()))).collect())
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("CreateVpc returned no VPC"))?;
        let id = vpc.vpc_id().unwrap_or_default().to_string();
        eventual::visible(|| async { ec2.describe_vpcs().vpc_ids(&id).send().await.map_err(aws::error) }).await?;
        ec2.wait_until_vpc_available()
            .vpc_ids(&id)
            .wait(Window::State.get())
            .await
            .map_err(|e| anyhow::anyhow!("waiting for {id} to become available: {e}"))?;
        set_dns(cx, &id, want, None).await?;
        Ok(with_computed(want, [("id", Value::str(&id)), ("owner_id", Value::from(vpc.owner_id().map(String::from)))]))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        set_dns(cx, &live.id, want, Some(&live.attrs)).await?;
        ec2tags::sync(cx, live, want).await?;
        Ok(with_computed(want, [("id", Value::str(&live.id)), ("owner_id", live.attrs["owner_id"].clone())]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        // Network interfaces of just-deleted dependents linger for a while.
        let r = retry::on_codes(&["DependencyViolation"], Window::Ec2Propagation.get(), || async {
            cx.aws.ec2.delete_vpc().vpc_id(&live.id).send().await.map_err(aws::error)
        })
        .await;
        match r {
            Err(e) if e.code.as_deref() == Some("InvalidVpcID.NotFound") => Ok(()),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let out = adopt::absent(cx.aws.ec2.describe_vpcs().vpc_ids(id).send().await.map_err(aws::error))?;
        let Some(vpc) = out.and_then(|o| o.vpcs().first().cloned()) else { return Ok(None) };
        let owner = adopt::tag_owner(adopt::ec2_pairs(vpc.tags()));
        let tags = adopt::user_tags(adopt::ec2_pairs(vpc.tags()));
        let live = read_one(cx, vpc, id.to_string(), Address::new("vpc", id), tags).await?;
        Ok(Some(Described { live, owner }))
    }
}

/// One VPC's attributes: DescribeVpcs does not report the DNS settings, so they cost one call
/// each per VPC.
async fn read_one(
    cx: &Cx,
    vpc: aws_sdk_ec2::types::Vpc,
    id: String,
    addr: Address,
    tags: Value,
) -> anyhow::Result<LiveObject> {
    let (support, hostnames) = tokio::try_join!(
        dns_attr(cx, &id, VpcAttributeName::EnableDnsSupport),
        dns_attr(cx, &id, VpcAttributeName::EnableDnsHostnames)
    )?;
    let attrs = Attrs::from([
        ("cidr".into(), Value::from(vpc.cidr_block().map(String::from))),
        ("enable_dns_support".into(), Value::Bool(support)),
        ("enable_dns_hostnames".into(), Value::Bool(hostnames)),
        ("instance_tenancy".into(), Value::from(vpc.instance_tenancy().map(|t| t.as_str().to_string()))),
        ("tags".into(), tags),
        ("id".into(), Value::str(&id)),
        ("owner_id".into(), Value::from(vpc.owner_id().map(String::from))),
    ]);
    Ok(LiveObject { addr, id, attrs })
}

async fn dns_attr(cx: &Cx, id: &str, which: VpcAttributeName) -> anyhow::Result<bool> {
    let out =
        cx.aws.ec2.describe_vpc_attribute().vpc_id(id).attribute(which.clone()).send().await.map_err(aws::error)?;
    let v = match which {
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support(),
        _ => out.enable_dns_hostnames(),
    };
    Ok(v.and_then(|a| a.value()).unwrap_or(false))
}

/// Sets each DNS attribute that differs from `have` (AWS takes one attribute per call).
async fn set_dns(cx: &Cx, id: &str, want: &Attrs, have: Option<&Attrs>) -> anyhow::Result<()> {
    // A new VPC starts with support on and hostnames off.
    let before = |k: &str, default: bool| have.and_then(|h| h.get(k)).and_then(Value::as_bool).unwrap_or(default);
    let wanted = |k: &str| want.get(k).and_then(Value::as_bool).unwrap_or(false);
    let support = wanted("enable_dns_support");
    if support != before("enable_dns_support", true) {
        let v = AttributeBooleanValue::builder().value(support).build();
        cx.aws.ec2.modify_vpc_attribute().vpc_id(id).enable_dns_support(v).send().await.map_err(aws::error)?;
    }
    let hostnames = wanted("enable_dns_hostnames");
    if hostnames != before("enable_dns_hostnames", false) {
        let v = AttributeBooleanValue::builder().value(hostnames).build();
        cx.aws.ec2.modify_vpc_attribute().vpc_id(id).enable_dns_hostnames(v).send().await.map_err(aws::error)?;
    }
    Ok(())
}
