//! Security groups whose rules name each other, on in-memory live state: they load without a
//! cycle error, are made in two steps, and are deleted after one lets go of the other.

use std::collections::HashMap;

use super::tests::{before, stack, step};
use super::*;
use crate::live::LiveState;
use crate::model::{Address, Attrs, Value};
use crate::resources::schemas;
use crate::stack::{VarInputs, load_str};

const PAIR: &str = r#"
stack "t" {}
vpc "v" { cidr = "10.0.0.0/16" }
subnet "a" {
  vpc  = vpc.v
  cidr = "10.0.1.0/24"
  az   = "us-east-1a"
}
security_group "lb" {
  vpc = vpc.v
  ingress {
    port = 443
    cidr = "0.0.0.0/0"
  }
  egress {
    port           = 80
    security_group = security_group.web
  }
}
security_group "web" {
  vpc = vpc.v
  ingress {
    port           = 80
    security_group = security_group.lb
  }
  ingress {
    port = 22
    cidr = "10.0.0.0/16"
  }
}
instance "web" {
  ami             = "ami-12345678"
  type            = "t3.micro"
  subnet          = subnet.a
  security_groups = [security_group.web]
}
"#;

fn planned(src: &str, objects: Vec<LiveObject>, destroy: bool) -> Plan {
    let mut s = stack(src);
    let d = crate::resources::check(&mut s);
    assert!(!d.has_errors(), "{d}");
    plan(&s, &LiveState { objects, ..Default::default() }, destroy).unwrap_or_else(|d| panic!("{d}"))
}

/// The account an apply of `src` leaves: every object with a made-up id and its references
/// resolved (all ids are known, so the order of making them does not matter here).
fn account_of(src: &str) -> Vec<LiveObject> {
    let p = planned(src, vec![], false);
    let ids: HashMap<Address, Attrs> = p
        .changes
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let id = Value::str(format!("{}-{n}", c.addr.kind));
            (c.addr.clone(), Attrs::from([("id".into(), id.clone()), (c.kind().schema().ref_attr.into(), id)]))
        })
        .collect();
    p.changes
        .iter()
        .map(|c| {
            let kind = c.kind();
            let mut attrs = resolve::desired(kind, &p.stack, &c.addr, c.raw.as_ref().unwrap(), &ids).unwrap();
            for spec in kind.schema().attrs.iter().filter(|a| a.presence == crate::model::Presence::Computed) {
                attrs.insert(spec.name.into(), Value::str(format!("{}-{}", c.addr, spec.name)));
            }
            attrs.extend(ids[&c.addr].clone());
            kind.canonical(&mut attrs);
            let id = attrs["id"].as_str().unwrap().to_string();
            LiveObject { addr: c.addr.clone(), id, attrs }
        })
        .collect()
}

#[test]
fn groups_naming_each_other_are_made_then_completed() {
    let p = planned(PAIR, vec![], false);
    let (lb, web) = (step(&p, "security_group.lb", Op::Create), step(&p, "security_group.web", Op::Create));
    let complete = step(&p, "security_group.web", Op::Complete);
    assert!(before(&p, web, lb), "the group made first is the one the other names");
    assert!(before(&p, lb, complete) && before(&p, web, complete));
    assert_eq!(p.steps[web].late, vec![Address::new("security_group", "lb")]);
    // What uses the group waits for its whole rule set.
    assert!(before(&p, complete, step(&p, "instance.web", Op::Create)));
    let web_change = p.changes.iter().find(|c| c.addr.to_string() == "security_group.web").unwrap();
    assert_eq!(web_change.notes, vec!["its ingress/egress naming security_group.lb are added once it exists"]);
}

#[test]
fn the_first_step_leaves_out_only_the_rules_naming_what_is_not_made_yet() {
    let p = planned(PAIR, vec![], false);
    let c = p.changes.iter().find(|c| c.addr.to_string() == "security_group.web").unwrap();
    let states = HashMap::from([(Address::new("vpc", "v"), Attrs::from([("id".into(), Value::str("vpc-1"))]))]);
    let want = resolve::desired(c.kind(), &p.stack, &c.addr, c.raw.as_ref().unwrap(), &states).unwrap();
    let first = late::partial(c.kind(), want);
    assert!(!first.values().any(Value::has_unknown), "{first:?}");
    let ingress = first["ingress"].as_list();
    assert_eq!(ingress.len(), 1, "{ingress:?}");
    assert_eq!(ingress[0].as_map().unwrap()["cidr"], Value::str("10.0.0.0/16"));
}

#[test]
fn the_made_pair_plans_clean() {
    let p = planned(PAIR, account_of(PAIR), false);
    assert!(!p.has_changes(), "{:#?}", p.changes.iter().filter(|c| c.action != Action::NoOp).collect::<Vec<_>>());
    assert!(p.steps.is_empty());
}

#[test]
fn destroying_the_pair_first_drops_one_groups_rule_naming_the_other() {
    let d = planned(PAIR, account_of(PAIR), true);
    let releases: Vec<&Step> = d.steps.iter().filter(|s| s.op == Op::Release).collect();
    assert_eq!(releases.len(), 1, "one group lets go, the other is then free to go first");
    let release = step(&d, &d.changes[releases[0].change].addr.to_string(), Op::Release);
    let (lb, web) = (step(&d, "security_group.lb", Op::Delete), step(&d, "security_group.web", Op::Delete));
    assert!(before(&d, release, web) && before(&d, release, lb));
    // Web lets go: its ingress keeps only the rule naming no group.
    assert_eq!(d.changes[releases[0].change].addr.to_string(), "security_group.web");
    let kept = d.steps[release].release.as_ref().unwrap();
    assert_eq!(kept["ingress"].as_list().len(), 1, "{kept:?}");
    assert!(kept["ingress"].as_list()[0].as_map().unwrap().contains_key("cidr"), "{kept:?}");
    assert!(before(&d, step(&d, "instance.web", Op::Delete), web));
}

#[test]
fn a_rule_naming_a_group_that_stays_needs_no_second_step() {
    let src = PAIR.replace(
        "    port           = 80\n    security_group = security_group.web\n",
        "    port = 80\n    cidr = \"10.0.0.0/16\"\n",
    );
    let p = planned(&src, vec![], false);
    assert!(!p.steps.iter().any(|s| s.op == Op::Complete || !s.late.is_empty()));
    assert!(before(&p, step(&p, "security_group.lb", Op::Create), step(&p, "security_group.web", Op::Create)));
}

#[test]
fn a_cycle_through_other_attributes_is_still_an_error() {
    let src = PAIR
        .replace(
            "vpc = vpc.v\n  ingress {\n    port = 443",
            "vpc = vpc.v\n  name = security_group.web.name\n  ingress {\n    port = 443",
        )
        .replace(
            "security_group \"web\" {\n  vpc = vpc.v",
            "security_group \"web\" {\n  vpc = vpc.v\n  description = security_group.lb.name",
        );
    let d = load_str("t.hcl", &src, &VarInputs::default(), &schemas()).unwrap_err().to_string();
    assert!(d.contains("reference cycle: security_group."), "{d}");
}
