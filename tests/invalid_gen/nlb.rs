//! Network Load Balancers: what only the other type of load balancer takes (an idle timeout,
//! HTTP listeners, rules and redirects; cross-zone and Elastic IPs on an application one),
//! listeners that name no protocol or forward to a group of another protocol, and TCP target
//! groups given HTTP health check or cookie settings.

use super::{Case, base, case};

const NLB: &str = "load_balancer \"net\"";
const TCP: &str = "target_group \"tcp\"";

/// The base stack with a TCP target group and an internet-facing network load balancer.
fn nlb() -> super::Stack {
    base().add("target_group \"tcp\" {\n  vpc      = vpc.main\n  protocol = \"TCP\"\n  port     = 8080\n}").add(
        "load_balancer \"net\" {\n  type    = \"network\"\n  subnets = [subnet.a]\n  listener {\n    port     = 80\n    protocol = \"TCP\"\n    forward  = target_group.tcp\n  }\n}",
    )
}

pub fn cases() -> Vec<Case> {
    let listener = |body: &str| nlb().inside(NLB, &format!("  listener {{\n    port    = 81\n{body}  }}\n"));
    vec![
        case("nlb-idle-timeout", "an idle timeout on a network load balancer", "`idle_timeout` applies only to application load balancers", nlb().set(NLB, "idle_timeout", "120")),
        case("nlb-listener-no-protocol", "a network load balancer's listener without a protocol", "a network load balancer's listener needs `protocol`", listener("    forward = target_group.tcp\n")),
        case("nlb-listener-http", "an HTTP listener on a network load balancer", "a network load balancer's listeners take TCP, UDP, TCP_UDP, TLS, not HTTP", listener("    protocol = \"HTTP\"\n    forward  = target_group.tcp\n")),
        case("nlb-listener-rule", "a listener rule on a network load balancer", "`rule` is for application load balancers", listener("    protocol = \"TCP\"\n    forward  = target_group.tcp\n    rule {\n      priority = 1\n      path     = [\"/a\"]\n      forward  = target_group.tcp\n    }\n")),
        case("nlb-listener-redirect", "a redirect on a network load balancer", "`redirect` is for application load balancers", listener("    protocol = \"TCP\"\n    redirect {\n      protocol = \"HTTPS\"\n    }\n")),
        case("nlb-listener-udp-to-tcp", "a UDP listener forwarding to a TCP target group", "a UDP listener cannot forward to target_group.tcp, a TCP target group", listener("    protocol = \"UDP\"\n    forward  = target_group.tcp\n")),
        case("nlb-tls-no-cert", "a TLS listener without a certificate", "an HTTPS or TLS listener needs `certificate`", listener("    protocol = \"TLS\"\n    forward  = target_group.tcp\n")),
        case("nlb-alb-cross-zone", "cross_zone on an application load balancer", "`cross_zone` applies only to network load balancers", base().set("load_balancer \"web\"", "cross_zone", "true")),
        case(
            "nlb-alb-elastic-ip",
            "an Elastic IP in an application load balancer's subnet mapping",
            "Elastic IPs apply only to network load balancers",
            base().unset("load_balancer \"web\"", "subnets").add("elastic_ip \"lb\" {}").inside(
                "load_balancer \"web\"",
                "  subnet_mapping {\n    subnet     = subnet.a\n    elastic_ip = elastic_ip.lb\n  }\n  subnet_mapping {\n    subnet = subnet.b\n  }\n",
            ),
        ),
        case("nlb-subnets-and-mapping", "both subnets and subnet_mapping blocks", "write `subnets` or `subnet_mapping` blocks, not both", nlb().inside(NLB, "  subnet_mapping {\n    subnet = subnet.b\n  }\n")),
        case("nlb-tcp-health-path", "a health check path on a TCP health check", "`health_check_path` applies only to HTTP and HTTPS health checks", nlb().set(TCP, "health_check_path", "\"/health\"")),
        case("nlb-tcp-stickiness-duration", "a cookie duration on a TCP target group", "stickiness is by client address", nlb().set(TCP, "stickiness_duration", "600")),
        case("nlb-tls-sticky", "stickiness on a TLS target group", "a TLS target group cannot be sticky", nlb().set(TCP, "protocol", "\"TLS\"").set(TCP, "stickiness", "true")),
    ]
}
