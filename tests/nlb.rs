//! Network Load Balancers: stacks/nlb.hcl applied (one Elastic IP per subnet, a TCP listener,
//! a TCP target group of an Auto Scaling group), checked in the account and planned clean, then
//! destroyed (the addresses are released once the balancer's interfaces let go of them); and
//! what a network balancer changes in place (subnets added, cross-zone) and only by being
//! replaced (a subnet removed, security groups where it had none).

mod common;

use aws_sdk_elasticloadbalancingv2::types::{LoadBalancer, LoadBalancerTypeEnum, ProtocolEnum};
use common::elb::*;
use common::*;

/// The allocation ids a balancer answers on, sorted.
fn allocations(lb: &LoadBalancer) -> Vec<String> {
    let zones = lb.availability_zones().iter();
    let mut out: Vec<String> = zones
        .flat_map(|z| z.load_balancer_addresses().iter().filter_map(|a| a.allocation_id().map(String::from)))
        .collect();
    out.sort();
    out
}

async fn cross(c: &Case, lb: &LoadBalancer) -> Option<String> {
    c.lb_attr(lb.load_balancer_arn().unwrap(), "load_balancing.cross_zone.enabled").await
}

#[tokio::test]
async fn the_nlb_example_applies_settles_and_destroys() {
    let c = Case::new("nlb").await;
    let text = std::fs::read_to_string(repo().join("stacks/nlb.hcl")).unwrap();
    let body = text.replace("stack \"nlb\" {\n  region = var.region\n}\n", "");
    assert_ne!(body, text, "stacks/nlb.hcl names its stack as expected");
    let f = c.write(&body);
    let check = stackr(&["check", "-f", &f]).expect(0);
    let said = format!("{}{}", check.stdout, check.stderr);
    assert!(said.contains("0 errors, 0 warnings"), "the NLB's pass-through is expected: {said}");
    let (plan, run) = apply_settled(&f, &["# load_balancer.web will be created", "type", "\"network\""]);
    assert!(plan.stdout.contains("elastic_ip.lb[\"a\"]"), "{}", plan.stdout);
    assert!(run.stdout.contains("addresses = ["), "{}", run.stdout);

    let lb = c.balancer().await;
    assert_eq!(lb.r#type(), Some(&LoadBalancerTypeEnum::Network));
    assert!(lb.security_groups().is_empty(), "made without security groups");
    let acct = account().await;
    let eips = acct.ec2.describe_addresses().filters(tag_filter(&c.name)).send().await.unwrap();
    let mut owned: Vec<String> = eips.addresses().iter().filter_map(|a| a.allocation_id().map(String::from)).collect();
    owned.sort();
    assert_eq!(owned.len(), 2);
    assert_eq!(allocations(&lb), owned, "one Elastic IP per subnet");
    let arn = lb.load_balancer_arn().unwrap();
    assert_eq!(c.lb_attr(arn, "load_balancing.cross_zone.enabled").await.as_deref(), Some("true"));
    let g = c.group("-web").await;
    assert_eq!((g.protocol(), g.health_check_protocol()), (Some(&ProtocolEnum::Tcp), Some(&ProtocolEnum::Tcp)));
    assert_eq!((g.health_check_interval_seconds(), g.unhealthy_threshold_count()), (Some(10), Some(3)));
    let ls = c.listeners(&lb).await;
    assert_eq!((ls.len(), ls[0].port(), ls[0].protocol()), (1, Some(80), Some(&ProtocolEnum::Tcp)));
    assert_eq!(target_arn(ls[0].default_actions()), g.target_group_arn());
    c.destroy().await;
}

#[tokio::test]
async fn a_network_balancer_adds_subnets_in_place_and_is_replaced_for_what_aws_cannot_change() {
    let c = Case::new("nlbchg").await;
    let tg = "target_group \"t\" {\n  vpc = vpc.v\n  protocol = \"TCP\"\n  port = 80\n}\n";
    let stack = |extra: &str| {
        format!(
            "{}{tg}load_balancer \"n\" {{\n  type = \"network\"\n{extra}  listener {{\n    port = 80\n    protocol = \"TCP\"\n    forward = target_group.t\n  }}\n}}\n",
            network(97)
        )
    };
    c.apply(&stack("  subnets = [subnet.a]\n"), &["# load_balancer.n will be created"]);
    let first = c.balancer().await;
    assert_eq!(cross(&c, &first).await.as_deref(), Some("false"), "AWS's default, sent explicitly");

    c.apply(
        &stack("  subnets = [subnet.a, subnet.b]\n  cross_zone = true\n"),
        &["# load_balancer.n will be updated in-place"],
    );
    let grown = c.balancer().await;
    assert_eq!(grown.load_balancer_arn(), first.load_balancer_arn());
    assert_eq!(grown.availability_zones().len(), 2);
    assert_eq!(cross(&c, &grown).await.as_deref(), Some("true"));

    // AWS cannot take a subnet away from a network load balancer, nor give groups to one made
    // without: both replace it.
    c.apply(&stack("  subnets = [subnet.b]\n  cross_zone = true\n"), &["must be replaced", "# forces replacement"]);
    let shrunk = c.balancer().await;
    assert_ne!(shrunk.load_balancer_arn(), first.load_balancer_arn());
    assert_eq!(shrunk.availability_zones().len(), 1);
    c.apply(
        &stack("  subnets = [subnet.b]\n  cross_zone = true\n  security_groups = [security_group.lb]\n"),
        &["must be replaced"],
    );
    let guarded = c.balancer().await;
    assert_ne!(guarded.load_balancer_arn(), shrunk.load_balancer_arn());
    assert_eq!(guarded.security_groups().len(), 1);
    c.destroy().await;
}
