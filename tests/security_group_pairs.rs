//! Security groups whose rules name each other (a balancer's egress to the servers' group, the
//! servers' ingress from the balancer's), against LocalStack: they are made without a cycle
//! error, one first without the rule naming the other, which is added once both exist; the plan
//! after is clean; and destroy first revokes one group's rule naming the other, since AWS (and
//! the realism layer) refuses to delete a group another group's rule names.

mod common;

use aws_sdk_ec2::types::{IpPermission, SecurityGroup};
use common::*;

const PAIR: &str = r#"
stack "STACK" {
  region = "us-east-1"
}

vpc "main" {
  cidr = "10.90.0.0/16"
}

security_group "lb" {
  vpc = vpc.main
  ingress {
    port = 443
    cidr = "0.0.0.0/0"
  }
  egress {
    port           = 8080
    security_group = security_group.web
    description    = "to the servers"
  }
}

security_group "web" {
  vpc = vpc.main
  ingress {
    port           = 8080
    security_group = security_group.lb
    description    = "from the balancer"
  }
  ingress {
    port = 22
    cidr = "10.90.0.0/16"
  }
}
"#;

async fn group(acct: &Account, name: &str) -> SecurityGroup {
    let filter = aws_sdk_ec2::types::Filter::builder().name("group-name").values(name).build();
    let out = acct.ec2.describe_security_groups().filters(filter).send().await.unwrap();
    out.security_groups().first().cloned().unwrap_or_else(|| panic!("no group {name}"))
}

/// The group ids the rules on `port` name.
fn naming(rules: &[IpPermission], port: i32) -> Vec<String> {
    let on_port = rules.iter().filter(|r| r.from_port() == Some(port));
    on_port.flat_map(|r| r.user_id_group_pairs().iter().filter_map(|p| p.group_id().map(String::from))).collect()
}

#[tokio::test]
async fn groups_naming_each_other_are_made_and_destroyed() {
    require_localstack();
    let acct = account().await;
    let stack = unique("sgpair");
    let dir = tempfile::tempdir().unwrap();
    let file = stack_file(dir.path(), "pair.hcl", &PAIR.replace("STACK", &stack));
    let file = p(&file);

    let (_, run) =
        apply_settled(file, &["its ingress/egress naming security_group.lb are added once it exists", "3 to add"]);
    assert!(run.stdout.contains("security_group.web: References added"), "{}", run.stdout);
    let (lb, web) = (group(&acct, &format!("{stack}-lb-sg")).await, group(&acct, &format!("{stack}-web-sg")).await);
    let (lb_id, web_id) = (lb.group_id().unwrap().to_string(), web.group_id().unwrap().to_string());
    assert_eq!(naming(lb.ip_permissions_egress(), 8080), [web_id], "the balancer's egress names the servers");
    assert_eq!(naming(web.ip_permissions(), 8080), [lb_id], "the servers' ingress names the balancer");
    assert!(web.ip_permissions().iter().any(|r| r.from_port() == Some(22)), "the rule naming no group is there too");
    assert!(
        !lb.ip_permissions_egress().iter().any(|r| r.ip_protocol() == Some("-1")),
        "the balancer's egress is only the rule to the servers"
    );

    let run = stackr(&["destroy", "-f", file, "--auto-approve"]).expect(0);
    assert!(run.stdout.contains("References released"), "{}", run.stdout);
    assert!(run.stdout.contains("Resources: 3 destroyed."), "{}", run.stdout);
    assert_eq!(acct.leftovers(&stack).await, Vec::<String>::new());
}

#[tokio::test]
async fn groups_that_exist_come_to_name_each_other_in_place() {
    require_localstack();
    let acct = account().await;
    let stack = unique("sgpair");
    let dir = tempfile::tempdir().unwrap();
    let apart = PAIR
        .replace(
            "    port           = 8080\n    security_group = security_group.web\n",
            "    port = 8080\n    cidr = \"10.90.0.0/16\"\n",
        )
        .replace(
            "    port           = 8080\n    security_group = security_group.lb\n",
            "    port = 8080\n    cidr = \"10.90.0.0/16\"\n",
        )
        .replace("STACK", &stack);
    let file = stack_file(dir.path(), "pair.hcl", &apart);
    apply_settled(p(&file), &["3 to add"]);

    let file = stack_file(dir.path(), "pair.hcl", &PAIR.replace("STACK", &stack));
    let (plan, _) = apply_settled(p(&file), &["2 to change"]);
    assert!(!plan.stdout.contains("are added once"), "both exist: nothing waits\n{}", plan.stdout);
    let (lb, web) = (group(&acct, &format!("{stack}-lb-sg")).await, group(&acct, &format!("{stack}-web-sg")).await);
    assert_eq!(naming(lb.ip_permissions_egress(), 8080), [web.group_id().unwrap().to_string()]);
    assert_eq!(naming(web.ip_permissions(), 8080), [lb.group_id().unwrap().to_string()]);

    // The servers' group goes: the balancer's rule naming it is revoked first.
    let lone = PAIR[..PAIR.find("security_group \"web\"").unwrap()]
        .replace(
            "    port           = 8080\n    security_group = security_group.web\n",
            "    port = 8080\n    cidr = \"10.90.0.0/16\"\n",
        )
        .replace("STACK", &stack);
    let file = stack_file(dir.path(), "pair.hcl", &lone);
    apply_settled(p(&file), &["1 to change, 1 to destroy"]);
    stackr(&["destroy", "-f", p(&file), "--auto-approve"]).expect(0);
    assert_eq!(acct.leftovers(&stack).await, Vec::<String>::new());
}
