//! Load balancing: a load balancer's subnets, security groups and target groups in one VPC
//! with one subnet per zone, and a target group's registered instances in its VPC.

use std::collections::BTreeMap;

use super::{error, same_vpc, target, targets, vpc_of, zone_of};
use crate::model::Value;
use crate::resources::target_group::is_http;
use crate::stack::{Diagnostics, Resource, Stack};

pub fn target_group(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    let given = res.attrs.get("targets").is_some_and(|t| !t.as_list().is_empty());
    if given && res.attrs.get("target_type").and_then(Value::as_str) == Some("ip") {
        diags.push(
            error(res, "targets", "`targets` registers instances, but this group's target_type is \"ip\"")
                .hint("set target_type = \"instance\", or register IP targets outside stackr"),
        );
    }
    if let Some(vpc) = res.attrs.get("vpc") {
        same_vpc(stack, res, "targets", vpc, &targets(stack, res, "targets"), diags);
    }
}

pub fn load_balancer(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    let subnets = targets(stack, res, "subnets");
    let Some(vpc) = subnets.iter().find_map(|s| vpc_of(stack, s)) else { return };
    same_vpc(stack, res, "subnets", vpc, &subnets, diags);
    let mut zones: BTreeMap<&str, &Resource> = BTreeMap::new();
    for s in &subnets {
        let Some(az) = zone_of(stack, s) else { continue };
        if let Some(first) = zones.insert(az, s) {
            diags.push(error(
                res,
                "subnets",
                format!(
                    "{} and {} are both in {az}; a load balancer takes one subnet per availability zone",
                    first.addr, s.addr
                ),
            ));
        }
    }
    same_vpc(stack, res, "security_groups", vpc, &targets(stack, res, "security_groups"), diags);
    forwards(res, stack, vpc, diags);
}

/// Target groups the listeners and rules forward to are in the load balancer's VPC.
fn forwards(res: &Resource, stack: &Stack, vpc: &Value, diags: &mut Diagnostics) {
    let listeners = res.attrs.get("listener").map(Value::as_list).unwrap_or_default();
    for (i, l) in listeners.iter().enumerate().filter_map(|(i, l)| Some((i, l.as_map()?))) {
        let here = format!("listener[{i}]");
        let mut groups = vec![(here.clone(), l.get("forward"))];
        groups.extend(weighted(l).map(|g| (here.clone(), g)));
        for (j, r) in l.get("rule").map(Value::as_list).unwrap_or_default().iter().enumerate() {
            let Some(r) = r.as_map() else { continue };
            groups.push((format!("{here}.rule[{j}]"), r.get("forward")));
            groups.extend(weighted(r).map(|g| (format!("{here}.rule[{j}]"), g)));
        }
        let protocol = l.get("protocol").and_then(Value::as_str).unwrap_or("HTTP");
        for (path, forward) in groups {
            if let Some(tg) = target(stack, forward) {
                same_vpc(stack, res, &path, vpc, &[tg], diags);
                let theirs = tg.attrs.get("protocol").and_then(Value::as_str).unwrap_or("HTTP");
                if !accepted(protocol).is_empty() && !forwards_to(protocol, theirs) {
                    diags.push(
                        error(
                            res,
                            &format!("{path}.forward"),
                            format!(
                                "{} {protocol} listener cannot forward to {}, a {theirs} target group",
                                article(protocol),
                                tg.addr
                            ),
                        )
                        .hint(format!(
                            "give {} a protocol this listener can use: {}",
                            tg.addr,
                            accepted(protocol).join(", ")
                        )),
                    );
                }
            }
        }
    }
}

/// Target group protocols a listener of `protocol` forwards to (ELBv2 CreateListener:
/// IncompatibleProtocols otherwise).
fn accepted(protocol: &str) -> &'static [&'static str] {
    match protocol {
        "HTTP" | "HTTPS" => &["HTTP", "HTTPS"],
        "TCP" => &["TCP", "TCP_UDP"],
        "UDP" => &["UDP", "TCP_UDP"],
        "TCP_UDP" => &["TCP_UDP"],
        "TLS" => &["TCP", "TLS"],
        _ => &[],
    }
}

fn forwards_to(listener: &str, group: &str) -> bool {
    accepted(listener).contains(&group)
}

fn article(protocol: &str) -> &'static str {
    if protocol.starts_with('H') { "an" } else { "a" }
}

/// The target groups of a listener's or rule's `forward_to` blocks.
fn weighted(m: &std::collections::BTreeMap<String, Value>) -> impl Iterator<Item = Option<&Value>> {
    let blocks = m.get("forward_to").map(Value::as_list).unwrap_or_default();
    blocks.iter().map(|b| b.as_map().and_then(|b| b.get("target_group")))
}

/// Health check and stickiness settings the group's protocol does not take, as AWS refuses
/// them (provider `elbv2/target_group.go`, `resourceTargetGroupCustomizeDiff`).
pub fn target_group_protocol(res: &Resource) -> Vec<(&'static str, String)> {
    let protocol = res.attrs.get("protocol").cloned().unwrap_or_else(|| Value::str("HTTP"));
    let name = protocol.as_str().unwrap_or_default().to_string();
    let check = res.attrs.get("health_check_protocol").and_then(Value::as_str);
    let written = |k: &str| res.spans.contains_key(k);
    let mut out = vec![];
    if is_http(&protocol) && check == Some("TCP") {
        out.push(("health_check_protocol", format!("an {name} target group cannot check its targets over TCP")));
    }
    let tcp_check = check == Some("TCP") || (check.is_none() && !is_http(&protocol));
    for k in ["health_check_path", "health_check_matcher"] {
        if tcp_check && written(k) {
            out.push((k, format!("`{k}` applies only to HTTP and HTTPS health checks; this one is TCP")));
        }
    }
    if !is_http(&protocol) && written("stickiness_duration") {
        out.push((
            "stickiness_duration",
            format!("a {name} target group's stickiness is by client address, without a cookie or duration"),
        ));
    }
    if name == "TLS" && res.attrs.get("stickiness").and_then(Value::as_bool) == Some(true) {
        out.push(("stickiness", "a TLS target group cannot be sticky".into()));
    }
    out
}
