//! `data` lookups against LocalStack: zones, the caller, the region, an AMI by SSM parameter
//! and by name, and an existing VPC the stack builds in without owning it. The plan reads them
//! (a for_each over the zones makes one subnet per zone), apply uses the values, the plan
//! after settles, destroy leaves the looked-up VPC alone; a lookup that finds nothing fails the
//! plan at its block.

mod common;

use common::*;

const PARAM: &str = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

fn stack_text(stack: &str, shared_vpc: &str) -> String {
    format!(
        r#"stack "{stack}" {{}}
data "availability_zones" "all" {{}}
data "caller_identity" "me" {{}}
data "region" "here" {{}}
data "ami" "linux" {{
  ssm_parameter = "{PARAM}"
}}
data "ami" "named" {{
  owners       = ["amazon"]
  name         = "al2023-ami-2023*"
  architecture = "x86_64"
}}
data "vpc" "shared" {{
  id = "{shared_vpc}"
}}
locals {{
  zones = slice(data.availability_zones.all.names, 0, 2)
}}
vpc "main" {{
  cidr = "10.42.0.0/16"
  tags = {{ Account = data.caller_identity.me.account_id, Region = data.region.here.name }}
}}
subnet "public" {{
  for_each = toset(local.zones)
  vpc      = vpc.main
  az       = each.key
  cidr     = cidrsubnet(vpc.main.cidr, 8, index(local.zones, each.key))
}}
security_group "in_shared" {{
  vpc         = data.vpc.shared.id
  description = "in ${{data.vpc.shared.cidr}}"
}}
launch_template "web" {{
  ami  = data.ami.linux.id
  type = "t3.micro"
  tags = {{ Named = data.ami.named.image_name }}
}}
output "zones" {{ value = local.zones }}
output "ami" {{ value = data.ami.linux.id }}
"#
    )
}

#[tokio::test]
async fn lookups_feed_the_plan_and_settle() {
    require_localstack();
    let acct = account().await;
    let shared = acct.ec2.create_vpc().cidr_block("10.43.0.0/16").send().await.unwrap();
    let shared_id = shared.vpc().unwrap().vpc_id().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("data");
    let file = stack_file(dir.path(), "stack.hcl", &stack_text(&stack, &shared_id));
    let f = p(&file);

    let (plan, _) = apply_settled(
        f,
        &[r#"# subnet.public["us-east-1a"] will be created"#, r#"# subnet.public["us-east-1b"] will be created"#],
    );
    assert!(plan.stdout.contains("Plan: 5 to add, 0 to change, 0 to destroy"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("<= read"), "lookups are read during plan:\n{}", plan.stdout);

    let ssm = aws_sdk_ssm::Client::new(&sdk_config_in(REGION).await);
    let ami = ssm.get_parameter().name(PARAM).send().await.unwrap().parameter().unwrap().value().unwrap().to_string();
    let out = stackr(&["output", "-f", f, "ami", "--raw"]).expect(0);
    assert_eq!(out.stdout.trim(), ami);
    let lts = acct.ec2.describe_launch_templates().filters(tag_filter(&stack)).send().await.unwrap();
    let lt_id = lts.launch_templates()[0].launch_template_id().unwrap();
    let version = acct.ec2.describe_launch_template_versions().launch_template_id(lt_id).send().await.unwrap();
    let data = version.launch_template_versions()[0].launch_template_data().unwrap();
    assert_eq!(data.image_id(), Some(ami.as_str()));

    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    assert_eq!(tag(vpcs.vpcs()[0].tags(), "Account"), Some("000000000000"));
    assert_eq!(tag(vpcs.vpcs()[0].tags(), "Region"), Some(REGION));
    let groups = acct.ec2.describe_security_groups().filters(tag_filter(&stack)).send().await.unwrap();
    assert_eq!(groups.security_groups()[0].vpc_id(), Some(shared_id.as_str()));
    assert_eq!(groups.security_groups()[0].description(), Some("in 10.43.0.0/16"));

    stackr(&["destroy", "-f", f, "--auto-approve"]).expect(0);
    assert_eq!(acct.owned_counts(&stack).await, [0; 7]);
    // The looked-up VPC is not the stack's: still there.
    let still = acct.ec2.describe_vpcs().vpc_ids(&shared_id).send().await.unwrap();
    assert_eq!(still.vpcs().len(), 1);
    acct.ec2.delete_vpc().vpc_id(&shared_id).send().await.unwrap();
}

#[test]
fn a_lookup_that_finds_nothing_fails_the_plan_at_its_block() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("datagone");
    let file = stack_file(dir.path(), "stack.hcl", &stack_text(&stack, "vpc-0123456789abcdef0"));
    let run = stackr(&["plan", "-f", p(&file)]).expect(1);
    assert!(run.stderr.contains("data.vpc.shared: no VPC has this id"), "{}", run.stderr);
    assert!(run.stderr.contains("stack.hcl:13:1"), "{}", run.stderr);
}

#[test]
fn a_mistake_in_a_data_block_is_reported_before_any_call() {
    let dir = tempfile::tempdir().unwrap();
    let text = "stack \"x\" {}\ndata \"ami\" \"linux\" {\n  ssm_paramter = \"/x\"\n}\n";
    let file = stack_file(dir.path(), "stack.hcl", text);
    // No endpoint is reachable: the error must come from the file alone.
    let run = Run::from(
        stackr_cmd(&["plan", "-f", p(&file)]).env("AWS_ENDPOINT_URL", "http://127.0.0.1:9").output().unwrap(),
    )
    .expect(1);
    assert!(
        run.stderr.contains("stack.hcl:3:3") && run.stderr.contains("did you mean `ssm_parameter`?"),
        "{}",
        run.stderr
    );
}

/// stacks/network.hcl under another stack name, without its IAM objects (their names are
/// fixed, and other tests apply them).
fn network_text(stack: &str) -> String {
    let text = std::fs::read_to_string(repo().join("stacks/network.hcl")).unwrap();
    let (head, rest) = text.split_once("iam_group \"developers\"").unwrap();
    let (_, outputs) = rest.split_once("output \"vpc_id\"").unwrap();
    format!("{head}output \"vpc_id\"{outputs}").replace("stack \"network\"", &format!("stack \"{stack}\""))
}

#[tokio::test]
async fn a_stack_builds_on_another_by_its_addresses() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let net = unique("net");
    let app = unique("app");
    let net_file = stack_file(dir.path(), "network.hcl", &network_text(&net));
    apply_settled(p(&net_file), &["# vpc.main will be created"]);

    let app_text = std::fs::read_to_string(repo().join("stacks/app.hcl"))
        .unwrap()
        .replace("stack \"app\"", &format!("stack \"{app}\""));
    let app_file = stack_file(dir.path(), "app.hcl", &app_text);
    let app_f = p(&app_file);
    let vars = ["--var", &format!("network_stack={net}")];
    let plan = stackr(&[&["plan", "-f", app_f][..], &vars].concat()).expect(0);
    assert!(plan.stdout.contains("Plan: 2 to add, 0 to change, 0 to destroy"), "{}", plan.stdout);
    stackr(&[&["apply", "-f", app_f, "--auto-approve"][..], &vars].concat()).expect(0);
    let settled = stackr(&[&["plan", "-f", app_f, "--detailed-exitcode"][..], &vars].concat());
    assert_eq!(settled.code, 0, "{}", settled.stdout);

    // The app's group is in the network stack's VPC and admits its web group; the network
    // stack still owns all of its objects, and its plan is still clean.
    let net_vpc = acct.ec2.describe_vpcs().filters(tag_filter(&net)).send().await.unwrap();
    let vpc_id = net_vpc.vpcs()[0].vpc_id().unwrap().to_string();
    let groups = acct.ec2.describe_security_groups().filters(tag_filter(&app)).send().await.unwrap();
    let sg = &groups.security_groups()[0];
    assert_eq!(sg.vpc_id(), Some(vpc_id.as_str()));
    let web = acct.ec2.describe_security_groups().filters(tag_filter(&net)).send().await.unwrap();
    let web_id = web
        .security_groups()
        .iter()
        .find(|g| tag(g.tags(), "stackr:address") == Some("security_group.web"))
        .unwrap()
        .group_id();
    let source = sg.ip_permissions()[0].user_id_group_pairs()[0].group_id();
    assert_eq!(source, web_id);
    let out = stackr(&[&["output", "-f", app_f, "network_vpc", "--raw"][..], &vars].concat()).expect(0);
    assert_eq!(out.stdout.trim(), format!("{vpc_id} (10.20.0.0/16)"));
    let net_plan = stackr(&["plan", "-f", p(&net_file), "--detailed-exitcode"]);
    assert_eq!(net_plan.code, 0, "{}", net_plan.stdout);

    stackr(&[&["destroy", "-f", app_f, "--auto-approve"][..], &vars].concat()).expect(0);
    stackr(&["destroy", "-f", p(&net_file), "--auto-approve"]).expect(0);
    assert_eq!(acct.owned_counts(&app).await, [0; 7]);
    assert_eq!(acct.owned_counts(&net).await, [0; 7]);
}

#[tokio::test]
async fn an_existing_instance_profile_is_looked_up_by_name_and_given_to_an_instance() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("dataprof");
    // A role and profile made outside the stack, just before the plan (IAM may not show a
    // new name to every reader at once: the lookup waits for it).
    let name = format!("{stack}-app");
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    acct.iam.create_role().role_name(&name).assume_role_policy_document(trust).send().await.unwrap();
    acct.iam.create_instance_profile().instance_profile_name(&name).send().await.unwrap();
    acct.iam.add_role_to_instance_profile().instance_profile_name(&name).role_name(&name).send().await.unwrap();
    let text = format!(
        r#"stack "{stack}" {{}}
data "instance_profile" "app" {{
  name = "{name}"
}}
data "ami" "linux" {{
  ssm_parameter = "{PARAM}"
}}
vpc "main" {{ cidr = "10.43.0.0/16" }}
subnet "a" {{
  vpc  = vpc.main
  cidr = "10.43.1.0/24"
  az   = "us-east-1a"
}}
instance "app" {{
  ami    = data.ami.linux.id
  type   = "t3.micro"
  subnet = subnet.a
  role   = data.instance_profile.app.name
  tags   = {{ Role = data.instance_profile.app.roles[0] }}
}}
output "profile" {{ value = data.instance_profile.app.arn }}
"#
    );
    let file = stack_file(dir.path(), "stack.hcl", &text);
    let f = p(&file);
    let (_, run) = apply_settled(f, &["# instance.app will be created", &format!("role       = \"{name}\"")]);
    assert!(run.stdout.contains(&format!(":instance-profile/{name}")), "{}", run.stdout);
    let found = acct.ec2.describe_instances().filters(tag_filter(&stack)).send().await.unwrap();
    let inst = found
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .find(|i| i.state().and_then(|s| s.name()).map(|n| n.as_str()) == Some("running"));
    let arn = inst.and_then(|i| i.iam_instance_profile()).and_then(|p| p.arn()).unwrap_or_default().to_string();
    assert!(arn.ends_with(&format!("/{name}")), "{arn}");
    stackr(&["destroy", "-f", f, "--auto-approve"]).expect(0);
    // Looked up, never owned: the profile outlives the stack.
    assert!(acct.iam.get_instance_profile().instance_profile_name(&name).send().await.is_ok());
    acct.iam.remove_role_from_instance_profile().instance_profile_name(&name).role_name(&name).send().await.unwrap();
    acct.iam.delete_instance_profile().instance_profile_name(&name).send().await.unwrap();
    acct.iam.delete_role().role_name(&name).send().await.unwrap();

    let gone = text.replace(&format!("name = \"{name}\""), "name = \"no-such-profile\"");
    let file = stack_file(dir.path(), "gone.hcl", &gone);
    let run = stackr(&["plan", "-f", p(&file)]).expect(1);
    assert!(
        run.stderr.contains("data.instance_profile.app: no instance profile is named \"no-such-profile\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("gone.hcl:2:1"), "{}", run.stderr);
}
