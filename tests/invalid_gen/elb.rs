//! Load balancing: target group names, ports and health checks; load balancer names and
//! placement. Listeners are in `listeners.rs`.

use super::{Case, base, case, with_other_vpc};

const TG: &str = "target_group \"web\"";
const LB: &str = "load_balancer \"web\"";

pub fn cases() -> Vec<Case> {
    let mut out = target_groups();
    out.extend(health_checks());
    out.extend(load_balancers());
    out
}

fn target_groups() -> Vec<Case> {
    let name = |v: &str| base().set(TG, "name", &format!("\"{v}\""));
    vec![
        case(
            "elb-tg-name-long",
            "a target group name of 33 characters",
            "invalid target group name",
            name(&"t".repeat(33)),
        ),
        case(
            "elb-tg-name-underscore",
            "a target group name with `_`",
            "may contain only letters, digits and hyphens",
            name("web_tg"),
        ),
        case(
            "elb-tg-name-leading-hyphen",
            "a target group name starting with `-`",
            "must not begin or end with a hyphen",
            name("-web"),
        ),
        case(
            "elb-tg-name-double-hyphen",
            "a target group name with `--`",
            "must not begin or end with a hyphen or contain two in a row",
            name("web--tg"),
        ),
        case(
            "elb-tg-port-zero",
            "a target group on port 0",
            "port 0 is out of range (1-65535)",
            base().set(TG, "port", "0"),
        ),
        case(
            "elb-tg-port-big",
            "a target group on port 70000",
            "port 70000 is out of range (0-65535)",
            base().set(TG, "port", "70000"),
        ),
        case(
            "elb-tg-protocol",
            "protocol TCP on a target group an HTTPS listener forwards to",
            "an HTTPS listener cannot forward to target_group.web, a TCP target group",
            base().set(TG, "protocol", "\"TCP\""),
        ),
        case(
            "elb-tg-target-type",
            "target type lambda",
            "is not one of \"instance\", \"ip\"",
            base().set(TG, "target_type", "\"lambda\""),
        ),
        case(
            "elb-tg-ip-with-instances",
            "instances registered in an ip target group",
            "but this group's target_type is \"ip\"",
            base().set(TG, "target_type", "\"ip\"").set(TG, "targets", "[instance.app]"),
        ),
        case(
            "elb-tg-target-other-vpc",
            "an instance of another VPC registered",
            "instance.app is in vpc.main, not in vpc.other",
            with_other_vpc(base()).set("target_group \"o\"", "targets", "[instance.app]"),
        ),
        case(
            "elb-tg-duplicate-names",
            "two target groups with one name",
            "would both be the target group named \"shared\"",
            base()
                .set(TG, "name", "\"shared\"")
                .add("target_group \"b\" {\n  name = \"shared\"\n  vpc  = vpc.main\n  port = 8080\n}"),
        ),
        case(
            "elb-tg-tags-char",
            "a target group tag with `#`",
            "contains `#`",
            base().set(TG, "tags", "{ team = \"a#b\" }"),
        ),
        case(
            "elb-tg-tags-aws",
            "a target group tag key starting with aws:",
            "must not start with \"aws:\"",
            base().set(TG, "tags", "{ \"aws:x\" = \"y\" }"),
        ),
    ]
}

fn health_checks() -> Vec<Case> {
    let hc = |attr: &str, v: &str| base().set(TG, attr, v);
    let mut out = vec![
        case(
            "elb-hc-path-no-slash",
            "a health check path without a leading /",
            "must start with `/`",
            hc("health_check_path", "\"health\""),
        ),
        case("elb-hc-path-empty", "an empty health check path", "must not be empty", hc("health_check_path", "\"\"")),
        case(
            "elb-hc-path-space",
            "a health check path with a space",
            "contains a space, which is not allowed in a URL path",
            hc("health_check_path", "\"/my health\""),
        ),
        case(
            "elb-hc-path-long",
            "a health check path of 1025 characters",
            "is 1025 characters long; at most 1024",
            hc("health_check_path", &format!("\"/{}\"", "p".repeat(1024))),
        ),
        case(
            "elb-hc-port-zero",
            "health check port 0",
            "is neither a port (1-65535) nor `traffic-port`",
            hc("health_check_port", "\"0\""),
        ),
        case(
            "elb-hc-port-word",
            "health check port \"http\"",
            "is neither a port",
            hc("health_check_port", "\"http\""),
        ),
        case("elb-hc-port-big", "health check port 70000", "is neither a port", hc("health_check_port", "70000")),
        case(
            "elb-hc-timeout-not-less",
            "a timeout equal to the interval",
            "must be less than its interval",
            hc("health_check_timeout", "30"),
        ),
        case(
            "elb-hc-protocol",
            "health check protocol TCP on an HTTP target group",
            "an HTTP target group cannot check its targets over TCP",
            hc("health_check_protocol", "\"TCP\""),
        ),
    ];
    for (attr, low, high, range) in [
        ("health_check_interval", 4, 301, "5-300"),
        ("health_check_timeout", 1, 121, "2-120"),
        ("healthy_threshold", 1, 11, "2-10"),
        ("unhealthy_threshold", 1, 11, "2-10"),
        ("stickiness_duration", 0, 604_801, "1-604800"),
        ("deregistration_delay", -1, 3601, "0-3600"),
    ] {
        for v in [low, high] {
            let s = if attr == "health_check_timeout" {
                hc("health_check_interval", "300").set(TG, attr, &v.to_string())
            } else {
                hc(attr, &v.to_string())
            };
            out.push(case(
                &format!("elb-tg-{}-{}", attr.replace('_', "-"), if v == low { "low" } else { "high" }),
                &format!("{attr} {v}"),
                &format!("{attr} {v} is out of range ({range})"),
                s,
            ));
        }
    }
    for (slug, m) in [
        ("100", "100"),
        ("600", "600"),
        ("backwards", "300-200"),
        ("word", "ok"),
        ("trailing-comma", "200,"),
        ("digits", "2000"),
    ] {
        out.push(case(
            &format!("elb-hc-matcher-{slug}"),
            &format!("health check matcher \"{m}\""),
            "is not a list or range of HTTP codes from 200 to 499",
            hc("health_check_matcher", &format!("\"{m}\"")),
        ));
    }
    out
}

fn load_balancers() -> Vec<Case> {
    let name = |v: &str| base().set(LB, "name", &format!("\"{v}\""));
    vec![
        case(
            "elb-lb-name-internal",
            "a name starting with internal-",
            "must not begin with \"internal-\"",
            name("internal-web"),
        ),
        case("elb-lb-name-long", "a name of 33 characters", "must be 1 to 32 characters long", name(&"l".repeat(33))),
        case("elb-lb-name-dot", "a name with a dot", "may contain only letters, digits and hyphens", name("web.lb")),
        case(
            "elb-lb-idle-zero",
            "idle timeout 0",
            "idle_timeout 0 is out of range (1-4000)",
            base().set(LB, "idle_timeout", "0"),
        ),
        case(
            "elb-lb-idle-high",
            "idle timeout 4001",
            "idle_timeout 4001 is out of range (1-4000)",
            base().set(LB, "idle_timeout", "4001"),
        ),
        case("elb-lb-one-subnet", "one subnet", "needs at least two subnets", base().set(LB, "subnets", "[subnet.a]")),
        case(
            "elb-lb-one-zone",
            "two subnets in one zone",
            "are all in us-east-1a",
            base().set("subnet \"b\"", "az", "\"us-east-1a\""),
        ),
        case(
            "elb-lb-two-subnets-one-zone",
            "two subnets of one zone among three",
            "are both in us-east-1a; a load balancer takes one subnet per availability zone",
            base().add("subnet \"c\" {\n  vpc  = vpc.main\n  cidr = \"10.0.3.0/24\"\n  az   = \"us-east-1a\"\n}").set(
                LB,
                "subnets",
                "[subnet.a, subnet.b, subnet.c]",
            ),
        ),
        case(
            "elb-lb-subnets-two-vpcs",
            "subnets of two VPCs",
            "subnet.o is in vpc.other, not in vpc.main",
            with_other_vpc(base()).set(LB, "subnets", "[subnet.a, subnet.b, subnet.o]"),
        ),
        case(
            "elb-lb-sg-other-vpc",
            "a security group of another VPC",
            "security_group.o is in vpc.other, not in vpc.main",
            with_other_vpc(base()).set(LB, "security_groups", "[security_group.alb, security_group.o]"),
        ),
        case(
            "elb-lb-scheme",
            "scheme public",
            "is not one of \"internet-facing\", \"internal\"",
            base().set(LB, "scheme", "\"public\""),
        ),
        case(
            "elb-lb-duplicate-names",
            "two load balancers with one name",
            "would both be the load balancer named \"front\"",
            base()
                .set(LB, "name", "\"front\"")
                .add("load_balancer \"two\" {\n  name    = \"front\"\n  subnets = [subnet.a, subnet.b]\n}"),
        ),
        case(
            "elb-lb-tags",
            "a load balancer tag value with `!`",
            "contains `!`",
            base().set(LB, "tags", "{ team = \"web!\" }"),
        ),
    ]
}
