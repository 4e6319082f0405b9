//! `stackr adopt` against LocalStack: objects made out-of-band with the SDK are never taken
//! implicitly, become the stack's when adopted (tags, IAM path) without being recreated, and
//! are destroyed with it; roles, other stacks' objects, missing ids and objects whose
//! differences would force a replacement are refused, and a refused adopt changes nothing.

mod common;

use common::*;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// One stack whose file is rewritten for each step.
struct Case {
    dir: tempfile::TempDir,
    name: String,
}

impl Case {
    fn new(prefix: &str) -> Case {
        require_localstack();
        Case { dir: tempfile::tempdir().unwrap(), name: unique(prefix) }
    }

    fn write(&self, body: &str) -> String {
        let f = stack_file(self.dir.path(), "stack.hcl", &format!("stack \"{}\" {{}}\n{body}", self.name));
        p(&f).to_string()
    }
}

async fn new_vpc(acct: &Account, cidr: &str) -> String {
    let out = acct.ec2.create_vpc().cidr_block(cidr).send().await.unwrap();
    out.vpc().unwrap().vpc_id().unwrap().to_string()
}

async fn vpc_tags(acct: &Account, id: &str) -> Vec<aws_sdk_ec2::types::Tag> {
    acct.ec2.describe_vpcs().vpc_ids(id).send().await.unwrap().vpcs()[0].tags().to_vec()
}

async fn user_path(acct: &Account, name: &str) -> String {
    acct.iam.get_user().user_name(name).send().await.unwrap().user().unwrap().path().to_string()
}

#[tokio::test]
async fn adopted_objects_become_the_stacks_without_being_recreated() {
    let acct = account().await;
    let c = Case::new("adopt");
    let (user, group) = (unique("adopt-user"), unique("adopt-group"));
    let vpc = new_vpc(&acct, "10.61.0.0/16").await;
    let sg = acct.ec2.create_security_group().group_name(&c.name).description("web").vpc_id(&vpc).send().await;
    let sg = sg.unwrap().group_id().unwrap().to_string();
    let user_id = acct.iam.create_user().user_name(&user).send().await.unwrap().user().unwrap().user_id().to_string();
    acct.iam.create_group().group_name(&group).send().await.unwrap();

    let ec2_blocks = format!(
        "vpc \"main\" {{ cidr = \"10.61.0.0/16\" }}\n\
         security_group \"web\" {{\n  vpc = vpc.main\n  name = \"{}\"\n  description = \"web\"\n}}\n",
        c.name
    );
    // EC2 objects have no unique name: without adoption the plan simply creates new ones.
    let plan = stackr(&["plan", "-f", &c.write(&ec2_blocks)]).expect(0);
    assert!(plan.stdout.contains("# vpc.main will be created"), "{}", plan.stdout);
    assert!(plan.stdout.contains("# security_group.web will be created"), "{}", plan.stdout);

    // IAM names are unique: the plan stops at the collision and says how to adopt.
    let body =
        format!("{ec2_blocks}iam_user \"x\" {{ name = \"{user}\" }}\niam_group \"devs\" {{ name = \"{group}\" }}\n");
    let file = c.write(&body);
    let plan = stackr(&["plan", "-f", &file]).expect(1);
    assert!(plan.stderr.contains("is not owned by this stack"), "{}", plan.stderr);
    assert!(plan.stderr.contains(&format!("stackr adopt -f {file} iam_user.x={user}`")), "{}", plan.stderr);
    assert!(plan.stderr.contains(&format!("stackr adopt -f {file} iam_group.devs={group}`")), "{}", plan.stderr);

    let pairs = [
        format!("vpc.main={vpc}"),
        format!("security_group.web={sg}"),
        format!("iam_user.x={user}"),
        format!("iam_group.devs={group}"),
    ];
    let mut args = vec!["adopt", "--auto-approve", "-f", &file];
    args.extend(pairs.iter().map(String::as_str));
    let run = stackr(&args).expect(0);
    assert!(run.stdout.contains(&format!("vpc.main            {vpc}")), "{}", run.stdout);
    // The Name tags the stack adds are shown as the update adoption leads to.
    assert!(run.stdout.contains("# vpc.main will be updated in-place"), "{}", run.stdout);
    assert!(run.stdout.contains("Adopt complete! 4 adopted."), "{}", run.stdout);

    let tags = vpc_tags(&acct, &vpc).await;
    assert_eq!(tag(&tags, "stackr:stack"), Some(c.name.as_str()));
    assert_eq!(tag(&tags, "stackr:address"), Some("vpc.main"));
    let g = acct.ec2.describe_security_groups().group_ids(&sg).send().await.unwrap();
    assert_eq!(tag(g.security_groups()[0].tags(), "stackr:address"), Some("security_group.web"));
    assert_eq!(user_path(&acct, &user).await, format!("/stackr/{}/x/", c.name));
    let got = acct.iam.get_group().group_name(&group).send().await.unwrap();
    assert_eq!(got.group().unwrap().path(), format!("/stackr/{}/devs/", c.name));

    // Adopted, they are planned like any owned object: no creates, no replacements.
    let plan = stackr(&["plan", "-f", &file]).expect(0);
    assert!(!plan.stdout.contains("will be created") && !plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    apply_settled(&file, &["# vpc.main will be updated in-place"]);
    let owned = acct.ec2.describe_vpcs().filters(tag_filter(&c.name)).send().await.unwrap();
    assert_eq!(owned.vpcs().len(), 1);
    assert_eq!(owned.vpcs()[0].vpc_id(), Some(vpc.as_str()), "the adopted VPC is kept, not recreated");
    assert_eq!(tag(owned.vpcs()[0].tags(), "Name"), Some(format!("{}-main-vpc", c.name).as_str()));
    let got = acct.iam.get_user().user_name(&user).send().await.unwrap();
    assert_eq!(got.user().unwrap().user_id(), user_id, "the adopted user is kept, not recreated");

    // Adopting again is refused: they are this stack's already.
    let again = stackr(&["adopt", "--auto-approve", "-f", &file, &pairs[0]]).expect(1);
    assert!(again.stderr.contains("already this stack's object"), "{}", again.stderr);

    stackr(&["destroy", "-f", &file, "--auto-approve"]).expect(0);
    assert!(acct.ec2.describe_vpcs().vpc_ids(&vpc).send().await.is_err(), "the adopted VPC is destroyed");
    assert!(acct.iam.get_user().user_name(&user).send().await.is_err(), "the adopted user is destroyed");
    assert!(acct.iam.get_group().group_name(&group).send().await.is_err(), "the adopted group is destroyed");
    assert_eq!(acct.owned_counts(&c.name).await, [0; 7]);
}

#[tokio::test]
async fn refused_adoptions_change_nothing() {
    let acct = account().await;
    let (mine, theirs) = (Case::new("adopt-mine"), Case::new("adopt-theirs"));
    let (user, role) = (unique("adopt-free"), unique("adopt-role"));
    acct.iam.create_user().user_name(&user).send().await.unwrap();
    acct.iam.create_role().role_name(&role).assume_role_policy_document(TRUST).send().await.unwrap();
    let other_cidr = new_vpc(&acct, "10.63.0.0/16").await;
    let theirs_file = theirs.write("vpc \"main\" { cidr = \"10.62.0.0/16\" }\n");
    stackr(&["apply", "-f", &theirs_file, "--auto-approve"]).expect(0);
    let owned = acct.ec2.describe_vpcs().filters(tag_filter(&theirs.name)).send().await.unwrap();
    let their_vpc = owned.vpcs()[0].vpc_id().unwrap().to_string();

    let file = mine.write(&format!(
        "vpc \"main\" {{ cidr = \"10.62.0.0/16\" }}\nvpc \"other\" {{ cidr = \"10.64.0.0/16\" }}\n\
         iam_user \"x\" {{ name = \"{user}\" }}\niam_role \"r\" {{\n  name = \"{role}\"\n  assume = \"ec2.amazonaws.com\"\n}}\n"
    ));
    let adopt = |pairs: &[String]| {
        let mut args = vec!["adopt", "--auto-approve", "-f", file.as_str()];
        args.extend(pairs.iter().map(String::as_str));
        stackr(&args).expect(1)
    };
    let free_user = format!("iam_user.x={user}");

    // A role cannot move to the stack's path; the plan's conflict says so too.
    let run = adopt(&[format!("iam_role.r={role}"), free_user.clone()]);
    assert!(run.stderr.contains("IAM has no call to change a role's path"), "{}", run.stderr);
    let plan = stackr(&["plan", "-f", &file]).expect(1);
    assert!(plan.stderr.contains("this one cannot be adopted"), "{}", plan.stderr);

    // Another stack's object is never taken; a missing id and a mismatched CIDR are named.
    let run = adopt(&[format!("vpc.main={their_vpc}"), free_user.clone()]);
    assert!(run.stderr.contains(&format!("is owned by stack \"{}\" (as vpc.main)", theirs.name)), "{}", run.stderr);
    let run = adopt(&["vpc.main=vpc-0000deadbeef0000".into(), free_user.clone()]);
    assert!(run.stderr.contains("there is no vpc `vpc-0000deadbeef0000`"), "{}", run.stderr);
    let run = adopt(&[format!("vpc.other={other_cidr}"), free_user.clone()]);
    assert!(
        run.stderr.contains("`cidr` is \"10.63.0.0/16\" in AWS but \"10.64.0.0/16\" in the stack file"),
        "{}",
        run.stderr
    );
    let run = adopt(&["vpc.nope=vpc-0abc".into(), "vpc.main=sg-0abc".into()]);
    assert!(run.stderr.contains("the stack has no block `vpc.nope`"), "{}", run.stderr);
    assert!(run.stderr.contains("`sg-0abc` is not a vpc id"), "{}", run.stderr);

    // Each refusal above came with a valid pair, and none of it was adopted.
    assert_eq!(user_path(&acct, &user).await, "/");
    let r = acct.iam.get_role().role_name(&role).send().await.unwrap();
    assert_eq!(r.role().unwrap().path(), "/");
    assert_eq!(tag(&vpc_tags(&acct, &their_vpc).await, "stackr:stack"), Some(theirs.name.as_str()));
    assert_eq!(tag(&vpc_tags(&acct, &other_cidr).await, "stackr:stack"), None);
    assert!(acct.leftovers(&mine.name).await.is_empty());

    stackr(&["destroy", "-f", &theirs_file, "--auto-approve"]).expect(0);
    acct.iam.delete_user().user_name(&user).send().await.unwrap();
    acct.iam.delete_role().role_name(&role).send().await.unwrap();
    acct.ec2.delete_vpc().vpc_id(&other_cidr).send().await.unwrap();
}

/// A launch template and an Auto Scaling group whose names are taken by unowned ones: the plan
/// fails before anything is created, and the hint names the adopt command.
#[tokio::test]
async fn taken_launch_template_and_group_names_fail_in_the_plan() {
    require_localstack();
    let acct = account().await;
    let name = unique("taken");
    let data = aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
        .image_id("ami-0abcdef1234567890")
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .build();
    let lt = acct.ec2.create_launch_template().launch_template_name(&name).launch_template_data(data).send().await;
    let lt_id = lt.unwrap().launch_template().unwrap().launch_template_id().unwrap().to_string();
    let spec = aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder().launch_template_id(&lt_id).build();
    acct.autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(&name)
        .launch_template(spec)
        .min_size(0)
        .max_size(0)
        .availability_zones("us-east-1a")
        .send()
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"stack "{name}" {{}}

vpc "main" {{
  cidr = "10.74.0.0/16"
}}

subnet "a" {{
  vpc  = vpc.main
  cidr = "10.74.1.0/24"
  az   = "us-east-1a"
}}

launch_template "web" {{
  name = "{name}"
  ami  = "ami-0abcdef1234567890"
  type = "t3.micro"
}}

autoscaling_group "web" {{
  name            = "{name}"
  launch_template = launch_template.web
  min_size        = 0
  max_size        = 0
  subnets         = [subnet.a]
}}
"#
    );
    let file = stack_file(dir.path(), "stack.hcl", &text);
    let msg = |addr: &str| {
        format!("{addr} would create \"{name}\", but an object of that name exists and is not owned by this stack")
    };
    // EC2's listings show a new template after a moment (the realism lane makes it so): until
    // then only the group's name is found taken; every plan refuses all the same.
    let mut run = stackr(&["plan", "-f", p(&file)]).expect(1);
    for _ in 0..20 {
        if run.stderr.contains(&msg("launch_template.web")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
        run = stackr(&["plan", "-f", p(&file)]).expect(1);
    }
    for addr in ["launch_template.web", "autoscaling_group.web"] {
        assert!(run.stderr.contains(&msg(addr)), "{addr}:\n{}", run.stderr);
    }
    assert!(run.stderr.contains(&format!("stackr adopt -f {} launch_template.web={name}", p(&file))), "{}", run.stderr);
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&name)).send().await.unwrap();
    assert!(vpcs.vpcs().is_empty(), "a refused plan creates nothing");

    acct.autoscaling
        .delete_auto_scaling_group()
        .auto_scaling_group_name(&name)
        .force_delete(true)
        .send()
        .await
        .unwrap();
    acct.ec2.delete_launch_template().launch_template_id(&lt_id).send().await.unwrap();
}

/// The kinds the first test leaves out: subnets, a route table, a volume, an Elastic IP, a
/// target group and a load balancer (the last two by name), adopted in one command with the
/// VPC they live in, then planned, applied and destroyed as the stack's own.
#[tokio::test]
async fn network_storage_and_load_balancing_objects_are_adopted_too() {
    let acct = account().await;
    let c = Case::new("adopt-more");
    let short = format!("am{}", &c.name[c.name.len() - 12..]).replace('-', "");
    let vpc = new_vpc(&acct, "10.62.0.0/16").await;
    let subnet = |cidr: &'static str, az: &'static str| {
        let call = acct.ec2.create_subnet().vpc_id(&vpc).cidr_block(cidr).availability_zone(az);
        async move { call.send().await.unwrap().subnet().unwrap().subnet_id().unwrap().to_string() }
    };
    let (a, b) = (subnet("10.62.1.0/24", "us-east-1a").await, subnet("10.62.2.0/24", "us-east-1b").await);
    let rtb = acct.ec2.create_route_table().vpc_id(&vpc).send().await.unwrap();
    let rtb = rtb.route_table().unwrap().route_table_id().unwrap().to_string();
    acct.ec2.associate_route_table().route_table_id(&rtb).subnet_id(&a).send().await.unwrap();
    let vol = acct.ec2.create_volume().availability_zone("us-east-1a").size(8).volume_type("gp3".into()).send().await;
    let vol = vol.unwrap().volume_id().unwrap().to_string();
    let eip =
        acct.ec2.allocate_address().domain("vpc".into()).send().await.unwrap().allocation_id().unwrap().to_string();
    let tg = acct.elb.create_target_group().name(format!("{short}-tg")).protocol("HTTP".into()).port(80).vpc_id(&vpc);
    let tg = tg.send().await.unwrap().target_groups()[0].target_group_arn().unwrap().to_string();
    let internal = aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::Internal;
    let lb = acct.elb.create_load_balancer().name(format!("{short}-lb")).subnets(&a).subnets(&b).scheme(internal);
    let lb = lb.send().await;
    let lb_arn = lb.unwrap().load_balancers()[0].load_balancer_arn().unwrap().to_string();

    let body = format!(
        r#"vpc "main" {{ cidr = "10.62.0.0/16" }}
subnet "a" {{
  vpc  = vpc.main
  cidr = "10.62.1.0/24"
  az   = "us-east-1a"
}}
subnet "b" {{
  vpc  = vpc.main
  cidr = "10.62.2.0/24"
  az   = "us-east-1b"
}}
route_table "main" {{
  vpc     = vpc.main
  subnets = [subnet.a]
}}
volume "data" {{
  az   = "us-east-1a"
  size = 8
}}
elastic_ip "ip" {{}}
target_group "web" {{
  name = "{short}-tg"
  port = 80
  vpc  = vpc.main
}}
load_balancer "web" {{
  name    = "{short}-lb"
  scheme  = "internal"
  subnets = [subnet.a, subnet.b]
}}
"#
    );
    let file = c.write(&body);
    let pairs = [
        format!("vpc.main={vpc}"),
        format!("subnet.a={a}"),
        format!("subnet.b={b}"),
        format!("route_table.main={rtb}"),
        format!("volume.data={vol}"),
        format!("elastic_ip.ip={eip}"),
        format!("target_group.web={short}-tg"),
        format!("load_balancer.web={short}-lb"),
    ];
    let mut args = vec!["adopt", "--auto-approve", "-f", &file];
    args.extend(pairs.iter().map(String::as_str));
    let run = stackr(&args).expect(0);
    assert!(run.stdout.contains("Adopt complete! 8 adopted."), "{}\n{}", run.stdout, run.stderr);

    let plan = stackr(&["plan", "-f", &file]).expect(0);
    assert!(!plan.stdout.contains("will be created") && !plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    apply_settled(&file, &[]);
    let vols = acct.ec2.describe_volumes().filters(tag_filter(&c.name)).send().await.unwrap();
    assert_eq!(vols.volumes().iter().map(|v| v.volume_id().unwrap()).collect::<Vec<_>>(), [vol.as_str()]);
    let lbs = acct.elb.describe_load_balancers().load_balancer_arns(&lb_arn).send().await.unwrap();
    assert_eq!(lbs.load_balancers().len(), 1, "the adopted load balancer is kept, not recreated");
    let tags = acct.elb.describe_tags().resource_arns(&tg).send().await.unwrap();
    let tags = tags.tag_descriptions()[0].tags();
    assert!(tags.iter().any(|t| t.key() == Some("stackr:address") && t.value() == Some("target_group.web")));

    stackr(&["destroy", "-f", &file, "--auto-approve"]).expect(0);
    assert!(acct.ec2.describe_volumes().volume_ids(&vol).send().await.is_err(), "the adopted volume is destroyed");
    assert!(acct.elb.describe_load_balancers().load_balancer_arns(&lb_arn).send().await.is_err());
    assert_eq!(acct.owned_counts(&c.name).await, [0; 7]);
}
