//! Cross-resource checks that each kind's `validate` runs: what AWS refuses only once an apply
//! is under way (a volume and its instance in different zones, a route to a gateway of another
//! VPC, a scheduled size above the group's maximum). Every rule here looks only at the stack
//! file, never at the account, and says which attribute to change. One file per area; the
//! helpers below follow references between blocks of the same stack.

pub mod ebs;
pub mod elb;
pub mod iam;
pub mod network;
pub mod pools;
pub mod rolling;
pub mod scaling;
pub mod steps;

use crate::constraint::formats;
use crate::model::Value;
use crate::stack::{Diagnostic, Diagnostics, Resource, Stack};

/// The resource of the stack an attribute refers to (`subnet = subnet.a`), if it is one.
pub fn target<'a>(stack: &'a Stack, v: Option<&Value>) -> Option<&'a Resource> {
    match v {
        Some(Value::Ref(r)) => stack.resource(&r.addr),
        _ => None,
    }
}

/// The VPC a resource belongs to, as written: a reference or a literal id. Subnets, security
/// groups, target groups and route tables name it; instances belong to their subnet's.
pub fn vpc_of<'a>(stack: &'a Stack, res: &'a Resource) -> Option<&'a Value> {
    match res.addr.kind.as_str() {
        "instance" => vpc_of(stack, target(stack, res.attrs.get("subnet"))?),
        _ => res.attrs.get("vpc").filter(|v| !v.is_null()),
    }
}

/// The availability zone a subnet (or an instance, through its subnet) is in, when written.
pub fn zone_of<'a>(stack: &'a Stack, res: &'a Resource) -> Option<&'a str> {
    match res.addr.kind.as_str() {
        "instance" => zone_of(stack, target(stack, res.attrs.get("subnet"))?),
        _ => res.attrs.get("az").and_then(Value::as_str),
    }
}

/// An error at an attribute (or the block, when the attribute is not written).
pub fn error(res: &Resource, path: &str, msg: impl Into<String>) -> Diagnostic {
    Diagnostic::error(msg).at(&res.file, res.span_of(path))
}

/// The resources each item of a list attribute refers to (`subnets = [subnet.a, subnet.b]`).
pub fn targets<'a>(stack: &'a Stack, res: &'a Resource, attr: &str) -> Vec<&'a Resource> {
    let items = res.attrs.get(attr).map(Value::as_list).unwrap_or_default();
    items.iter().filter_map(|v| target(stack, Some(v))).collect()
}

/// An availability zone outside the stack's region (when the stack file names its region).
pub fn zone_in_region(res: &Resource, stack: &Stack, path: &str, diags: &mut Diagnostics) {
    let (Some(region), Some(az)) = (stack.region.as_deref(), res.attrs.get(path).and_then(Value::as_str)) else {
        return;
    };
    if let Some(zone_region) = formats::az_region(az).filter(|r| *r != region) {
        diags.push(
            error(res, path, format!("availability zone {az} is in {zone_region}, not in the stack's region {region}"))
                .hint(format!("use a zone of {region}, such as {region}a")),
        );
    }
}

/// Reports every resource among `items` whose VPC differs from `vpc`, at `path`.
pub fn same_vpc(stack: &Stack, res: &Resource, path: &str, vpc: &Value, items: &[&Resource], diags: &mut Diagnostics) {
    for other in items {
        if let Some(theirs) = vpc_of(stack, other).filter(|v| *v != vpc) {
            diags.push(
                error(res, path, format!("{} is in {}, not in {}", other.addr, show(theirs), show(vpc)))
                    .label("another VPC"),
            );
        }
    }
}

/// A VPC as the file writes it: `vpc.main` or its literal id.
pub fn show(v: &Value) -> String {
    match v {
        Value::Ref(r) => r.to_string(),
        Value::Str(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests;
