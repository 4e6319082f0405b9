//! Discovery reads only what the stack owns, by ownership tags and IAM paths filtered on AWS's
//! side: objects that belong to nobody cost no calls, and a name the stack declares that such
//! an object holds is still found (by looking that name up) and refused at plan time.

mod common;

use common::realism::{key_with, stackr_as};
use common::*;

/// A VPC with two subnets: what load balancers and groups need.
fn net(octet: u8) -> String {
    format!(
        "vpc \"v\" {{ cidr = \"10.{octet}.0.0/16\" }}\n\
         subnet \"a\" {{\n  vpc = vpc.v\n  cidr = \"10.{octet}.1.0/24\"\n  az = \"us-east-1a\"\n}}\n\
         subnet \"b\" {{\n  vpc = vpc.v\n  cidr = \"10.{octet}.2.0/24\"\n  az = \"us-east-1b\"\n}}\n"
    )
}

/// An unowned VPC with two subnets, for unowned load balancers and target groups.
async fn foreign_network(acct: &Account, octet: u8) -> (String, Vec<String>) {
    let vpc = acct.ec2.create_vpc().cidr_block(format!("10.{octet}.0.0/16")).send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let mut subnets = vec![];
    for (i, az) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
        let s = acct.ec2.create_subnet().vpc_id(&vpc).cidr_block(format!("10.{octet}.{}.0/24", i + 1));
        let s = s.availability_zone(*az).send().await.unwrap();
        subnets.push(s.subnet().unwrap().subnet_id().unwrap().to_string());
    }
    (vpc, subnets)
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// Unowned IAM users, groups, roles and instance profiles, target groups and load balancers
/// under names the stack declares: each is found by its name and the plan refuses to create it.
#[tokio::test]
async fn unowned_holders_of_declared_names_are_refused_in_the_plan() {
    require_localstack();
    let acct = account().await;
    let name = unique("dn");
    let (vpc, subnets) = foreign_network(&acct, 76).await;
    acct.iam.create_user().user_name(&name).send().await.unwrap();
    acct.iam.create_group().group_name(&name).send().await.unwrap();
    acct.iam.create_role().role_name(&name).assume_role_policy_document(TRUST).send().await.unwrap();
    acct.iam.create_instance_profile().instance_profile_name(format!("{name}-p")).send().await.unwrap();
    let tg = acct.elb.create_target_group().name(&name).vpc_id(&vpc).port(80);
    let tg = tg.protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http).send().await.unwrap();
    let tg = tg.target_groups()[0].target_group_arn().unwrap().to_string();
    let lb = acct.elb.create_load_balancer().name(&name).set_subnets(Some(subnets.clone())).send().await.unwrap();
    let lb = lb.load_balancers()[0].load_balancer_arn().unwrap().to_string();

    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "stack \"{name}\" {{}}\n{}\
         iam_user \"u\" {{ name = \"{name}\" }}\n\
         iam_group \"g\" {{ name = \"{name}\" }}\n\
         iam_role \"r\" {{\n  name = \"{name}\"\n  assume = \"ec2.amazonaws.com\"\n}}\n\
         iam_role \"p\" {{\n  name = \"{name}-p\"\n  assume = \"ec2.amazonaws.com\"\n  instance_profile = true\n}}\n\
         target_group \"t\" {{\n  name = \"{name}\"\n  vpc = vpc.v\n  port = 80\n}}\n\
         load_balancer \"l\" {{\n  name = \"{name}\"\n  scheme = \"internal\"\n  subnets = [subnet.a, subnet.b]\n}}\n",
        net(77)
    );
    let file = stack_file(dir.path(), "stack.hcl", &text);
    let run = stackr(&["plan", "-f", p(&file)]).expect(1);
    let taken =
        |addr: &str| format!("{addr} would create \"{name}\", but an object of that name exists and is not owned");
    for addr in ["iam_user.u", "iam_group.g", "iam_role.r", "target_group.t", "load_balancer.l"] {
        assert!(run.stderr.contains(&taken(addr)), "{addr}:\n{}", run.stderr);
    }
    let profile = format!("iam_role.p would create instance profile \"{name}-p\", but one of that name exists");
    assert!(run.stderr.contains(&profile), "{}", run.stderr);
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&name)).send().await.unwrap();
    assert!(vpcs.vpcs().is_empty(), "a refused plan creates nothing");

    acct.elb.delete_load_balancer().load_balancer_arn(&lb).send().await.unwrap();
    acct.elb.delete_target_group().target_group_arn(&tg).send().await.unwrap();
    acct.iam.delete_instance_profile().instance_profile_name(format!("{name}-p")).send().await.unwrap();
    acct.iam.delete_role().role_name(&name).send().await.unwrap();
    acct.iam.delete_group().group_name(&name).send().await.unwrap();
    acct.iam.delete_user().user_name(&name).send().await.unwrap();
    for s in subnets {
        acct.ec2.delete_subnet().subnet_id(s).send().await.unwrap();
    }
    acct.ec2.delete_vpc().vpc_id(vpc).send().await.unwrap();
}

/// The AWS calls a run made, from its `-v` log: one line per call, `Service.Operation -> 200`.
fn calls(run: &Run) -> Vec<String> {
    let mut ops: Vec<String> = run
        .stderr
        .lines()
        .filter_map(|l| l.split_once(" -> ").map(|(head, _)| head.rsplit(' ').next().unwrap_or_default().to_string()))
        .collect();
    ops.sort();
    ops
}

/// A stack with one object of every kind discovery finds by name: its no-op plan makes the
/// same calls before and after the account fills up with objects of nobody's under other names
/// (more target groups than one DescribeTags call takes, load balancers, templates, Auto
/// Scaling groups with policies, IAM users, groups, roles and instance profiles).
#[tokio::test]
async fn a_no_op_plan_makes_the_same_calls_however_busy_the_account() {
    require_localstack();
    let acct = account().await;
    let key = key_with("busy", "\"off\"");
    let name = unique("busy");
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "stack \"{name}\" {{}}\n{}\
         iam_group \"g\" {{}}\n\
         iam_user \"u\" {{ groups = [iam_group.g] }}\n\
         iam_role \"r\" {{\n  name = \"{name}-r\"\n  assume = \"ec2.amazonaws.com\"\n  instance_profile = true\n}}\n\
         target_group \"t\" {{\n  vpc = vpc.v\n  port = 80\n}}\n\
         load_balancer \"l\" {{\n  scheme = \"internal\"\n  subnets = [subnet.a, subnet.b]\n}}\n\
         launch_template \"t\" {{\n  ami = \"ami-0abcdef1234567890\"\n  type = \"t3.micro\"\n}}\n\
         autoscaling_group \"a\" {{\n  launch_template = launch_template.t\n  min_size = 0\n  max_size = 0\n  subnets = [subnet.a]\n}}\n",
        net(78)
    );
    let file = stack_file(dir.path(), "stack.hcl", &text);
    stackr_as(&key, &["apply", "-f", p(&file), "--auto-approve"]).expect(0);
    let quiet = stackr_as(&key, &["plan", "-f", p(&file), "--detailed-exitcode", "-v"]).expect(0);
    assert!(calls(&quiet).iter().any(|c| c.ends_with(".GetResources")), "{}", quiet.stderr);
    assert!(!calls(&quiet).iter().any(|c| c.ends_with(".GetAccountAuthorizationDetails")), "{}", quiet.stderr);

    let others = unique("nobody");
    let (vpc, subnets) = foreign_network(&acct, 79).await;
    let mut made = Foreign::default();
    for i in 0..25 {
        let tg = acct.elb.create_target_group().name(format!("nb{i}-{}", &others[others.len() - 8..])).vpc_id(&vpc);
        let tg = tg.port(80).protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http).send().await.unwrap();
        made.target_groups.push(tg.target_groups()[0].target_group_arn().unwrap().to_string());
    }
    for i in 0..3 {
        let lb = acct.elb.create_load_balancer().name(format!("nb{i}-{}", &others[others.len() - 8..]));
        let lb = lb.set_subnets(Some(subnets.clone())).send().await.unwrap();
        made.balancers.push(lb.load_balancers()[0].load_balancer_arn().unwrap().to_string());
        let n = format!("{others}-{i}");
        acct.iam.create_user().user_name(&n).send().await.unwrap();
        acct.iam.create_group().group_name(&n).send().await.unwrap();
        acct.iam.create_role().role_name(&n).assume_role_policy_document(TRUST).send().await.unwrap();
        acct.iam.create_instance_profile().instance_profile_name(&n).send().await.unwrap();
        let data = aws_sdk_ec2::types::RequestLaunchTemplateData::builder().image_id("ami-0abcdef1234567890").build();
        acct.ec2.create_launch_template().launch_template_name(&n).launch_template_data(data).send().await.unwrap();
        let spec = aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder().launch_template_name(&n).build();
        let asg = acct.autoscaling.create_auto_scaling_group().auto_scaling_group_name(&n).launch_template(spec);
        asg.min_size(0).max_size(0).vpc_zone_identifier(&subnets[0]).send().await.unwrap();
        made.names.push(n);
    }
    let busy = stackr_as(&key, &["plan", "-f", p(&file), "--detailed-exitcode", "-v"]).expect(0);
    assert_eq!(calls(&busy), calls(&quiet), "--- quiet\n{}\n--- busy\n{}", quiet.stderr, busy.stderr);

    stackr_as(&key, &["destroy", "-f", p(&file), "--auto-approve"]).expect(0);
    made.remove(&acct, vpc, subnets).await;
}

/// What the busy test made besides its stack.
#[derive(Default)]
struct Foreign {
    target_groups: Vec<String>,
    balancers: Vec<String>,
    names: Vec<String>,
}

impl Foreign {
    async fn remove(self, acct: &Account, vpc: String, subnets: Vec<String>) {
        for n in &self.names {
            let asg = acct.autoscaling.delete_auto_scaling_group().auto_scaling_group_name(n).force_delete(true);
            asg.send().await.unwrap();
            acct.ec2.delete_launch_template().launch_template_name(n).send().await.unwrap();
            acct.iam.delete_instance_profile().instance_profile_name(n).send().await.unwrap();
            acct.iam.delete_role().role_name(n).send().await.unwrap();
            acct.iam.delete_group().group_name(n).send().await.unwrap();
            acct.iam.delete_user().user_name(n).send().await.unwrap();
        }
        for arn in self.balancers {
            acct.elb.delete_load_balancer().load_balancer_arn(arn).send().await.unwrap();
        }
        for arn in self.target_groups {
            acct.elb.delete_target_group().target_group_arn(arn).send().await.unwrap();
        }
        for s in subnets {
            acct.ec2.delete_subnet().subnet_id(s).send().await.unwrap();
        }
        acct.ec2.delete_vpc().vpc_id(vpc).send().await.unwrap();
    }
}

/// A stack with many IAM objects is read from the account's authorization details (a few
/// calls, whatever its size) instead of object by object, and plans the same: clean after apply,
/// and a change to one object is seen.
#[tokio::test]
async fn many_iam_objects_are_read_from_the_authorization_details() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("manyiam");
    let body = |tag: &str| -> String {
        let mut text = format!("stack \"{stack}\" {{}}\n");
        for i in 0..20 {
            text += &format!(
                "iam_group \"g{i}\" {{\n  name = \"{stack}-g{i}\"\n  managed_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n  \
                 inline_policies = {{ logs = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Action = \"logs:PutLogEvents\", Resource = \"*\" }}] }}) }}\n}}\n\
                 iam_user \"u{i}\" {{\n  name = \"{stack}-u{i}\"\n  groups = [iam_group.g{i}, iam_group.g{}]\n  tags = {{ team = \"{tag}\" }}\n}}\n\
                 iam_role \"r{i}\" {{\n  name = \"{stack}-r{i}\"\n  assume = \"ec2.amazonaws.com\"\n  instance_profile = true\n  description = \"role {i}\"\n  tags = {{ team = \"a\" }}\n}}\n",
                (i + 1) % 20
            );
        }
        text
    };
    let file = p(&stack_file(dir.path(), "stack.hcl", &body("a"))).to_string();
    apply_settled(&file, &[]);
    let run = stackr(&["-v", "plan", "-f", &file, "--detailed-exitcode"]).expect(0);
    let iam: Vec<String> = calls(&run).into_iter().filter(|c| c.starts_with("IAM.")).collect();
    let details = iam.iter().filter(|c| c.ends_with("GetAccountAuthorizationDetails")).count();
    assert_eq!(details, 3, "one listing per kind: {iam:?}");
    assert!(iam.len() < 15, "{} IAM calls for 60 objects: {iam:?}", iam.len());

    let changed = p(&stack_file(dir.path(), "stack.hcl", &body("b"))).to_string();
    let plan = stackr(&["plan", "-f", &changed]).expect(0);
    assert!(plan.stdout.contains("Plan: 0 to add, 20 to change, 0 to destroy."), "{}", plan.stdout);
    stackr(&["destroy", "-f", &file, "--auto-approve"]).expect(0);
}
