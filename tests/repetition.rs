//! `for_each` and `count` against LocalStack: one block makes one object per key, each
//! recorded under its instance address (EC2 tag, IAM path), plans settle, a removed key
//! destroys only its object, `-target` of a block takes all its instances, and destroy
//! leaves nothing.

mod common;

use common::*;

fn stack_text(stack: &str, zones: &str, users: &str) -> String {
    format!(
        r#"stack "{stack}" {{}}
variable "zones" {{ default = {zones} }}
variable "users" {{ default = {users} }}
vpc "main" {{ cidr = "10.40.0.0/16" }}
subnet "public" {{
  for_each = var.zones
  vpc      = vpc.main
  az       = each.key
  cidr     = cidrsubnet("10.40.0.0/16", 8, each.value)
}}
security_group "tier" {{
  count       = 2
  vpc         = vpc.main
  description = "tier ${{count.index}}"
}}
route_table "public" {{
  vpc     = vpc.main
  subnets = subnet.public[*]
}}
iam_user "dev" {{
  for_each = toset(var.users)
  name     = "{stack}-${{each.key}}"
}}
output "subnets" {{ value = subnet.public[*].id }}
output "first_group" {{ value = security_group.tier[0].id }}
"#
    )
}

#[tokio::test]
async fn one_block_makes_one_object_per_key() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("rep");
    let zones = r#"{ "us-east-1a" = 1, "us-east-1b" = 2 }"#;
    let file = stack_file(dir.path(), "stack.hcl", &stack_text(&stack, zones, r#"["alice", "bob"]"#));
    let f = p(&file);

    let (plan, apply) = apply_settled(
        f,
        &[
            r#"# subnet.public["us-east-1a"] will be created"#,
            r#"# subnet.public["us-east-1b"] will be created"#,
            "# security_group.tier[1] will be created",
            r#"# iam_user.dev["alice"] will be created"#,
        ],
    );
    assert!(plan.stdout.contains("Plan: 8 to add, 0 to change, 0 to destroy"), "{}", plan.stdout);

    // Each subnet carries its instance address and a default Name from its key.
    let subnets = acct.ec2.describe_subnets().filters(tag_filter(&stack)).send().await.unwrap();
    let mut got: Vec<(String, String, String)> = subnets
        .subnets()
        .iter()
        .map(|s| {
            let tag = |k| tag(s.tags(), k).unwrap_or_default().to_string();
            (tag("stackr:address"), tag("Name"), s.cidr_block().unwrap_or_default().to_string())
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                r#"subnet.public["us-east-1a"]"#.into(),
                format!("{stack}-public-us-east-1a-subnet"),
                "10.40.1.0/24".into()
            ),
            (
                r#"subnet.public["us-east-1b"]"#.into(),
                format!("{stack}-public-us-east-1b-subnet"),
                "10.40.2.0/24".into()
            ),
        ]
    );
    assert!(apply.stdout.contains("subnets = ["), "{}", apply.stdout);
    let groups = acct.ec2.describe_security_groups().filters(tag_filter(&stack)).send().await.unwrap();
    let mut descs: Vec<&str> = groups.security_groups().iter().filter_map(|g| g.description()).collect();
    descs.sort();
    assert_eq!(descs, ["tier 0", "tier 1"]);
    let alice = acct.iam.get_user().user_name(format!("{stack}-alice")).send().await.unwrap();
    assert_eq!(alice.user().unwrap().path(), format!("/stackr/{stack}/dev[\"alice\"]/"));

    // The JSON plan gives each instance Terraform's index.
    let json = stackr(&["plan", "-f", f, "--json"]).expect(0);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let rc = v["resource_changes"].as_array().unwrap();
    let sub = rc.iter().find(|c| c["address"] == r#"aws_subnet.public["us-east-1b"]"#).expect("instance in JSON");
    assert_eq!(sub["index"], "us-east-1b");
    assert_eq!(sub["name"], "public");

    // Dropping a key destroys that instance only; -target of the block covers its instances.
    let fewer = stack_text(&stack, r#"{ "us-east-1a" = 1 }"#, r#"["alice"]"#);
    std::fs::write(&file, fewer).unwrap();
    let targeted = stackr(&["plan", "-f", f, "-target", "subnet.public"]).expect(0);
    assert!(targeted.stdout.contains(r#"# subnet.public["us-east-1b"] will be destroyed"#), "{}", targeted.stdout);
    assert!(!targeted.stdout.contains("iam_user"), "{}", targeted.stdout);
    let (plan, _) = apply_settled(f, &[r#"# iam_user.dev["bob"] will be destroyed"#]);
    assert!(plan.stdout.contains("Plan: 0 to add, 1 to change, 2 to destroy"), "{}", plan.stdout);
    let left = acct.ec2.describe_subnets().filters(tag_filter(&stack)).send().await.unwrap();
    assert_eq!(left.subnets().len(), 1);
    assert!(acct.iam.get_user().user_name(format!("{stack}-bob")).send().await.is_err());

    stackr(&["destroy", "-f", f, "--auto-approve"]).expect(0);
    assert_eq!(acct.owned_counts(&stack).await, [0; 7]);
}

#[test]
fn a_for_each_over_resource_attributes_is_refused_before_any_call() {
    let dir = tempfile::tempdir().unwrap();
    let text = "stack \"x\" {}\nvpc \"main\" { cidr = \"10.0.0.0/16\" }\nsubnet \"a\" {\n  for_each = vpc.main\n  vpc = vpc.main\n  cidr = \"10.0.1.0/24\"\n}\n";
    let file = stack_file(dir.path(), "stack.hcl", text);
    let run = stackr(&["plan", "-f", p(&file)]).expect(1);
    assert!(run.stderr.contains("stack.hcl:4:14"), "{}", run.stderr);
    assert!(run.stderr.contains("for_each must be known before apply"), "{}", run.stderr);
}
