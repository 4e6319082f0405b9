//! Expressions over resource attributes through the plan: known when their inputs are (an
//! existing object's attributes, or a created object's configured ones), `(known after apply)`
//! otherwise, type-checked once evaluated, and failing with the attribute's position.

use super::tests::{applied, plan_of, stack, tags};
use super::*;
use crate::live::LiveState;
use crate::model::Value;

const NET: &str = r#"
stack "t" {}
vpc "main" { cidr = "10.0.0.0/16" }
locals {
  vpc_id = vpc.main.id
  prefix = "net-${local.vpc_id}"
}
subnet "a" {
  vpc  = vpc.main
  cidr = cidrsubnet(vpc.main.cidr, 8, 1)
  az   = "us-east-1a"
  tags = { Name = "t-a", Vpc = "${local.prefix}/${upper(vpc.main.cidr)}" }
}
route_table "public" {
  vpc     = vpc.main
  subnets = [subnet.a]
}
output "where" { value = "${subnet.a.id} in ${vpc.main.id}" }
"#;

fn after<'p>(p: &'p Plan, addr: &str) -> &'p Attrs {
    p.changes.iter().find(|c| c.addr.to_string() == addr).and_then(|c| c.after.as_ref()).expect(addr)
}

#[test]
fn configured_attributes_are_known_ids_are_not() {
    let p = plan_of(NET, vec![]);
    let a = after(&p, "subnet.a");
    // The VPC's CIDR is configured, so the subnet's is known at plan time; its id is not.
    assert_eq!(a["cidr"], Value::str("10.0.1.0/24"));
    assert_eq!(a["tags"].as_map().unwrap()["Vpc"], Value::Unknown);
}

#[test]
fn expressions_over_existing_objects_settle_to_no_changes() {
    let mut live = applied();
    let subnet = live.iter_mut().find(|o| o.addr.to_string() == "subnet.a").unwrap();
    let mut t = tags("t-a").as_map().unwrap().clone();
    t.insert("Vpc".into(), Value::str("net-vpc-1/10.0.0.0/16"));
    subnet.attrs.insert("tags".into(), Value::Map(t));
    let p = plan_of(NET, live.clone());
    assert!(!p.has_changes(), "{:#?}", p.changes.iter().filter(|c| c.action != Action::NoOp).collect::<Vec<_>>());
    // A change to what the expression reads shows as an update with the new value.
    let p = plan_of(&NET.replace("upper(vpc.main.cidr)", "lower(\"X-${vpc.main.id}\")"), live);
    assert_eq!(p.changes.iter().find(|c| c.addr.to_string() == "subnet.a").unwrap().action, Action::Update);
    assert_eq!(after(&p, "subnet.a")["tags"].as_map().unwrap()["Vpc"], Value::str("net-vpc-1/x-vpc-1"));
}

#[test]
fn references_inside_expressions_order_the_apply() {
    let s = stack(NET);
    let subnet = s.resources.iter().find(|r| r.addr.to_string() == "subnet.a").unwrap();
    assert_eq!(subnet.deps, vec![Address::new("vpc", "main")]);
    let rt = s.resources.iter().find(|r| r.addr.to_string() == "route_table.public").unwrap();
    assert!(rt.deps.contains(&Address::new("subnet", "a")));
}

#[test]
fn a_failing_expression_is_an_error_at_its_attribute() {
    let src = NET.replace("cidrsubnet(vpc.main.cidr, 8, 1)", "cidrsubnet(vpc.main.cidr, 8, 300)");
    let err = plan(&stack(&src), &LiveState::default(), false).unwrap_err().to_string();
    assert!(
        err.contains("subnet.a: cidrsubnet: prefix extension of 8 does not accommodate a subnet numbered 300"),
        "{err}"
    );
    assert!(err.contains("t.hcl:10:10"), "{err}");
}

#[test]
fn a_value_of_the_wrong_type_is_an_error_once_known() {
    let src = NET.replace("cidrsubnet(vpc.main.cidr, 8, 1)", "\"x${vpc.main.cidr}\"");
    let err = plan(&stack(&src), &LiveState::default(), false).unwrap_err().to_string();
    assert!(err.contains("subnet.a: \"x10.0.0.0/16\" is not a valid IPv4 CIDR block"), "{err}");
}

#[test]
fn outputs_resolve_after_apply_and_fail_early() {
    let p = plan_of(NET, applied());
    let states: HashMap<Address, Attrs> =
        p.changes.iter().map(|c| (c.addr.clone(), c.after.clone().unwrap())).collect();
    let lookup = |a: &Address, attr: Option<&str>| -> Value {
        states.get(a).and_then(|s| s.get(attr.unwrap_or("id"))).cloned().unwrap_or(Value::Unknown)
    };
    let (_, v) = p.outputs.iter().find(|(n, _)| n == "where").unwrap();
    assert_eq!(resolve::resolve_value(v, &lookup), Ok(Value::str("subnet-1 in vpc-1")));
    let src = NET.replace("\"${subnet.a.id} in ${vpc.main.id}\"", "vpc.main.cidr * 2");
    let err = plan(&stack(&src), &LiveState { objects: applied(), ..Default::default() }, false).unwrap_err();
    assert!(err.to_string().contains("output.where:"), "{err}");
}
