//! Modules against LocalStack: one module called with `for_each` makes one set of objects per
//! instance, each tagged (or, for IAM, pathed) with its full address; the caller uses the
//! module's outputs; plans settle; `-target` names a module instance; a move into a module
//! keeps the object; mistakes in a module's file are reported there before any AWS call.

mod common;

use common::*;

const NET: &str = r#"variable "name" { type = string }
variable "cidr" { type = string }
variable "owner" { default = "platform" }

vpc "main" {
  cidr = var.cidr
  tags = { Name = var.name, Owner = var.owner }
}

subnet "a" {
  vpc  = vpc.main
  cidr = cidrsubnet(var.cidr, 8, 1)
  az   = "us-east-1a"
  tags = { Owner = var.owner }
}

iam_user "deploy" {
  name = "${var.name}-deploy"
}
"#;

const NET_OUT: &str = r#"output "vpc_id" { value = vpc.main.id }
output "subnet" { value = subnet.a.id }
output "summary" { value = "${var.name}: ${vpc.main.cidr}" }
"#;

fn root(stack: &str, owner: &str, extra: &str) -> String {
    format!(
        r#"stack "{stack}" {{}}
module "net" {{
  for_each = {{ a = "10.51.0.0/16", b = "10.52.0.0/16" }}
  source   = "./modules/net"
  name     = "{stack}-${{each.key}}"
  cidr     = each.value
  owner    = "{owner}"
}}
security_group "web" {{
  vpc         = module.net["a"].vpc_id
  description = "web servers in ${{module.net["a"].summary}}"
}}
output "vpc_a" {{ value = module.net["a"].vpc_id }}
output "summaries" {{ value = [for k, m in module.net : m.summary] }}
{extra}"#
    )
}

fn tree(dir: &std::path::Path, root_text: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("modules/net")).unwrap();
    std::fs::write(dir.join("modules/net/main.hcl"), NET).unwrap();
    std::fs::write(dir.join("modules/net/outputs.hcl"), NET_OUT).unwrap();
    stack_file(dir, "stack.hcl", root_text)
}

#[tokio::test]
async fn a_module_called_for_each_makes_its_objects_once_per_instance() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("mod");
    let file = tree(dir.path(), &root(&stack, "platform", ""));
    let f = p(&file);
    apply_settled(
        f,
        &[
            r#"# module.net["a"].vpc.main will be created"#,
            r#"# module.net["b"].iam_user.deploy will be created"#,
            "# security_group.web will be created",
            "Plan: 7 to add, 0 to change, 0 to destroy.",
        ],
    );

    // Each VPC carries its full address; the security group is in instance a's VPC.
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    let mut by_addr = std::collections::BTreeMap::new();
    for v in vpcs.vpcs() {
        by_addr.insert(tag(v.tags(), "stackr:address").unwrap().to_string(), v.vpc_id().unwrap().to_string());
    }
    let keys: Vec<&String> = by_addr.keys().collect();
    assert_eq!(keys, [r#"module.net["a"].vpc.main"#, r#"module.net["b"].vpc.main"#]);
    let vpc_a = &by_addr[r#"module.net["a"].vpc.main"#];
    let groups = acct.ec2.describe_security_groups().filters(tag_filter(&stack)).send().await.unwrap();
    let sg = groups.security_groups().iter().find(|g| tag(g.tags(), "stackr:address") == Some("security_group.web"));
    let sg = sg.expect("the security group");
    assert_eq!(sg.vpc_id(), Some(vpc_a.as_str()));
    assert_eq!(sg.description(), Some(format!("web servers in {stack}-a: 10.51.0.0/16").as_str()));
    // IAM records the address in the path: the instance's path, then the block name.
    let user = acct.iam.get_user().user_name(format!("{stack}-b-deploy")).send().await.unwrap();
    assert_eq!(user.user().unwrap().path(), format!("/stackr/{stack}/module.net[\"b\"].deploy/"));

    let out = stackr(&["output", "-f", f, "vpc_a", "--raw"]).expect(0);
    assert_eq!(out.stdout.trim(), vpc_a);
    let out = stackr(&["output", "-f", f, "summaries", "--json"]).expect(0);
    let want = serde_json::json!([format!("{stack}-a: 10.51.0.0/16"), format!("{stack}-b: 10.52.0.0/16")]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap(), want);

    // A change to every instance, planned for one: -target names the module instance.
    std::fs::write(&file, root(&stack, "web-team", "")).unwrap();
    let plan = stackr(&["plan", "-f", f, "-target", r#"module.net["b"]"#]).expect(0);
    assert!(plan.stdout.contains(r#"# module.net["b"].vpc.main will be updated in-place"#), "{}", plan.stdout);
    assert!(!plan.stdout.contains(r#"module.net["a"].vpc.main will"#), "{}", plan.stdout);
    let plan = stackr(&["plan", "-f", f, "-target", "module.net", "--json"]).expect(0);
    let json: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let mut changed: Vec<&str> = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"]["actions"][0] == "update")
        .map(|c| c["address"].as_str().unwrap())
        .collect();
    changed.sort();
    let want = [
        r#"module.net["a"].aws_subnet.a"#,
        r#"module.net["a"].aws_vpc.main"#,
        r#"module.net["b"].aws_subnet.a"#,
        r#"module.net["b"].aws_vpc.main"#,
    ];
    assert_eq!(changed, want);
    // The reviewed plan, saved: refused while a module file differs from what it was made
    // from, applied exactly once the file is back.
    let plan_file = dir.path().join("owner.stackr");
    stackr(&["plan", "-f", f, "--out", p(&plan_file)]).expect(0);
    let module_file = dir.path().join("modules/net/main.hcl");
    std::fs::write(&module_file, NET.replace("Owner = var.owner }\n}", "Owner = var.owner, Tier = \"net\" }\n}"))
        .unwrap();
    let stale = stackr(&["apply", p(&plan_file)]).expect(1);
    assert!(stale.stderr.contains("is stale; nothing was changed"), "{}", stale.stderr);
    assert!(stale.stderr.contains(r#"module.net["a"].vpc.main"#), "{}", stale.stderr);
    std::fs::write(&module_file, NET).unwrap();
    let run = stackr(&["apply", p(&plan_file)]).expect(0);
    assert!(run.stdout.contains("Resources: 0 added, 4 changed, 0 destroyed."), "{}", run.stdout);
    let settled = stackr(&["plan", "-f", f, "--detailed-exitcode"]);
    assert_eq!(settled.code, 0, "{}", settled.stdout);

    stackr(&["destroy", "-f", f, "--auto-approve"]).expect(0);
    let left = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    assert!(left.vpcs().is_empty(), "{:?}", left.vpcs());
    assert!(acct.iam.get_user().user_name(format!("{stack}-b-deploy")).send().await.is_err());
}

#[tokio::test]
async fn a_block_moved_into_a_module_keeps_its_object() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("modmv");
    let before = format!(
        "stack \"{stack}\" {{}}\nvpc \"main\" {{\n  cidr = \"10.53.0.0/16\"\n  tags = {{ Name = \"{stack}-x\", Owner = \"platform\" }}\n}}\niam_user \"deploy\" {{ name = \"{stack}-x-deploy\" }}\n"
    );
    let file = tree(dir.path(), &before);
    let f = p(&file);
    apply_settled(f, &["# vpc.main will be created"]);
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    let id = vpcs.vpcs()[0].vpc_id().unwrap().to_string();

    let after = format!(
        "stack \"{stack}\" {{}}\nmodule \"net\" {{\n  source = \"./modules/net\"\n  name = \"{stack}-x\"\n  cidr = \"10.53.0.0/16\"\n}}\nmoved {{\n  from = vpc.main\n  to   = module.net.vpc.main\n}}\nmoved {{\n  from = iam_user.deploy\n  to   = module.net.iam_user.deploy\n}}\n"
    );
    std::fs::write(&file, after).unwrap();
    let plan = stackr(&["plan", "-f", f]).expect(0);
    assert!(plan.stdout.contains("# vpc.main has moved to module.net.vpc.main"), "{}", plan.stdout);
    assert!(plan.stdout.contains("# iam_user.deploy has moved to module.net.iam_user.deploy"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("vpc.main will be") && !plan.stdout.contains("deploy will be"), "{}", plan.stdout);
    stackr(&["apply", "-f", f, "--auto-approve"]).expect(0);
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    assert_eq!(vpcs.vpcs().len(), 1);
    assert_eq!(vpcs.vpcs()[0].vpc_id(), Some(id.as_str()));
    assert_eq!(tag(vpcs.vpcs()[0].tags(), "stackr:address"), Some("module.net.vpc.main"));
    let user = acct.iam.get_user().user_name(format!("{stack}-x-deploy")).send().await.unwrap();
    assert_eq!(user.user().unwrap().path(), format!("/stackr/{stack}/module.net.deploy/"));
    let settled = stackr(&["plan", "-f", f, "--detailed-exitcode"]);
    assert_eq!(settled.code, 0, "{}", settled.stdout);

    // count added to the module call: its objects move to instance [0] without a moved block,
    // as Terraform's implied moves do.
    // (The moved blocks, applied, are dropped: their `to` no longer exists.)
    let text = std::fs::read_to_string(&file).unwrap();
    let counted = text[..text.find("moved {").unwrap()].replace("  source = ", "  count = 1\n  source = ");
    std::fs::write(&file, counted).unwrap();
    let plan = stackr(&["plan", "-f", f]).expect(0);
    for line in [
        "# module.net.vpc.main has moved to module.net[0].vpc.main",
        "# module.net.iam_user.deploy has moved to module.net[0].iam_user.deploy",
    ] {
        assert!(plan.stdout.contains(line), "plan lacks `{line}`:\n{}", plan.stdout);
    }
    assert!(!plan.stdout.contains("will be created") && !plan.stdout.contains("destroyed"), "{}", plan.stdout);
    apply_settled(f, &["module.net[0].vpc.main"]);
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    assert_eq!(vpcs.vpcs()[0].vpc_id(), Some(id.as_str()));
    assert_eq!(tag(vpcs.vpcs()[0].tags(), "stackr:address"), Some("module.net[0].vpc.main"));
    let user = acct.iam.get_user().user_name(format!("{stack}-x-deploy")).send().await.unwrap();
    assert_eq!(user.user().unwrap().path(), format!("/stackr/{stack}/module.net[0].deploy/"));
    stackr(&["destroy", "-f", f, "--auto-approve"]).expect(0);
}

#[test]
fn a_mistake_in_a_module_file_is_reported_there_before_any_aws_call() {
    let dir = tempfile::tempdir().unwrap();
    let file = tree(dir.path(), &root("modbad", "platform", ""));
    std::fs::write(dir.path().join("modules/net/outputs.hcl"), NET_OUT.replace("subnet.a.id", "subnet.b.id")).unwrap();
    // Nothing listens on this port: an AWS call would fail differently.
    let mut cmd = stackr_cmd(&["plan", "-f", p(&file)]);
    cmd.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    let run = Run::from(cmd.output().unwrap());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let at = format!("{}:2:27", dir.path().join("modules/net/outputs.hcl").display());
    // Said once for the module's file, not once per instance.
    assert_eq!(run.stderr.matches("reference to undeclared resource subnet.b").count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains(&at), "no {at} in:\n{}", run.stderr);
}

#[tokio::test]
async fn objects_made_elsewhere_are_adopted_into_a_module() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("modad");
    let vpc = acct.ec2.create_vpc().cidr_block("10.54.0.0/16").send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let user = format!("{stack}-x-deploy");
    acct.iam.create_user().user_name(&user).send().await.unwrap();
    let root = format!(
        "stack \"{stack}\" {{}}\nmodule \"net\" {{\n  source = \"./modules/net\"\n  name = \"{stack}-x\"\n  cidr = \"10.54.0.0/16\"\n}}\n"
    );
    let file = tree(dir.path(), &root);
    let f = p(&file);
    // The user's name is taken: the plan stops there and names the module address to adopt.
    let plan = stackr(&["plan", "-f", f]).expect(1);
    let hint = format!("stackr adopt -f {f} module.net.iam_user.deploy={user}`");
    assert!(plan.stderr.contains(&hint), "no {hint} in:\n{}", plan.stderr);
    let pairs = [format!("module.net.vpc.main={vpc}"), format!("module.net.iam_user.deploy={user}")];
    let run = stackr(&["adopt", "--auto-approve", "-f", f, &pairs[0], &pairs[1]]).expect(0);
    assert!(run.stdout.contains("Adopt complete! 2 adopted."), "{}", run.stdout);
    let tags = acct.ec2.describe_vpcs().vpc_ids(&vpc).send().await.unwrap().vpcs()[0].tags().to_vec();
    assert_eq!(tag(&tags, "stackr:address"), Some("module.net.vpc.main"));
    let got = acct.iam.get_user().user_name(&user).send().await.unwrap();
    assert_eq!(got.user().unwrap().path(), format!("/stackr/{stack}/module.net.deploy/"));
    apply_settled(f, &["# module.net.subnet.a will be created", "# module.net.vpc.main will be updated in-place"]);
    let owned = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    assert_eq!(owned.vpcs().len(), 1);
    assert_eq!(owned.vpcs()[0].vpc_id(), Some(vpc.as_str()), "the adopted VPC is kept");
    stackr(&["destroy", "-f", f, "--auto-approve"]).expect(0);
}
