//! `nat_gateway`: a public NAT gateway in a subnet, with an Elastic IP of the stack. AWS makes
//! it `pending` for a minute or two and may fail it (`failed`, with a code and message) after
//! the create call has succeeded, so create waits for `available`; delete waits for `deleted`,
//! because until then the gateway keeps its address (ReleaseAddress is refused) and its
//! subnet (DeleteSubnet `DependencyViolation`). Nothing changes in place but tags.

use async_trait::async_trait;
use aws_sdk_ec2::types::{ConnectivityType, NatGateway as AwsNat, NatGatewayState, ResourceType};

use super::adopt::{self, Described};
use super::poll::{self, Poll};
use super::retry::Window;
use super::{Cx, Found, Kind, ec2tags, eventual, s, with_computed};
use crate::aws::{self, AwsError};
use crate::model::*;
use crate::stack::{Diagnostics, Resource, Stack};

pub struct NatGateway;

static SCHEMA: Schema = Schema {
    kind: "nat_gateway",
    doc: "A public NAT gateway in a subnet, with an Elastic IP: private subnets route 0.0.0.0/0 to it.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr(
            "subnet",
            Ty::Ref("subnet"),
            Presence::Required,
            Update::ForceNew,
            "The public subnet it sits in (one whose route table sends 0.0.0.0/0 to the internet gateway).",
        ),
        attr(
            "elastic_ip",
            Ty::Ref("elastic_ip"),
            Presence::Required,
            Update::ForceNew,
            "The Elastic IP it sends traffic from (one without an `instance`).",
        ),
        TAGS,
        computed("id", "The NAT gateway id (nat-…)."),
        computed("public_ip", "Its public IPv4 address (the Elastic IP's)."),
        computed("private_ip", "Its private IPv4 address in the subnet."),
    ],
};

/// The codes AWS answers for a NAT gateway it does not know (yet): DescribeNatGateways says
/// NatGatewayNotFound, CreateRoute InvalidNatGatewayID.NotFound (boto/boto3#779).
pub const NOT_FOUND: &[&str] = &["NatGatewayNotFound", "InvalidNatGatewayID.NotFound"];

#[async_trait]
impl Kind for NatGateway {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    /// A public NAT gateway in a VPC without an attached internet gateway goes `failed`
    /// (Gateway.NotAttached): the gateway of its VPC comes first.
    fn implied_deps(&self, res: &Resource, stack: &Stack) -> Vec<Address> {
        super::gateways_for_subnets(stack, &super::referenced(stack, res, "subnet"))
    }

    fn validate(&self, res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
        super::validate::network::nat_gateway(res, stack, diags);
        let subnets = super::referenced(stack, res, "subnet");
        super::validate::network::needs_gateway(res, stack, "subnet", &subnets, diags);
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let call = cx.aws.ec2.describe_nat_gateways().filter(ec2tags::owner_filter(cx));
        let mut pages = call.into_paginator().items().send();
        let mut owned = vec![];
        while let Some(nat) = pages.next().await {
            owned.extend(live_object(&nat.map_err(aws::error)?));
        }
        Ok(Found { owned, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let call = cx.aws.ec2.describe_nat_gateways().nat_gateway_ids(id).send().await.map_err(aws::error);
        let found = match call {
            Err(e) if is_not_found(&e) => None,
            other => adopt::absent(other)?.and_then(|o| o.nat_gateways().first().cloned()),
        };
        let Some(nat) = found else { return Ok(None) };
        Ok(adopt::ec2(id, nat.tags(), live_object(&nat)))
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let ec2 = &cx.aws.ec2;
        // CreateNatGateway takes a client token: the SDK fills one in, the same on each of its
        // retries, so a retried create whose answer was lost returns the first gateway instead
        // of making a second one on the same address (which would go `failed`).
        let out = eventual::visible(|| async {
            ec2.create_nat_gateway()
                .subnet_id(s(want, "subnet"))
                .allocation_id(s(want, "elastic_ip"))
                .connectivity_type(ConnectivityType::Public)
                .tag_specifications(ec2tags::spec(ResourceType::Natgateway, cx, addr, want))
                .send()
                .await
                .map_err(aws::error)
        })
        .await?;
        let id = out.nat_gateway().and_then(|n| n.nat_gateway_id()).unwrap_or_default().to_string();
        let nat = match wait_available(cx, &id).await {
            Ok(nat) => nat,
            Err(e) => {
                discard_failed(cx, &id).await;
                return Err(e);
            }
        };
        let mut out = want.clone();
        out.extend(computed_of(&nat));
        Ok(out)
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        ec2tags::sync(cx, live, want).await?;
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        Ok(with_computed(want, [keep("id"), keep("public_ip"), keep("private_ip")]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        match cx.aws.ec2.delete_nat_gateway().nat_gateway_id(&live.id).send().await.map_err(aws::error) {
            Err(e) if is_not_found(&e) => return Ok(()),
            other => other?,
        };
        wait_deleted(cx, &live.id).await
    }
}

fn is_not_found(e: &AwsError) -> bool {
    e.code.as_deref().is_some_and(|c| NOT_FOUND.contains(&c))
}

/// The gateway as the plan sees it. Gateways `deleting`, `deleted` or `failed` are gone for
/// planning: AWS lists them for about an hour, but they route nothing and never come back.
fn live_object(nat: &AwsNat) -> Option<LiveObject> {
    if !matches!(nat.state(), Some(NatGatewayState::Pending | NatGatewayState::Available)) {
        return None;
    }
    let id = nat.nat_gateway_id().unwrap_or_default().to_string();
    let (addr, tags) = ec2tags::split("nat_gateway", &id, nat.tags())?;
    let mut attrs = computed_of(nat);
    attrs.insert("subnet".into(), Value::from(nat.subnet_id().map(String::from)));
    let primary = primary_address(nat);
    attrs.insert("elastic_ip".into(), Value::from(primary.and_then(|a| a.allocation_id()).map(String::from)));
    attrs.insert("tags".into(), tags);
    Some(LiveObject { addr, id, attrs })
}

fn primary_address(nat: &AwsNat) -> Option<&aws_sdk_ec2::types::NatGatewayAddress> {
    let addrs = nat.nat_gateway_addresses();
    // A gateway with one address may not mark it primary (terraform-provider-aws#30865).
    addrs.iter().find(|a| a.is_primary() == Some(true)).or_else(|| addrs.first())
}

fn computed_of(nat: &AwsNat) -> Attrs {
    let primary = primary_address(nat);
    let ip = |f: fn(&aws_sdk_ec2::types::NatGatewayAddress) -> Option<&str>| {
        Value::from(primary.and_then(f).filter(|s| !s.is_empty()).map(String::from))
    };
    Attrs::from([
        ("id".into(), Value::from(nat.nat_gateway_id().map(String::from))),
        ("public_ip".into(), ip(|a| a.public_ip())),
        ("private_ip".into(), ip(|a| a.private_ip())),
    ])
}

/// What one look at the gateway says about a create: `failed` carries AWS's reason.
pub(crate) fn creating(nat: Option<&AwsNat>) -> Poll<AwsNat> {
    let Some(nat) = nat else { return Poll::Pending("not visible yet".into()) };
    match nat.state() {
        Some(NatGatewayState::Available) => Poll::Done(nat.clone()),
        Some(NatGatewayState::Failed) => Poll::Failed(format!(
            "it failed: {}: {}",
            nat.failure_code().unwrap_or("(no code)"),
            nat.failure_message().unwrap_or("(no message)")
        )),
        Some(state @ (NatGatewayState::Deleting | NatGatewayState::Deleted)) => {
            Poll::Failed(format!("it is {} (deleted by someone else?)", state.as_str()))
        }
        other => Poll::Pending(other.map_or("pending", |s| s.as_str()).to_string()),
    }
}

/// Waits within the state window (terraform-provider-aws allows 10 minutes) for `available`.
async fn wait_available(cx: &Cx, id: &str) -> anyhow::Result<AwsNat> {
    poll::until(&format!("NAT gateway {id} to become available"), || async {
        let nat = describe_one(cx, id).await?;
        Ok(creating(nat.as_ref()))
    })
    .await
}

/// Deletes a gateway that went `failed`: it will never route, AWS would only remove it an
/// hour later, and meanwhile it shows in the account as the stack's. Best effort: the failure
/// being reported matters more.
async fn discard_failed(cx: &Cx, id: &str) {
    if let Ok(Some(nat)) = describe_one(cx, id).await
        && nat.state() == Some(&NatGatewayState::Failed)
        && let Err(e) = cx.aws.ec2.delete_nat_gateway().nat_gateway_id(id).send().await
    {
        tracing::warn!("could not delete the failed NAT gateway {id}: {}", aws::error(e));
    }
}

/// Waits within the dependency window (the provider allows 30 minutes) until the gateway is
/// `deleted` or no longer listed: only then are its address and subnet free.
async fn wait_deleted(cx: &Cx, id: &str) -> anyhow::Result<()> {
    let what = format!("NAT gateway {id} to be deleted");
    poll::until_within(&what, Window::Dependency.get(), || async {
        Ok(match describe_one(cx, id).await? {
            Some(nat) if nat.state() != Some(&NatGatewayState::Deleted) => {
                Poll::Pending(nat.state().map_or("deleting", |s| s.as_str()).to_string())
            }
            _ => Poll::Done(()),
        })
    })
    .await
}

/// The gateway by id; `None` while EC2 does not know it (yet, or any more).
async fn describe_one(cx: &Cx, id: &str) -> anyhow::Result<Option<AwsNat>> {
    match cx.aws.ec2.describe_nat_gateways().nat_gateway_ids(id).send().await.map_err(aws::error) {
        Ok(out) => Ok(out.nat_gateways().iter().find(|n| n.nat_gateway_id() == Some(id)).cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nat(state: NatGatewayState) -> AwsNat {
        AwsNat::builder()
            .nat_gateway_id("nat-1")
            .state(state)
            .failure_code("Gateway.NotAttached")
            .failure_message("Network vpc-1 has no Internet gateway attached")
            .build()
    }

    #[test]
    fn a_failed_gateway_fails_the_wait_with_awss_reason() {
        match creating(Some(&nat(NatGatewayState::Failed))) {
            Poll::Failed(why) => {
                assert_eq!(why, "it failed: Gateway.NotAttached: Network vpc-1 has no Internet gateway attached")
            }
            _ => panic!("a failed gateway must end the wait"),
        }
        assert!(matches!(creating(Some(&nat(NatGatewayState::Pending))), Poll::Pending(s) if s == "pending"));
        assert!(matches!(creating(None), Poll::Pending(_)));
        assert!(matches!(creating(Some(&nat(NatGatewayState::Available))), Poll::Done(_)));
        assert!(matches!(creating(Some(&nat(NatGatewayState::Deleting))), Poll::Failed(_)));
    }

    #[test]
    fn gateways_on_their_way_out_are_not_planned() {
        let tags = vec![
            aws_sdk_ec2::types::Tag::builder().key("stackr:stack").value("s").build(),
            aws_sdk_ec2::types::Tag::builder().key("stackr:address").value("nat_gateway.a").build(),
        ];
        let address = aws_sdk_ec2::types::NatGatewayAddress::builder()
            .allocation_id("eipalloc-1")
            .public_ip("203.0.113.9")
            .private_ip("10.0.1.9")
            .build();
        let with = |state| {
            AwsNat::builder()
                .nat_gateway_id("nat-1")
                .subnet_id("subnet-1")
                .state(state)
                .set_tags(Some(tags.clone()))
                .nat_gateway_addresses(address.clone())
                .build()
        };
        let live = live_object(&with(NatGatewayState::Available)).expect("an available gateway is planned");
        assert_eq!(live.attrs["elastic_ip"], Value::str("eipalloc-1"));
        assert_eq!(live.attrs["public_ip"], Value::str("203.0.113.9"));
        assert_eq!(live.attrs["subnet"], Value::str("subnet-1"));
        for state in [NatGatewayState::Deleting, NatGatewayState::Deleted, NatGatewayState::Failed] {
            assert!(live_object(&with(state)).is_none());
        }
    }
}
