//! Resource kinds. Each kind is one file implementing [`Kind`] (its schema, how to find the
//! objects the stack owns, and create/update/delete), listed once in [`KINDS`]. Discovery,
//! planning, apply and rendering are generic over this trait, so adding a kind touches
//! nothing else.

pub mod adopt;
mod asg_alarms;
mod asg_aws;
mod asg_live;
mod asg_mixed;
mod asg_refresh;
mod asg_requests;
mod asg_scaling;
mod asg_step;
mod asg_wait;
mod asg_warm;
mod autoscaling_group;
pub mod claims;
mod ec2tags;
mod elastic_ip;
mod elb_find;
mod elbtags;
pub(crate) mod eventual;
mod iam_group;
mod iam_password_policy;
mod iam_policy;
mod iam_read;
mod iam_role;
mod iam_user;
mod iam_user_creds;
mod instance;
mod instance_aws;
mod internet_gateway;
mod key_pair;
mod kind;
mod launch_template;
mod lb_actions;
mod lb_aws;
mod lb_certs;
mod lb_listeners;
mod lb_network;
mod limits;
mod load_balancer;
mod names;
mod nat_gateway;
mod poll;
pub(crate) mod retry;
mod route_table;
mod security_group;
mod sg_aws;
mod sg_rules;
mod stackwide;
mod subnet;
mod target_group;
mod tg_aws;
mod uncoded;
pub mod userdata;
mod validate;
mod volume;
mod volume_aws;
pub(crate) mod volume_snapshot;
mod vpc;

pub use kind::{Cx, Found, Kind};

use crate::model::{Address, Attrs, Schema, Value};
use crate::stack::{Diagnostics, Resource, Stack};

/// Every resource kind stackr manages, in the order plans list them.
pub static KINDS: &[&dyn Kind] = &[
    &iam_password_policy::IamPasswordPolicy,
    &iam_group::IamGroup,
    &iam_user::IamUser,
    &iam_role::IamRole,
    &vpc::Vpc,
    &subnet::Subnet,
    &internet_gateway::InternetGateway,
    &route_table::RouteTable,
    &security_group::SecurityGroup,
    &key_pair::KeyPair,
    &instance::Instance,
    &volume::Volume,
    &elastic_ip::ElasticIp,
    &nat_gateway::NatGateway,
    &launch_template::LaunchTemplate,
    &target_group::TargetGroup,
    &load_balancer::LoadBalancer,
    &autoscaling_group::AutoscalingGroup,
];

pub fn kind(name: &str) -> Option<&'static dyn Kind> {
    KINDS.iter().copied().find(|k| k.schema().kind == name)
}

pub fn schemas() -> Vec<&'static Schema> {
    KINDS.iter().map(|k| k.schema()).collect()
}

/// Runs every kind's cross-resource checks on a loaded stack and adds the dependencies kinds
/// imply without a reference in the file. Errors in the result mean nothing may be sent.
pub fn check(stack: &mut Stack) -> Diagnostics {
    let mut diags = Diagnostics::default();
    stackwide::derived_values(stack, &mut diags);
    stackwide::address_tags(stack, &mut diags);
    stackwide::unique_names(stack, &mut diags);
    stackwide::security_group_names(stack, &mut diags);
    asg_refresh::pin_versions(stack);
    let mut implied = vec![];
    for res in &stack.resources {
        let kind = kind(&res.addr.kind).expect("stack kinds are checked at load");
        kind.validate(res, stack, &mut diags);
        implied.push(kind.implied_deps(res, stack));
    }
    for (res, extra) in stack.resources.iter_mut().zip(implied) {
        res.deps.extend(extra);
        res.deps.sort();
        res.deps.dedup();
    }
    stackwide::mask_secrets(stack, &mut diags);
    diags
}

/// The resource an attribute of `res` refers to, when the stack declares it.
fn referenced<'a>(stack: &'a Stack, res: &Resource, attr: &str) -> Vec<&'a Resource> {
    let mut refs = vec![];
    if let Some(v) = res.attrs.get(attr) {
        v.refs(&mut refs);
    }
    refs.iter().filter_map(|r| stack.resource(&r.addr)).collect()
}

/// The internet gateways the stack attaches to the VPCs of these subnets: what must be attached
/// before anything in them gets a public address (an internet-facing load balancer answers
/// InvalidSubnet, an Elastic IP association Gateway.NotAttached, while the VPC has none).
pub(crate) fn gateways_for_subnets(stack: &Stack, subnets: &[&Resource]) -> Vec<Address> {
    let vpcs: Vec<&Resource> = subnets.iter().flat_map(|s| referenced(stack, s, "vpc")).collect();
    let mut out: Vec<Address> = stack
        .resources
        .iter()
        .filter(|r| r.addr.kind == "internet_gateway")
        .filter(|g| referenced(stack, g, "vpc").iter().any(|v| vpcs.iter().any(|w| w.addr == v.addr)))
        .map(|g| g.addr.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Reads a string attribute that the schema guarantees (required or defaulted).
/// Per-object reads of one kind in flight at once: enough to hide each call's latency, few
/// enough that a large stack's plan does not meet AWS's rate limits in one burst (EC2's
/// non-mutating bucket holds 100 calls; IAM throttles account-wide). Kinds read side by side,
/// so the account sees a few times this.
pub(crate) const READS_AT_ONCE: usize = 16;

/// Runs `reads` at most [`READS_AT_ONCE`] at a time, in order; the first error ends them. A
/// `Vec`, not an iterator: a lazy iterator of borrowing futures held across the await trips
/// the compiler's lifetime inference in the async trait methods that call this.
pub(crate) async fn read_each<T, E, Fut>(reads: Vec<Fut>) -> Result<Vec<T>, E>
where
    Fut: std::future::Future<Output = Result<T, E>>,
{
    read_each_by(READS_AT_ONCE, reads).await
}

/// [`read_each`] with `width` in flight, for reads that are several calls each.
pub(crate) async fn read_each_by<T, E, Fut>(width: usize, reads: Vec<Fut>) -> Result<Vec<T>, E>
where
    Fut: std::future::Future<Output = Result<T, E>>,
{
    use futures::{StreamExt, TryStreamExt};
    futures::stream::iter(reads).buffered(width).try_collect().await
}

pub(crate) fn s<'a>(attrs: &'a Attrs, name: &str) -> &'a str {
    attrs.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// A bool attribute, false when unset.
pub(crate) fn flag(attrs: &Attrs, name: &str) -> bool {
    attrs.get(name).and_then(Value::as_bool).unwrap_or(false)
}

/// The strings of a list attribute.
pub(crate) fn strs<'a>(attrs: &'a Attrs, name: &str) -> Vec<&'a str> {
    attrs.get(name).map(|v| v.as_list().iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// An object's `tags` attribute as key/value pairs, sorted by key.
pub(crate) fn user_tags(attrs: &Attrs) -> std::collections::BTreeMap<String, String> {
    attrs
        .get("tags")
        .and_then(Value::as_map)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

/// The tags to set (new or changed) and the keys to remove, to go from `have` to `want`.
pub(crate) fn tag_changes(have: &Attrs, want: &Attrs) -> (Vec<(String, String)>, Vec<String>) {
    let (have, want) = (user_tags(have), user_tags(want));
    let set = want.iter().filter(|(k, v)| have.get(*k) != Some(v)).map(|(k, v)| (k.clone(), v.clone())).collect();
    let remove = have.keys().filter(|k| !want.contains_key(*k)).cloned().collect();
    (set, remove)
}

/// Returns `want` with the computed attributes of the object added.
pub(crate) fn with_computed(want: &Attrs, computed: impl IntoIterator<Item = (&'static str, Value)>) -> Attrs {
    let mut out = want.clone();
    for (k, v) in computed {
        out.insert(k.to_string(), v);
    }
    out
}

/// Tests use these to build live state without AWS.
#[cfg(test)]
pub(crate) fn live(addr: &str, id: &str, attrs: &[(&str, Value)]) -> crate::model::LiveObject {
    let addr = Address::parse(addr).expect("address");
    let mut a: Attrs = attrs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    a.insert("id".into(), Value::str(id));
    crate::model::LiveObject { addr, id: id.to_string(), attrs: a }
}
