//! The whole lifecycle of stacks/network.hcl against LocalStack: apply, check every object in
//! the account, a clean plan, then a change set (a rule, a new subnet, a CIDR that forces
//! replacement, a removed user), a clean plan again, and destroy. Objects the stack does not
//! own, with the same names, stay untouched throughout.

mod common;

use aws_sdk_ec2::types::Filter;
use common::*;

const STACK: &str = "network";

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "stacks/network.hcl should contain `{from}` exactly once");
    text.replace(from, to)
}

/// The change set: SSH moves to 2222, subnet.c is new, subnet.b moves (forces replacement)
/// and iam_user.alice goes.
fn changed_stack() -> String {
    let text = std::fs::read_to_string(repo().join("stacks/network.hcl")).unwrap();
    let text = replace_once(&text, "port        = 22\n", "port        = 2222\n");
    let text = replace_once(&text, "cidrsubnet(local.vpc_cidr, 8, 2)", "cidrsubnet(local.vpc_cidr, 8, 3)");
    let text = replace_once(
        &text,
        "internet_gateway \"main\" {",
        "subnet \"c\" {\n  vpc  = vpc.main\n  cidr = cidrsubnet(local.vpc_cidr, 8, 9)\n  az   = \"${var.region}a\"\n}\n\ninternet_gateway \"main\" {",
    );
    replace_once(
        &text,
        "iam_user \"alice\" {\n  groups = [iam_group.developers]\n  tags   = { team = \"platform\" }\n}\n",
        "",
    )
}

/// Calls that may legitimately appear more than once in a no-op plan: per VPC (its two DNS
/// attributes) and per ELB kind (the tagging API finds load balancers and target groups).
const REPEATABLE: &[&str] = &["EC2.DescribeVpcAttribute", "Resource Groups Tagging API.GetResources"];

/// The AWS calls a no-op plan makes, sorted; ELB's DescribeTags is left out (it reads 20 of the
/// stack's ARNs a call).
fn discovery_calls(file: &str) -> Vec<String> {
    let run = stackr(&["-v", "plan", "-f", file, "--detailed-exitcode"]).expect(0);
    let mut calls: Vec<String> = run
        .stderr
        .lines()
        .filter(|l| l.contains(" -> 200 in "))
        .filter_map(|l| l.split_once(" DEBUG ")?.1.split_once(" -> ").map(|(call, _)| call.to_string()))
        .filter(|c| !c.ends_with(".DescribeTags"))
        .collect();
    calls.sort();
    calls
}

struct Unowned {
    vpc: String,
    user: String,
}

/// An unowned VPC carrying the same Name tag and CIDR as the stack's, and an unowned IAM user
/// named like the stack's user but outside its path (an identical name cannot exist twice in
/// IAM; that collision is tested in cli.rs).
async fn make_unowned(acct: &Account) -> Unowned {
    let tags = aws_sdk_ec2::types::TagSpecification::builder()
        .resource_type(aws_sdk_ec2::types::ResourceType::Vpc)
        .tags(aws_sdk_ec2::types::Tag::builder().key("Name").value("network-main-vpc").build())
        .build();
    let vpc = acct.ec2.create_vpc().cidr_block("10.20.0.0/16").tag_specifications(tags).send().await.unwrap();
    let user = unique("alice");
    acct.iam.create_user().user_name(&user).path("/stackr/").send().await.unwrap();
    Unowned { vpc: vpc.vpc().unwrap().vpc_id().unwrap().to_string(), user }
}

async fn assert_unowned_untouched(acct: &Account, u: &Unowned) {
    let vpcs = acct.ec2.describe_vpcs().vpc_ids(&u.vpc).send().await.unwrap();
    let vpc = &vpcs.vpcs()[0];
    assert_eq!(vpc.cidr_block(), Some("10.20.0.0/16"));
    assert_eq!(tag(vpc.tags(), "Name"), Some("network-main-vpc"));
    assert_eq!(tag(vpc.tags(), "stackr:stack"), None);
    let user = acct.iam.get_user().user_name(&u.user).send().await.unwrap();
    assert_eq!(user.user().unwrap().path(), "/stackr/");
}

async fn check_applied(acct: &Account) -> String {
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(STACK)).send().await.unwrap();
    assert_eq!(vpcs.vpcs().len(), 1);
    let vpc = &vpcs.vpcs()[0];
    let vpc_id = vpc.vpc_id().unwrap().to_string();
    assert_eq!(vpc.cidr_block(), Some("10.20.0.0/16"));
    assert_eq!(tag(vpc.tags(), "stackr:address"), Some("vpc.main"));
    assert_eq!(tag(vpc.tags(), "Environment"), Some("demo"));
    assert_eq!(tag(vpc.tags(), "Name"), Some("network-main-vpc"));
    let hostnames =
        acct.ec2.describe_vpc_attribute().vpc_id(&vpc_id).attribute("enableDnsHostnames".into()).send().await.unwrap();
    assert_eq!(hostnames.enable_dns_hostnames().and_then(|a| a.value()), Some(true));

    let subnets = acct.ec2.describe_subnets().filters(tag_filter(STACK)).send().await.unwrap();
    let mut got: Vec<(String, String, bool, String)> = subnets
        .subnets()
        .iter()
        .map(|s| {
            (
                s.cidr_block().unwrap().to_string(),
                s.availability_zone().unwrap().to_string(),
                s.map_public_ip_on_launch().unwrap(),
                s.vpc_id().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("10.20.1.0/24".into(), "us-east-1a".into(), true, vpc_id.clone()),
            ("10.20.2.0/24".into(), "us-east-1b".into(), true, vpc_id.clone())
        ]
    );

    let igws = acct.ec2.describe_internet_gateways().filters(tag_filter(STACK)).send().await.unwrap();
    let igw = &igws.internet_gateways()[0];
    assert_eq!(igw.attachments()[0].vpc_id(), Some(vpc_id.as_str()));

    let rtbs = acct.ec2.describe_route_tables().filters(tag_filter(STACK)).send().await.unwrap();
    let rt = &rtbs.route_tables()[0];
    let default = rt.routes().iter().find(|r| r.destination_cidr_block() == Some("0.0.0.0/0")).expect("default route");
    assert_eq!(default.gateway_id(), igw.internet_gateway_id());
    let mut associated: Vec<&str> = rt.associations().iter().filter_map(|a| a.subnet_id()).collect();
    associated.sort();
    let mut subnet_ids: Vec<&str> = subnets.subnets().iter().filter_map(|s| s.subnet_id()).collect();
    subnet_ids.sort();
    assert_eq!(associated, subnet_ids);

    let sgs = acct.ec2.describe_security_groups().filters(tag_filter(STACK)).send().await.unwrap();
    let by_name =
        |n: &str| sgs.security_groups().iter().find(|g| g.group_name() == Some(n)).unwrap_or_else(|| panic!("{n}"));
    let (alb, web) = (by_name("network-alb-sg"), by_name("network-web-sg"));
    assert_eq!(web.description(), Some("Web servers: HTTP from the load balancer, SSH from the admin network"));
    let http = web.ip_permissions().iter().find(|p| p.from_port() == Some(80)).expect("web:80");
    assert_eq!(http.user_id_group_pairs()[0].group_id(), alb.group_id());
    assert_eq!(http.user_id_group_pairs()[0].description(), Some("HTTP from the load balancer"));
    let ssh = web.ip_permissions().iter().find(|p| p.from_port() == Some(22)).expect("web:22");
    assert_eq!(ssh.ip_ranges()[0].cidr_ip(), Some("203.0.113.7/32"));
    let mut alb_ports: Vec<i32> = alb.ip_permissions().iter().filter_map(|p| p.from_port()).collect();
    alb_ports.sort();
    assert_eq!(alb_ports, vec![80, 443]);

    let group = acct.iam.get_group().group_name("developers").send().await.unwrap();
    assert_eq!(group.group().unwrap().path(), "/stackr/network/developers/");
    assert_eq!(group.users().iter().map(|u| u.user_name()).collect::<Vec<_>>(), vec!["alice"]);
    let attached = acct.iam.list_attached_group_policies().group_name("developers").send().await.unwrap();
    assert_eq!(attached.attached_policies()[0].policy_arn(), Some("arn:aws:iam::aws:policy/ReadOnlyAccess"));
    let inline =
        acct.iam.get_group_policy().group_name("developers").policy_name("deny-iam-writes").send().await.unwrap();
    assert!(inline.policy_document().contains("iam%3ACreate%2A") || inline.policy_document().contains("iam:Create*"));
    let user = acct.iam.get_user().user_name("alice").send().await.unwrap();
    let user = user.user().unwrap();
    assert_eq!(user.path(), "/stackr/network/alice/");
    let tags: Vec<(&str, &str)> = user.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert!(tags.contains(&("team", "platform")) && tags.contains(&("stackr:stack", "network")), "{tags:?}");
    vpc_id
}

async fn check_changed(acct: &Account, vpc_id: &str) {
    let subnets = acct.ec2.describe_subnets().filters(tag_filter(STACK)).send().await.unwrap();
    let mut cidrs: Vec<&str> = subnets.subnets().iter().filter_map(|s| s.cidr_block()).collect();
    cidrs.sort();
    assert_eq!(cidrs, vec!["10.20.1.0/24", "10.20.3.0/24", "10.20.9.0/24"]);
    let old = acct.ec2.describe_subnets().filters(Filter::builder().name("cidr-block").values("10.20.2.0/24").build());
    assert!(old.send().await.unwrap().subnets().iter().all(|s| s.vpc_id() != Some(vpc_id)), "old subnet.b is gone");
    let b = subnets.subnets().iter().find(|s| s.cidr_block() == Some("10.20.3.0/24")).unwrap();
    assert_eq!(tag(b.tags(), "stackr:address"), Some("subnet.b"));
    let rtbs = acct.ec2.describe_route_tables().filters(tag_filter(STACK)).send().await.unwrap();
    let associated: Vec<&str> = rtbs.route_tables()[0].associations().iter().filter_map(|a| a.subnet_id()).collect();
    assert!(associated.contains(&b.subnet_id().unwrap()), "the route table follows the replacement");
    assert_eq!(associated.len(), 2);
    let sgs = acct.ec2.describe_security_groups().filters(tag_filter(STACK)).send().await.unwrap();
    let web = sgs.security_groups().iter().find(|g| g.group_name() == Some("network-web-sg")).unwrap();
    let mut ports: Vec<i32> = web.ip_permissions().iter().filter_map(|p| p.from_port()).collect();
    ports.sort();
    assert_eq!(ports, vec![80, 2222]);
    let gone = acct.iam.get_user().user_name("alice").send().await;
    assert_eq!(gone.unwrap_err().into_service_error().meta().code(), Some("NoSuchEntity"));
}

#[tokio::test]
async fn network_stack_lifecycle() {
    require_localstack();
    let acct = account().await;
    let file = repo().join("stacks/network.hcl");
    let file = p(&file);
    // Start from nothing this stack owns, whatever an earlier demo or run left (a run that
    // stopped half-way left the stack recorded as its edited copy).
    stackr(&["rebind", "-f", file, "--auto-approve"]).expect(0);
    stackr(&["destroy", "-f", file, "--auto-approve"]).expect(0);
    let unowned = make_unowned(&acct).await;

    let run = stackr(&["apply", "-f", file, "--auto-approve"]).expect(0);
    assert!(run.stdout.contains("Apply complete! Resources: 9 added, 0 changed, 0 destroyed."), "{}", run.stdout);
    assert!(run.stdout.contains("vpc.main: Creation complete after"));
    let vpc_id = check_applied(&acct).await;
    assert!(run.stdout.contains(&format!("vpc_id             = \"{vpc_id}\"")), "outputs: {}", run.stdout);

    let run = stackr(&["plan", "-f", file, "--detailed-exitcode"]).expect(0);
    assert!(run.stdout.contains("No changes. Your infrastructure matches the configuration."));
    // Discovery is one filtered listing per kind: with one IAM user and group, no call repeats
    // but those that are per VPC or per ELB kind.
    let before = discovery_calls(file);
    let mut seen = std::collections::HashMap::new();
    before.iter().for_each(|c| *seen.entry(c.as_str()).or_insert(0) += 1);
    let repeats: Vec<_> = seen.iter().filter(|(c, n)| **n > 1 && !REPEATABLE.contains(c)).collect();
    assert!(repeats.is_empty(), "calls repeated per object: {repeats:?}\n{before:?}");
    assert_eq!(seen.get("EC2.DescribeVpcAttribute"), Some(&2), "{before:?}");

    let dir = tempfile::tempdir().unwrap();
    let changed = stack_file(dir.path(), "network.hcl", &changed_stack());
    // The edited copy is another file: refused until recorded as the stack's.
    let run = stackr(&["plan", "-f", p(&changed)]).expect(1);
    assert!(run.stderr.contains("belongs to another stack file"), "{}", run.stderr);
    stackr(&["rebind", "-f", p(&changed), "--auto-approve"]).expect(0);
    let run = stackr(&["plan", "-f", p(&changed), "--detailed-exitcode"]).expect(2);
    for line in [
        "# subnet.b must be replaced",
        "~ cidr = \"10.20.2.0/24\" -> \"10.20.3.0/24\" # forces replacement",
        "# subnet.c will be created",
        "# iam_user.alice will be destroyed",
        "# security_group.web will be updated in-place",
        "# route_table.public will be updated in-place",
        "Plan: 2 to add, 2 to change, 2 to destroy.",
    ] {
        assert!(run.stdout.contains(line), "missing `{line}` in:\n{}", run.stdout);
    }
    assert!(!run.stdout.contains("vpc.main"), "the VPC is not touched:\n{}", run.stdout);

    let run = stackr(&["apply", "-f", p(&changed), "--auto-approve"]).expect(0);
    assert!(run.stdout.contains("Apply complete! Resources: 2 added, 2 changed, 2 destroyed."), "{}", run.stdout);
    check_changed(&acct, &vpc_id).await;
    stackr(&["plan", "-f", p(&changed), "--detailed-exitcode"]).expect(0);
    // One more subnet and one user fewer: the same listings; the user's own reads are gone (IAM
    // objects are read each with its own calls, so those follow the stack's IAM objects).
    let per_user =
        ["IAM.ListAttachedUserPolicies", "IAM.ListGroupsForUser", "IAM.ListUserPolicies", "IAM.ListUserTags"];
    let expected: Vec<String> = before.iter().filter(|c| !per_user.contains(&c.as_str())).cloned().collect();
    assert_eq!(discovery_calls(p(&changed)), expected);
    assert_unowned_untouched(&acct, &unowned).await;

    let run = stackr(&["destroy", "-f", p(&changed), "--auto-approve"]).expect(0);
    assert!(run.stdout.contains("Destroy complete! Resources: 9 destroyed."), "{}", run.stdout);
    assert_eq!(acct.owned_counts(STACK).await, [0; 7]);
    stackr(&["plan", "-f", p(&changed), "--destroy", "--detailed-exitcode"]).expect(0);
    assert_unowned_untouched(&acct, &unowned).await;

    acct.ec2.delete_vpc().vpc_id(&unowned.vpc).send().await.unwrap();
    acct.iam.delete_user().user_name(&unowned.user).send().await.unwrap();
}
