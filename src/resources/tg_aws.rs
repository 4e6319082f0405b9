//! A target group in the account: read whole (the group, its attributes and its registered
//! targets, in parallel) and brought to a wanted health check, attributes and targets.

use std::collections::HashMap;

use aws_sdk_elasticloadbalancingv2::types::{
    ProtocolEnum, TargetDescription, TargetGroup as AwsGroup, TargetGroupAttribute, TargetHealthDescription,
    TargetHealthStateEnum,
};

use super::retry::{self, Window};
use super::target_group::{int, matcher, opt};
use super::{Cx, s};
use crate::aws;
use crate::model::*;

fn num(v: Option<i32>) -> Value {
    v.map_or(Value::Null, |i| Value::Int(i64::from(i)))
}

/// One owned group's attributes: the group itself, plus its attributes and registered targets
/// (two calls, made together).
pub(super) async fn read_one(cx: &Cx, g: &AwsGroup, addr: Address, tags: Value) -> anyhow::Result<LiveObject> {
    let arn = g.target_group_arn().unwrap_or_default().to_string();
    let elb = &cx.aws.elb;
    let (extra, health) = tokio::try_join!(
        async { elb.describe_target_group_attributes().target_group_arn(&arn).send().await.map_err(aws::error) },
        async { elb.describe_target_health().target_group_arn(&arn).send().await.map_err(aws::error) },
    )?;
    let extra: HashMap<&str, &str> = extra.attributes().iter().filter_map(|a| Some((a.key()?, a.value()?))).collect();
    // Defaults AWS documents, for implementations that leave an attribute out.
    let number =
        |k: &str, default: i64| extra.get(k).and_then(|v| v.parse().ok()).map_or(Value::Int(default), Value::Int);
    let sticky = extra.get("stickiness.enabled") == Some(&"true");
    // A deregistered target stays listed while it drains; it is already gone as far as the
    // stack is concerned.
    let draining = |d: &&TargetHealthDescription| {
        d.target_health().and_then(|h| h.state()) == Some(&TargetHealthStateEnum::Draining)
    };
    let targets = health
        .target_health_descriptions()
        .iter()
        .filter(|d| !draining(d))
        .filter_map(|d| d.target()?.id().map(String::from));
    let str_of = |v: Option<&str>| Value::from(v.map(String::from));
    let attrs = Attrs::from([
        ("name".into(), str_of(g.target_group_name())),
        ("protocol".into(), str_of(g.protocol().map(|p| p.as_str()))),
        ("port".into(), num(g.port())),
        ("vpc".into(), str_of(g.vpc_id())),
        ("target_type".into(), str_of(g.target_type().map(|t| t.as_str()))),
        ("health_check_protocol".into(), str_of(g.health_check_protocol().map(|p| p.as_str()))),
        ("health_check_path".into(), str_of(g.health_check_path())),
        ("health_check_port".into(), str_of(g.health_check_port())),
        ("health_check_interval".into(), num(g.health_check_interval_seconds())),
        ("health_check_timeout".into(), num(g.health_check_timeout_seconds())),
        ("healthy_threshold".into(), num(g.healthy_threshold_count())),
        ("unhealthy_threshold".into(), num(g.unhealthy_threshold_count())),
        ("health_check_matcher".into(), str_of(g.matcher().and_then(|m| m.http_code()))),
        ("stickiness".into(), Value::Bool(sticky)),
        ("stickiness_duration".into(), number("stickiness.lb_cookie.duration_seconds", 86400)),
        ("deregistration_delay".into(), number("deregistration_delay.timeout_seconds", 300)),
        ("targets".into(), str_set(targets)),
        ("tags".into(), tags),
        ("arn".into(), Value::str(&arn)),
    ]);
    Ok(LiveObject { addr, id: arn, attrs })
}

pub(super) async fn modify_health_check(cx: &Cx, arn: &str, want: &Attrs) -> anyhow::Result<()> {
    cx.aws
        .elb
        .modify_target_group()
        .target_group_arn(arn)
        .health_check_protocol(ProtocolEnum::from(s(want, "health_check_protocol")))
        .set_health_check_path(opt(want, "health_check_path"))
        .health_check_port(s(want, "health_check_port"))
        .health_check_interval_seconds(int(want, "health_check_interval"))
        .health_check_timeout_seconds(int(want, "health_check_timeout"))
        .healthy_threshold_count(int(want, "healthy_threshold"))
        .unhealthy_threshold_count(int(want, "unhealthy_threshold"))
        .set_matcher(matcher(want))
        .send()
        .await
        .map_err(aws::error)?;
    Ok(())
}

/// Stickiness and deregistration delay, always sent together so they are explicit in the
/// account. AWS refuses a stickiness type the protocol does not take (InvalidConfigurationRequest):
/// cookies for HTTP and HTTPS, the client's address for TCP, UDP and TCP_UDP, none for TLS.
pub(super) async fn set_group_attributes(cx: &Cx, arn: &str, want: &Attrs) -> anyhow::Result<()> {
    let sticky = want.get("stickiness").and_then(Value::as_bool).unwrap_or(false);
    let mut pairs = vec![("deregistration_delay.timeout_seconds", int(want, "deregistration_delay").to_string())];
    match s(want, "protocol") {
        "HTTP" | "HTTPS" => pairs.extend([
            ("stickiness.enabled", sticky.to_string()),
            ("stickiness.type", "lb_cookie".to_string()),
            ("stickiness.lb_cookie.duration_seconds", int(want, "stickiness_duration").to_string()),
        ]),
        "TLS" => {}
        _ => pairs.extend([("stickiness.enabled", sticky.to_string()), ("stickiness.type", "source_ip".to_string())]),
    }
    let attrs = pairs.into_iter().map(|(k, v)| TargetGroupAttribute::builder().key(k).value(v).build()).collect();
    let call = cx.aws.elb.modify_target_group_attributes().target_group_arn(arn).set_attributes(Some(attrs));
    call.send().await.map_err(aws::error)?;
    Ok(())
}

/// Registers what is wanted and missing, deregisters what is registered and unwanted.
pub(super) async fn sync_targets(cx: &Cx, arn: &str, have: &[&str], want: &[&str]) -> anyhow::Result<()> {
    let target = |id: &&str| TargetDescription::builder().id(*id).build();
    let add: Vec<TargetDescription> = want.iter().filter(|t| !have.contains(t)).map(target).collect();
    let remove: Vec<TargetDescription> = have.iter().filter(|t| !want.contains(t)).map(target).collect();
    let elb = &cx.aws.elb;
    if !remove.is_empty() {
        elb.deregister_targets().target_group_arn(arn).set_targets(Some(remove)).send().await.map_err(aws::error)?;
    }
    if !add.is_empty() {
        // Instances still starting are refused (InvalidTarget) until they run.
        let call = elb.register_targets().target_group_arn(arn).set_targets(Some(add));
        retry::on_codes(&["InvalidTarget"], Window::State.get(), || async {
            call.clone().send().await.map_err(aws::error)
        })
        .await?;
    }
    Ok(())
}
