//! What an internet-facing Network Load Balancer lets the world reach: it passes connections
//! through with the client's own address, so where it has no security group of its own the
//! groups of its targets must take the target port from anywhere (AWS's NLB user guide,
//! "Target security groups"); where it has groups, those take its listener ports from
//! anywhere. Both are expected, not findings of `sg-world-open`.

use std::collections::BTreeSet;

use super::{blocks, of_kind};
use crate::model::{Address, Value};
use crate::stack::{Resource, Stack};

/// (security group, port) pairs an internet-facing network load balancer opens to the world.
pub(super) fn world_ports(stack: &Stack) -> BTreeSet<(Address, i64)> {
    let mut out = BTreeSet::new();
    for lb in of_kind(stack, "load_balancer") {
        let attr = |k: &str| lb.attrs.get(k).and_then(Value::as_str);
        if attr("type") != Some("network") || attr("scheme") == Some("internal") {
            continue;
        }
        let own = refs(lb.attrs.get("security_groups"));
        let filtered = !lb.attrs.get("security_groups").map(Value::as_list).unwrap_or_default().is_empty();
        for (_, listener) in blocks(lb, "listener") {
            let Some(port) = listener.get("port").and_then(Value::as_int) else { continue };
            if filtered {
                out.extend(own.iter().map(|g| (g.clone(), port)));
                continue;
            }
            let Some(tg) = refs(listener.get("forward")).into_iter().next() else { continue };
            let Some(group) = stack.resource(&tg) else { continue };
            let port = group.attrs.get("port").and_then(Value::as_int).unwrap_or(port);
            out.extend(target_groups(stack, group).into_iter().map(|g| (g, port)));
        }
    }
    out
}

/// The security groups of a target group's targets: its registered instances, and the
/// instances of the Auto Scaling groups that register in it (their launch template's groups).
fn target_groups(stack: &Stack, tg: &Resource) -> Vec<Address> {
    let mut out = vec![];
    for i in refs(tg.attrs.get("targets")) {
        out.extend(stack.resource(&i).map(|r| refs(r.attrs.get("security_groups"))).unwrap_or_default());
    }
    for asg in of_kind(stack, "autoscaling_group") {
        if !refs(asg.attrs.get("target_groups")).contains(&tg.addr) {
            continue;
        }
        for lt in refs(asg.attrs.get("launch_template")) {
            out.extend(stack.resource(&lt).map(|r| refs(r.attrs.get("security_groups"))).unwrap_or_default());
        }
    }
    out
}

/// The addresses a reference or a list of references names.
fn refs(v: Option<&Value>) -> Vec<Address> {
    let mut found = vec![];
    if let Some(v) = v {
        v.refs(&mut found);
    }
    found.into_iter().map(|r| r.addr).collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{found, stack_with};

    fn nlb(groups: &str) -> String {
        stack_with(&format!(
            "vpc \"v\" {{\n  cidr = \"10.0.0.0/16\"\n}}\n\
             security_group \"web\" {{\n  vpc = vpc.v\n  ingress {{\n    port = 8080\n    cidr = \"0.0.0.0/0\"\n  }}\n}}\n\
             target_group \"t\" {{\n  vpc = vpc.v\n  protocol = \"TCP\"\n  port = 8080\n}}\n\
             launch_template \"lt\" {{\n  ami = \"ami-12345678\"\n  type = \"t3.micro\"\n  security_groups = [security_group.web]\n}}\n\
             autoscaling_group \"g\" {{\n  launch_template = launch_template.lt\n  min_size = 1\n  max_size = 1\n  subnets = [\"subnet-1\"]\n  target_groups = [target_group.t]\n}}\n\
             load_balancer \"n\" {{\n  type = \"network\"\n  subnets = [\"subnet-1\"]\n{groups}  listener {{\n    port = 80\n    protocol = \"TCP\"\n    forward = target_group.t\n  }}\n}}\n"
        ))
    }

    #[test]
    fn targets_of_an_internet_facing_nlb_take_their_port_from_anywhere() {
        assert!(!found(&nlb("")).iter().any(|f| f.0 == "sg-world-open"), "{:?}", found(&nlb("")));
        // With a group of its own the balancer filters; the servers need not be open.
        let with = nlb("  security_groups = [\"sg-1\"]\n");
        assert!(found(&with).iter().any(|f| f.0 == "sg-world-open"), "{:?}", found(&with));
    }
}
