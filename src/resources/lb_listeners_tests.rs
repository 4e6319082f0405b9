//! Unit tests of the listeners' canonical form and checks.

use super::*;

fn map(pairs: &[(&str, Value)]) -> Value {
    Value::Map(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

fn rule(priority: i64, path: &str) -> Value {
    map(&[("priority", Value::Int(priority)), ("path", str_set([path])), ("forward", Value::str("arn:tg"))])
}

#[test]
fn listeners_and_rules_sort_and_drop_what_does_not_apply() {
    let written = Value::List(vec![
        map(&[
            ("port", Value::Int(443)),
            ("protocol", Value::str("HTTPS")),
            ("certificate", Value::str("arn:cert")),
            ("fixed_response", Value::List(vec![map(&[("status_code", Value::str("404"))])])),
            ("rule", Value::List(vec![rule(20, "/b"), rule(10, "/a")])),
        ]),
        map(&[("port", Value::Int(80)), ("protocol", Value::str("HTTP")), ("forward", Value::str("arn:tg"))]),
    ]);
    // What an implementation may report: a policy on an HTTP listener, empty conditions.
    let reported = Value::List(vec![
        map(&[
            ("port", Value::Int(80)),
            ("protocol", Value::str("HTTP")),
            ("ssl_policy", Value::str("ELBSecurityPolicy-2016-08")),
            ("forward", Value::str("arn:tg")),
            ("redirect", Value::List(vec![])),
            ("rule", Value::List(vec![])),
        ]),
        map(&[
            ("port", Value::Int(443)),
            ("protocol", Value::str("HTTPS")),
            ("certificate", Value::str("arn:cert")),
            ("ssl_policy", Value::str(DEFAULT_SSL_POLICY)),
            ("fixed_response", Value::List(vec![map(&[("status_code", Value::str("404"))])])),
            ("rule", Value::List(vec![rule(10, "/a"), rule(20, "/b")])),
            ("forward", Value::Null),
        ]),
    ]);
    let c = canonical(&written);
    assert_eq!(c, canonical(&reported));
    assert_eq!(canonical(&c), c, "canonical form is stable");
    let port = |l: &Value| l.as_map().unwrap()["port"].clone();
    let http = c.as_list().iter().find(|l| port(l) == Value::Int(80)).unwrap();
    assert!(!http.as_map().unwrap().contains_key("ssl_policy"));
    let https = c.as_list().iter().find(|l| port(l) == Value::Int(443)).unwrap();
    let rules = https.as_map().unwrap()["rule"].as_list().to_vec();
    assert_eq!(rules[0].as_map().unwrap()["priority"], Value::Int(10));
}

#[test]
fn empty_conditions_are_dropped() {
    let r = map(&[("priority", Value::Int(1)), ("host", Value::List(vec![])), ("path", str_set(["/x"]))]);
    let c = canonical_rule(r.as_map().unwrap());
    assert!(!c.as_map().unwrap().contains_key("host"));
}

#[test]
fn problems_name_the_block() {
    let listeners = Value::List(vec![
        map(&[("port", Value::Int(443)), ("protocol", Value::str("HTTPS"))]),
        map(&[
            ("port", Value::Int(443)),
            ("protocol", Value::str("HTTP")),
            ("forward", Value::str("arn:tg")),
            ("ssl_policy", Value::str("p")),
            (
                "rule",
                Value::List(vec![
                    map(&[("priority", Value::Int(0)), ("forward", Value::str("arn:tg"))]),
                    rule(5, "/a"),
                    rule(5, "/b"),
                ]),
            ),
        ]),
    ]);
    let got = problems(&listeners);
    let has = |path: &str, text: &str| got.iter().any(|(p, m)| p == path && m.contains(text));
    assert!(has("listener[0]", "needs `certificate`"), "{got:?}");
    assert!(has("listener[0]", "needs an action"), "{got:?}");
    assert!(has("listener[1]", "already used by listener 1"), "{got:?}");
    assert!(has("listener[1]", "only to HTTPS"), "{got:?}");
    assert!(has("listener[1].rule[0]", "at least one condition"), "{got:?}");
    assert!(has("listener[1].rule[2]", "priority 5 is used"), "{got:?}");
    assert_eq!(got.len(), 6, "{got:?}");
}

#[test]
fn two_actions_are_refused() {
    let m = map(&[("forward", Value::str("a")), ("redirect", Value::List(vec![map(&[])]))]);
    assert!(action_problem(m.as_map().unwrap()).unwrap().contains("more than one action"));
}
