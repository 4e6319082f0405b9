//! `elastic_ip`: an Elastic IP address in the VPC domain, optionally associated with an
//! instance. Moving it to another instance, or letting it go, is in place; deleting it
//! disassociates it first and then releases it.
//!
//! Accounts have a default quota of 5 Elastic IPs per region; a stack that declares more gets a
//! warning (not an error: the quota can be raised).

use async_trait::async_trait;
use aws_sdk_ec2::types::{Address as AwsAddress, DomainType, ResourceType};

use super::adopt::{self, Described};
use super::retry::{self, Window};
use super::{Cx, Found, Kind, ec2tags, eventual, with_computed};
use crate::aws;
use crate::model::*;
use crate::stack::{Diagnostic, Diagnostics, Resource, Stack};

pub struct ElasticIp;

/// The default per-region quota of Elastic IPs.
const QUOTA: usize = 5;

static SCHEMA: Schema = Schema {
    kind: "elastic_ip",
    doc: "An Elastic IP address, optionally associated with an instance.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr(
            "instance",
            Ty::Ref("instance"),
            Presence::Default(Lit::Null),
            Update::InPlace,
            "The instance to associate with (omit to keep the address unassociated).",
        ),
        TAGS,
        computed("id", "The allocation id (eipalloc-…)."),
        computed("public_ip", "The public IPv4 address."),
    ],
};

#[async_trait]
impl Kind for ElasticIp {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn holds_data(&self) -> bool {
        true
    }

    fn freed_by_deleting(&self) -> &'static [&'static str] {
        &["instance"]
    }

    fn implied_deps(&self, res: &Resource, stack: &Stack) -> Vec<Address> {
        let instances = super::referenced(stack, res, "instance");
        let subnets: Vec<&Resource> = instances.iter().flat_map(|i| super::referenced(stack, i, "subnet")).collect();
        super::gateways_for_subnets(stack, &subnets)
    }

    fn validate(&self, res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
        super::validate::network::elastic_ip(res, stack, diags);
        let instances = super::referenced(stack, res, "instance");
        let subnets: Vec<&Resource> = instances.iter().flat_map(|i| super::referenced(stack, i, "subnet")).collect();
        super::validate::network::needs_gateway(res, stack, "instance", &subnets, diags);
        let eips: Vec<&Resource> = stack.resources.iter().filter(|r| r.addr.kind == "elastic_ip").collect();
        // Said once, at the first block past the quota.
        if eips.len() > QUOTA && eips[QUOTA].addr == res.addr {
            diags.push(
                Diagnostic::warning(format!(
                    "this stack declares {} Elastic IPs; the default quota is {QUOTA} per region",
                    eips.len()
                ))
                .at(&res.file, res.span.clone())
                .label(format!("Elastic IP number {}", QUOTA + 1))
                .hint("request a higher \"EC2-VPC Elastic IPs\" quota in Service Quotas before applying"),
            );
        }
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        // DescribeAddresses is not paginated: one call returns every address.
        let out =
            cx.aws.ec2.describe_addresses().filters(ec2tags::owner_filter(cx)).send().await.map_err(aws::error)?;
        Ok(Found { owned: out.addresses().iter().filter_map(live_object).collect(), ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let out = adopt::absent(cx.aws.ec2.describe_addresses().allocation_ids(id).send().await.map_err(aws::error))?;
        let Some(a) = out.and_then(|o| o.addresses().first().cloned()) else { return Ok(None) };
        Ok(adopt::ec2(id, a.tags(), live_object(&a)))
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let ec2 = &cx.aws.ec2;
        // AllocateAddress takes no client token.
        let out = eventual::create_once(
            addr,
            &cx.known,
            || async {
                let call = ec2.allocate_address().domain(DomainType::Vpc).tag_specifications(ec2tags::spec(
                    ResourceType::ElasticIp,
                    cx,
                    addr,
                    want,
                ));
                let out = call.customize().config_override(eventual::no_retry()).send().await.map_err(aws::error)?;
                Ok((out.allocation_id().map(String::from), out.public_ip().map(String::from)))
            },
            || async {
                let out =
                    ec2.describe_addresses().set_filters(Some(eventual::addressed(cx, addr).to_vec())).send().await;
                let out = out.map_err(aws::error)?;
                let found = out
                    .addresses()
                    .iter()
                    .map(|a| (a.allocation_id().map(String::from), a.public_ip().map(String::from)));
                Ok(found.map(|a| (a.0.clone().unwrap_or_default(), a)).collect())
            },
        )
        .await?;
        let id = out.0.unwrap_or_default();
        let mut computed = vec![("id", Value::str(&id)), ("public_ip", Value::from(out.1))];
        if let Some(instance) = want.get("instance").and_then(Value::as_str) {
            computed.push(("_association_id", associate(cx, &id, instance).await?));
        }
        Ok(with_computed(want, computed))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let mut association = live.attrs.get("_association_id").cloned().unwrap_or_default();
        if live.attrs.get("instance") != want.get("instance") {
            association = match want.get("instance").and_then(Value::as_str) {
                // Re-association moves the address in one call.
                Some(instance) => associate(cx, &live.id, instance).await?,
                None => {
                    disassociate(cx, &association).await?;
                    Value::Null
                }
            };
        }
        ec2tags::sync(cx, live, want).await?;
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        Ok(with_computed(want, [keep("id"), keep("public_ip"), ("_association_id", association)]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        let association = live.attrs.get("_association_id").unwrap_or(&Value::Null);
        // Associated with something other than an instance: a NAT gateway's or a network load
        // balancer's address, which AWS lets go only when the gateway or the balancer's
        // interfaces are gone (their deletes are ordered first).
        let held = live.attrs.get("instance").is_none_or(Value::is_null) && !association.is_null();
        if !held {
            disassociate(cx, association).await?;
        }
        let release =
            || async { cx.aws.ec2.release_address().allocation_id(&live.id).send().await.map_err(aws::error) };
        match retry::on_codes(release_transient(held), Window::Dependency.get(), release).await {
            Err(e) if e.code.as_deref() == Some("InvalidAllocationID.NotFound") => Ok(()),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }
}

/// What ReleaseAddress answers for a while after the NAT gateway that held the address is
/// deleted: `InvalidIPAddress.InUse`, `InvalidNetworkInterfaceID.NotFound` for the gateway's
/// vanished interface (terraform-provider-aws#49299), and `AuthFailure` while the gateway
/// still holds it (an error otherwise about permissions, so waited out only for such an address).
fn release_transient(held: bool) -> &'static [&'static str] {
    const HELD: &[&str] = &["InvalidIPAddress.InUse", "InvalidNetworkInterfaceID.NotFound", "AuthFailure"];
    if held { HELD } else { &HELD[..2] }
}

fn live_object(a: &AwsAddress) -> Option<LiveObject> {
    let id = a.allocation_id().unwrap_or_default().to_string();
    let (addr, tags) = ec2tags::split("elastic_ip", &id, a.tags())?;
    // moto reports "no instance" as an empty string.
    let nonempty = |s: Option<&str>| Value::from(s.filter(|s| !s.is_empty()).map(String::from));
    let attrs = Attrs::from([
        ("instance".into(), nonempty(a.instance_id())),
        ("tags".into(), tags),
        ("id".into(), Value::str(&id)),
        ("public_ip".into(), nonempty(a.public_ip())),
        // Private: what a move or delete needs, never compared or shown.
        ("_association_id".into(), nonempty(a.association_id())),
    ]);
    Some(LiveObject { addr, id, attrs })
}

/// Associates the address with `instance`, taking it from any other; returns the association.
/// The VPC's internet gateway is attached first (an implied dependency); right after the
/// attach EC2 may still answer Gateway.NotAttached for a moment.
async fn associate(cx: &Cx, id: &str, instance: &str) -> anyhow::Result<Value> {
    let send = || async {
        let call = cx.aws.ec2.associate_address().allocation_id(id).instance_id(instance).allow_reassociation(true);
        eventual::visible(|| async { call.clone().send().await.map_err(aws::error) }).await
    };
    let out = retry::on_codes(&["Gateway.NotAttached"], Window::Listing.get(), send).await?;
    Ok(Value::from(out.association_id().map(String::from)))
}

/// Ends an association; an association already gone (its instance terminated) is fine.
async fn disassociate(cx: &Cx, association: &Value) -> anyhow::Result<()> {
    let Some(assoc) = association.as_str() else { return Ok(()) };
    match cx.aws.ec2.disassociate_address().association_id(assoc).send().await.map_err(aws::error) {
        Err(e) if e.code.as_deref() == Some("InvalidAssociationID.NotFound") => Ok(()),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::{VarInputs, load_str};

    fn warnings(n: usize) -> Vec<Diagnostic> {
        let blocks: String = (0..n).map(|i| format!("elastic_ip \"e{i}\" {{}}\n")).collect();
        let text = format!("stack \"t\" {{}}\n{blocks}");
        let stack = load_str("t.hcl", &text, &VarInputs::default(), &crate::resources::schemas()).unwrap();
        let mut d = Diagnostics::default();
        stack.resources.iter().for_each(|r| ElasticIp.validate(r, &stack, &mut d));
        d.0
    }

    #[test]
    fn more_than_the_quota_is_one_warning_at_the_sixth_block() {
        assert!(warnings(5).is_empty());
        let w = warnings(7);
        assert_eq!(w.len(), 1);
        let text = w[0].render(false);
        assert!(text.starts_with("warning"), "{text}");
        assert!(text.contains("declares 7 Elastic IPs") && text.contains("t.hcl:7:1"), "{text}");
    }
}
