//! Target groups and Application Load Balancers against LocalStack: every attribute checked
//! in the account through the SDK, each in-place update and forced replacement shown in the
//! plan and applied, a target group replaced while a listener forwards to it, deletion
//! protection, bad input, and stacks/alb.hcl applied and destroyed.

mod common;

use common::elb::*;
use common::*;

#[tokio::test]
async fn target_group_updates_in_place_and_replaces_on_port_and_protocol() {
    let c = Case::new("tg").await;
    let tg = |port: u16, protocol: &str, health: &str| {
        format!(
            "vpc \"v\" {{ cidr = \"10.90.0.0/16\" }}\n\
             target_group \"app\" {{\n  vpc = vpc.v\n  port = {port}\n  protocol = \"{protocol}\"\n  target_type = \"ip\"\n{health}  tags = {{ team = \"web\" }}\n}}\n"
        )
    };
    let custom = "  health_check_path = \"/health\"\n  health_check_port = \"8081\"\n  health_check_interval = 20\n  \
                  health_check_timeout = 4\n  healthy_threshold = 3\n  unhealthy_threshold = 4\n  health_check_matcher = \"200-299\"\n  \
                  stickiness = true\n  stickiness_duration = 3600\n  deregistration_delay = 45\n";
    c.apply(&tg(8080, "HTTP", custom), &["+ resource \"target_group\" \"app\""]);
    let g = c.group("-app").await;
    let arn = g.target_group_arn().unwrap().to_string();
    assert_eq!((g.port(), g.protocol().map(|p| p.as_str())), (Some(8080), Some("HTTP")));
    assert_eq!(g.target_type().map(|t| t.as_str()), Some("ip"));
    assert_eq!(g.health_check_path(), Some("/health"));
    assert_eq!(g.health_check_port(), Some("8081"));
    assert_eq!((g.health_check_interval_seconds(), g.health_check_timeout_seconds()), (Some(20), Some(4)));
    assert_eq!((g.healthy_threshold_count(), g.unhealthy_threshold_count()), (Some(3), Some(4)));
    assert_eq!(g.matcher().and_then(|m| m.http_code()), Some("200-299"));
    assert_eq!(c.group_attr(&arn, "stickiness.enabled").await, "true");
    assert_eq!(c.group_attr(&arn, "stickiness.type").await, "lb_cookie");
    assert_eq!(c.group_attr(&arn, "stickiness.lb_cookie.duration_seconds").await, "3600");
    assert_eq!(c.group_attr(&arn, "deregistration_delay.timeout_seconds").await, "45");
    let tags = c.elb.describe_tags().resource_arns(&arn).send().await.unwrap();
    let tags = tags.tag_descriptions()[0].tags().to_vec();
    assert!(tags.iter().any(|t| t.key() == Some("team") && t.value() == Some("web")), "{tags:?}");
    assert!(tags.iter().any(|t| t.key() == Some("stackr:address") && t.value() == Some("target_group.app")));

    // Back to the defaults: health check, stickiness and delay change in place.
    c.apply(
        &tg(8080, "HTTP", ""),
        &[
            "# target_group.app will be updated in-place",
            "~ health_check_path     = \"/health\" -> \"/\"",
            "~ stickiness ",
        ],
    );
    let g = c.group("-app").await;
    assert_eq!(g.target_group_arn(), Some(arn.as_str()), "updated in place");
    assert_eq!((g.health_check_path(), g.health_check_interval_seconds()), (Some("/"), Some(30)));
    assert_eq!(g.matcher().and_then(|m| m.http_code()), Some("200"));
    assert_eq!(c.group_attr(&arn, "stickiness.enabled").await, "false");
    assert_eq!(c.group_attr(&arn, "deregistration_delay.timeout_seconds").await, "300");

    c.apply(&tg(9090, "HTTP", ""), &["# target_group.app must be replaced", "~ port "]);
    let g = c.group("-app").await;
    assert_ne!(g.target_group_arn(), Some(arn.as_str()));
    assert_eq!(g.port(), Some(9090));
    let arn = g.target_group_arn().unwrap().to_string();
    c.apply(&tg(9090, "HTTPS", ""), &["# target_group.app must be replaced", "# forces replacement"]);
    let g = c.group("-app").await;
    assert_ne!(g.target_group_arn(), Some(arn.as_str()));
    assert_eq!(g.protocol().map(|p| p.as_str()), Some("HTTPS"));
    assert_eq!(c.groups().await.len(), 1, "the old groups are gone");
    c.destroy().await;
}

fn balancer(listeners: &str, extra: &str) -> String {
    format!(
        "target_group \"one\" {{\n  vpc = vpc.v\n  port = 80\n}}\ntarget_group \"two\" {{\n  vpc = vpc.v\n  port = 8080\n}}\n\
         load_balancer \"web\" {{\n  subnets = [subnet.a, subnet.b]\n  security_groups = [security_group.lb]\n{extra}{listeners}}}\n"
    )
}

#[tokio::test]
async fn listeners_rules_and_attributes_change_in_place() {
    let c = Case::new("lsn").await;
    let net = network(91);
    let first = "  listener {\n    port = 80\n    forward = target_group.one\n    rule {\n      priority = 10\n      \
                 path = [\"/api/*\"]\n      forward = target_group.two\n    }\n  }\n";
    c.apply(&format!("{net}{}", balancer(first, "  idle_timeout = 120\n")), &["+ resource \"load_balancer\" \"web\""]);
    let lb = c.balancer().await;
    let lb_arn = lb.load_balancer_arn().unwrap().to_string();
    assert_eq!(lb.scheme().map(|s| s.as_str()), Some("internet-facing"));
    assert_eq!(lb.availability_zones().len(), 2);
    assert_eq!(lb.security_groups().len(), 1);
    assert_eq!(c.lb_attr(&lb_arn, "idle_timeout.timeout_seconds").await.as_deref(), Some("120"));
    let one = c.group("-one").await.target_group_arn().unwrap().to_string();
    let two = c.group("-two").await.target_group_arn().unwrap().to_string();
    let ls = c.listeners(&lb).await;
    assert_eq!((ls.len(), ls[0].port()), (1, Some(80)));
    assert_eq!(target_arn(ls[0].default_actions()), Some(one.as_str()));
    let rules = c.rules(&ls[0]).await;
    assert_eq!(rules.len(), 1);
    assert_eq!(target_arn(rules[0].actions()), Some(two.as_str()));
    assert_eq!(rules[0].conditions()[0].field(), Some("path-pattern"));

    // The default action becomes a fixed response, the rule matches a host instead, a new
    // rule matches a header and a query string, and the idle timeout changes.
    let second = "  listener {\n    port = 80\n    fixed_response {\n      status_code = 404\n      body = \"nope\"\n    }\n    \
                  rule {\n      priority = 10\n      host = [\"api.example.com\"]\n      forward = target_group.two\n    }\n    \
                  rule {\n      priority = 20\n      headers = { X-Env = [\"beta\"] }\n      query = { v = \"2\" }\n      \
                  redirect {\n        protocol = \"HTTPS\"\n        port = 443\n      }\n    }\n  }\n";
    c.apply(
        &format!("{net}{}", balancer(second, "  idle_timeout = 30\n")),
        &["# load_balancer.web will be updated in-place", "~ idle_timeout", "listener {"],
    );
    let lb = c.balancer().await;
    assert_eq!(lb.load_balancer_arn(), Some(lb_arn.as_str()), "updated in place");
    assert_eq!(c.lb_attr(&lb_arn, "idle_timeout.timeout_seconds").await.as_deref(), Some("30"));
    let ls = c.listeners(&lb).await;
    let fixed = ls[0].default_actions()[0].fixed_response_config().unwrap();
    assert_eq!((fixed.status_code(), fixed.message_body()), (Some("404"), Some("nope")));
    let rules = c.rules(&ls[0]).await;
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].conditions()[0].host_header_config().unwrap().values(), ["api.example.com"]);
    let fields: Vec<&str> = rules[1].conditions().iter().filter_map(|c| c.field()).collect();
    assert!(fields.contains(&"http-header") && fields.contains(&"query-string"), "{fields:?}");
    let redirect = rules[1].actions()[0].redirect_config().unwrap();
    assert_eq!((redirect.protocol(), redirect.port()), (Some("HTTPS"), Some("443")));

    // A rule goes, the listener redirects, a second listener appears.
    let third = "  listener {\n    port = 80\n    redirect {\n      protocol = \"HTTPS\"\n      port = 443\n      status = \"HTTP_302\"\n    }\n  }\n  \
                 listener {\n    port = 8080\n    forward = target_group.two\n  }\n";
    c.apply(&format!("{net}{}", balancer(third, "")), &["# load_balancer.web will be updated in-place"]);
    let ls = c.listeners(&c.balancer().await).await;
    assert_eq!(ls.len(), 2);
    assert!(c.rules(&ls[0]).await.is_empty(), "rules removed");
    let redirect = ls[0].default_actions()[0].redirect_config().unwrap();
    assert_eq!(redirect.status_code().map(|s| s.as_str()), Some("HTTP_302"));
    assert_eq!(target_arn(ls[1].default_actions()), Some(two.as_str()));
    c.destroy().await;
}

#[tokio::test]
async fn a_target_group_is_replaced_and_removed_while_a_listener_forwards_to_it() {
    let c = Case::new("tgin").await;
    let net = network(92);
    let stack = |port: u16| {
        format!(
            "{net}target_group \"app\" {{\n  vpc = vpc.v\n  port = {port}\n}}\n\
             load_balancer \"web\" {{\n  subnets = [subnet.a, subnet.b]\n  listener {{\n    port = 80\n    forward = target_group.app\n    \
             rule {{\n      priority = 5\n      path = [\"/x\"]\n      forward = target_group.app\n    }}\n  }}\n}}\n"
        )
    };
    c.apply(&stack(80), &[]);
    let old = c.group("-app").await.target_group_arn().unwrap().to_string();
    let run =
        c.apply(&stack(8080), &["# target_group.app must be replaced", "# load_balancer.web will be updated in-place"]);
    assert!(run.stdout.contains("load_balancer.web: Releasing references..."), "{}", run.stdout);
    let new = c.group("-app").await.target_group_arn().unwrap().to_string();
    assert_ne!(new, old);
    let ls = c.listeners(&c.balancer().await).await;
    assert_eq!(target_arn(ls[0].default_actions()), Some(new.as_str()));
    assert_eq!(target_arn(c.rules(&ls[0]).await[0].actions()), Some(new.as_str()));

    // Removing the group: the listener lets go first, then the group is deleted.
    let without = format!(
        "{net}load_balancer \"web\" {{\n  subnets = [subnet.a, subnet.b]\n  listener {{\n    port = 80\n    \
         fixed_response {{\n      status_code = 503\n    }}\n  }}\n}}\n"
    );
    let run = c.apply(&without, &["# target_group.app will be destroyed"]);
    let (lb_done, tg_gone) =
        (run.stdout.find("load_balancer.web: Modifications complete"), run.stdout.find("target_group.app: Destroying"));
    assert!(lb_done.unwrap() < tg_gone.unwrap(), "the listener changes before the group goes:\n{}", run.stdout);
    assert!(c.groups().await.is_empty());
    c.destroy().await;
}

#[tokio::test]
async fn deletion_protection_stops_a_destroy_until_it_is_turned_off() {
    let c = Case::new("prot").await;
    let net = network(93);
    let lb = |on: bool| {
        format!("{net}load_balancer \"web\" {{\n  subnets = [subnet.a, subnet.b]\n  deletion_protection = {on}\n}}\n")
    };
    c.apply(&lb(true), &[]);
    let arn = c.balancer().await.load_balancer_arn().unwrap().to_string();
    assert_eq!(c.lb_attr(&arn, "deletion_protection.enabled").await.as_deref(), Some("true"));
    let plan = stackr(&["plan", "-f", &c.write(""), "--destroy"]);
    assert!(plan.stdout.contains("set it to false and apply first"), "{}", plan.stdout);
    let run = stackr(&["destroy", "-f", &c.write(""), "--auto-approve"]).expect(1);
    assert!(run.stderr.contains("deletion protection is enabled"), "{}", run.stderr);
    assert!(run.stderr.contains("set `deletion_protection = false`"), "{}", run.stderr);
    assert_eq!(c.balancers().await.len(), 1, "the load balancer is still there");
    c.apply(&lb(false), &["~ deletion_protection = true -> false"]);
    c.destroy().await;
}

#[tokio::test]
async fn subnets_security_groups_and_tags_change_in_place_and_scheme_replaces() {
    let c = Case::new("net").await;
    let net = format!(
        "{}subnet \"c\" {{\n  vpc = vpc.v\n  cidr = \"10.97.3.0/24\"\n  az = \"us-east-1c\"\n}}\n\
         security_group \"other\" {{ vpc = vpc.v }}\n",
        network(97)
    );
    let lb = |subnets: &str, group: &str, scheme: &str, tag: &str| {
        format!(
            "{net}load_balancer \"web\" {{\n  subnets = [{subnets}]\n  security_groups = [security_group.{group}]\n  \
             scheme = \"{scheme}\"\n  tags = {{ tier = \"{tag}\" }}\n}}\n"
        )
    };
    c.apply(&lb("subnet.a, subnet.b", "lb", "internet-facing", "one"), &[]);
    let first = c.balancer().await;
    c.apply(
        &lb("subnet.a, subnet.c", "other", "internet-facing", "two"),
        &["# load_balancer.web will be updated in-place", "~ subnets", "~ security_groups", "~ tags"],
    );
    let now = c.balancer().await;
    assert_eq!(now.load_balancer_arn(), first.load_balancer_arn(), "updated in place");
    let mut zones: Vec<&str> = now.availability_zones().iter().filter_map(|z| z.zone_name()).collect();
    zones.sort();
    assert_eq!(zones, ["us-east-1a", "us-east-1c"]);
    assert_ne!(now.security_groups(), first.security_groups());
    let tags = c.elb.describe_tags().resource_arns(now.load_balancer_arn().unwrap()).send().await.unwrap();
    let tier = tags.tag_descriptions()[0].tags().iter().find(|t| t.key() == Some("tier")).and_then(|t| t.value());
    assert_eq!(tier, Some("two"));
    c.apply(&lb("subnet.a, subnet.c", "other", "internal", "two"), &["# load_balancer.web must be replaced"]);
    let replaced = c.balancer().await;
    assert_ne!(replaced.load_balancer_arn(), first.load_balancer_arn());
    assert_eq!(replaced.scheme().map(|s| s.as_str()), Some("internal"));
    c.destroy().await;
}
