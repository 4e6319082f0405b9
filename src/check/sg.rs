//! Security-group rules: nothing reachable from the whole internet except a load balancer's
//! HTTP and HTTPS and what an internet-facing network load balancer passes through (`nlb.rs`),
//! and never SSH or RDP (Security Hub EC2.13, EC2.14, EC2.18).

use std::collections::{BTreeMap, BTreeSet};

use super::{Finding, Rule, blocks, of_kind};
use crate::model::{Address, Value};
use crate::stack::Stack;
use crate::stack::diag::Severity;

pub static ADMIN_PORT_OPEN: Rule = Rule {
    id: "sg-admin-port-open",
    severity: Severity::Error,
    title: "SSH (22) or RDP (3389) open to 0.0.0.0/0 or ::/0",
    fix: "allow SSH and RDP only from known addresses (cidr = var.admin_cidr) or a bastion's security group, \
          or reach instances through SSM Session Manager and drop the rule",
    source: "Security Hub EC2.13 and EC2.14",
};

pub static WORLD_OPEN: Rule = Rule {
    id: "sg-world-open",
    severity: Severity::Warning,
    title: "a port open to the world, other than 80/443 on a load balancer's group",
    fix: "narrow the source to the addresses or security groups that need the port; put public HTTP(S) \
          behind a load balancer whose group alone takes 80 and 443 from anywhere",
    source: "Security Hub EC2.18",
};

pub static RULES: &[&Rule] = &[&ADMIN_PORT_OPEN, &WORLD_OPEN];

/// Ports attackers scan for first, with the service the message names.
const ADMIN_PORTS: &[(i64, &str)] = &[(22, "SSH"), (3389, "RDP")];

/// True for a CIDR that means "every address".
pub(super) fn is_world(cidr: &str) -> bool {
    matches!(cidr, "0.0.0.0/0" | "::/0")
}

pub fn check(stack: &Stack, out: &mut Vec<Finding>) {
    let lb_groups = load_balancer_groups(stack);
    let passed = super::nlb::world_ports(stack);
    for res in of_kind(stack, "security_group") {
        for (i, rule) in blocks(res, "ingress") {
            let Some(source) = world_source(rule) else { continue };
            let span = res.span_of(&format!("ingress[{i}].{source}"));
            let protocol = rule.get("protocol").and_then(Value::as_str).unwrap_or("tcp");
            let Some((from, to)) = port_range(protocol, rule) else { continue };
            let admin: Vec<String> = ADMIN_PORTS
                .iter()
                .filter(|(p, _)| (from..=to).contains(p))
                .map(|(p, name)| format!("{name} (port {p})"))
                .collect();
            let n = i + 1;
            if !admin.is_empty() {
                let what = admin.join(" and ");
                out.push(
                    Finding::new(&ADMIN_PORT_OPEN, res, span, format!("ingress rule {n} opens {what} to the world"))
                        .label("any address on the internet"),
                );
                continue;
            }
            let web_port = protocol == "tcp" && from == to && (from == 80 || from == 443);
            if web_port && lb_groups.contains(&res.addr) {
                continue;
            }
            if from == to && passed.contains(&(res.addr.clone(), from)) {
                continue;
            }
            let ports = match (from, to) {
                (0, 65535) => "every port".to_string(),
                (f, t) if f == t => format!("port {f}"),
                (f, t) => format!("ports {f}-{t}"),
            };
            let why = if web_port { " (80 and 443 are fine only on a load balancer's group)" } else { "" };
            out.push(
                Finding::new(&WORLD_OPEN, res, span, format!("ingress rule {n} opens {ports} to the world{why}"))
                    .label("any address on the internet"),
            );
        }
    }
}

/// The attribute of a rule that names a world-wide source: `cidr` or `cidrs`.
fn world_source(rule: &BTreeMap<String, Value>) -> Option<&'static str> {
    let one = rule.get("cidr").and_then(Value::as_str).is_some_and(is_world);
    let many = rule.get("cidrs").is_some_and(|l| l.as_list().iter().filter_map(Value::as_str).any(is_world));
    if one {
        Some("cidr")
    } else if many {
        Some("cidrs")
    } else {
        None
    }
}

/// The ports a rule opens; `None` for ICMP, which has none.
fn port_range(protocol: &str, rule: &BTreeMap<String, Value>) -> Option<(i64, i64)> {
    let get = |k: &str| rule.get(k).and_then(Value::as_int);
    match protocol {
        "icmp" => None,
        "all" => Some((0, 65535)),
        _ => match (get("port"), get("from_port"), get("to_port")) {
            (Some(p), _, _) => Some((p, p)),
            (None, Some(f), t) => Some((f, t.unwrap_or(f))),
            _ => Some((0, 65535)),
        },
    }
}

/// Security groups some load balancer of the stack uses.
fn load_balancer_groups(stack: &Stack) -> BTreeSet<Address> {
    of_kind(stack, "load_balancer")
        .flat_map(|lb| lb.attrs.get("security_groups").map(Value::as_list).unwrap_or_default())
        .filter_map(|v| match v {
            Value::Ref(r) => Some(r.addr.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{found, hit, stack_with};

    fn group(ingress: &str) -> String {
        stack_with(&format!(
            "vpc \"v\" {{\n  cidr = \"10.0.0.0/16\"\n}}\n\nsecurity_group \"g\" {{\n  vpc = vpc.v\n  ingress {{\n{ingress}\n  }}\n}}\n"
        ))
    }

    const WORLD: &str = "\"0.0.0.0/0\"";

    #[test]
    fn ssh_and_rdp_from_anywhere_are_errors_at_the_source() {
        let s = group("    port = 22\n    cidr = \"0.0.0.0/0\"");
        assert_eq!(found(&s), [hit("sg-admin-port-open", &s, WORLD)]);
        let s = group("    from_port = 3000\n    to_port = 4000\n    cidrs = [\"10.0.0.0/8\", \"0.0.0.0/0\"]");
        assert_eq!(found(&s), [hit("sg-admin-port-open", &s, "[\"10.0.0.0/8\"")]);
        let s = group("    protocol = \"all\"\n    cidr = \"0.0.0.0/0\"");
        assert_eq!(found(&s), [hit("sg-admin-port-open", &s, WORLD)]);
    }

    #[test]
    fn ssh_from_a_known_address_passes() {
        assert_eq!(found(&group("    port = 22\n    cidr = \"203.0.113.7/32\"")), []);
        assert_eq!(found(&group("    protocol = \"icmp\"\n    cidr = \"0.0.0.0/0\"")), [], "ICMP has no port");
    }

    #[test]
    fn other_ports_from_anywhere_are_warnings() {
        let s = group("    port = 8080\n    cidr = \"0.0.0.0/0\"");
        assert_eq!(found(&s), [hit("sg-world-open", &s, WORLD)]);
        let s = group("    port = 443\n    cidr = \"0.0.0.0/0\"");
        assert_eq!(found(&s), [hit("sg-world-open", &s, WORLD)], "443 without a load balancer");
    }

    #[test]
    fn web_ports_on_a_load_balancer_group_pass() {
        let lb = "\nsubnet \"a\" {\n  vpc = vpc.v\n  cidr = \"10.0.1.0/24\"\n  az = \"us-east-1a\"\n}\n\
                  subnet \"b\" {\n  vpc = vpc.v\n  cidr = \"10.0.2.0/24\"\n  az = \"us-east-1b\"\n}\n\
                  load_balancer \"l\" {\n  scheme = \"internal\"\n  subnets = [subnet.a, subnet.b]\n  security_groups = [security_group.g]\n\
                  listener {\n    port = 80\n    redirect {\n      protocol = \"HTTPS\"\n      port = \"443\"\n    }\n  }\n}\n";
        let s = group("    port = 443\n    cidr = \"0.0.0.0/0\"") + lb;
        assert_eq!(found(&s), []);
        let s = group("    port = 8443\n    cidr = \"0.0.0.0/0\"") + lb;
        assert_eq!(found(&s), [hit("sg-world-open", &s, WORLD)]);
    }

    #[test]
    fn world_means_both_address_families() {
        assert!(super::is_world("0.0.0.0/0") && super::is_world("::/0"));
        assert!(!super::is_world("0.0.0.0/1"));
    }
}
