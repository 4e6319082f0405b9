//! Security-group rules in canonical form. A rule block may name several sources (`cidrs`,
//! `security_groups`, `self`); AWS stores one permission per source. Both sides are expanded
//! to atomic rules `{protocol, from_port, to_port, <one source>, description}` and sorted, so a
//! rule set compares equal however it was written or returned.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{IpPermission, IpRange, UserIdGroupPair};

use crate::model::*;

pub static RULE: &[AttrSpec] = &[
    attr(
        "protocol",
        Ty::Enum(&["tcp", "udp", "icmp", "all"]),
        Presence::Default(Lit::Str("tcp")),
        Update::InPlace,
        "tcp, udp, icmp or all.",
    ),
    attr("port", Ty::Port, Presence::Optional, Update::InPlace, "A single port."),
    attr("from_port", Ty::Port, Presence::Optional, Update::InPlace, "First port of a range (ICMP: the type)."),
    attr("to_port", Ty::Port, Presence::Optional, Update::InPlace, "Last port of a range (ICMP: the code)."),
    attr(
        "cidr",
        Ty::Cidr,
        Presence::Optional,
        Update::InPlace,
        "An IPv4 CIDR source (ingress) or destination (egress).",
    ),
    attr("cidrs", Ty::Set(&Ty::Cidr), Presence::Optional, Update::InPlace, "Several IPv4 CIDRs."),
    attr("security_group", Ty::Ref("security_group"), Presence::Optional, Update::InPlace, "Another security group."),
    attr(
        "security_groups",
        Ty::Set(&Ty::Ref("security_group")),
        Presence::Optional,
        Update::InPlace,
        "Several security groups.",
    ),
    attr("self", Ty::Bool, Presence::Optional, Update::InPlace, "This security group itself."),
    attr("description", Ty::Str, Presence::Optional, Update::InPlace, "Rule description.")
        .with(&[Check::Len(0, 255), Check::Chars(&crate::constraint::chars::SECURITY_GROUP)]),
];

/// The rule AWS gives every new group, and stackr keeps when a stack declares no egress.
pub fn allow_all_egress() -> Value {
    Value::List(vec![Value::Map(BTreeMap::from([
        ("cidr".to_string(), Value::str("0.0.0.0/0")),
        ("protocol".to_string(), Value::str("all")),
    ]))])
}

/// Expands rule blocks (as written, or already atomic) into sorted atomic rules. `own_id` turns a
/// reference to the group itself into `self = true`.
pub fn canonical(rules: &Value, own_id: Option<&str>) -> Value {
    let mut out = vec![];
    for rule in rules.as_list() {
        let Some(m) = rule.as_map() else { continue };
        let protocol = m.get("protocol").and_then(Value::as_str).unwrap_or("tcp").to_string();
        let mut base = BTreeMap::from([("protocol".to_string(), Value::Str(protocol.clone()))]);
        if let Some((from, to)) = ports(&protocol, m) {
            base.insert("from_port".into(), Value::Int(from));
            base.insert("to_port".into(), Value::Int(to));
        }
        if let Some(d) = m.get("description").filter(|d| !d.is_null() && d.as_str() != Some("")) {
            base.insert("description".into(), d.clone());
        }
        let mut sources: Vec<(&str, Value)> = vec![];
        let one_or_many = |one: &str, many: &str| -> Vec<Value> {
            m.get(one)
                .into_iter()
                .chain(m.get(many).map(|l| l.as_list()).unwrap_or_default())
                .filter(|v| !v.is_null())
                .cloned()
                .collect()
        };
        sources.extend(one_or_many("cidr", "cidrs").into_iter().map(|c| ("cidr", c)));
        for g in one_or_many("security_group", "security_groups") {
            match (g.as_str(), own_id) {
                (Some(id), Some(own)) if id == own => sources.push(("self", Value::Bool(true))),
                _ => sources.push(("security_group", g)),
            }
        }
        if m.get("self").and_then(Value::as_bool) == Some(true) {
            sources.push(("self", Value::Bool(true)));
        }
        for (key, v) in sources {
            let mut r = base.clone();
            r.insert(key.to_string(), v);
            out.push(Value::Map(r));
        }
    }
    out.sort();
    out.dedup();
    Value::List(out)
}

fn ports(protocol: &str, m: &BTreeMap<String, Value>) -> Option<(i64, i64)> {
    let get = |k: &str| m.get(k).and_then(Value::as_int);
    match protocol {
        "all" => None,
        _ => match (get("port"), get("from_port"), get("to_port")) {
            (Some(p), _, _) => Some((p, p)),
            (None, Some(f), t) => Some((f, t.unwrap_or(f))),
            _ if protocol == "icmp" => Some((-1, -1)),
            _ => Some((0, 65535)),
        },
    }
}

/// The identity of an atomic rule: everything but its description.
pub fn key(rule: &Value) -> Value {
    match rule {
        Value::Map(m) => {
            Value::Map(m.iter().filter(|(k, _)| *k != "description").map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        other => other.clone(),
    }
}

/// One atomic rule as the AWS permission to authorize or revoke.
pub fn permission(rule: &Value, own_id: &str) -> IpPermission {
    let m = rule.as_map().cloned().unwrap_or_default();
    let s = |k: &str| m.get(k).and_then(Value::as_str).map(String::from);
    let protocol = match s("protocol").as_deref() {
        Some("all") | None => "-1".to_string(),
        Some(p) => p.to_string(),
    };
    let int = |k: &str| m.get(k).and_then(Value::as_int).and_then(|i| i32::try_from(i).ok());
    let mut p =
        IpPermission::builder().ip_protocol(protocol).set_from_port(int("from_port")).set_to_port(int("to_port"));
    let description = s("description");
    if let Some(c) = s("cidr") {
        p = p.ip_ranges(IpRange::builder().cidr_ip(c).set_description(description).build());
    } else {
        let group = if m.contains_key("self") { Some(own_id.to_string()) } else { s("security_group") };
        p = p.user_id_group_pairs(UserIdGroupPair::builder().set_group_id(group).set_description(description).build());
    }
    p.build()
}

/// AWS permissions as atomic rules (before `canonical`, which turns the own id into `self`).
pub fn from_aws(perms: &[IpPermission]) -> Value {
    let mut out = vec![];
    for p in perms {
        let protocol = match p.ip_protocol().unwrap_or("-1") {
            "-1" => "all",
            "6" => "tcp",
            "17" => "udp",
            "1" => "icmp",
            other => other,
        };
        let mut base = BTreeMap::from([("protocol".to_string(), Value::str(protocol))]);
        if protocol != "all" {
            base.insert("from_port".into(), Value::Int(p.from_port().unwrap_or(-1).into()));
            base.insert("to_port".into(), Value::Int(p.to_port().unwrap_or(-1).into()));
        }
        let with = |key: &str, v: &str, d: Option<&str>| {
            let mut r = base.clone();
            r.insert(key.to_string(), Value::str(v));
            if let Some(d) = d.filter(|d| !d.is_empty()) {
                r.insert("description".into(), Value::str(d));
            }
            Value::Map(r)
        };
        out.extend(p.ip_ranges().iter().filter_map(|r| Some(with("cidr", r.cidr_ip()?, r.description()))));
        out.extend(
            p.user_id_group_pairs().iter().filter_map(|g| Some(with("security_group", g.group_id()?, g.description()))),
        );
    }
    Value::List(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pairs: &[(&str, Value)]) -> Value {
        Value::Map(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn grouped_and_atomic_forms_compare_equal() {
        let written = Value::List(vec![rule(&[
            ("protocol", Value::str("tcp")),
            ("port", Value::Int(443)),
            ("cidrs", Value::List(vec![Value::str("10.0.0.0/8"), Value::str("192.168.0.0/16")])),
        ])]);
        let perms = vec![
            permission(&canonical(&written, None).as_list()[1], "sg-1"),
            permission(&canonical(&written, None).as_list()[0], "sg-1"),
        ];
        assert_eq!(canonical(&from_aws(&perms), Some("sg-1")), canonical(&written, None));
        assert_eq!(canonical(&written, None).as_list().len(), 2);
    }

    #[test]
    fn own_group_becomes_self_and_all_traffic_has_no_ports() {
        let live = Value::List(vec![
            rule(&[("protocol", Value::str("all")), ("security_group", Value::str("sg-1"))]),
            rule(&[
                ("protocol", Value::str("tcp")),
                ("from_port", Value::Int(22)),
                ("to_port", Value::Int(22)),
                ("security_group", Value::str("sg-2")),
            ]),
        ]);
        let c = canonical(&live, Some("sg-1"));
        assert!(c.as_list().contains(&rule(&[("protocol", Value::str("all")), ("self", Value::Bool(true))])));
        assert!(c.as_list().iter().any(|r| r.as_map().unwrap().get("security_group") == Some(&Value::str("sg-2"))));
    }

    #[test]
    fn descriptions_are_not_part_of_the_key_and_ports_default_sensibly() {
        let a = rule(&[
            ("protocol", Value::str("tcp")),
            ("port", Value::Int(80)),
            ("cidr", Value::str("0.0.0.0/0")),
            ("description", Value::str("web")),
        ]);
        let c = canonical(&Value::List(vec![a]), None);
        let k = key(&c.as_list()[0]);
        assert!(!k.as_map().unwrap().contains_key("description"));
        let icmp = canonical(
            &Value::List(vec![rule(&[("protocol", Value::str("icmp")), ("cidr", Value::str("10.0.0.0/8"))])]),
            None,
        );
        assert_eq!(icmp.as_list()[0].as_map().unwrap()["from_port"], Value::Int(-1));
    }
}
