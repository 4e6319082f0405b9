//! `load_balancer`: an Application or Network Load Balancer with its listeners and listener
//! rules. Name, type, scheme and Elastic IPs force replacement; subnets, security groups, idle
//! timeout, cross-zone balancing, deletion protection, listeners and rules change in place
//! (what a network load balancer cannot change in place is in `lb_network.rs`). Listener and
//! rule details are in `lb_listeners.rs` (schema, canonical form, checks) and `lb_aws.rs`
//! (reading and syncing them).

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    LoadBalancer as AwsLb, LoadBalancerSchemeEnum, LoadBalancerStateEnum, LoadBalancerTypeEnum,
};

use super::adopt::{self, Described};
use super::poll::{self, Poll};
use super::retry::{self, Window};
use super::{Cx, Found, Kind, elb_find, elbtags, lb_aws, lb_listeners, lb_network, s, strs, with_computed};
use crate::aws;
use crate::model::*;
use crate::stack::{Diagnostic, Diagnostics, Resource, Stack};

pub struct LoadBalancer;

static SCHEMA: Schema = Schema {
    kind: "load_balancer",
    doc: "An Application or Network Load Balancer with its listeners and listener rules.",
    ref_attr: "arn",
    singleton: false,
    attrs: &[
        attr(
            "name",
            Ty::Str,
            Presence::Optional,
            Update::ForceNew,
            "Name, unique in the account and region, at most 32 characters (default: `<stack>-<name>-lb` with `_` as `-`; cut to 25 characters plus a 6-digit hash when longer).",
        ),
        attr(
            "type",
            Ty::Enum(&["application", "network"]),
            Presence::Default(Lit::Str("application")),
            Update::ForceNew,
            "Application (HTTP and HTTPS, layer 7) or network (TCP, UDP and TLS, layer 4).",
        ),
        attr(
            "subnets",
            Ty::Set(&Ty::Ref("subnet")),
            Presence::Optional,
            Update::InPlace,
            "Subnets to place it in, one per Availability Zone: at least two zones for an application load balancer, one for a network one; or write `subnet_mapping` blocks. A network load balancer's subnets can be added in place; removing one replaces it.",
        ),
        attr(
            "subnet_mapping",
            Ty::Blocks(lb_network::MAPPING),
            Presence::Default(Lit::EmptyList),
            Update::ForceNew,
            "Instead of `subnets` (repeatable block): `subnet` and, on a network load balancer, the `elastic_ip` it answers on there. Changing an address replaces the balancer.",
        ),
        attr(
            "security_groups",
            Ty::Set(&Ty::Ref("security_group")),
            Presence::Optional,
            Update::InPlace,
            "Security groups (default: an application load balancer gets the VPC's default group, a network one none). A network load balancer made without groups cannot get any later, nor lose all it has: that replaces it.",
        ),
        attr(
            "scheme",
            Ty::Enum(&["internet-facing", "internal"]),
            Presence::Default(Lit::Str("internet-facing")),
            Update::ForceNew,
            "Reachable from the internet, or only inside the VPC.",
        ),
        attr(
            "idle_timeout",
            Ty::Int,
            Presence::Default(Lit::Int(60)),
            Update::InPlace,
            "Application load balancers: seconds a connection may stay idle.",
        )
        .with(&[Check::Range(1, 4000)]),
        attr(
            "cross_zone",
            Ty::Bool,
            Presence::Optional,
            Update::InPlace,
            "Network load balancers: each zone's node also sends to targets in other zones (`load_balancing.cross_zone.enabled`; default false). Application load balancers always do.",
        ),
        attr(
            "deletion_protection",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "While true, AWS refuses to delete it: set false and apply before removing or replacing it.",
        ),
        attr(
            "listener",
            Ty::Blocks(lb_listeners::LISTENER),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "A listener (repeatable block): `port`, `protocol`, HTTPS `certificate` and `ssl_policy`, one default action (`forward`, `redirect { … }` or `fixed_response { … }`) and `rule { … }` blocks.",
        ),
        TAGS.with(STRICT_TAG_CHECKS),
        computed("arn", "The load balancer ARN."),
        computed("dns_name", "Its DNS name."),
        computed("zone_id", "The Route 53 hosted zone id of its DNS name (for alias records)."),
    ],
};

#[async_trait]
impl Kind for LoadBalancer {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn complete(&self, stack: &str, addr: &Address, attrs: &mut Attrs) {
        super::names::default_elb_name_and_tag(stack, addr, attrs);
        lb_network::complete(attrs);
    }

    fn forces(&self, live: &Attrs, want: &Attrs) -> Vec<&'static str> {
        lb_network::forces(live, want)
    }

    fn canonical(&self, attrs: &mut Attrs) {
        lb_network::canonical(attrs);
        if let Some(l) = attrs.get("listener") {
            let c = lb_listeners::canonical(l);
            attrs.insert("listener".into(), c);
        }
    }

    fn must_hold(&self) -> &'static [&'static str] {
        // Subnets in two zones at every moment; a group taken away lets all traffic in.
        &["subnets", "security_groups"]
    }

    fn implied_deps(&self, res: &Resource, stack: &Stack) -> Vec<Address> {
        if res.attrs.get("scheme").and_then(Value::as_str) == Some("internal") {
            return vec![];
        }
        super::gateways_for_subnets(stack, &lb_network::subnets_of(stack, res))
    }

    fn validate(&self, res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
        super::validate::elb::load_balancer(res, stack, diags);
        if res.attrs.get("scheme").and_then(Value::as_str) != Some("internal") {
            let subnets = lb_network::subnets_of(stack, res);
            super::validate::network::needs_gateway(res, stack, "subnets", &subnets, diags);
        }
        let file = &res.file;
        for (path, msg) in lb_network::problems(res) {
            diags.push(Diagnostic::error(msg).at(file, res.span_of(&path)));
        }
        if let Some(name) = res.attrs.get("name").and_then(Value::as_str) {
            let problem = elbtags::name_problem(name).or_else(|| {
                name.starts_with("internal-").then(|| format!("\"{name}\" must not begin with \"internal-\""))
            });
            if let Some(msg) = problem {
                diags.push(
                    Diagnostic::error(format!("invalid load balancer name: {msg}")).at(file, res.span_of("name")),
                );
            }
        }
        if let Some(msg) = lb_network::zone_problem(res, stack).filter(|_| !lb_network::is_network(&res.attrs)) {
            diags.push(
                Diagnostic::error(msg).at(file, res.span_of("subnets")).hint(
                    "AWS requires an Application Load Balancer's subnets to span at least two Availability Zones",
                ),
            );
        }
        let listeners = res.attrs.get("listener").cloned().unwrap_or_default();
        for (path, msg) in lb_listeners::problems(&listeners) {
            diags.push(
                Diagnostic::error(msg).at(file, res.span_of(&path)).label(format!("in this {}", block_word(&path))),
            );
        }
    }

    fn delete_note(&self) -> Option<&'static str> {
        Some("removes its listeners and rules; if `deletion_protection` is on, set it to false and apply first")
    }

    fn unique_name(&self, attrs: &Attrs) -> Option<String> {
        attrs.get("name").and_then(Value::as_str).map(String::from)
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let found = elb_find::balancers(cx).await?;
        let reads = found.mine.into_iter().map(|(lb, addr, user)| async move { read_one(cx, &lb, addr, user).await });
        let owned = super::read_each(reads.collect()).await?;
        Ok(Found { owned, foreign_names: found.taken, unlisted: found.unlisted, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let call = cx.aws.elb.describe_load_balancers();
        let call = if id.starts_with("arn:") { call.load_balancer_arns(id) } else { call.names(id) };
        let out = adopt::absent(call.send().await.map_err(aws::error))?;
        let Some(lb) = out.and_then(|o| o.load_balancers().first().cloned()) else { return Ok(None) };
        let arn = lb.load_balancer_arn().unwrap_or_default().to_string();
        let (owner, user) = elbtags::describe_tags(cx, &arn).await?;
        let live = read_one(cx, &lb, Address::new("load_balancer", "adopted"), user).await?;
        Ok(Some(Described { live, owner }))
    }

    async fn take_ownership(&self, cx: &Cx, addr: &Address, live: &LiveObject) -> anyhow::Result<()> {
        elbtags::take(cx, addr, &live.id).await
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let elb = &cx.aws.elb;
        let call = elb
            .create_load_balancer()
            .name(s(want, "name"))
            .r#type(LoadBalancerTypeEnum::from(s(want, "type")))
            .scheme(LoadBalancerSchemeEnum::from(s(want, "scheme")))
            .set_subnet_mappings(Some(lb_network::subnet_mappings(want)))
            .set_security_groups(
                want.get("security_groups")
                    .map(|_| strs(want, "security_groups").into_iter().map(String::from).collect()),
            )
            .set_tags(Some(elbtags::create_tags(cx, addr, want)));
        // Right after the VPC's gateway is attached (an implied dependency of internet-facing
        // balancers) ELB may still say the VPC has none, and a just-allocated Elastic IP is
        // not found for a moment (EC2's eventual consistency).
        let send = || async { call.clone().send().await.map_err(aws::error) };
        let codes = ["InvalidSubnet", "AllocationIdNotFound"];
        let out = match retry::on_codes(&codes, Window::Ec2Propagation.get(), send).await {
            // AWS answers a repeated create with the same settings with the existing balancer;
            // some implementations refuse it: then it is ours if it carries our address.
            Err(e) if e.code.as_deref() == Some("DuplicateLoadBalancerName") => {
                let out = elb.describe_load_balancers().names(s(want, "name")).send().await.map_err(aws::error)?;
                let arn = out.load_balancers().first().and_then(|l| l.load_balancer_arn()).unwrap_or_default();
                if !elbtags::owned_at(cx, addr, arn).await? {
                    return Err(e.into());
                }
                out
            }
            other => describe_created(other?),
        };
        let lb = out.load_balancers().first().ok_or_else(|| anyhow::anyhow!("CreateLoadBalancer returned nothing"))?;
        let arn = lb.load_balancer_arn().unwrap_or_default().to_string();
        lb_network::set_attributes(cx, &arn, want).await?;
        lb_aws::sync(cx, &arn, want.get("listener").unwrap_or(&Value::List(vec![]))).await?;
        wait_active(cx, &arn).await?;
        let text = |v: Option<&str>| Value::from(v.map(String::from));
        Ok(with_computed(
            want,
            [
                ("arn", Value::str(&arn)),
                ("dns_name", text(lb.dns_name())),
                ("zone_id", text(lb.canonical_hosted_zone_id())),
            ],
        ))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let (elb, arn) = (&cx.aws.elb, live.id.as_str());
        let differs = |k: &str| want.contains_key(k) && live.attrs.get(k) != want.get(k);
        if differs("subnets") {
            let subnets = strs(want, "subnets").into_iter().map(String::from).collect();
            elb.set_subnets().load_balancer_arn(arn).set_subnets(Some(subnets)).send().await.map_err(aws::error)?;
        }
        if differs("security_groups") {
            let groups = strs(want, "security_groups").into_iter().map(String::from).collect();
            let call = elb.set_security_groups().load_balancer_arn(arn).set_security_groups(Some(groups));
            call.send().await.map_err(aws::error)?;
        }
        if differs("idle_timeout") || differs("deletion_protection") || differs("cross_zone") {
            lb_network::set_attributes(cx, arn, want).await?;
        }
        if differs("listener") {
            lb_aws::sync(cx, arn, want.get("listener").unwrap_or(&Value::List(vec![]))).await?;
        }
        elbtags::sync(cx, live, want).await?;
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        Ok(with_computed(want, [keep("arn"), keep("dns_name"), keep("zone_id")]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        // Some implementations (moto) ignore the flag on delete; refusing here keeps stackr's
        // behaviour the same as AWS's everywhere.
        if live.attrs.get("deletion_protection").and_then(Value::as_bool) == Some(true) {
            return Err(protected(live, None));
        }
        let elb = &cx.aws.elb;
        match elb.delete_load_balancer().load_balancer_arn(&live.id).send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("LoadBalancerNotFound") => return Ok(()),
            Err(e) if e.code.as_deref() == Some("OperationNotPermitted") => return Err(protected(live, Some(e))),
            other => other.map(|_| ())?,
        }
        // Its network interfaces hold the subnets and security groups until it is gone.
        poll::until(&format!("waiting for {} to be deleted", live.id), || async {
            match elb.describe_load_balancers().load_balancer_arns(&live.id).send().await.map_err(aws::error) {
                Err(e) if e.code.as_deref() == Some("LoadBalancerNotFound") => Ok(Poll::Done(())),
                other => {
                    Ok(if other?.load_balancers().is_empty() { Poll::Done(()) } else { Poll::Pending("listed".into()) })
                }
            }
        })
        .await
    }
}

/// Waits until the balancer is `active` (it is `provisioning` for minutes on AWS).
async fn wait_active(cx: &Cx, arn: &str) -> anyhow::Result<()> {
    poll::until(&format!("waiting for {arn} to become active"), || async {
        let out = cx.aws.elb.describe_load_balancers().load_balancer_arns(arn).send().await.map_err(aws::error)?;
        let state = out.load_balancers().first().and_then(|l| l.state()).and_then(|s| s.code()).cloned();
        Ok(match state {
            Some(LoadBalancerStateEnum::Active) => Poll::Done(()),
            Some(LoadBalancerStateEnum::Failed) => Poll::Failed("its provisioning failed".into()),
            other => Poll::Pending(other.map_or("unknown".into(), |s| s.as_str().to_string())),
        })
    })
    .await
}

/// CreateLoadBalancer's answer, in DescribeLoadBalancers' shape.
fn describe_created(
    out: aws_sdk_elasticloadbalancingv2::operation::create_load_balancer::CreateLoadBalancerOutput,
) -> aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::DescribeLoadBalancersOutput {
    aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::DescribeLoadBalancersOutput::builder()
        .set_load_balancers(Some(out.load_balancers().to_vec()))
        .build()
}

/// The refusal to delete a protected load balancer, with what to do about it.
fn protected(live: &LiveObject, aws: Option<aws::AwsError>) -> anyhow::Error {
    let why = aws.map_or_else(
        || {
            format!(
                "OperationNotPermitted: load balancer '{}' cannot be deleted because deletion protection is enabled",
                live.id
            )
        },
        |e| e.to_string(),
    );
    anyhow::anyhow!(
        "{why}; to delete it, set `deletion_protection = false` on {}, apply, then remove (or replace) it",
        live.addr
    )
}

/// "listener" or "rule", for a label on a problem at `path`.
fn block_word(path: &str) -> &'static str {
    if path.contains(".rule[") { "rule" } else { "listener" }
}

/// One owned load balancer: attributes and listeners (with their rules) read together.
async fn read_one(cx: &Cx, lb: &AwsLb, addr: Address, tags: Value) -> anyhow::Result<LiveObject> {
    let arn = lb.load_balancer_arn().unwrap_or_default().to_string();
    let attributes = async {
        let out = cx.aws.elb.describe_load_balancer_attributes().load_balancer_arn(&arn).send().await;
        anyhow::Ok(out.map_err(aws::error)?)
    };
    let (extra, listeners) = tokio::try_join!(attributes, lb_aws::read(cx, &arn))?;
    let extra: HashMap<&str, &str> = extra.attributes().iter().filter_map(|a| Some((a.key()?, a.value()?))).collect();
    // AWS reports 60 when the timeout was never set; some implementations leave it out.
    let idle = extra.get("idle_timeout.timeout_seconds").and_then(|v| v.parse().ok()).unwrap_or(60);
    let text = |v: Option<&str>| Value::from(v.map(String::from));
    let kind = lb.r#type().map_or("application", |t| t.as_str());
    let mut attrs = Attrs::from([
        ("name".into(), text(lb.load_balancer_name())),
        ("type".into(), Value::str(kind)),
        ("subnets".into(), str_set(lb.availability_zones().iter().filter_map(|z| z.subnet_id()))),
        ("subnet_mapping".into(), lb_network::mapped_addresses(lb)),
        ("security_groups".into(), str_set(lb.security_groups())),
        // AWS's default when the creator gave none; some implementations then report none.
        ("scheme".into(), Value::str(lb.scheme().map_or("internet-facing", |s| s.as_str()))),
        ("idle_timeout".into(), Value::Int(idle)),
        ("deletion_protection".into(), Value::Bool(extra.get("deletion_protection.enabled") == Some(&"true"))),
        ("listener".into(), lb_aws::value(&listeners)),
        ("tags".into(), tags),
        ("arn".into(), Value::str(&arn)),
        ("dns_name".into(), text(lb.dns_name())),
        ("zone_id".into(), text(lb.canonical_hosted_zone_id())),
    ]);
    if kind == lb_network::NETWORK {
        let cross = extra.get("load_balancing.cross_zone.enabled") == Some(&"true");
        attrs.insert("cross_zone".into(), Value::Bool(cross));
    }
    Ok(LiveObject { addr, id: arn, attrs })
}
