//! Load balancer listeners: ports, certificates, security policies, actions (forward,
//! redirect, fixed response) and rules with their conditions.

use super::{Case, base, case, with_other_vpc};

const LB: &str = "load_balancer \"web\"";

pub fn cases() -> Vec<Case> {
    let mut out = listeners();
    out.extend(actions());
    out.extend(rules());
    out
}

fn listeners() -> Vec<Case> {
    let l = |from: &str, to: &str| base().sub(LB, from, to);
    let http = "  listener {\n    port    = 80\n    forward = target_group.web\n  }\n";
    let many: String = (0..51)
        .map(|i| format!("  listener {{\n    port    = {}\n    forward = target_group.web\n  }}\n", 8000 + i))
        .collect();
    vec![
        case("elb-listener-port-zero", "a listener on port 0", "port 0 is out of range (1-65535)", l("port        = 443", "port        = 0")),
        case("elb-listener-port-big", "a listener on port 65536", "port 65536 is out of range (0-65535)", l("port        = 443", "port        = 65536")),
        case("elb-listener-duplicate-port", "two listeners on one port", "port 80 is already used by listener 2", base().inside(LB, http).inside(LB, http)),
        case("elb-listener-protocol", "listener protocol TCP on an application load balancer", "an application load balancer's listeners take HTTP, HTTPS, not TCP", l("\"HTTPS\"", "\"TCP\"")),
        case("elb-listener-https-no-cert", "HTTPS without a certificate", "an HTTPS or TLS listener needs `certificate`", base().sub(LB, &format!("    certificate = \"{}\"\n", super::CERT), "")),
        case("elb-listener-cert-name", "a certificate name instead of an ARN", "is not a certificate ARN", l(super::CERT, "www.example.com")),
        case("elb-listener-cert-account", "a certificate ARN with a short account", "is not a certificate ARN", l("123456789012:certificate", "1234:certificate")),
        case("elb-listener-cert-region", "a certificate ARN with a malformed region", "is not a certificate ARN", l("acm:us-east-1:", "acm:useast1:")),
        case("elb-listener-ssl-policy", "an SSL policy name AWS does not have", "is not an ELB security policy name", base().sub(LB, "    forward     = target_group.web\n    rule", "    forward     = target_group.web\n    ssl_policy  = \"TLS13\"\n    rule")),
        case("elb-listener-ssl-on-http", "ssl_policy on an HTTP listener", "apply only to HTTPS and TLS listeners", base().inside(LB, "  listener {\n    port       = 80\n    ssl_policy = \"ELBSecurityPolicy-TLS13-1-2-2021-06\"\n    forward    = target_group.web\n  }\n")),
        case("elb-listener-no-action", "a listener without an action", "needs an action", base().inside(LB, "  listener {\n    port = 80\n  }\n")),
        case("elb-listener-two-actions", "a listener with two actions", "has more than one action", base().inside(LB, "  listener {\n    port    = 80\n    forward = target_group.web\n    fixed_response {\n      status_code = \"404\"\n    }\n  }\n")),
        case("elb-listener-forward-other-vpc", "forwarding to a target group of another VPC", "target_group.o is in vpc.other, not in vpc.main", with_other_vpc(base()).inside(LB, "  listener {\n    port    = 8080\n    forward = target_group.o\n  }\n")),
        case("elb-listener-51", "51 listeners on one load balancer", "a load balancer has at most 50", base().inside(LB, &many)),
        case("elb-listener-stickiness-without-weights", "forward_stickiness on a plain forward", "`forward_stickiness` keeps clients on one of the `forward_to` groups", base().inside(LB, "  listener {\n    port               = 80\n    forward            = target_group.web\n    forward_stickiness = 600\n  }\n")),
        case("elb-listener-stickiness-week", "forward_stickiness longer than a week", "out of range (1-604800)", base().inside(LB, "  listener {\n    port = 80\n    forward_to {\n      target_group = target_group.web\n    }\n    forward_to {\n      target_group = target_group.web\n      weight       = 0\n    }\n    forward_stickiness = 604801\n  }\n")),
    ]
}

fn actions() -> Vec<Case> {
    let redirect = |attr: &str, v: &str| {
        base().inside(LB, &format!("  listener {{\n    port = 80\n    redirect {{\n      protocol = \"HTTPS\"\n      {attr} = {v}\n    }}\n  }}\n"))
    };
    let fixed = |attr: &str, v: &str| {
        base().sub(LB, "status_code = \"503\"", &format!("status_code = \"503\"\n        {attr} = {v}"))
    };
    let mut out = vec![
        case(
            "elb-redirect-port-zero",
            "a redirect to port 0",
            "is neither a port (1-65535) nor `#{port}`",
            redirect("port", "\"0\""),
        ),
        case(
            "elb-redirect-port-word",
            "a redirect to port \"https\"",
            "is neither a port",
            redirect("port", "\"https\""),
        ),
        case(
            "elb-redirect-path-relative",
            "a redirect path without a leading /",
            "must start with `/`",
            redirect("path", "\"new/place\""),
        ),
        case(
            "elb-redirect-path-long",
            "a redirect path of 129 characters",
            "is 129 characters long; at most 128",
            redirect("path", &format!("\"/{}\"", "p".repeat(128))),
        ),
        case("elb-redirect-host-empty", "an empty redirect host", "must not be empty", redirect("host", "\"\"")),
        case(
            "elb-redirect-host-long",
            "a redirect host of 129 characters",
            "at most 128",
            redirect("host", &format!("\"{}\"", "h".repeat(129))),
        ),
        case(
            "elb-redirect-query-mark",
            "a redirect query starting with ?",
            "must not start with \"?\"",
            redirect("query", "\"?a=1\""),
        ),
        case(
            "elb-redirect-status",
            "redirect status HTTP_307",
            "is not one of \"HTTP_301\", \"HTTP_302\"",
            redirect("status", "\"HTTP_307\""),
        ),
        case(
            "elb-redirect-protocol",
            "redirect protocol ftp",
            "is not one of \"HTTP\", \"HTTPS\"",
            base().inside(LB, "  listener {\n    port = 80\n    redirect {\n      protocol = \"ftp\"\n    }\n  }\n"),
        ),
        case(
            "elb-fixed-body-long",
            "a fixed response body of 1025 characters",
            "is 1025 characters long; at most 1024",
            fixed("body", &format!("\"{}\"", "b".repeat(1025))),
        ),
        case(
            "elb-fixed-content-type",
            "content type text/xml",
            "is not one of \"text/plain\"",
            fixed("content_type", "\"text/xml\""),
        ),
    ];
    for code in ["302", "600", "100", "20", "5xx", "2000"] {
        out.push(case(
            &format!("elb-fixed-status-{code}"),
            &format!("fixed response status code {code}"),
            "is not a 2XX, 4XX or 5XX status code",
            base().sub(LB, "\"503\"", &format!("\"{code}\"")),
        ));
    }
    out
}

fn rules() -> Vec<Case> {
    let r = |from: &str, to: &str| base().sub(LB, from, to);
    let rule = |body: &str| {
        base().sub(LB, "    rule {", &format!("    rule {{\n      priority = 20\n{body}      fixed_response {{\n        status_code = \"404\"\n      }}\n    }}\n    rule {{"))
    };
    vec![
        case(
            "elb-rule-priority-zero",
            "rule priority 0",
            "priority 0 is out of range (1-50000)",
            r("priority = 10", "priority = 0"),
        ),
        case(
            "elb-rule-priority-high",
            "rule priority 50001",
            "priority 50001 is out of range (1-50000)",
            r("priority = 10", "priority = 50001"),
        ),
        case(
            "elb-rule-priority-duplicate",
            "two rules with one priority",
            "priority 10 is used by another rule",
            rule("      path     = [\"/b\"]\n").sub(LB, "priority = 20", "priority = 10"),
        ),
        case(
            "elb-rule-no-condition",
            "a rule without conditions",
            "a rule needs at least one condition",
            r("      path     = [\"/api/*\"]\n", ""),
        ),
        case(
            "elb-rule-empty-path",
            "a rule whose only condition is empty",
            "a rule needs at least one condition",
            r("[\"/api/*\"]", "[]"),
        ),
        case(
            "elb-rule-path-space",
            "a path pattern with a space",
            "which a path pattern cannot hold",
            r("\"/api/*\"", "\"/api v1/*\""),
        ),
        case(
            "elb-rule-path-long",
            "a path pattern of 129 characters",
            "at most 128",
            r("\"/api/*\"", &format!("\"/{}\"", "a".repeat(128))),
        ),
        case(
            "elb-rule-host-underscore",
            "a host pattern with `_`",
            "which a host name cannot hold",
            rule("      host = [\"my_app.example.com\"]\n"),
        ),
        case(
            "elb-rule-host-long",
            "a host pattern of 129 characters",
            "at most 128",
            rule(&format!("      host = [\"{}.com\"]\n", "h".repeat(125))),
        ),
        case(
            "elb-rule-header-name-long",
            "a header name of 41 characters",
            "is 41 characters long; at most 40",
            rule(&format!("      headers = {{ {} = [\"x\"] }}\n", "h".repeat(41))),
        ),
        case(
            "elb-rule-header-value-long",
            "a header value of 129 characters",
            "at most 128",
            rule(&format!("      headers = {{ X-Env = [\"{}\"] }}\n", "v".repeat(129))),
        ),
        case(
            "elb-rule-query-value-long",
            "a query value of 129 characters",
            "at most 128",
            rule(&format!("      query = {{ v = \"{}\" }}\n", "q".repeat(129))),
        ),
        case(
            "elb-rule-six-values",
            "six condition values in one rule",
            "a rule has 6 condition values",
            rule("      path = [\"/a\", \"/b\", \"/c\", \"/d\", \"/e\", \"/f\"]\n"),
        ),
        case(
            "elb-rule-two-actions",
            "a rule with two actions",
            "has more than one action",
            r("      fixed_response {", "      forward = target_group.web\n      fixed_response {"),
        ),
        case(
            "elb-rule-forward-other-vpc",
            "a rule forwarding to a target group of another VPC",
            "target_group.o is in vpc.other",
            with_other_vpc(base()).sub(
                LB,
                "      fixed_response {\n        status_code = \"503\"\n      }\n",
                "      forward = target_group.o\n",
            ),
        ),
    ]
}
