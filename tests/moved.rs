//! `moved` blocks against LocalStack: renaming blocks (and moving a VPC under `count`) keeps
//! every object, rewrites its `stackr:address` tag or IAM path, and plans settle with and
//! without the moved blocks afterwards.

mod common;

use common::*;

/// The stack before the refactoring: a VPC, a subnet and a user under their first names.
fn before(stack: &str) -> String {
    format!(
        r#"stack "{stack}" {{}}
vpc "main" {{
  cidr = "10.41.0.0/16"
  tags = {{ Name = "{stack}-main" }}
}}
subnet "a" {{
  vpc  = vpc.main
  cidr = "10.41.1.0/24"
  az   = "us-east-1a"
}}
iam_user "dev" {{ name = "{stack}-dev" }}
"#
    )
}

/// After: the VPC under `count`, the subnet and the user renamed; `moves` says so or not.
fn after(stack: &str, moves: bool) -> String {
    let mut text = format!(
        r#"stack "{stack}" {{}}
vpc "main" {{
  count = 1
  cidr  = "10.41.0.0/16"
  tags  = {{ Name = "{stack}-main" }}
}}
subnet "public" {{
  vpc  = vpc.main[0]
  cidr = "10.41.1.0/24"
  az   = "us-east-1a"
}}
iam_user "ops" {{ name = "{stack}-dev" }}
"#
    );
    if moves {
        for (from, to) in [("vpc.main", "vpc.main[0]"), ("subnet.a", "subnet.public"), ("iam_user.dev", "iam_user.ops")]
        {
            text.push_str(&format!("moved {{\n  from = {from}\n  to   = {to}\n}}\n"));
        }
    }
    text
}

#[tokio::test]
async fn renamed_blocks_keep_their_objects() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("mv");
    let file = stack_file(dir.path(), "stack.hcl", &before(&stack));
    let f = p(&file);
    apply_settled(f, &["# subnet.a will be created"]);
    let subnets = acct.ec2.describe_subnets().filters(tag_filter(&stack)).send().await.unwrap();
    let subnet_id = subnets.subnets()[0].subnet_id().unwrap().to_string();

    std::fs::write(&file, after(&stack, true)).unwrap();
    let plan_file = dir.path().join("moves.stackr");
    let plan = stackr(&["plan", "-f", f, "--out", p(&plan_file), "--detailed-exitcode"]).expect(2);
    for line in [
        "# vpc.main has moved to vpc.main[0]",
        "# iam_user.dev has moved to iam_user.ops",
        "# subnet.public will be updated in-place\n  # (moved from subnet.a)",
        "Plan: 0 to add, 1 to change, 0 to destroy.",
    ] {
        assert!(plan.stdout.contains(line), "plan lacks `{line}`:\n{}", plan.stdout);
    }
    assert!(!plan.stdout.contains("will be created") && !plan.stdout.contains("destroyed"), "{}", plan.stdout);
    stackr(&["apply", p(&plan_file)]).expect(0);

    // The same subnet, recorded under its new address, its default Name following the block.
    let subnets = acct.ec2.describe_subnets().filters(tag_filter(&stack)).send().await.unwrap();
    let [subnet] = subnets.subnets() else { panic!("one subnet: {subnets:?}") };
    assert_eq!(subnet.subnet_id(), Some(subnet_id.as_str()));
    assert_eq!(tag(subnet.tags(), "stackr:address"), Some("subnet.public"));
    assert_eq!(tag(subnet.tags(), "Name"), Some(format!("{stack}-public-subnet").as_str()));
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    let [vpc] = vpcs.vpcs() else { panic!("one VPC: {vpcs:?}") };
    assert_eq!(tag(vpc.tags(), "stackr:address"), Some("vpc.main[0]"));
    assert_eq!(tag(vpc.tags(), "Name"), Some(format!("{stack}-main").as_str()), "a Name the file sets stays");
    let user = acct.iam.get_user().user_name(format!("{stack}-dev")).send().await.unwrap();
    assert_eq!(user.user().unwrap().path(), format!("/stackr/{stack}/ops/"));

    let clean = stackr(&["plan", "-f", f, "--detailed-exitcode"]);
    assert_eq!(clean.code, 0, "plan after the moves is not clean:\n{}", clean.stdout);
    // The moved blocks have done their work: without them nothing changes either.
    std::fs::write(&file, after(&stack, false)).unwrap();
    let clean = stackr(&["plan", "-f", f, "--detailed-exitcode"]);
    assert_eq!(clean.code, 0, "plan without the moved blocks is not clean:\n{}", clean.stdout);

    stackr(&["destroy", "-f", f, "--auto-approve"]).expect(0);
    assert_eq!(acct.owned_counts(&stack).await, [0; 7]);
}
