//! The generic checks: which values each constraint refuses, and how problems read.

use super::*;
use crate::model::Value;

fn reasons(checks: &[Check], v: Value) -> Vec<String> {
    problems(checks, &v).into_iter().map(|p| message("name", &v, &p, false)).collect()
}

#[test]
fn ranges_lengths_and_characters() {
    assert_eq!(reasons(&[Check::Range(1, 10)], Value::Int(0)), ["name 0 is out of range (1-10)"]);
    assert!(reasons(&[Check::Range(1, 10)], Value::Int(10)).is_empty());
    assert_eq!(reasons(&[Check::Range(0, i64::MAX)], Value::Int(-1)), ["name -1 is out of range (at least 0)"]);
    let num = |f| Value::number(f).unwrap();
    assert_eq!(reasons(&[Check::Range(1, 10)], num(0.5)), ["name 0.5 is out of range (1-10)"]);
    assert!(reasons(&[Check::Range(1, 10)], num(9.75)).is_empty());
    assert_eq!(reasons(&[Check::Range(1, 10)], num(10.25)), ["name 10.25 is out of range (1-10)"]);
    assert!(reasons(&[Check::Positive], num(0.001)).is_empty());
    assert!(reasons(&[Check::Positive], Value::Int(3)).is_empty());
    assert_eq!(reasons(&[Check::Positive], Value::Int(0)), ["name 0 must be greater than 0"]);
    assert_eq!(reasons(&[Check::Positive], num(-1.5)), ["name -1.5 must be greater than 0"]);
    let iam = [Check::Len(1, 64), Check::Chars(&chars::IAM_NAME)];
    assert_eq!(
        reasons(&iam, Value::str("a".repeat(65))),
        [format!("name \"{}\" is 65 characters long; at most 64 are allowed", "a".repeat(65))]
    );
    assert_eq!(
        reasons(&iam, Value::str("bob smith")),
        ["name \"bob smith\" contains a space, which is not allowed (allowed: letters, digits and `+=,.@_-`)"]
    );
    assert_eq!(reasons(&iam, Value::str("")), ["name \"\" must not be empty"]);
    assert_eq!(
        reasons(&[Check::NotPrefix("sg-")], Value::str("SG-web")),
        ["name \"SG-web\" must not start with \"sg-\""]
    );
    assert_eq!(
        reasons(&[Check::Prefix(16, 28)], Value::str("10.0.0.0/8")),
        ["name \"10.0.0.0/8\" is a /8 block; AWS allows /16 to /28"]
    );
}

#[test]
fn collections_check_their_items_keys_and_size() {
    let tags = crate::model::TAG_CHECKS;
    let many: Value = Value::Map((0..49).map(|i| (format!("k{i}"), Value::str("v"))).collect());
    assert_eq!(reasons(tags, many), ["name has 49 items; at most 48 are allowed"]);
    let reserved = Value::Map([("aws:x".to_string(), Value::str("v"))].into());
    assert_eq!(reasons(tags, reserved), ["name: key \"aws:x\" must not start with \"aws:\""]);
    let long = Value::Map([("k".to_string(), Value::str("v".repeat(257)))].into());
    assert_eq!(reasons(tags, long), ["name: the value of \"k\" is 257 characters long; at most 256 are allowed"]);
    let arns = Value::List(vec![Value::str("ReadOnlyAccess")]);
    assert_eq!(
        reasons(&[Check::Format(&formats::MANAGED_POLICY_ARN)], arns),
        [
            "name: \"ReadOnlyAccess\" is not a managed policy ARN (`arn:aws:iam::aws:policy/NAME` or `arn:aws:iam::123456789012:policy/NAME`)"
        ]
    );
    let headers = Value::Map([("X-Env".to_string(), Value::List(vec![Value::str("x".repeat(129))]))].into());
    assert_eq!(reasons(&[Check::Len(1, 128)], headers).len(), 1);
}

#[test]
fn sensitive_and_long_values_are_not_quoted() {
    let v = Value::str("hunter2hunter2");
    let p = &problems(&[Check::Len(1, 8)], &v)[0];
    assert_eq!(
        message("password", &v, p, true),
        "password (sensitive value) is 14 characters long; at most 8 are allowed"
    );
    let script = Value::str("#!/bin/sh\n".repeat(2000));
    let p = &problems(&[Check::Bytes(16384)], &script)[0];
    assert_eq!(message("user_data", &script, p, false), "user_data is 20000 bytes long; at most 16384 are allowed");
    let secret_list = Value::List(vec![Value::str("not-an-arn")]);
    let p = &problems(&[Check::Format(&formats::AMI_ID)], &secret_list)[0];
    assert!(!message("x", &secret_list, p, true).contains("not-an-arn"));
    let v = Value::str("pass word!");
    let p = &problems(&[Check::Chars(&chars::IAM_NAME)], &v)[0];
    assert_eq!(
        message("name", &v, p, true),
        "name (sensitive value) contains a character that is not allowed (allowed: letters, digits and `+=,.@_-`)"
    );
}

#[test]
fn references_and_unknowns_are_left_for_later() {
    assert!(problems(&[Check::Len(1, 2)], &Value::Unknown).is_empty());
    let r = Value::Ref(crate::model::Ref { addr: crate::model::Address::new("vpc", "main"), attr: None });
    assert!(problems(&[Check::Format(&formats::AMI_ID)], &r).is_empty());
}

#[test]
fn descriptions_for_the_reference() {
    assert_eq!(describe(&[Check::Range(5, 300)]), "5-300");
    assert_eq!(
        describe(&[Check::Len(1, 64), Check::Chars(&chars::IAM_NAME)]),
        "1-64 characters; letters, digits and `+=,.@_-`"
    );
    assert_eq!(describe(&[Check::Keys(&[Check::Len(1, 128)])]), "keys: 1-128 characters");
}
