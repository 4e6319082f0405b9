//! Default names: what stackr calls an object the stack file does not name. The scheme is
//! `<stack>-<name>-<kind>`: the stack, the block's name (with its module path and key:
//! `<stack>-<module>-<name>-<key>`), and the short form of AWS's own id prefix for the kind
//! (`sg`, `lb`, `tg`, `lt`, `asg`, …). One label used for several kinds (`security_group
//! "web"`, `load_balancer "web"`, `autoscaling_group "web"`) so gives names that never read
//! alike where AWS lists several kinds together (Auto Scaling activities, target health, cost
//! and tag reports). Instances, and the instances an Auto Scaling group launches, keep the bare
//! `<stack>-<name>`: they are what the label names. IAM names are the block's name (README).

use super::elbtags;
use crate::model::{Address, Attrs, Value};

/// The suffix for a kind's default names; `None` for kinds named by the bare label.
pub fn suffix(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "vpc" => "vpc",
        "subnet" => "subnet",
        "internet_gateway" => "igw",
        "nat_gateway" => "nat",
        "route_table" => "rtb",
        "security_group" => "sg",
        "elastic_ip" => "eip",
        "volume" => "vol",
        "key_pair" => "key",
        "launch_template" => "lt",
        "load_balancer" => "lb",
        "target_group" => "tg",
        "autoscaling_group" => "asg",
        _ => return None,
    })
}

/// `<stack>-<name>`: the module path, name and key, without the kind.
pub fn bare(stack: &str, addr: &Address) -> String {
    format!("{stack}-{}", addr.name_part())
}

/// `<stack>-<name>-<kind>`, the default name of `addr`.
pub fn default(stack: &str, addr: &Address) -> String {
    match suffix(&addr.kind) {
        Some(s) => format!("{}-{s}", bare(stack, addr)),
        None => bare(stack, addr),
    }
}

/// Sets the `Name` tag to `name` unless the stack sets one.
pub fn tag(attrs: &mut Attrs, name: impl FnOnce() -> String) {
    if let Some(Value::Map(tags)) = attrs.get_mut("tags") {
        tags.entry("Name".into()).or_insert_with(|| Value::Str(name()));
    }
}

/// The `Name` tag EC2 objects get by default: the default name.
pub fn default_tag(stack: &str, addr: &Address, attrs: &mut Attrs) {
    tag(attrs, || default(stack, addr));
}

/// A `name` attribute defaulting to the default name, and the `Name` tag the same.
pub fn default_name_and_tag(stack: &str, addr: &Address, attrs: &mut Attrs) {
    default_tag(stack, addr, attrs);
    attrs.entry("name".into()).or_insert_with(|| Value::Str(default(stack, addr)));
}

/// The same for load balancers and target groups, whose names ELB limits to 32 letters, digits
/// and hyphens.
pub fn default_elb_name_and_tag(stack: &str, addr: &Address, attrs: &mut Attrs) {
    default_tag(stack, addr, attrs);
    attrs.entry("name".into()).or_insert_with(|| Value::Str(elbtags::valid_name(&default(stack, addr))));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::str_map;

    fn addr(s: &str) -> Address {
        Address::parse(s).unwrap()
    }

    #[test]
    fn one_label_names_each_kind_apart() {
        let names: Vec<String> = ["security_group.web", "load_balancer.web", "target_group.web", "launch_template.web"]
            .iter()
            .chain(&["autoscaling_group.web", "instance.web"])
            .map(|a| default("course", &addr(a)))
            .collect();
        assert_eq!(
            names,
            ["course-web-sg", "course-web-lb", "course-web-tg", "course-web-lt", "course-web-asg", "course-web"]
        );
    }

    #[test]
    fn module_path_and_key_come_before_the_kind() {
        assert_eq!(default("s", &addr(r#"module.net.subnet.public["us-east-1a"]"#)), "s-net-public-us-east-1a-subnet");
        assert_eq!(default("s", &addr("instance.web[0]")), "s-web-0");
        assert_eq!(bare("s", &addr("autoscaling_group.web")), "s-web");
    }

    #[test]
    fn names_the_file_sets_are_kept() {
        let mut attrs =
            Attrs::from([("name".to_string(), Value::str("mine")), ("tags".into(), str_map([("Name", "x")]))]);
        default_name_and_tag("s", &addr("security_group.web"), &mut attrs);
        assert_eq!(attrs["name"], Value::str("mine"));
        assert_eq!(attrs["tags"], str_map([("Name", "x")]));
        let mut attrs = Attrs::from([("tags".to_string(), str_map::<_, &str, &str>([]))]);
        default_elb_name_and_tag("my_stack", &addr("load_balancer.api"), &mut attrs);
        assert_eq!(attrs["name"], Value::str("my-stack-api-lb"));
        assert_eq!(attrs["tags"], str_map([("Name", "my_stack-api-lb")]));
    }
}
