//! How stackr's kinds and attributes read in Terraform's plan JSON: the closest `aws_*`
//! resource type for each kind, and the attribute names and block shapes of the Terraform AWS
//! provider where policy tools look at them (security-group rules, IMDSv2, password policy…).
//! Attributes with no provider counterpart keep stackr's names. docs/plan-json.md has the table.

use std::collections::BTreeMap;

use crate::model::{Attrs, Value};

/// One kind: its Terraform type, top-level renames (stackr name, provider name), and a reshape
/// for what is more than a rename.
struct TfKind {
    kind: &'static str,
    tf_type: &'static str,
    rename: &'static [(&'static str, &'static str)],
    reshape: fn(&mut Attrs),
}

fn keep(_: &mut Attrs) {}

const KINDS: &[TfKind] = &[
    TfKind { kind: "vpc", tf_type: "aws_vpc", rename: &[("cidr", "cidr_block")], reshape: keep },
    TfKind {
        kind: "subnet",
        tf_type: "aws_subnet",
        rename: &[
            ("vpc", "vpc_id"),
            ("cidr", "cidr_block"),
            ("az", "availability_zone"),
            ("map_public_ip", "map_public_ip_on_launch"),
        ],
        reshape: keep,
    },
    TfKind { kind: "internet_gateway", tf_type: "aws_internet_gateway", rename: &[("vpc", "vpc_id")], reshape: keep },
    TfKind { kind: "route_table", tf_type: "aws_route_table", rename: &[("vpc", "vpc_id")], reshape: routes },
    TfKind {
        kind: "security_group",
        tf_type: "aws_security_group",
        rename: &[("vpc", "vpc_id")],
        reshape: security_group,
    },
    TfKind {
        kind: "instance",
        tf_type: "aws_instance",
        rename: &[
            ("type", "instance_type"),
            ("subnet", "subnet_id"),
            ("security_groups", "vpc_security_group_ids"),
            ("role", "iam_instance_profile"),
            ("associate_public_ip", "associate_public_ip_address"),
            ("az", "availability_zone"),
            ("state", "instance_state"),
        ],
        reshape: instance,
    },
    TfKind {
        kind: "volume",
        tf_type: "aws_ebs_volume",
        rename: &[
            ("az", "availability_zone"),
            ("snapshot", "snapshot_id"),
            ("snapshot_before_destroy", "final_snapshot"),
        ],
        reshape: keep,
    },
    TfKind { kind: "elastic_ip", tf_type: "aws_eip", rename: &[], reshape: keep },
    TfKind { kind: "key_pair", tf_type: "aws_key_pair", rename: &[("name", "key_name")], reshape: keep },
    TfKind {
        kind: "nat_gateway",
        tf_type: "aws_nat_gateway",
        rename: &[("subnet", "subnet_id"), ("elastic_ip", "allocation_id")],
        reshape: keep,
    },
    TfKind {
        kind: "launch_template",
        tf_type: "aws_launch_template",
        rename: &[("ami", "image_id"), ("type", "instance_type"), ("security_groups", "vpc_security_group_ids")],
        reshape: launch_template,
    },
    TfKind {
        kind: "target_group",
        tf_type: "aws_lb_target_group",
        rename: &[("vpc", "vpc_id")],
        reshape: target_group,
    },
    TfKind {
        kind: "load_balancer",
        tf_type: "aws_lb",
        rename: &[("deletion_protection", "enable_deletion_protection")],
        reshape: load_balancer,
    },
    TfKind {
        kind: "autoscaling_group",
        tf_type: "aws_autoscaling_group",
        rename: &[("subnets", "vpc_zone_identifier"), ("target_groups", "target_group_arns")],
        reshape: autoscaling_group,
    },
    TfKind { kind: "iam_user", tf_type: "aws_iam_user", rename: &[], reshape: keep },
    TfKind { kind: "iam_group", tf_type: "aws_iam_group", rename: &[], reshape: keep },
    TfKind {
        kind: "iam_role",
        tf_type: "aws_iam_role",
        rename: &[("assume", "assume_role_policy"), ("managed_policies", "managed_policy_arns")],
        reshape: iam_role,
    },
    TfKind {
        kind: "iam_password_policy",
        tf_type: "aws_iam_account_password_policy",
        rename: &[
            ("minimum_length", "minimum_password_length"),
            ("require_uppercase", "require_uppercase_characters"),
            ("require_lowercase", "require_lowercase_characters"),
            ("max_age_days", "max_password_age"),
            ("reuse_prevention", "password_reuse_prevention"),
        ],
        reshape: keep,
    },
];

fn find(kind: &str) -> Option<&'static TfKind> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// The Terraform resource type for a stackr kind; `stackr_<kind>` for a kind with none.
pub fn tf_type(kind: &str) -> String {
    find(kind).map_or_else(|| format!("stackr_{kind}"), |k| k.tf_type.to_string())
}

/// The stackr kind Terraform names `tf_type` (`aws_instance` is `instance`), for pointing a
/// Terraform user at stackr's spelling.
pub fn kind_for(tf_type: &str) -> Option<&'static str> {
    KINDS.iter().find(|k| k.tf_type == tf_type).map(|k| k.kind)
}

/// Terraform provider attribute names several kinds share, with stackr's for them; a kind's
/// own renames come first.
const COMMON: &[(&str, &str)] = &[
    ("vpc_id", "vpc"),
    ("subnet_id", "subnet"),
    ("subnet_ids", "subnets"),
    ("availability_zone", "az"),
    ("cidr_block", "cidr"),
    ("instance_type", "type"),
    ("image_id", "ami"),
    ("vpc_security_group_ids", "security_groups"),
    ("security_group_ids", "security_groups"),
    ("iam_instance_profile", "role"),
    ("load_balancer_type", "type"),
    ("target_group_arns", "target_groups"),
    ("vpc_zone_identifier", "subnets"),
    ("enable_deletion_protection", "deletion_protection"),
];

/// The stackr attribute of `kind` a Terraform attribute name stands for (`cidr_block` is
/// `cidr`), among `names`, the attributes the kind has.
pub fn attr_for<'a>(kind: &str, tf_name: &str, mut names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut renames = find(kind).into_iter().flat_map(|k| k.rename.iter());
    let own = renames.find(|(_, tf)| *tf == tf_name).map(|(stackr, _)| *stackr);
    let to = own.or_else(|| COMMON.iter().find(|(tf, _)| *tf == tf_name).map(|(_, stackr)| *stackr))?;
    names.find(|n| *n == to)
}

/// A top-level attribute's name in the Terraform shape (for sensitive masks and references).
pub fn attr_name(kind: &str, name: &str) -> String {
    find(kind)
        .and_then(|k| k.rename.iter().find(|(from, _)| *from == name))
        .map_or_else(|| name.to_string(), |(_, to)| to.to_string())
}

/// Attributes in the Terraform provider's names and shapes. Unknown values stay unknown, so
/// `after_unknown` can be computed from the result.
pub fn translate(kind: &str, attrs: &Attrs) -> Attrs {
    let Some(k) = find(kind) else { return attrs.clone() };
    let mut out: Attrs = attrs.iter().map(|(name, v)| (attr_name(kind, name), v.clone())).collect();
    (k.reshape)(&mut out);
    out
}

fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// A single nested block, as the provider writes blocks: a list of one object.
fn block(m: BTreeMap<String, Value>) -> Value {
    Value::List(vec![Value::Map(m)])
}

/// Moves the named attributes (those present) into one nested block under new names.
fn gather(a: &mut Attrs, into: &str, fields: &[(&str, &str)], extra: &[(&str, Value)]) {
    let mut m: BTreeMap<String, Value> = extra.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    for (from, to) in fields {
        if let Some(v) = a.remove(*from).filter(|v| !v.is_null()) {
            m.insert(to.to_string(), v);
        }
    }
    if m.len() > extra.len() {
        a.insert(into.to_string(), block(m));
    }
}

/// `imdsv2 = true` is the provider's `metadata_options { http_tokens = "required" }`.
fn metadata_options(a: &mut Attrs) {
    if let Some(v) = a.remove("imdsv2") {
        let tokens = match v {
            Value::Bool(true) => Value::str("required"),
            Value::Bool(false) => Value::str("optional"),
            other => other,
        };
        a.insert("metadata_options".into(), block(BTreeMap::from([("http_tokens".into(), tokens)])));
    }
}

fn routes(a: &mut Attrs) {
    if let Some(Value::List(rs)) = a.get_mut("route") {
        for r in rs.iter_mut() {
            if let Value::Map(m) = r {
                for (from, to) in [("cidr", "cidr_block"), ("gateway", "gateway_id"), ("nat_gateway", "nat_gateway_id")]
                {
                    if let Some(v) = m.remove(from) {
                        m.insert(to.into(), v);
                    }
                }
            }
        }
    }
}

/// stackr's atomic rules (one source each) as the provider's `ingress`/`egress` blocks, where
/// protocol "all" is "-1" over ports 0-0 and every source list is present.
fn security_group(a: &mut Attrs) {
    for dir in ["ingress", "egress"] {
        if let Some(Value::List(rules)) = a.get_mut(dir) {
            for r in rules.iter_mut() {
                *r = sg_rule(r);
            }
        }
    }
}

fn sg_rule(r: &Value) -> Value {
    let Some(m) = r.as_map() else { return r.clone() };
    let get = |k: &str| m.get(k).cloned().unwrap_or_default();
    let one = |k: &str| Value::List(m.get(k).filter(|v| !v.is_null()).cloned().into_iter().collect());
    let protocol = match m.get("protocol").and_then(Value::as_str) {
        Some("all") | None => Value::str("-1"),
        Some(p) => Value::str(p),
    };
    let port = |k: &str| m.get(k).cloned().unwrap_or(Value::Int(0));
    obj([
        ("protocol", protocol),
        ("from_port", port("from_port")),
        ("to_port", port("to_port")),
        ("cidr_blocks", one("cidr")),
        ("ipv6_cidr_blocks", Value::List(vec![])),
        ("prefix_list_ids", Value::List(vec![])),
        ("security_groups", one("security_group")),
        ("self", m.get("self").cloned().unwrap_or(Value::Bool(false))),
        ("description", if get("description").is_null() { Value::str("") } else { get("description") }),
    ])
}

fn instance(a: &mut Attrs) {
    metadata_options(a);
    gather(
        a,
        "root_block_device",
        &[
            ("root_volume_size", "volume_size"),
            ("root_volume_type", "volume_type"),
            ("root_volume_encrypted", "encrypted"),
        ],
        &[],
    );
}

fn launch_template(a: &mut Attrs) {
    metadata_options(a);
    gather(a, "iam_instance_profile", &[("role", "name")], &[]);
    gather(a, "tag_specifications", &[("instance_tags", "tags")], &[("resource_type", Value::str("instance"))]);
}

fn target_group(a: &mut Attrs) {
    gather(
        a,
        "health_check",
        &[
            ("health_check_protocol", "protocol"),
            ("health_check_path", "path"),
            ("health_check_port", "port"),
            ("health_check_interval", "interval"),
            ("health_check_timeout", "timeout"),
            ("healthy_threshold", "healthy_threshold"),
            ("unhealthy_threshold", "unhealthy_threshold"),
            ("health_check_matcher", "matcher"),
        ],
        &[("enabled", Value::Bool(true))],
    );
    gather(
        a,
        "stickiness",
        &[("stickiness", "enabled"), ("stickiness_duration", "cookie_duration")],
        &[("type", Value::str("lb_cookie"))],
    );
}

/// stackr makes Application Load Balancers only; `scheme` is the provider's `internal` flag.
fn load_balancer(a: &mut Attrs) {
    a.insert("load_balancer_type".into(), Value::str("application"));
    if let Some(s) = a.remove("scheme") {
        let internal = match s.as_str() {
            Some(s) => Value::Bool(s == "internal"),
            None => s,
        };
        a.insert("internal".into(), internal);
    }
}

/// The template and its version form one `launch_template` block; tags become `tag` blocks,
/// propagated at launch as stackr propagates them.
fn autoscaling_group(a: &mut Attrs) {
    let id = a.remove("launch_template");
    let version = a.remove("launch_template_version");
    if id.is_some() || version.is_some() {
        let m =
            BTreeMap::from([("id".into(), id.unwrap_or_default()), ("version".into(), version.unwrap_or_default())]);
        a.insert("launch_template".into(), block(m));
    }
    if let Some(Value::Map(tags)) = a.remove("tags") {
        let tags = tags
            .into_iter()
            .map(|(k, v)| obj([("key", Value::Str(k)), ("value", v), ("propagate_at_launch", Value::Bool(true))]))
            .collect();
        a.insert("tag".into(), Value::List(tags));
    }
}

fn iam_role(a: &mut Attrs) {
    if let Some(Value::Map(policies)) = a.remove("inline_policies") {
        let blocks =
            policies.into_iter().map(|(name, policy)| obj([("name", Value::Str(name)), ("policy", policy)])).collect();
        a.insert("inline_policy".into(), Value::List(blocks));
    }
}
