//! `internet_gateway`: an internet gateway, attached to at most one VPC. Moving it to another
//! VPC (or detaching it) is an in-place change.

use async_trait::async_trait;
use aws_sdk_ec2::types::ResourceType;

use super::adopt::{self, Described};
use super::retry::{self, Window};
use super::{Cx, Found, Kind, ec2tags, eventual, with_computed};
use crate::aws::{self, AwsError};
use crate::model::*;

pub struct InternetGateway;

static SCHEMA: Schema = Schema {
    kind: "internet_gateway",
    doc: "An internet gateway, attached to a VPC.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr(
            "vpc",
            Ty::Ref("vpc"),
            Presence::Default(Lit::Null),
            Update::InPlace,
            "The VPC to attach to (omit to leave it detached).",
        ),
        TAGS,
        computed("id", "The internet gateway id (igw-…)."),
    ],
};

/// Detaching fails while instances in the VPC still hold public addresses being released.
const TRANSIENT: &[&str] = &["DependencyViolation"];

#[async_trait]
impl Kind for InternetGateway {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn deleted_after(&self) -> &'static [&'static str] {
        // While they hold public addresses in the VPC, AWS refuses to detach the gateway.
        &["elastic_ip", "nat_gateway", "load_balancer", "instance", "autoscaling_group"]
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let mut pages =
            cx.aws.ec2.describe_internet_gateways().filters(ec2tags::owner_filter(cx)).into_paginator().items().send();
        let mut owned = vec![];
        while let Some(igw) = pages.next().await {
            owned.extend(live_object(&igw.map_err(aws::error)?));
        }
        Ok(Found { owned, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let call = cx.aws.ec2.describe_internet_gateways().internet_gateway_ids(id).send().await;
        let Some(igw) = adopt::absent(call.map_err(aws::error))?.and_then(|o| o.internet_gateways().first().cloned())
        else {
            return Ok(None);
        };
        Ok(adopt::ec2(id, igw.tags(), live_object(&igw)))
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let ec2 = &cx.aws.ec2;
        let igw = eventual::create_once(
            addr,
            &cx.known,
            || async {
                let call = ec2.create_internet_gateway().tag_specifications(ec2tags::spec(
                    ResourceType::InternetGateway,
                    cx,
                    addr,
                    want,
                ));
                let out = call.customize().config_override(eventual::no_retry()).send().await.map_err(aws::error)?;
                Ok(out.internet_gateway().cloned())
            },
            || async {
                let call = ec2.describe_internet_gateways().set_filters(Some(eventual::addressed(cx, addr).to_vec()));
                let out = call.send().await.map_err(aws::error)?;
                let ids = out.internet_gateways().iter().map(|g| g.internet_gateway_id().unwrap_or_default().into());
                Ok(ids.zip(out.internet_gateways().iter().cloned().map(Some)).collect())
            },
        )
        .await?;
        let id = igw.and_then(|g| g.internet_gateway_id().map(String::from)).unwrap_or_default();
        // The SDK's gateway waiter retries a code EC2 never sends; wait on the real one.
        let describe = || async { ec2.describe_internet_gateways().internet_gateway_ids(&id).send().await };
        eventual::visible(|| async { describe().await.map_err(aws::error) }).await?;
        if let Some(vpc) = want.get("vpc").and_then(Value::as_str) {
            attach(cx, &id, vpc).await?;
        }
        Ok(with_computed(want, [("id", Value::str(&id))]))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let have = live.attrs.get("vpc").and_then(Value::as_str);
        let wanted = want.get("vpc").and_then(Value::as_str);
        if have != wanted {
            if let Some(old) = have {
                detach(cx, &live.id, old).await?;
            }
            if let Some(new) = wanted {
                attach(cx, &live.id, new).await?;
            }
        }
        ec2tags::sync(cx, live, want).await?;
        Ok(with_computed(want, [("id", Value::str(&live.id))]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        if let Some(vpc) = live.attrs.get("vpc").and_then(Value::as_str) {
            detach(cx, &live.id, vpc).await?;
        }
        let r = cx.aws.ec2.delete_internet_gateway().internet_gateway_id(&live.id).send().await.map_err(aws::error);
        match r {
            Err(e) if e.code.as_deref() == Some("InvalidInternetGatewayID.NotFound") => Ok(()),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }
}

fn live_object(igw: &aws_sdk_ec2::types::InternetGateway) -> Option<LiveObject> {
    let id = igw.internet_gateway_id().unwrap_or_default().to_string();
    let (addr, tags) = ec2tags::split("internet_gateway", &id, igw.tags())?;
    let vpc = igw.attachments().iter().find_map(|a| a.vpc_id()).map(String::from);
    let attrs = Attrs::from([("vpc".into(), Value::from(vpc)), ("tags".into(), tags), ("id".into(), Value::str(&id))]);
    Some(LiveObject { addr, id, attrs })
}

async fn attach(cx: &Cx, id: &str, vpc: &str) -> anyhow::Result<()> {
    let call = || async {
        cx.aws.ec2.attach_internet_gateway().internet_gateway_id(id).vpc_id(vpc).send().await.map_err(aws::error)
    };
    match eventual::visible(call).await {
        // Attached already: a retry of an attach whose answer was lost.
        Err(e)
            if e.code.as_deref() == Some("Resource.AlreadyAssociated")
                && attached_to(cx, id).await? == Some(vpc.into()) =>
        {
            Ok(())
        }
        other => other.map(|_| ()).map_err(Into::into),
    }
}

async fn attached_to(cx: &Cx, id: &str) -> anyhow::Result<Option<String>> {
    let out = cx.aws.ec2.describe_internet_gateways().internet_gateway_ids(id).send().await.map_err(aws::error)?;
    Ok(out.internet_gateways().first().and_then(|g| g.attachments().iter().find_map(|a| a.vpc_id())).map(String::from))
}

async fn detach(cx: &Cx, id: &str, vpc: &str) -> anyhow::Result<()> {
    // Public addresses in the VPC (of instances and load balancers being deleted) keep the
    // gateway attached until they are released.
    let r: Result<_, AwsError> = retry::on_codes(TRANSIENT, Window::Dependency.get(), || async {
        cx.aws.ec2.detach_internet_gateway().internet_gateway_id(id).vpc_id(vpc).send().await.map_err(aws::error)
    })
    .await;
    match r {
        // Already detached (or the VPC is gone): nothing left to do.
        Err(e) if matches!(e.code.as_deref(), Some("Gateway.NotAttached" | "InvalidVpcID.NotFound")) => Ok(()),
        other => other.map(|_| ()).map_err(Into::into),
    }
}
