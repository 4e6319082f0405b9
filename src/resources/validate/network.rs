//! Networking and compute placement: zones of the stack's region, route tables whose routes,
//! gateways and subnets belong together, security groups and instances in the VPC they are
//! used in, and at most one Elastic IP per instance.

use super::{error, same_vpc, show, target, targets, vpc_of, zone_in_region};
use crate::model::Value;
use crate::stack::{Diagnostics, Resource, Stack};

pub fn subnet(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    zone_in_region(res, stack, "az", diags);
}

/// Routes with one destination each, to a gateway attached to this VPC, for subnets of this
/// VPC that no other table of the stack claims.
pub fn route_table(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    let vpc = res.attrs.get("vpc");
    let mut seen: Vec<&str> = vec![];
    for (i, route) in res.attrs.get("route").map(Value::as_list).unwrap_or_default().iter().enumerate() {
        let Some(m) = route.as_map() else { continue };
        let path = format!("route[{i}]");
        if let Some(cidr) = m.get("cidr").and_then(Value::as_str) {
            if seen.contains(&cidr) {
                diags.push(error(
                    res,
                    &path,
                    format!("two routes to {cidr}; a route table has one route per destination"),
                ));
            }
            seen.push(cidr);
        }
        route_target(res, stack, &path, m, vpc, diags);
        if let Some(gw) = target(stack, m.get("gateway")) {
            match gw.attrs.get("vpc").filter(|v| !v.is_null()) {
                None => diags.push(error(res, &path, format!("{} is not attached to a VPC; set its `vpc`", gw.addr))),
                Some(gv) if Some(gv) != vpc => diags.push(error(
                    res,
                    &path,
                    format!(
                        "{} is attached to {}, not to this table's VPC {}",
                        gw.addr,
                        show(gv),
                        vpc.map(show).unwrap_or_default()
                    ),
                )),
                _ => {}
            }
        }
    }
    if let Some(vpc) = vpc {
        same_vpc(stack, res, "subnets", vpc, &targets(stack, res, "subnets"), diags);
    }
    // A subnet has one route table association.
    let earlier = stack.resources.iter().take_while(|r| r.addr != res.addr).filter(|r| r.addr.kind == res.addr.kind);
    for other in earlier {
        for subnet in targets(stack, res, "subnets") {
            if targets(stack, other, "subnets").iter().any(|s| s.addr == subnet.addr) {
                diags.push(error(
                    res,
                    "subnets",
                    format!("{} is already associated with {}; a subnet has one route table", subnet.addr, other.addr),
                ));
            }
        }
    }
}

/// A route has exactly one target; a NAT gateway it sends to sits in this table's VPC.
fn route_target(
    res: &Resource,
    stack: &Stack,
    path: &str,
    m: &std::collections::BTreeMap<String, Value>,
    vpc: Option<&Value>,
    diags: &mut Diagnostics,
) {
    let set = |k: &str| m.get(k).is_some_and(|v| !v.is_null());
    match (set("gateway"), set("nat_gateway")) {
        (true, true) => diags.push(
            error(res, path, "a route has one target; this one has both `gateway` and `nat_gateway`")
                .hint("keep `gateway` for the internet gateway of a public subnet, `nat_gateway` for a private one"),
        ),
        (false, false) => diags.push(
            error(res, path, "a route needs a target: `gateway` (an internet gateway) or `nat_gateway`")
                .hint("add `gateway = internet_gateway.NAME` or `nat_gateway = nat_gateway.NAME`"),
        ),
        _ => {}
    }
    let Some(nat) = target(stack, m.get("nat_gateway")) else { return };
    let Some(theirs) = target(stack, nat.attrs.get("subnet")).and_then(|s| vpc_of(stack, s)) else { return };
    if let Some(vpc) = vpc.filter(|v| *v != theirs) {
        diags.push(error(
            res,
            path,
            format!("{} is in a subnet of {}, not of this table's VPC {}", nat.addr, show(theirs), show(vpc)),
        ));
    }
}

/// A NAT gateway's Elastic IP is its own: not on an instance, not shared with another gateway
/// (AWS fails the gateway with Resource.AlreadyAssociated).
pub fn nat_gateway(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    let Some(eip) = res.attrs.get("elastic_ip") else { return };
    if let Some(addr) = target(stack, Some(eip)).filter(|a| a.attrs.get("instance").is_some_and(|v| !v.is_null())) {
        diags.push(error(res, "elastic_ip", format!("{} is associated with an instance", addr.addr)).hint(format!(
            "give the NAT gateway an Elastic IP of its own, without `instance`, or drop `instance` from {}",
            addr.addr
        )));
    }
    let earlier = stack.resources.iter().take_while(|r| r.addr != res.addr).filter(|r| r.addr.kind == res.addr.kind);
    if let Some(first) = earlier.into_iter().find(|r| r.attrs.get("elastic_ip") == Some(eip)) {
        diags.push(error(res, "elastic_ip", format!("{} already uses {}", first.addr, show(eip))).hint(
            "each NAT gateway needs its own Elastic IP; with for_each, give each key its own `elastic_ip` block",
        ));
    }
}

/// ICMP rules name a type and a code, each 0-255, in `from_port` and `to_port`.
pub fn icmp_problem(m: &std::collections::BTreeMap<String, Value>) -> Option<String> {
    if m.get("protocol").and_then(Value::as_str) != Some("icmp") {
        return None;
    }
    ["port", "from_port", "to_port"].iter().find_map(|k| {
        let n = m.get(*k).and_then(Value::as_int).filter(|n| *n > 255)?;
        Some(format!("ICMP types and codes are 0-255; {k} is {n}"))
    })
}

/// An instance's security groups belong to its subnet's VPC, and its role has an instance
/// profile to hand over.
pub fn instance(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    if let Some(vpc) = vpc_of(stack, res) {
        same_vpc(stack, res, "security_groups", vpc, &targets(stack, res, "security_groups"), diags);
    }
    role_has_profile(res, stack, diags);
}

/// EC2 takes a role through its instance profile, which stackr keeps only with
/// `instance_profile = true`.
pub fn role_has_profile(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    let Some(role) = target(stack, res.attrs.get("role")) else { return };
    if role.attrs.get("instance_profile").and_then(Value::as_bool) != Some(true) {
        diags.push(
            error(res, "role", format!("{} has no instance profile to give this {}", role.addr, res.addr.kind))
                .hint(format!("set `instance_profile = true` in {}", role.addr)),
        );
    }
}

/// An instance holds one Elastic IP here: a second association would take the first away.
pub fn elastic_ip(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    let Some(instance) = res.attrs.get("instance").filter(|v| !v.is_null()) else { return };
    let earlier = stack.resources.iter().take_while(|r| r.addr != res.addr).filter(|r| r.addr.kind == res.addr.kind);
    if let Some(first) = earlier.into_iter().find(|r| r.attrs.get("instance") == Some(instance)) {
        diags.push(
            error(res, "instance", format!("{} is already associated with {}", show(instance), first.addr))
                .hint("associating a second address to an instance's primary IP moves the first one off it"),
        );
    }
}

/// An internet-facing load balancer, or an Elastic IP on an instance, in a VPC this stack makes
/// without an internet gateway: AWS refuses it mid-apply (InvalidSubnet "VPC … has no internet
/// gateway", Gateway.NotAttached). VPCs not declared here may have one: not judged.
pub fn needs_gateway(res: &Resource, stack: &Stack, attr: &str, subnets: &[&Resource], diags: &mut Diagnostics) {
    let vpcs: Vec<&Resource> = subnets.iter().filter_map(|s| super::target(stack, super::vpc_of(stack, s))).collect();
    if vpcs.is_empty()
        || vpcs.len() < subnets.len()
        || !crate::resources::gateways_for_subnets(stack, subnets).is_empty()
    {
        return;
    }
    let what = match res.addr.kind.as_str() {
        "load_balancer" => "an internet-facing load balancer",
        "nat_gateway" => "a public NAT gateway",
        _ => "an Elastic IP",
    };
    diags.push(
        error(
            res,
            attr,
            format!("{what} needs its VPC's internet gateway, and {} has none in this stack", vpcs[0].addr),
        )
        .hint(format!(
            "add `internet_gateway \"main\" {{ vpc = {} }}`{}",
            vpcs[0].addr,
            if res.addr.kind == "load_balancer" { ", or make the load balancer `scheme = \"internal\"`" } else { "" }
        )),
    );
}
