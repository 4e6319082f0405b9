//! Expressions over resource attributes against LocalStack: interpolation, function calls and
//! locals that use another object's attributes are `(known after apply)` while that object is
//! to be made, are evaluated by apply once it exists, land in AWS with their real values, and
//! the plan after settles to "No changes"; `stackr output` recomputes outputs from the account.

mod common;

use common::*;

fn stack_text(stack: &str, tag: &str) -> String {
    format!(
        r#"stack "{stack}" {{}}
locals {{
  vpc_id = vpc.main.id
  label  = "net-${{local.vpc_id}}"
}}
vpc "main" {{ cidr = "10.41.0.0/16" }}
subnet "a" {{
  vpc  = vpc.main
  az   = "us-east-1a"
  cidr = cidrsubnet(vpc.main.cidr, 8, 1)
  tags = {{ Role = {tag} }}
}}
security_group "web" {{
  vpc         = vpc.main
  description = "web tier in ${{vpc.main.cidr}}"
  tags        = {{ Subnet = upper(subnet.a.id) }}
}}
iam_role "reader" {{
  name   = "{stack}-reader"
  assume = "ec2.amazonaws.com"
  inline_policies = {{
    vpc = jsonencode({{
      Version   = "2012-10-17"
      Statement = [{{ Effect = "Allow", Action = "ec2:DescribeVpcs", Resource = "arn:aws:ec2:us-east-1:000000000000:vpc/${{vpc.main.id}}" }}]
    }})
  }}
}}
output "where" {{ value = "${{subnet.a.id}} in ${{local.vpc_id}}" }}
output "cidr" {{ value = subnet.a.cidr }}
"#
    )
}

#[tokio::test]
async fn expressions_over_attributes_apply_and_settle() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("expr");
    let file = stack_file(dir.path(), "stack.hcl", &stack_text(&stack, "local.label"));
    let f = p(&file);

    // Before the apply, the output is not known yet.
    let early = stackr(&["output", "-f", f, "where"]).expect(1);
    assert!(early.stderr.contains("output \"where\" is not known yet"), "{}", early.stderr);

    let (plan, apply) = apply_settled(f, &["# subnet.a will be created", "# iam_role.reader will be created"]);
    // The subnet's CIDR derives from the VPC's configured CIDR: known at plan time.
    assert!(plan.stdout.contains("\"10.41.1.0/24\""), "{}", plan.stdout);
    assert!(plan.stdout.contains("\"web tier in 10.41.0.0/16\""), "{}", plan.stdout);
    assert!(plan.stdout.contains("(known after apply)"), "{}", plan.stdout);
    assert!(apply.stdout.contains(" in vpc-"), "{}", apply.stdout);

    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    let vpc_id = vpcs.vpcs()[0].vpc_id().unwrap().to_string();
    let subnets = acct.ec2.describe_subnets().filters(tag_filter(&stack)).send().await.unwrap();
    let subnet = &subnets.subnets()[0];
    let subnet_id = subnet.subnet_id().unwrap().to_string();
    assert_eq!(subnet.cidr_block(), Some("10.41.1.0/24"));
    assert_eq!(tag(subnet.tags(), "Role"), Some(format!("net-{vpc_id}").as_str()));
    let groups = acct.ec2.describe_security_groups().filters(tag_filter(&stack)).send().await.unwrap();
    let sg = &groups.security_groups()[0];
    assert_eq!(sg.description(), Some("web tier in 10.41.0.0/16"));
    assert_eq!(tag(sg.tags(), "Subnet"), Some(subnet_id.to_uppercase().as_str()));
    let policy =
        acct.iam.get_role_policy().role_name(format!("{stack}-reader")).policy_name("vpc").send().await.unwrap();
    let doc = urlencoding_decode(policy.policy_document());
    assert!(doc.contains(&format!("vpc/{vpc_id}")), "{doc}");

    // Outputs come from the account as it is now.
    let raw = stackr(&["output", "-f", f, "where", "--raw"]).expect(0);
    assert_eq!(raw.stdout.trim(), format!("{subnet_id} in {vpc_id}"));
    let all = stackr(&["output", "-f", f, "--json"]).expect(0);
    let v: serde_json::Value = serde_json::from_str(&all.stdout).unwrap();
    assert_eq!(v["cidr"]["value"], "10.41.1.0/24");
    assert_eq!(v["where"]["sensitive"], false);

    // With the VPC in place, a changed expression shows its new value in the plan.
    std::fs::write(&file, stack_text(&stack, "lower(\"X-${vpc.main.id}\")")).unwrap();
    let (plan, _) = apply_settled(f, &["# subnet.a will be updated in-place"]);
    assert!(plan.stdout.contains(&format!("\"x-{vpc_id}\"")), "{}", plan.stdout);
    let subnets = acct.ec2.describe_subnets().filters(tag_filter(&stack)).send().await.unwrap();
    assert_eq!(tag(subnets.subnets()[0].tags(), "Role"), Some(format!("x-{vpc_id}").as_str()));

    stackr(&["destroy", "-f", f, "--auto-approve"]).expect(0);
    assert_eq!(acct.owned_counts(&stack).await, [0; 7]);
    assert!(acct.iam.get_role().role_name(format!("{stack}-reader")).send().await.is_err());
}

#[test]
fn a_failing_expression_stops_the_plan_at_its_place() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("exprbad");
    let text = stack_text(&stack, "local.label")
        .replace("cidrsubnet(vpc.main.cidr, 8, 1)", "cidrsubnet(vpc.main.cidr, 8, 256)");
    let file = stack_file(dir.path(), "stack.hcl", &text);
    let run = stackr(&["plan", "-f", p(&file)]).expect(1);
    assert!(run.stderr.contains("stack.hcl:10:10"), "{}", run.stderr);
    assert!(run.stderr.contains("does not accommodate a subnet numbered 256"), "{}", run.stderr);
}

/// IAM returns policy documents URL-encoded.
fn urlencoding_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}
