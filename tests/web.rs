//! stacks/web.hcl, the whole web tier, end to end: apply into an account without it, check
//! what matters in the account (the Auto Scaling group's instances registered in the target
//! group behind the listener, in private subnets behind a NAT gateway per zone, the bastion
//! with its volume, address and role), a clean plan,
//! then destroy leaving nothing the stack owns.

mod common;

use common::*;

const STACK: &str = "web";
/// The web tier's default names (module `tier`, label `web`).
const GROUP: &str = "web-tier-web-asg";
const TARGET_GROUP: &str = "web-tier-web-tg";
const BALANCER: &str = "web-tier-web-lb";

async fn groups_named(
    acct: &Account,
    name: &str,
) -> aws_sdk_autoscaling::operation::describe_auto_scaling_groups::DescribeAutoScalingGroupsOutput {
    acct.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(name).send().await.unwrap()
}

async fn check_web_tier(acct: &Account) {
    // Two servers in service, both registered and healthy in the target group.
    let groups = groups_named(acct, GROUP).await;
    let group = &groups.auto_scaling_groups()[0];
    assert_eq!((group.min_size(), group.max_size()), (Some(2), Some(4)));
    assert_eq!(group.health_check_type(), Some("ELB"));
    let mut members: Vec<&str> = group.instances().iter().filter_map(|i| i.instance_id()).collect();
    members.sort();
    assert_eq!(members.len(), 2, "{members:?}");
    let tgs = acct.elb.describe_target_groups().names(TARGET_GROUP).send().await.unwrap();
    let tg = &tgs.target_groups()[0];
    assert_eq!(tg.health_check_path(), Some("/health"));
    assert_eq!(group.target_group_arns(), [tg.target_group_arn().unwrap().to_string()]);
    let health =
        acct.elb.describe_target_health().target_group_arn(tg.target_group_arn().unwrap()).send().await.unwrap();
    let mut registered: Vec<&str> =
        health.target_health_descriptions().iter().filter_map(|d| d.target()?.id()).collect();
    registered.sort();
    assert_eq!(registered, members, "the group's instances are the target group's targets");

    // The listener forwards to that target group.
    let lbs = acct.elb.describe_load_balancers().names(BALANCER).send().await.unwrap();
    let lb = &lbs.load_balancers()[0];
    assert_eq!(lb.availability_zones().len(), 2);
    let listeners =
        acct.elb.describe_listeners().load_balancer_arn(lb.load_balancer_arn().unwrap()).send().await.unwrap();
    let listener = &listeners.listeners()[0];
    assert_eq!(listener.port(), Some(80));
    assert_eq!(listener.default_actions()[0].target_group_arn(), tg.target_group_arn());

    // The balancer's group and the servers' group name each other: egress to, ingress from.
    let sgs = acct.ec2.describe_security_groups().group_ids(lb.security_groups()[0].clone()).send().await.unwrap();
    let alb_sg = &sgs.security_groups()[0];
    let to: Vec<&str> = alb_sg
        .ip_permissions_egress()
        .iter()
        .flat_map(|r| r.user_id_group_pairs())
        .filter_map(|p| p.group_id())
        .collect();
    assert_eq!(to.len(), 1, "{alb_sg:?}");
    let web_sg = acct.ec2.describe_security_groups().group_ids(to[0]).send().await.unwrap();
    let from: Vec<&str> = web_sg.security_groups()[0]
        .ip_permissions()
        .iter()
        .flat_map(|r| r.user_id_group_pairs())
        .filter_map(|p| p.group_id())
        .collect();
    assert_eq!(from, [alb_sg.group_id().unwrap()]);

    // It scales out in two steps on high CPU and in by one on low CPU.
    let policies = acct.autoscaling.describe_policies().auto_scaling_group_name(GROUP).send().await.unwrap();
    let policy = |name: &str| {
        let p = policies.scaling_policies().iter().find(|p| p.policy_name() == Some(name));
        p.unwrap_or_else(|| panic!("policy {name} in {policies:?}")).clone()
    };
    let high = policy("cpu-high");
    assert_eq!(high.policy_type(), Some("StepScaling"));
    let mut steps: Vec<i32> = high.step_adjustments().iter().filter_map(|s| s.scaling_adjustment()).collect();
    steps.sort();
    assert_eq!(steps, [1, 2]);
    let low = policy("cpu-low");
    assert_eq!(low.policy_type(), Some("SimpleScaling"));
    assert_eq!(low.scaling_adjustment(), Some(-1));

    // The bastion: its role's profile, its data volume at /dev/sdf, its Elastic IP.
    let bastion = acct.ec2.describe_instances().filters(tag_filter(STACK)).send().await.unwrap();
    let bastions: Vec<_> = bastion
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .filter(|i| tag(i.tags(), "stackr:address") == Some("instance.bastion"))
        .filter(|i| i.state().and_then(|s| s.name()).map(|n| n.as_str()) == Some("running"))
        .collect();
    assert_eq!(bastions.len(), 1);
    let bastion = bastions[0];
    assert!(bastion.iam_instance_profile().and_then(|p| p.arn()).is_some_and(|a| a.ends_with("/web-servers")));
    let id = bastion.instance_id().unwrap();
    let vols = acct.ec2.describe_volumes().filters(tag_filter(STACK)).send().await.unwrap();
    let data = vols.volumes().iter().find(|v| tag(v.tags(), "stackr:address") == Some("volume.bastion_data")).unwrap();
    assert_eq!((data.size(), data.volume_type().map(|t| t.as_str())), (Some(8), Some("gp3")));
    assert_eq!(data.encrypted(), Some(true));
    // Encrypted with no size given: the root volume takes the AMI's snapshot size.
    let root_id = bastion.block_device_mappings().iter().find_map(|m| m.ebs()?.volume_id()).unwrap();
    let root = acct.ec2.describe_volumes().volume_ids(root_id).send().await.unwrap();
    assert_eq!(root.volumes()[0].encrypted(), Some(true));
    assert_eq!(data.attachments()[0].instance_id(), Some(id));
    assert_eq!(data.attachments()[0].device(), Some("/dev/sdf"));
    let eips = acct.ec2.describe_addresses().filters(tag_filter(STACK)).send().await.unwrap();
    let eip = eips.addresses().iter().find(|a| tag(a.tags(), "stackr:address") == Some("elastic_ip.bastion"));
    assert_eq!(eip.unwrap().instance_id(), Some(id));
    check_private_network(acct, group, lb).await;

    // The group's instances carry the group's or the template's address (AWS gives the group's
    // tags precedence; LocalStack the template's): never an instance's, so never planned alone.
    let asg_instance = acct.ec2.describe_instances().instance_ids(members[0]).send().await.unwrap();
    let tags = asg_instance.reservations()[0].instances()[0].tags();
    let addr = tag(tags, "stackr:address");
    assert!(matches!(addr, Some("module.tier.autoscaling_group.web" | "module.tier.launch_template.web")), "{addr:?}");

    let policy = acct.iam.get_account_password_policy().send().await.unwrap();
    assert_eq!(policy.password_policy().unwrap().minimum_password_length(), Some(14));
    let user = acct.iam.list_groups_for_user().user_name("web-oncall").send().await.unwrap();
    assert_eq!(user.groups().len(), 2);
}

/// The servers sit in the private subnets, one per zone, each routed through its zone's NAT
/// gateway; the balancer sits in the public ones.
async fn check_private_network(
    acct: &Account,
    group: &aws_sdk_autoscaling::types::AutoScalingGroup,
    lb: &aws_sdk_elasticloadbalancingv2::types::LoadBalancer,
) {
    let address = |id: &str| {
        let id = id.to_string();
        async move {
            let out = acct.ec2.describe_subnets().subnet_ids(&id).send().await.unwrap();
            tag(out.subnets()[0].tags(), "stackr:address").unwrap().to_string()
        }
    };
    let ids: Vec<&str> = group.vpc_zone_identifier().unwrap().split(',').collect();
    assert_eq!(ids.len(), 2);
    for id in &ids {
        assert!(address(id).await.starts_with("subnet.private["), "the servers are private: {id}");
        let f = aws_sdk_ec2::types::Filter::builder().name("association.subnet-id").values(*id).build();
        let rts = acct.ec2.describe_route_tables().filters(f).send().await.unwrap();
        let route = rts.route_tables()[0].routes().iter().find(|r| r.destination_cidr_block() == Some("0.0.0.0/0"));
        let nat = route.and_then(|r| r.nat_gateway_id()).expect("a default route to a NAT gateway");
        let nat = acct.ec2.describe_nat_gateways().nat_gateway_ids(nat).send().await.unwrap();
        let nat = &nat.nat_gateways()[0];
        assert_eq!(nat.state().map(|s| s.as_str()), Some("available"));
        let zone = |s: String| s.rsplit_once('[').map(|(_, z)| z.to_string()).unwrap();
        assert_eq!(zone(address(nat.subnet_id().unwrap()).await), zone(address(id).await), "its own zone's gateway");
    }
    for az in lb.availability_zones() {
        assert!(address(az.subnet_id().unwrap()).await.starts_with("subnet.public["), "the balancer is public");
    }
}

#[tokio::test]
async fn web_tier_end_to_end() {
    require_localstack();
    let acct = account().await;
    let file = repo().join("stacks/web.hcl");
    let file = p(&file);
    // Start from nothing this stack owns, whatever an earlier demo or run left.
    stackr(&["destroy", "-f", file, "--auto-approve"]).expect(0);

    // The password policy is one per account: the stack creates it, so a policy another run
    // left would be refused (`adopt` first). This test owns the account's policy while it runs.
    let _ = acct.iam.delete_account_password_policy().send().await;
    let run = stackr(&["apply", "-f", file, "--auto-approve"]).expect(0);
    assert!(run.stdout.contains("Resources: 28 added,"), "{}", run.stdout);
    assert!(run.stdout.contains("url        = \"web-tier-web-"), "{}", run.stdout);
    check_web_tier(&acct).await;

    let plan = stackr(&["plan", "-f", file, "--detailed-exitcode"]).expect(0);
    assert!(plan.stdout.contains("No changes."));
    https_with_a_certificate(&acct, file).await;

    let run = stackr(&["destroy", "-f", file, "--auto-approve"]).expect(0);
    assert!(run.stdout.contains("Destroy complete! Resources: 28 destroyed."), "{}", run.stdout);
    assert!(
        acct.iam.get_account_password_policy().send().await.is_err(),
        "the stack made the policy, so destroy deletes it"
    );
    assert_eq!(acct.leftovers(STACK).await, Vec::<String>::new());
    let groups = groups_named(&acct, GROUP).await;
    assert!(groups.auto_scaling_groups().is_empty());
}

/// With a certificate for `var.domain` in ACM, the balancer serves HTTPS with it and redirects
/// HTTP, in place; the plan after is clean.
async fn https_with_a_certificate(acct: &Account, file: &str) {
    let domain = format!("{}.example.test", unique("site"));
    let cert = import_certificate(&domain).await;
    let var = format!("domain={domain}");
    let plan = stackr(&["plan", "-f", file, "--var", &var]).expect(0);
    assert!(plan.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{}", plan.stdout);
    stackr(&["apply", "-f", file, "--var", &var, "--auto-approve"]).expect(0);
    let lbs = acct.elb.describe_load_balancers().names(BALANCER).send().await.unwrap();
    let arn = lbs.load_balancers()[0].load_balancer_arn().unwrap();
    let listeners = acct.elb.describe_listeners().load_balancer_arn(arn).send().await.unwrap();
    let port = |p: i32| listeners.listeners().iter().find(|l| l.port() == Some(p)).cloned().expect("listener");
    let https = port(443);
    assert_eq!(https.certificates()[0].certificate_arn(), Some(cert.as_str()));
    let redirect = port(80).default_actions()[0].redirect_config().cloned().expect("HTTP redirects");
    assert_eq!(redirect.protocol(), Some("HTTPS"));
    stackr(&["plan", "-f", file, "--var", &var, "--detailed-exitcode"]).expect(0);
}
