//! Lifecycle rules and plan options through the real binary against LocalStack:
//! `prevent_destroy` (with a variable) stops a destroy at the lifecycle block, `-replace`
//! replaces an unchanged object, `-target` plans only part of the stack with a warning, and
//! `create_before_destroy` creates the replacement before deleting the old object.

mod common;

use aws_sdk_ec2::types::Filter;
use common::*;

fn stack(name: &str, subnet_cidr: &str) -> String {
    format!(
        r#"stack "{name}" {{}}

variable "protect" {{
  type    = bool
  default = true
}}

vpc "main" {{
  cidr = "10.71.0.0/16"
  lifecycle {{
    prevent_destroy = var.protect
  }}
}}

subnet "a" {{
  vpc  = vpc.main
  cidr = "{subnet_cidr}"
  az   = "us-east-1a"
  lifecycle {{
    create_before_destroy = true
  }}
}}

security_group "web" {{
  vpc = vpc.main
  ingress {{
    port = 443
    cidr = "10.0.0.0/8"
  }}
}}
"#
    )
}

async fn subnets(acct: &Account, stack: &str) -> Vec<(String, String)> {
    let out = acct.ec2.describe_subnets().filters(tag_filter(stack)).send().await.unwrap();
    out.subnets().iter().map(|s| (s.subnet_id().unwrap().into(), s.cidr_block().unwrap().into())).collect()
}

async fn group_ids(acct: &Account, stack: &str) -> Vec<String> {
    let out = acct.ec2.describe_security_groups().filters(tag_filter(stack)).send().await.unwrap();
    out.security_groups().iter().map(|g| g.group_id().unwrap().to_string()).collect()
}

#[tokio::test]
async fn target_replace_create_before_destroy_and_prevent_destroy() {
    require_localstack();
    let acct = account().await;
    let name = unique("lifecycle");
    let dir = tempfile::tempdir().unwrap();
    let file = stack_file(dir.path(), "stack.hcl", &stack(&name, "10.71.1.0/24"));
    let f = p(&file);

    // -target: only the subnet and the VPC it needs, with Terraform's warning.
    let plan = stackr(&["plan", "-f", f, "-target=subnet.a"]).expect(0);
    assert!(plan.stdout.contains("Plan: 2 to add, 0 to change, 0 to destroy."), "{}", plan.stdout);
    assert!(!plan.stdout.contains("security_group.web"), "{}", plan.stdout);
    assert!(plan.stderr.contains("Resource targeting is in effect"), "{}", plan.stderr);
    stackr(&["apply", "-f", f, "--target", "subnet.a", "--auto-approve"]).expect(0);
    assert_eq!(subnets(&acct, &name).await.len(), 1);
    assert!(group_ids(&acct, &name).await.is_empty(), "the untargeted group is not created");
    let rest = stackr(&["plan", "-f", f]).expect(0);
    assert!(rest.stdout.contains("Plan: 1 to add, 0 to change, 0 to destroy."), "{}", rest.stdout);
    apply_settled(f, &["security_group.web"]);

    // -replace: the same group, replaced although nothing changed.
    let before = group_ids(&acct, &name).await;
    let plan = stackr(&["plan", "-f", f, "-replace=security_group.web"]).expect(0);
    assert!(plan.stdout.contains("# security_group.web will be replaced, as requested"), "{}", plan.stdout);
    stackr(&["apply", "-f", f, "-replace=security_group.web", "--auto-approve"]).expect(0);
    let after = group_ids(&acct, &name).await;
    assert_eq!(after.len(), 1);
    assert_ne!(before, after, "the group was replaced");
    stackr(&["plan", "-f", f, "--detailed-exitcode"]).expect(0);

    // create_before_destroy: the new subnet is created before the old one is deleted.
    std::fs::write(&file, stack(&name, "10.71.2.0/24")).unwrap();
    let plan = stackr(&["plan", "-f", f]).expect(0);
    assert!(plan.stdout.contains("+/- create replacement and then destroy"), "{}", plan.stdout);
    let run = stackr(&["-v", "apply", "-f", f, "--auto-approve"]).expect(0);
    let create = run.stderr.find("EC2.CreateSubnet ->").expect("CreateSubnet logged");
    let delete = run.stderr.find("EC2.DeleteSubnet ->").expect("DeleteSubnet logged");
    assert!(create < delete, "create before destroy:\n{}", run.stderr);
    let now = subnets(&acct, &name).await;
    assert_eq!(now.iter().map(|s| s.1.as_str()).collect::<Vec<_>>(), ["10.71.2.0/24"]);
    stackr(&["plan", "-f", f, "--detailed-exitcode"]).expect(0);

    // prevent_destroy: destroy is refused at the lifecycle block, and nothing is deleted.
    let refused = stackr(&["destroy", "-f", f, "--auto-approve"]).expect(1);
    assert!(refused.stderr.contains("vpc.main is protected by lifecycle.prevent_destroy"), "{}", refused.stderr);
    assert!(refused.stderr.contains("stack.hcl:10:3"), "points at the lifecycle block:\n{}", refused.stderr);
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&name)).send().await.unwrap();
    assert_eq!(vpcs.vpcs().len(), 1, "a refused destroy deletes nothing");
    assert_eq!(group_ids(&acct, &name).await.len(), 1, "a refused destroy deletes nothing");

    // The protection is an expression: turning the variable off allows the destroy.
    stackr(&["destroy", "-f", f, "--var", "protect=false", "--auto-approve"]).expect(0);
    let left = acct.ec2.describe_vpcs().filters(Filter::builder().name("tag:stackr:stack").values(&name).build());
    assert!(left.send().await.unwrap().vpcs().is_empty());
}
