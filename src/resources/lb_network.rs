//! What differs between the two kinds of load balancer, kept apart from `load_balancer.rs`:
//! a Network Load Balancer (`type = "network"`) takes TCP, UDP, TCP_UDP and TLS listeners that
//! only forward, Elastic IPs per subnet (`subnet_mapping` blocks), cross-zone balancing and
//! optional security groups; an Application Load Balancer takes HTTP and HTTPS listeners with
//! rules, redirects and fixed responses, and an idle timeout. Pure (the schema of
//! `subnet_mapping`, the canonical form, the checks and the changes AWS makes only by
//! replacing), but for `set_attributes`, the one call whose keys differ by type.
//!
//! AWS's rules, as hashicorp/terraform-provider-aws `elbv2/load_balancer.go` applies them
//! (`customizeDiffLoadBalancerNLB`): a network load balancer's subnets can be added but never
//! removed, a changed Elastic IP mapping replaces it, and one created without security groups
//! can never get any (nor lose all it has).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_elasticloadbalancingv2::types::{LoadBalancer as AwsLb, LoadBalancerAttribute, SubnetMapping};

use super::{Cx, strs};
use crate::aws;
use crate::model::*;
use crate::stack::{Resource, Stack};

pub const NETWORK: &str = "network";

/// Listener protocols of each type.
pub const NETWORK_PROTOCOLS: &[&str] = &["TCP", "UDP", "TCP_UDP", "TLS"];
pub const APPLICATION_PROTOCOLS: &[&str] = &["HTTP", "HTTPS"];

pub static MAPPING: &[AttrSpec] = &[
    attr("subnet", Ty::Ref("subnet"), Presence::Required, Update::ForceNew, "The subnet (one per zone)."),
    attr(
        "elastic_ip",
        Ty::Ref("elastic_ip"),
        Presence::Optional,
        Update::ForceNew,
        "Network load balancers: the Elastic IP (its allocation id) the balancer answers on in this subnet.",
    ),
];

type Map = BTreeMap<String, Value>;

pub fn is_network(attrs: &Attrs) -> bool {
    attrs.get("type").and_then(Value::as_str) == Some(NETWORK)
}

/// Defaults that depend on the type: cross-zone balancing off on a network load balancer (AWS's
/// default), and `subnets` taken from `subnet_mapping` blocks when only those are written.
pub fn complete(attrs: &mut Attrs) {
    if is_network(attrs) {
        attrs.entry("cross_zone".into()).or_insert(Value::Bool(false));
    }
    let mapped: Vec<Value> = mappings(attrs).filter_map(|m| m.get("subnet").cloned()).collect();
    if !attrs.contains_key("subnets") && !mapped.is_empty() {
        attrs.insert("subnets".into(), Value::List(mapped));
    }
}

fn mappings(attrs: &Attrs) -> impl Iterator<Item = &Map> {
    attrs.get("subnet_mapping").map(Value::as_list).unwrap_or_default().iter().filter_map(Value::as_map)
}

/// `subnet_mapping` as the set of subnets that have an Elastic IP: a mapping without one says
/// no more than `subnets` does, so the stack file and the account compare the same however the
/// subnets are written.
pub fn canonical(attrs: &mut Attrs) {
    if !attrs.contains_key("subnet_mapping") {
        return;
    }
    let mut out: Vec<Value> = mappings(attrs)
        .filter(|m| m.get("elastic_ip").is_some_and(|e| !e.is_null()))
        .map(|m| {
            let keep = ["subnet", "elastic_ip"].iter().filter_map(|k| Some((k.to_string(), m.get(*k)?.clone())));
            Value::Map(keep.collect())
        })
        .collect();
    out.sort();
    attrs.insert("subnet_mapping".into(), Value::List(out));
}

/// The in-place changes a network load balancer can only make by being replaced.
pub fn forces(live: &Attrs, want: &Attrs) -> Vec<&'static str> {
    if !is_network(want) {
        return vec![];
    }
    let list = |a: &Attrs, k: &str| a.get(k).map(|v| v.as_list().to_vec()).unwrap_or_default();
    let mut out = vec![];
    let (had, has) = (list(live, "subnets"), list(want, "subnets"));
    // Unknown ids (a subnet being made) are additions, never removals.
    if had.iter().any(|s| !has.contains(s)) && !has.iter().any(Value::has_unknown) {
        out.push("subnets");
    }
    let (had, has) = (list(live, "security_groups"), list(want, "security_groups"));
    if want.contains_key("security_groups") && had.is_empty() != has.is_empty() {
        out.push("security_groups");
    }
    out
}

/// What one type of load balancer does not take, each with the path it is written at.
pub fn problems(res: &Resource) -> Vec<(String, String)> {
    let network = is_network(&res.attrs);
    let written = |p: &str| res.spans.contains_key(p);
    let mut out = vec![];
    let has_subnets = res.attrs.get("subnets").is_some_and(|v| !v.is_null());
    let mapped = mappings(&res.attrs).count();
    if has_subnets && mapped > 0 {
        out.push(("subnet_mapping[0]".into(), "write `subnets` or `subnet_mapping` blocks, not both".into()));
    } else if !has_subnets && mapped == 0 {
        out.push((String::new(), "a load balancer needs `subnets` or `subnet_mapping { subnet = … }` blocks".into()));
    }
    if network {
        if written("idle_timeout") {
            out.push((
                "idle_timeout".into(),
                "`idle_timeout` applies only to application load balancers (a network load balancer's TCP idle timeout is fixed at 350 s)".into(),
            ));
        }
    } else {
        if written("cross_zone") {
            out.push((
                "cross_zone".into(),
                "`cross_zone` applies only to network load balancers; an application load balancer always balances across zones".into(),
            ));
        }
        for (i, m) in mappings(&res.attrs).enumerate() {
            if m.get("elastic_ip").is_some_and(|e| !e.is_null()) {
                out.push((
                    format!("subnet_mapping[{i}].elastic_ip"),
                    "Elastic IPs apply only to network load balancers (`type = \"network\"`)".into(),
                ));
            }
        }
    }
    out.extend(listener_problems(res, network));
    out
}

/// Listener protocols and actions the load balancer's type does not take.
fn listener_problems(res: &Resource, network: bool) -> Vec<(String, String)> {
    let mut out = vec![];
    let listeners = res.attrs.get("listener").map(Value::as_list).unwrap_or_default();
    for (i, l) in listeners.iter().enumerate().filter_map(|(i, l)| Some((i, l.as_map()?))) {
        let here = format!("listener[{i}]");
        let protocol = l.get("protocol").and_then(Value::as_str).unwrap_or("HTTP");
        let allowed = if network { NETWORK_PROTOCOLS } else { APPLICATION_PROTOCOLS };
        let what = if network { "a network" } else { "an application" };
        if network && !res.spans.contains_key(&format!("{here}.protocol")) {
            out.push((
                here.clone(),
                "a network load balancer's listener needs `protocol`: TCP, UDP, TCP_UDP or TLS".into(),
            ));
        } else if !allowed.contains(&protocol) {
            out.push((
                format!("{here}.protocol"),
                format!("{what} load balancer's listeners take {}, not {protocol}", allowed.join(", ")),
            ));
        }
        if !network {
            continue;
        }
        for k in ["redirect", "fixed_response", "rule", "forward_to"] {
            if !l.get(k).map(Value::as_list).unwrap_or_default().is_empty() {
                out.push((
                    format!("{here}.{k}[0]"),
                    format!(
                        "`{k}` is for application load balancers; a network load balancer's listener only forwards"
                    ),
                ));
            }
        }
    }
    out
}

/// The subnets as written: `subnets`, or the `subnet` of each `subnet_mapping` block.
pub(super) fn subnet_values(res: &Resource) -> Vec<Value> {
    if let Some(v) = res.attrs.get("subnets").filter(|v| !v.is_null()) {
        return v.as_list().to_vec();
    }
    let maps = res.attrs.get("subnet_mapping").map(Value::as_list).unwrap_or_default();
    maps.iter().filter_map(|m| m.as_map()?.get("subnet").cloned()).collect()
}

/// The stack's subnets the load balancer is placed in.
pub(super) fn subnets_of<'a>(stack: &'a Stack, res: &Resource) -> Vec<&'a Resource> {
    let mut refs = vec![];
    for v in subnet_values(res) {
        v.refs(&mut refs);
    }
    refs.iter().filter_map(|r| stack.resource(&r.addr)).collect()
}

/// One mapping per subnet, with its Elastic IP's allocation id where one is given.
pub(super) fn subnet_mappings(want: &Attrs) -> Vec<SubnetMapping> {
    let eips: HashMap<&str, &str> = want
        .get("subnet_mapping")
        .map(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| Some((m.as_map()?.get("subnet")?.as_str()?, m.as_map()?.get("elastic_ip")?.as_str()?)))
        .collect();
    let one = |sub: &str| {
        SubnetMapping::builder().subnet_id(sub).set_allocation_id(eips.get(sub).map(|e| e.to_string())).build()
    };
    strs(want, "subnets").into_iter().map(one).collect()
}

/// Fewer than two subnets, or subnets all declared in one literal AZ.
pub(super) fn zone_problem(res: &Resource, stack: &Stack) -> Option<String> {
    let subnets = subnet_values(res);
    if subnets.len() < 2 {
        return Some(format!("a load balancer needs at least two subnets; {} has {}", res.addr, subnets.len()));
    }
    let mut zones = BTreeSet::new();
    for s in &subnets {
        let Value::Ref(r) = s else { return None };
        let az = stack.resource(&r.addr).and_then(|sub| sub.attrs.get("az")).and_then(Value::as_str);
        zones.insert(az?.to_string());
    }
    (zones.len() < 2).then(|| {
        format!(
            "the subnets of {} are all in {}; they must span at least two Availability Zones",
            res.addr,
            zones.iter().next().map_or("", String::as_str)
        )
    })
}

/// The subnets whose address is an Elastic IP, with its allocation id, as `subnet_mapping`.
pub(super) fn mapped_addresses(lb: &AwsLb) -> Value {
    let mapped = lb.availability_zones().iter().filter_map(|z| {
        let eip = z.load_balancer_addresses().iter().find_map(|a| a.allocation_id())?;
        let m = [("subnet", z.subnet_id()?), ("elastic_ip", eip)];
        Some(Value::Map(m.into_iter().map(|(k, v)| (k.to_string(), Value::str(v))).collect()))
    });
    let mut out: Vec<Value> = mapped.collect();
    out.sort();
    Value::List(out)
}

/// The attributes of the balancer's type: AWS refuses another type's keys (ValidationError).
pub(super) async fn set_attributes(cx: &Cx, arn: &str, want: &Attrs) -> anyhow::Result<()> {
    let protect = want.get("deletion_protection").and_then(Value::as_bool).unwrap_or(false);
    let mut pairs = vec![("deletion_protection.enabled", protect.to_string())];
    if is_network(want) {
        let cross = want.get("cross_zone").and_then(Value::as_bool).unwrap_or(false);
        pairs.push(("load_balancing.cross_zone.enabled", cross.to_string()));
    } else {
        let idle = want.get("idle_timeout").and_then(Value::as_int).unwrap_or(60);
        pairs.push(("idle_timeout.timeout_seconds", idle.to_string()));
    }
    let attrs = pairs.into_iter().map(|(k, v)| LoadBalancerAttribute::builder().key(k).value(v).build()).collect();
    let call = cx.aws.elb.modify_load_balancer_attributes().load_balancer_arn(arn).set_attributes(Some(attrs));
    call.send().await.map_err(aws::error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, Value)]) -> Attrs {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    fn mapping(subnet: &str, eip: Option<&str>) -> Value {
        let mut m = Map::from([("subnet".to_string(), Value::str(subnet))]);
        m.extend(eip.map(|e| ("elastic_ip".to_string(), Value::str(e))));
        Value::Map(m)
    }

    #[test]
    fn subnets_come_from_mappings_and_mappings_without_an_address_drop_out() {
        let mut a = attrs(&[
            ("type", Value::str("network")),
            ("subnet_mapping", Value::List(vec![mapping("s-2", Some("e-2")), mapping("s-1", None)])),
        ]);
        complete(&mut a);
        canonical(&mut a);
        assert_eq!(a["subnets"], Value::List(vec![Value::str("s-2"), Value::str("s-1")]));
        assert_eq!(a["subnet_mapping"], Value::List(vec![mapping("s-2", Some("e-2"))]));
        assert_eq!(a["cross_zone"], Value::Bool(false));
    }

    #[test]
    fn a_network_balancer_loses_no_subnet_and_gains_groups_only_by_replacement() {
        let net = |subnets: &[&str], groups: &[&str]| {
            attrs(&[
                ("type", Value::str("network")),
                ("subnets", str_set(subnets.iter().copied())),
                ("security_groups", str_set(groups.iter().copied())),
            ])
        };
        assert!(forces(&net(&["a"], &[]), &net(&["a", "b"], &[])).is_empty(), "adding a subnet is in place");
        assert_eq!(forces(&net(&["a", "b"], &[]), &net(&["a"], &[])), ["subnets"]);
        assert_eq!(forces(&net(&["a"], &[]), &net(&["a"], &["sg"])), ["security_groups"]);
        assert!(forces(&net(&["a"], &["sg1"]), &net(&["a"], &["sg2"])).is_empty());
        let mut alb = net(&["a", "b"], &[]);
        alb.insert("type".into(), Value::str("application"));
        let mut want = alb.clone();
        want.insert("subnets".into(), str_set(["a"]));
        assert!(forces(&alb, &want).is_empty(), "application load balancers change subnets in place");
    }
}
