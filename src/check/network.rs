//! Network and load-balancing rules: an internet-facing load balancer redirects HTTP to HTTPS
//! (Security Hub ELB.1), and a stack stays within the default quota of 5 Elastic IPs a region,
//! beyond which the apply fails halfway (EC2 user guide, Elastic IP address quota).

use std::collections::BTreeMap;

use super::{Finding, Rule, blocks, of_kind};
use crate::model::Value;
use crate::stack::Stack;
use crate::stack::diag::Severity;

pub static EIP_LIMIT: Rule = Rule {
    id: "ec2-eip-limit",
    severity: Severity::Warning,
    title: "more than 5 Elastic IPs (the default quota per region)",
    fix: "put the instances behind a load balancer or a NAT gateway instead of giving each an address, \
          or raise the quota (Service Quotas: EC2-VPC Elastic IPs) before applying",
    source: "EC2 user guide: Elastic IP address quota",
};

pub static HTTP_NO_REDIRECT: Rule = Rule {
    id: "elb-http-no-redirect",
    severity: Severity::Warning,
    title: "an HTTP listener on an internet-facing load balancer that does not redirect to HTTPS",
    fix: "add an HTTPS listener with a certificate and make the HTTP listener's action \
          `redirect { protocol = \"HTTPS\"  port = \"443\" }`",
    source: "Security Hub ELB.1",
};

pub static RULES: &[&Rule] = &[&EIP_LIMIT, &HTTP_NO_REDIRECT];

/// The default "EC2-VPC Elastic IPs" quota of a region.
const EIP_QUOTA: usize = 5;

pub fn check(stack: &Stack, out: &mut Vec<Finding>) {
    let eips: Vec<_> = of_kind(stack, "elastic_ip").collect();
    for (n, res) in eips.iter().enumerate().skip(EIP_QUOTA) {
        let msg = format!(
            "{} is Elastic IP {} of {}; the default quota is {EIP_QUOTA} a region",
            res.addr,
            n + 1,
            eips.len()
        );
        out.push(Finding::new(&EIP_LIMIT, res, res.span.clone(), msg));
    }
    for lb in of_kind(stack, "load_balancer") {
        if lb.attrs.get("scheme").and_then(Value::as_str) == Some("internal") {
            continue;
        }
        for (i, listener) in blocks(lb, "listener") {
            if listener.get("protocol").and_then(Value::as_str) != Some("HTTP") {
                continue;
            }
            let port = listener.get("port").and_then(Value::as_int).unwrap_or(80);
            if !redirects_to_https(listener) {
                let msg = format!("{} serves plain HTTP on port {port} to the internet", lb.addr);
                let f = Finding::new(&HTTP_NO_REDIRECT, lb, lb.span_of(&format!("listener[{i}]")), msg);
                out.push(f.label("its default action does not redirect to HTTPS"));
                continue;
            }
            for (j, rule) in listener.get("rule").map(Value::as_list).unwrap_or_default().iter().enumerate() {
                if rule.as_map().and_then(|r| r.get("forward")).is_some_and(|f| !f.is_null()) {
                    let msg = format!("a rule of {}'s HTTP listener on port {port} forwards plain HTTP", lb.addr);
                    let at = lb.span_of(&format!("listener[{i}].rule[{j}]"));
                    out.push(Finding::new(&HTTP_NO_REDIRECT, lb, at, msg).label("forwards instead of redirecting"));
                }
            }
        }
    }
}

/// True when the listener's default action is a redirect whose protocol is HTTPS.
fn redirects_to_https(listener: &BTreeMap<String, Value>) -> bool {
    listener
        .get("redirect")
        .map(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_map)
        .any(|r| r.get("protocol").and_then(Value::as_str) == Some("HTTPS"))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{found, hit, stack_with};

    fn eips(n: usize) -> String {
        stack_with(&(1..=n).map(|i| format!("elastic_ip \"e{i}\" {{\n}}\n\n")).collect::<String>())
    }

    #[test]
    fn elastic_ips_beyond_five_are_warnings_each() {
        let s = eips(7);
        assert_eq!(
            found(&s),
            [hit("ec2-eip-limit", &s, "elastic_ip \"e6\""), hit("ec2-eip-limit", &s, "elastic_ip \"e7\"")]
        );
    }

    #[test]
    fn five_elastic_ips_pass() {
        assert_eq!(found(&eips(5)), []);
    }

    /// Two subnets and a load balancer with `rest` in its block.
    fn lb(rest: &str) -> String {
        stack_with(&format!(
            "subnet \"a\" {{\n  vpc = \"vpc-1\"\n  cidr = \"10.0.1.0/24\"\n  az = \"us-east-1a\"\n}}\n\n\
             subnet \"b\" {{\n  vpc = \"vpc-1\"\n  cidr = \"10.0.2.0/24\"\n  az = \"us-east-1b\"\n}}\n\n\
             load_balancer \"l\" {{\n  subnets = [subnet.a, subnet.b]\n{rest}}}\n"
        ))
    }

    const REDIRECT: &str =
        "  listener {\n    port = 80\n    redirect {\n      protocol = \"HTTPS\"\n      port = \"443\"\n    }\n  }\n";
    const FORWARD: &str = "  listener {\n    port = 80\n    forward = \"arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/t/1\"\n  }\n";

    #[test]
    fn plain_http_on_an_internet_facing_balancer_is_a_warning_at_the_listener() {
        let s = lb(FORWARD);
        assert_eq!(found(&s), [hit("elb-http-no-redirect", &s, "listener {")]);
        // Redirecting by default but forwarding /api/* still serves plain HTTP.
        let rule = "    rule {\n      priority = 1\n      path = [\"/api/*\"]\n      forward = \"arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/t/1\"\n    }\n";
        let s = lb(&REDIRECT.replace("    }\n  }\n", &format!("    }}\n{rule}  }}\n")));
        assert_eq!(found(&s), [hit("elb-http-no-redirect", &s, "rule {")]);
    }

    #[test]
    fn redirects_and_internal_balancers_pass() {
        assert_eq!(found(&lb(REDIRECT)), []);
        assert_eq!(found(&lb(&format!("  scheme = \"internal\"\n{FORWARD}"))), []);
    }
}
