//! `target_group`: a load balancer target group with its health check, stickiness,
//! deregistration delay and (optionally) its registered instances. Protocol, port, VPC and
//! target type force replacement; everything else changes in place (ModifyTargetGroup,
//! ModifyTargetGroupAttributes, Register/DeregisterTargets). HTTP and HTTPS groups serve
//! application load balancers, TCP, UDP, TCP_UDP and TLS groups network ones; a TCP health
//! check has no path or matcher (AWS refuses them), so both sides drop them before comparing.

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{Matcher, ProtocolEnum, TargetTypeEnum};

use super::adopt::{self, Described};
use super::retry::{self, Window};
use super::tg_aws::{modify_health_check, read_one, set_group_attributes, sync_targets};
use super::{Cx, Found, Kind, elb_find, elbtags, s, strs, with_computed};
use crate::aws;
use crate::model::*;
use crate::stack::{Diagnostic, Diagnostics, Resource, Stack};

pub struct TargetGroup;

const PROTOCOL: Ty = Ty::Enum(&["HTTP", "HTTPS", "TCP", "UDP", "TCP_UDP", "TLS"]);
const HEALTH_PROTOCOL: Ty = Ty::Enum(&["HTTP", "HTTPS", "TCP"]);

static SCHEMA: Schema = Schema {
    kind: "target_group",
    doc: "A load balancer target group: HTTP or HTTPS for an application load balancer, TCP, UDP, TCP_UDP or TLS for a network one. The health check is set with the flat `health_check_*` attributes.",
    ref_attr: "arn",
    singleton: false,
    attrs: &[
        attr(
            "name",
            Ty::Str,
            Presence::Optional,
            Update::ForceNew,
            "Name, unique in the account and region, at most 32 characters (default: `<stack>-<name>-tg` with `_` as `-`; cut to 25 characters plus a 6-digit hash when longer).",
        ),
        attr("protocol", PROTOCOL, Presence::Default(Lit::Str("HTTP")), Update::ForceNew, "Protocol to the targets."),
        attr("port", Ty::Port, Presence::Required, Update::ForceNew, "Port the targets receive traffic on.")
            .with(super::limits::PORT),
        attr("vpc", Ty::Ref("vpc"), Presence::Required, Update::ForceNew, "The VPC of the targets."),
        attr(
            "target_type",
            Ty::Enum(&["instance", "ip"]),
            Presence::Default(Lit::Str("instance")),
            Update::ForceNew,
            "What targets are: EC2 instances or IP addresses.",
        ),
        attr(
            "health_check_protocol",
            HEALTH_PROTOCOL,
            Presence::Optional,
            Update::InPlace,
            "Health check protocol (default: the group's `protocol` for HTTP and HTTPS groups, TCP for the others). HTTP and HTTPS groups cannot check over TCP.",
        ),
        attr(
            "health_check_path",
            Ty::Str,
            Presence::Default(Lit::Str("/")),
            Update::InPlace,
            "Health check path (HTTP and HTTPS health checks only).",
        )
        .with(&[Check::Len(1, 1024), Check::Format(&crate::constraint::formats::HTTP_PATH)]),
        attr(
            "health_check_port",
            Ty::Str,
            Presence::Default(Lit::Str("traffic-port")),
            Update::InPlace,
            "Health check port: a number, or `traffic-port` for the group's port.",
        )
        .with(&[Check::Format(&crate::constraint::formats::HEALTH_CHECK_PORT)]),
        attr(
            "health_check_interval",
            Ty::Int,
            Presence::Default(Lit::Int(30)),
            Update::InPlace,
            "Seconds between health checks.",
        )
        .with(&[Check::Range(5, 300)]),
        attr(
            "health_check_timeout",
            Ty::Int,
            Presence::Default(Lit::Int(5)),
            Update::InPlace,
            "Seconds before a health check fails, less than the interval.",
        )
        .with(&[Check::Range(2, 120)]),
        attr(
            "healthy_threshold",
            Ty::Int,
            Presence::Default(Lit::Int(5)),
            Update::InPlace,
            "Consecutive successes before a target is healthy.",
        )
        .with(&[Check::Range(2, 10)]),
        attr(
            "unhealthy_threshold",
            Ty::Int,
            Presence::Default(Lit::Int(2)),
            Update::InPlace,
            "Consecutive failures before a target is unhealthy.",
        )
        .with(&[Check::Range(2, 10)]),
        attr(
            "health_check_matcher",
            Ty::Str,
            Presence::Default(Lit::Str("200")),
            Update::InPlace,
            "HTTP codes that mean healthy: `200`, `200,302` or `200-399` (HTTP and HTTPS health checks only).",
        )
        .with(&[Check::Format(&crate::constraint::formats::MATCHER)]),
        attr(
            "stickiness",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "Stickiness: a load-balancer cookie (`lb_cookie`) for HTTP and HTTPS groups, the client's address (`source_ip`) for TCP, UDP and TCP_UDP ones; TLS groups have none.",
        ),
        attr(
            "stickiness_duration",
            Ty::Int,
            Presence::Default(Lit::Int(86400)),
            Update::InPlace,
            "Seconds the stickiness cookie lasts (HTTP and HTTPS groups).",
        )
        .with(&[Check::Range(1, 604_800)]),
        attr(
            "deregistration_delay",
            Ty::Int,
            Presence::Default(Lit::Int(300)),
            Update::InPlace,
            "Seconds to drain a deregistered target.",
        )
        .with(&[Check::Range(0, 3600)]),
        attr(
            "targets",
            Ty::Set(&Ty::Ref("instance")),
            Presence::Optional,
            Update::InPlace,
            "Instances to register (`[instance.web]`, or ids). Unset: registered targets are left alone (an Auto Scaling group manages them).",
        ),
        TAGS.with(STRICT_TAG_CHECKS),
        computed("arn", "The target group ARN."),
    ],
};

/// The attributes ModifyTargetGroup changes, and those ModifyTargetGroupAttributes changes.
const HEALTH: &[&str] = &[
    "health_check_protocol",
    "health_check_path",
    "health_check_port",
    "health_check_interval",
    "health_check_timeout",
    "healthy_threshold",
    "unhealthy_threshold",
    "health_check_matcher",
];
const GROUP_ATTRS: &[&str] = &["stickiness", "stickiness_duration", "deregistration_delay"];

#[async_trait]
impl Kind for TargetGroup {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn complete(&self, stack: &str, addr: &Address, attrs: &mut Attrs) {
        super::names::default_elb_name_and_tag(stack, addr, attrs);
        if !attrs.contains_key("health_check_protocol") {
            let protocol = attrs.get("protocol").cloned().unwrap_or_else(|| Value::str("HTTP"));
            let check = if is_http(&protocol) { protocol } else { Value::str("TCP") };
            attrs.insert("health_check_protocol".into(), check);
        }
    }

    fn canonical(&self, attrs: &mut Attrs) {
        if attrs.get("health_check_protocol").and_then(Value::as_str) == Some("TCP") {
            attrs.remove("health_check_path");
            attrs.remove("health_check_matcher");
        }
        if !attrs.get("protocol").is_some_and(is_http) {
            attrs.remove("stickiness_duration");
        }
    }

    fn validate(&self, res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
        super::validate::elb::target_group(res, stack, diags);
        if let Some(name) = res.attrs.get("name").and_then(Value::as_str)
            && let Some(msg) = elbtags::name_problem(name)
        {
            diags.push(
                Diagnostic::error(format!("invalid target group name: {msg}")).at(&res.file, res.span_of("name")),
            );
        }
        for (path, msg) in super::validate::elb::target_group_protocol(res) {
            diags.push(Diagnostic::error(msg).at(&res.file, res.span_of(path)));
        }
        let int = |k: &str| res.attrs.get(k).and_then(Value::as_int);
        if let (Some(t), Some(i)) = (int("health_check_timeout"), int("health_check_interval"))
            && t >= i
        {
            diags.push(
                Diagnostic::error(format!("the health check timeout ({t}s) must be less than its interval ({i}s)"))
                    .at(&res.file, res.span_of("health_check_timeout")),
            );
        }
    }

    fn unique_name(&self, attrs: &Attrs) -> Option<String> {
        attrs.get("name").and_then(Value::as_str).map(String::from)
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let found = elb_find::target_groups(cx).await?;
        let reads = found.mine.into_iter().map(|(g, addr, user)| async move { read_one(cx, &g, addr, user).await });
        let owned = super::read_each(reads.collect()).await?;
        Ok(Found { owned, foreign_names: found.taken, unlisted: found.unlisted, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let call = cx.aws.elb.describe_target_groups();
        let call = if id.starts_with("arn:") { call.target_group_arns(id) } else { call.names(id) };
        let out = adopt::absent(call.send().await.map_err(aws::error))?;
        let Some(g) = out.and_then(|o| o.target_groups().first().cloned()) else { return Ok(None) };
        let arn = g.target_group_arn().unwrap_or_default().to_string();
        let (owner, user) = elbtags::describe_tags(cx, &arn).await?;
        let live = read_one(cx, &g, Address::new("target_group", "adopted"), user).await?;
        Ok(Some(Described { live, owner }))
    }

    async fn take_ownership(&self, cx: &Cx, addr: &Address, live: &LiveObject) -> anyhow::Result<()> {
        elbtags::take(cx, addr, &live.id).await
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let elb = &cx.aws.elb;
        let call = elb
            .create_target_group()
            .name(s(want, "name"))
            .protocol(ProtocolEnum::from(s(want, "protocol")))
            .port(int(want, "port"))
            .vpc_id(s(want, "vpc"))
            .target_type(TargetTypeEnum::from(s(want, "target_type")))
            .health_check_protocol(ProtocolEnum::from(s(want, "health_check_protocol")))
            .set_health_check_path(opt(want, "health_check_path"))
            .health_check_port(s(want, "health_check_port"))
            .health_check_interval_seconds(int(want, "health_check_interval"))
            .health_check_timeout_seconds(int(want, "health_check_timeout"))
            .healthy_threshold_count(int(want, "healthy_threshold"))
            .unhealthy_threshold_count(int(want, "unhealthy_threshold"))
            .set_matcher(matcher(want))
            .set_tags(Some(elbtags::create_tags(cx, addr, want)));
        let out = match call.send().await.map_err(aws::error) {
            // AWS answers a repeated create with the same settings with the existing group; some
            // implementations refuse it: then it is ours if it carries our address.
            Err(e) if e.code.as_deref() == Some("DuplicateTargetGroupName") => {
                let out = elb.describe_target_groups().names(s(want, "name")).send().await.map_err(aws::error)?;
                let arn = out.target_groups().first().and_then(|g| g.target_group_arn()).unwrap_or_default();
                if !elbtags::owned_at(cx, addr, arn).await? {
                    return Err(e.into());
                }
                out.target_groups().to_vec()
            }
            other => other?.target_groups().to_vec(),
        };
        let arn = out.first().and_then(|g| g.target_group_arn()).unwrap_or_default().to_string();
        set_group_attributes(cx, &arn, want).await?;
        if want.contains_key("targets") {
            sync_targets(cx, &arn, &[], &strs(want, "targets")).await?;
        }
        Ok(with_computed(want, [("arn", Value::str(&arn))]))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let differs = |names: &[&str]| names.iter().any(|n| live.attrs.get(*n) != want.get(*n));
        if differs(HEALTH) {
            modify_health_check(cx, &live.id, want).await?;
        }
        if differs(GROUP_ATTRS) {
            set_group_attributes(cx, &live.id, want).await?;
        }
        if want.contains_key("targets") && differs(&["targets"]) {
            sync_targets(cx, &live.id, &strs(&live.attrs, "targets"), &strs(want, "targets")).await?;
        }
        elbtags::sync(cx, live, want).await?;
        Ok(with_computed(want, [("arn", Value::str(&live.id))]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        // The graph deletes or updates the listeners that forward here first; AWS can take a
        // moment to see that they let go.
        let r = retry::on_codes(&["ResourceInUse"], Window::Ec2Propagation.get(), || async {
            cx.aws.elb.delete_target_group().target_group_arn(&live.id).send().await.map_err(aws::error)
        })
        .await;
        match r {
            Err(e) if e.code.as_deref() == Some("TargetGroupNotFound") => Ok(()),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }
}

pub(super) fn is_http(protocol: &Value) -> bool {
    matches!(protocol.as_str(), Some("HTTP" | "HTTPS"))
}

pub(super) fn int(attrs: &Attrs, name: &str) -> i32 {
    attrs.get(name).and_then(Value::as_int).and_then(|i| i32::try_from(i).ok()).unwrap_or_default()
}

/// A string attribute the canonical form may have dropped (a TCP health check's path).
pub(super) fn opt(attrs: &Attrs, name: &str) -> Option<String> {
    attrs.get(name).and_then(Value::as_str).map(String::from)
}

pub(super) fn matcher(want: &Attrs) -> Option<Matcher> {
    opt(want, "health_check_matcher").map(|m| Matcher::builder().http_code(m).build())
}
