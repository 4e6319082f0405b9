//! The renderers on plans made from in-memory state: what users read is reviewed as snapshots.

use super::*;
use crate::live::LiveState;
use crate::model::{Value, str_map, str_set};
use crate::plan::plan;
use crate::resources::{live, schemas};
use crate::stack::{VarInputs, load_str};

const SRC: &str = r#"
stack "t" {}
vpc "main" {
  cidr = "10.0.0.0/16"
  tags = { Team = "net", Env = "prod" }
}
subnet "a" {
  vpc  = vpc.main
  cidr = "10.0.9.0/24"
  az   = "us-east-1a"
}
subnet "new" {
  vpc  = vpc.main
  cidr = "10.0.3.0/24"
}
"#;

fn mixed_plan() -> crate::plan::Plan {
    let stack = load_str("t.hcl", SRC, &VarInputs::default(), &schemas()).unwrap();
    let objects = vec![
        live(
            "vpc.main",
            "vpc-1",
            &[
                ("cidr", Value::str("10.0.0.0/16")),
                ("enable_dns_support", Value::Bool(true)),
                ("enable_dns_hostnames", Value::Bool(false)),
                ("instance_tenancy", Value::str("default")),
                ("tags", str_map([("Name", "t-main"), ("Team", "web"), ("Old", "x")])),
                ("owner_id", Value::str("000000000000")),
            ],
        ),
        live(
            "subnet.a",
            "subnet-1",
            &[
                ("vpc", Value::str("vpc-1")),
                ("cidr", Value::str("10.0.1.0/24")),
                ("az", Value::str("us-east-1a")),
                ("map_public_ip", Value::Bool(false)),
                ("tags", str_map([("Name", "t-a")])),
                ("arn", Value::str("arn:aws:ec2:us-east-1:000000000000:subnet/subnet-1")),
            ],
        ),
        live(
            "iam_user.gone",
            "gone",
            &[
                ("name", Value::str("gone")),
                ("groups", str_set(["developers"])),
                ("managed_policies", Value::List(vec![])),
                ("inline_policies", Value::Map(Default::default())),
                ("tags", Value::Map(Default::default())),
                ("arn", Value::str("arn:aws:iam::000000000000:user/stackr/t/gone/gone")),
                ("unique_id", Value::str("AIDA1")),
            ],
        ),
    ];
    plan(&stack, &LiveState { objects, ..Default::default() }, false).unwrap()
}

#[test]
fn human_plan_of_every_action() {
    insta::assert_snapshot!(human_plan(&mixed_plan(), Style { color: false }));
}

#[test]
fn no_changes() {
    let stack = load_str("t.hcl", "stack \"t\" {}\n", &VarInputs::default(), &schemas()).unwrap();
    let p = plan(&stack, &LiveState::default(), false).unwrap();
    assert_eq!(human_plan(&p, Style { color: false }), "No changes. Your infrastructure matches the configuration.\n");
}

#[test]
fn json_plan_of_every_action() {
    let doc = json_plan(&mixed_plan());
    let actions: Vec<(String, String)> = doc["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["address"].as_str().unwrap().to_string(), c["change"]["actions"].to_string()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("iam_user.gone".to_string(), r#"["delete"]"#.to_string()),
            ("subnet.a".to_string(), r#"["delete","create"]"#.to_string()),
            ("subnet.new".to_string(), r#"["create"]"#.to_string()),
            ("vpc.main".to_string(), r#"["update"]"#.to_string()),
        ]
    );
    let subnet = &doc["resource_changes"][1]["change"];
    assert_eq!(subnet["replace_paths"], serde_json::json!([["cidr"]]));
    assert_eq!(subnet["before"]["cidr"], "10.0.1.0/24");
    assert_eq!(subnet["after"]["cidr"], "10.0.9.0/24");
    assert_eq!(subnet["after_unknown"]["id"], true);
    assert_eq!(doc["summary"], serde_json::json!({"add": 2, "change": 1, "destroy": 2}));
}

#[test]
fn colour_only_when_asked() {
    let plain = human_plan(&mixed_plan(), Style { color: false });
    let coloured = human_plan(&mixed_plan(), Style { color: true });
    assert!(!plain.contains('\x1b'));
    assert!(coloured.contains("\x1b[32m+\x1b[0m"));
}
