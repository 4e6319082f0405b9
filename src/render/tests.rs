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

pub(super) fn mixed_plan() -> crate::plan::Plan {
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
                ("tags", str_map([("Name", "t-main-vpc"), ("Team", "web"), ("Old", "x")])),
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
                ("tags", str_map([("Name", "t-a-subnet")])),
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
            ("aws_iam_user.gone".to_string(), r#"["delete"]"#.to_string()),
            ("aws_subnet.a".to_string(), r#"["delete","create"]"#.to_string()),
            ("aws_subnet.new".to_string(), r#"["create"]"#.to_string()),
            ("aws_vpc.main".to_string(), r#"["update"]"#.to_string()),
        ]
    );
    let subnet = &doc["resource_changes"][1]["change"];
    assert_eq!(subnet["replace_paths"], serde_json::json!([["cidr_block"]]));
    assert_eq!(subnet["before"]["cidr_block"], "10.0.1.0/24");
    assert_eq!(subnet["after"]["cidr_block"], "10.0.9.0/24");
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

#[test]
fn a_changed_block_shows_only_what_differs() {
    let src = "stack \"t\" {}\nvpc \"v\" { cidr = \"10.0.0.0/16\" }\nsecurity_group \"web\" {\n  vpc = vpc.v\n  \
               ingress {\n    port = 2222\n    cidr = \"10.0.0.0/8\"\n    description = \"ssh\"\n  }\n  \
               ingress {\n    port = 80\n    cidr = \"0.0.0.0/0\"\n  }\n}\n";
    let stack = load_str("t.hcl", src, &VarInputs::default(), &schemas()).unwrap();
    let rule = |port: i64, cidr: &str, desc: Option<&str>| {
        let mut m: std::collections::BTreeMap<String, Value> = [
            ("protocol", Value::str("tcp")),
            ("from_port", Value::Int(port)),
            ("to_port", Value::Int(port)),
            ("cidr", Value::str(cidr)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Some(d) = desc {
            m.insert("description".into(), Value::str(d));
        }
        Value::Map(m)
    };
    let all = Value::List(vec![Value::Map(
        [("protocol", Value::str("all")), ("cidr", Value::str("0.0.0.0/0"))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )]);
    let objects = vec![
        live(
            "vpc.v",
            "vpc-1",
            &[
                ("cidr", Value::str("10.0.0.0/16")),
                ("enable_dns_support", Value::Bool(true)),
                ("enable_dns_hostnames", Value::Bool(false)),
                ("instance_tenancy", Value::str("default")),
                ("tags", str_map([("Name", "t-v-vpc")])),
                ("owner_id", Value::str("000000000000")),
            ],
        ),
        live(
            "security_group.web",
            "sg-1",
            &[
                ("vpc", Value::str("vpc-1")),
                ("name", Value::str("t-web-sg")),
                ("description", Value::str("Managed by stackr")),
                ("ingress", Value::List(vec![rule(22, "10.0.0.0/8", Some("ssh")), rule(80, "0.0.0.0/0", None)])),
                ("egress", all),
                ("tags", str_map([("Name", "t-web-sg")])),
                ("arn", Value::str("arn:sg-1")),
            ],
        ),
    ];
    let p = plan(&stack, &LiveState { objects, ..Default::default() }, false).unwrap();
    insta::assert_snapshot!(human_plan(&p, Style { color: false }));
}

#[test]
fn fractions_show_as_numbers_in_both_plans() {
    let src = "stack \"t\" {}\nautoscaling_group \"g\" {\n  launch_template = \"lt-12345678\"\n  \
               subnets         = [\"subnet-12345678\"]\n  min_size        = 1\n  max_size        = 2\n  \
               target_tracking {\n    target = 75 / 2\n  }\n}\n";
    let stack = load_str("t.hcl", src, &VarInputs::default(), &schemas()).unwrap();
    let p = plan(&stack, &LiveState::default(), false).unwrap();
    let human = human_plan(&p, Style { color: false });
    assert!(human.lines().any(|l| l.trim() == "+ target           = 37.5"), "{human}");
    let doc = json_plan(&p);
    let after = &doc["resource_changes"][0]["change"]["after"];
    assert_eq!(after["target_tracking"][0]["target"], serde_json::json!(37.5));
    assert_eq!(after["min_size"], serde_json::json!(1));
}

#[test]
fn colour_follows_the_flag_the_environment_and_the_terminal() {
    let tty = ColorEnv { term_color: true, ..Default::default() };
    assert!(color_enabled(false, &tty, true));
    assert!(!color_enabled(false, &tty, false), "never into a pipe by default");
    assert!(!color_enabled(true, &tty, true), "--no-color");
    assert!(!color_enabled(false, &ColorEnv { no_color: true, ..tty.clone() }, true), "NO_COLOR");
    assert!(!color_enabled(false, &ColorEnv { clicolor: Some(false), ..tty.clone() }, true), "CLICOLOR=0");
    let forced = ColorEnv { clicolor_force: true, ..Default::default() };
    assert!(color_enabled(false, &forced, false), "CLICOLOR_FORCE=1 colours a pipe");
    assert!(!color_enabled(true, &forced, false), "--no-color beats CLICOLOR_FORCE");
    assert!(!color_enabled(false, &ColorEnv { no_color: true, ..forced }, false), "NO_COLOR beats CLICOLOR_FORCE");
    let dumb = ColorEnv::default();
    assert!(!color_enabled(false, &dumb, true), "TERM=dumb or unset");
    assert!(color_enabled(false, &ColorEnv { clicolor: Some(true), ..dumb.clone() }, true), "CLICOLOR=1 on a terminal");
    assert!(color_enabled(false, &ColorEnv { ci: true, ..dumb }, true), "a CI terminal");
}
