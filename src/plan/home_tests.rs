//! The stack record's rules in a plan: IAM objects untouched outside the IAM home region, the
//! home region's destroy held while other regions are deployed, a foreign singleton refused.

use super::*;
use crate::account::Record;
use crate::live::LiveState;
use crate::model::Value;
use crate::resources::live;

use super::tests::stack;

const FILE: &str = "stack \"t\" {}\nvpc \"main\" { cidr = \"10.0.0.0/16\" }\niam_user \"alice\" { name = \"alice\" }\n";

/// The account as read in `region`, the stack deployed in us-east-1 and eu-west-1.
fn state(region: &str, home: &str, objects: Vec<LiveObject>) -> LiveState {
    let record = Record {
        iam_home: home.into(),
        // The stack is deployed in both regions.
        regions: ["us-east-1".to_string(), "eu-west-1".to_string()].into(),
        ..Record::default()
    };
    LiveState { objects, region: region.into(), iam_home: home.into(), record: Some(record), ..LiveState::default() }
}

fn alice(tag: &str) -> LiveObject {
    live("iam_user.alice", "alice", &[("name", Value::str("alice")), ("tags", crate::model::str_map([("team", tag)]))])
}

#[test]
fn outside_the_home_region_iam_objects_are_used_as_they_are() {
    let s = stack(FILE);
    let p = plan(&s, &state("eu-west-1", "us-east-1", vec![alice("x")]), false).unwrap();
    let user = p.changes.iter().find(|c| c.addr.kind == "iam_user").unwrap();
    assert_eq!(user.action, Action::NoOp);
    assert!(p.warnings.iter().any(|w| w.message.contains("managed from us-east-1")), "{:?}", p.warnings);
    assert_eq!(p.count(Action::Create), 1, "only the VPC is made here");

    let missing = plan(&s, &state("eu-west-1", "us-east-1", vec![]), false).unwrap_err();
    assert!(missing.0[0].message.contains("iam_user.alice: does not exist"), "{missing}");

    // Neither removing the block nor a destroy deletes it from here.
    let gone = plan(&stack("stack \"t\" {}\n"), &state("eu-west-1", "us-east-1", vec![alice("x")]), false).unwrap();
    assert!(!gone.has_changes());
    let destroy = plan(&s, &state("eu-west-1", "us-east-1", vec![alice("x")]), true).unwrap();
    assert!(!destroy.has_changes());
}

#[test]
fn the_home_regions_destroy_waits_for_the_other_deployments() {
    let s = stack(FILE);
    let err = plan(&s, &state("us-east-1", "us-east-1", vec![alice("x")]), true);
    let err = format!("{}", err.expect_err("refused while eu-west-1 holds a deployment"));
    assert!(err.contains("is still deployed in eu-west-1"), "{err}");
    let alone = LiveState { record: None, ..state("us-east-1", "us-east-1", vec![alice("x")]) };
    assert_eq!(plan(&s, &alone, true).unwrap().count(Action::Delete), 1);
}

#[test]
fn a_singleton_the_stack_does_not_own_is_refused_with_its_settings() {
    let s = stack("stack \"t\" {}\niam_password_policy {\n  minimum_length = 12\n}\n");
    let have = live("iam_password_policy.account", "account", &[("minimum_length", Value::Int(8))]);
    let st = LiveState { foreign_singletons: vec![have], ..LiveState::default() };
    let err = plan(&s, &st, false).unwrap_err();
    assert!(err.0[0].message.contains("the account already has one"), "{err}");
    assert!(err.0[0].message.contains("minimum_length = 8"), "{err}");
}
