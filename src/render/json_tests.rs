//! Terraform's plan JSON shape on plans made from in-memory state: actions, unknowns,
//! sensitive masks, addresses and the provider's attribute shapes.

use serde_json::{Value as J, json};

use super::plan as json_plan;
use crate::live::LiveState;
use crate::model::{Value, str_map};
use crate::plan::plan;
use crate::render::tftypes::{tf_type, translate};
use crate::resources::{live, schemas};
use crate::stack::{VarInputs, load_str};

fn make(src: &str, objects: Vec<crate::model::LiveObject>) -> crate::plan::Plan {
    let stack = load_str("t.hcl", src, &VarInputs::default(), &schemas()).unwrap_or_else(|d| panic!("{d}"));
    plan(&stack, &LiveState { objects, ..Default::default() }, false).unwrap_or_else(|d| panic!("{d}"))
}

fn vpc(name: &str, id: &str, cidr: &str) -> crate::model::LiveObject {
    live(
        &format!("vpc.{name}"),
        id,
        &[
            ("cidr", Value::str(cidr)),
            ("enable_dns_support", Value::Bool(true)),
            ("enable_dns_hostnames", Value::Bool(false)),
            ("instance_tenancy", Value::str("default")),
            ("tags", str_map([("Name", format!("t-{name}-vpc").as_str())])),
            ("owner_id", Value::str("000000000000")),
        ],
    )
}

fn change<'a>(doc: &'a J, address: &str) -> &'a J {
    doc["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no resource change {address} in {doc:#}"))
}

const EVERY_ACTION: &str = r#"
stack "t" {}
vpc "keep" { cidr = "10.1.0.0/16" }
vpc "upd" {
  cidr = "10.2.0.0/16"
  tags = { Team = "web" }
}
vpc "rep" { cidr = "10.3.0.0/16" }
vpc "cbd" {
  cidr = "10.4.0.0/16"
  lifecycle { create_before_destroy = true }
}
vpc "new" { cidr = "10.5.0.0/16" }
"#;

fn every_action() -> J {
    let objects = vec![
        vpc("keep", "vpc-1", "10.1.0.0/16"),
        vpc("upd", "vpc-2", "10.2.0.0/16"),
        vpc("rep", "vpc-3", "10.30.0.0/16"),
        vpc("cbd", "vpc-4", "10.40.0.0/16"),
        vpc("gone", "vpc-5", "10.6.0.0/16"),
    ];
    json_plan(&make(EVERY_ACTION, objects))
}

#[test]
fn each_action_is_terraforms_action_list() {
    let doc = every_action();
    let actions = |a: &str| change(&doc, a)["change"]["actions"].clone();
    assert_eq!(actions("aws_vpc.keep"), json!(["no-op"]));
    assert_eq!(actions("aws_vpc.upd"), json!(["update"]));
    assert_eq!(actions("aws_vpc.rep"), json!(["delete", "create"]));
    assert_eq!(actions("aws_vpc.cbd"), json!(["create", "delete"]), "create_before_destroy creates first");
    assert_eq!(actions("aws_vpc.new"), json!(["create"]));
    assert_eq!(actions("aws_vpc.gone"), json!(["delete"]));
    assert_eq!(change(&doc, "aws_vpc.rep")["change"]["replace_paths"], json!([["cidr_block"]]));
}

#[test]
fn addresses_types_and_values_follow_the_provider() {
    let doc = every_action();
    assert_eq!(doc["format_version"], "1.2");
    assert!(doc["terraform_version"].as_str().unwrap().ends_with("+stackr"), "checkov needs the key");
    let upd = change(&doc, "aws_vpc.upd");
    assert_eq!(upd["type"], "aws_vpc");
    assert_eq!(upd["name"], "upd");
    assert_eq!(upd["mode"], "managed");
    assert_eq!(upd["stackr_address"], "vpc.upd");
    assert_eq!(upd["change"]["before"]["cidr_block"], "10.2.0.0/16");
    assert_eq!(upd["change"]["before"]["tags"], json!({ "Name": "t-upd-vpc" }));
    assert_eq!(upd["change"]["after"]["tags"], json!({ "Name": "t-upd-vpc", "Team": "web" }));
    let gone = change(&doc, "aws_vpc.gone");
    assert_eq!(gone["change"]["after"], J::Null);
    assert_eq!(gone["change"]["after_sensitive"], J::Bool(false));
    // planned_values holds what exists after apply: everything but the deleted VPC.
    let planned: Vec<&str> = doc["planned_values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    assert_eq!(planned, ["aws_vpc.cbd", "aws_vpc.keep", "aws_vpc.new", "aws_vpc.rep", "aws_vpc.upd"]);
}

#[test]
fn unknown_values_are_left_out_of_after_and_marked_in_after_unknown() {
    let src = "stack \"t\" {}\nvpc \"main\" { cidr = \"10.0.0.0/16\" }\n\
               subnet \"a\" {\n  vpc = vpc.main\n  cidr = \"10.0.1.0/24\"\n}\n";
    let doc = json_plan(&make(src, vec![]));
    let subnet = &change(&doc, "aws_subnet.a")["change"];
    assert!(subnet["after"].get("vpc_id").is_none(), "{subnet:#}");
    assert_eq!(subnet["after"]["cidr_block"], "10.0.1.0/24");
    assert_eq!(subnet["after_unknown"]["vpc_id"], true);
    assert_eq!(subnet["after_unknown"]["id"], true);
    assert!(subnet["after_unknown"].get("cidr_block").is_none());
    assert_eq!(change(&doc, "aws_vpc.main")["change"]["after_unknown"]["id"], true);
    let conf = &doc["configuration"]["root_module"]["resources"];
    let subnet_conf = conf.as_array().unwrap().iter().find(|r| r["address"] == "aws_subnet.a").unwrap();
    assert_eq!(subnet_conf["expressions"]["vpc_id"]["references"], json!(["aws_vpc.main.id", "aws_vpc.main"]));
}

#[test]
fn sensitive_attributes_are_masked_in_both_masks() {
    let mut p = make(EVERY_ACTION, vec![vpc("upd", "vpc-2", "10.2.0.0/16")]);
    for c in &mut p.changes {
        c.sensitive = vec!["cidr".into()];
    }
    let doc = json_plan(&p);
    let upd = &change(&doc, "aws_vpc.upd")["change"];
    assert_eq!(upd["before_sensitive"], json!({ "cidr_block": true }));
    assert_eq!(upd["after_sensitive"], json!({ "cidr_block": true }));
    let new = &change(&doc, "aws_vpc.new")["change"];
    assert_eq!(new["before_sensitive"], J::Bool(false), "nothing before a create");
    let planned = &doc["planned_values"]["root_module"]["resources"][0];
    assert_eq!(planned["sensitive_values"], json!({ "cidr_block": true }));
}

fn rule(pairs: &[(&str, Value)]) -> Value {
    Value::Map(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

#[test]
fn security_group_rules_take_the_providers_block_shape() {
    let attrs = [
        ("vpc".to_string(), Value::Unknown),
        (
            "ingress".to_string(),
            Value::List(vec![
                rule(&[
                    ("protocol", Value::str("tcp")),
                    ("from_port", Value::Int(22)),
                    ("to_port", Value::Int(22)),
                    ("cidr", Value::str("0.0.0.0/0")),
                ]),
                rule(&[("protocol", Value::str("all")), ("self", Value::Bool(true))]),
            ]),
        ),
    ]
    .into_iter()
    .collect();
    let t = translate("security_group", &attrs);
    assert_eq!(t["vpc_id"], Value::Unknown);
    let rules = t["ingress"].as_list();
    let ssh = rules[0].as_map().unwrap();
    assert_eq!(ssh["cidr_blocks"], Value::List(vec![Value::str("0.0.0.0/0")]));
    assert_eq!(
        (&ssh["from_port"], &ssh["to_port"], &ssh["protocol"]),
        (&Value::Int(22), &Value::Int(22), &Value::str("tcp"))
    );
    assert_eq!(ssh["security_groups"], Value::List(vec![]));
    let own = rules[1].as_map().unwrap();
    assert_eq!(
        (&own["protocol"], &own["from_port"], &own["to_port"]),
        (&Value::str("-1"), &Value::Int(0), &Value::Int(0))
    );
    assert_eq!(own["self"], Value::Bool(true));
}

#[test]
fn instance_and_password_policy_take_the_providers_names() {
    let attrs = [("imdsv2".to_string(), Value::Bool(false)), ("root_volume_encrypted".into(), Value::Bool(true))];
    let t = translate("instance", &attrs.into_iter().collect());
    let meta = t["metadata_options"].as_list()[0].as_map().unwrap().clone();
    assert_eq!(meta["http_tokens"], Value::str("optional"));
    assert_eq!(t["root_block_device"].as_list()[0].as_map().unwrap()["encrypted"], Value::Bool(true));
    let attrs = [("minimum_length".to_string(), Value::Int(14)), ("require_uppercase".into(), Value::Bool(true))];
    let t = translate("iam_password_policy", &attrs.into_iter().collect());
    assert_eq!(t["minimum_password_length"], Value::Int(14));
    assert_eq!(t["require_uppercase_characters"], Value::Bool(true));
    assert_eq!(tf_type("iam_password_policy"), "aws_iam_account_password_policy");
    assert_eq!(tf_type("volume"), "aws_ebs_volume");
    assert_eq!(tf_type("something_new"), "stackr_something_new");
}
