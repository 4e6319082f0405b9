//! Ordering rules AWS imposes beyond references, on in-memory live state: replacements made
//! first where nothing may be without them, the internet gateway before (and after) what holds
//! public addresses, and what an instance's termination frees by itself.

use super::tests::{before, stack, step};
use super::*;
use crate::live::LiveState;
use crate::model::{Address, Attrs, Value};

const WEB: &str = r#"
stack "t" {}
vpc "v" { cidr = "10.0.0.0/16" }
subnet "a" {
  vpc  = vpc.v
  cidr = "10.0.1.0/24"
  az   = "us-east-1a"
}
internet_gateway "gw" { vpc = vpc.v }
security_group "web" {
  vpc  = vpc.v
  name = "web"
}
instance "web" {
  ami             = "ami-12345678"
  type            = "t3.micro"
  subnet          = subnet.a
  security_groups = [security_group.web]
}
volume "data" {
  az       = "us-east-1a"
  size     = 10
  instance = instance.web
  device   = "/dev/sdf"
}
elastic_ip "web" { instance = instance.web }
"#;

/// The account as an apply of `src` leaves it: each object created in order with its
/// references resolved and made-up ids, as the executor would.
fn account_of(src: &str) -> Vec<LiveObject> {
    let mut s = stack(src);
    crate::resources::check(&mut s);
    let p = plan(&s, &LiveState::default(), false).unwrap();
    let mut states: std::collections::HashMap<Address, Attrs> = Default::default();
    let mut out = vec![];
    for (n, c) in topo(&p).into_iter().enumerate() {
        let kind = c.kind();
        let mut attrs = resolve::desired(kind, &p.stack, &c.addr, c.raw.as_ref().unwrap(), &states).unwrap();
        let id = format!("{}-{n}", c.addr.kind);
        for spec in kind.schema().attrs.iter().filter(|a| a.presence == crate::model::Presence::Computed) {
            attrs.insert(spec.name.to_string(), Value::str(format!("{id}-{}", spec.name)));
        }
        attrs.insert("id".into(), Value::str(&id));
        attrs.insert(kind.schema().ref_attr.into(), Value::str(&id));
        states.insert(c.addr.clone(), attrs.clone());
        out.push(LiveObject { addr: c.addr.clone(), id, attrs });
    }
    out
}

/// The changes of a plan in the order their create steps may run.
fn topo(p: &Plan) -> Vec<&Change> {
    let mut done = vec![false; p.steps.len()];
    let mut order = vec![];
    while order.len() < p.steps.len() {
        for (i, st) in p.steps.iter().enumerate() {
            if !done[i] && st.after.iter().all(|&a| done[a]) {
                done[i] = true;
                order.push(&p.changes[st.change]);
            }
        }
    }
    order
}

fn account() -> Vec<LiveObject> {
    account_of(WEB)
}

#[test]
fn the_made_up_account_plans_clean() {
    let p = planned(WEB, account(), false).unwrap();
    assert!(!p.has_changes(), "{:#?}", p.changes.iter().filter(|c| c.action != Action::NoOp).collect::<Vec<_>>());
}

fn planned(src: &str, objects: Vec<LiveObject>, destroy: bool) -> Result<Plan, Diagnostics> {
    let mut s = stack(src);
    let d = crate::resources::check(&mut s);
    assert!(!d.has_errors(), "{d}");
    plan(&s, &LiveState { objects, ..Default::default() }, destroy)
}

#[test]
fn a_security_group_an_instance_keeps_is_replaced_by_making_the_new_one_first() {
    let p = planned(&WEB.replace("name = \"web\"", "name = \"web2\""), account(), false).unwrap();
    let c = p.changes.iter().find(|c| c.addr.to_string() == "security_group.web").unwrap();
    assert_eq!((c.action, c.create_before_destroy), (Action::Replace, true));
    assert!(!p.steps.iter().any(|s| s.op == Op::Release), "the instance never lets go of its only group");
    let (create, update, delete) = (
        step(&p, "security_group.web", Op::Create),
        step(&p, "instance.web", Op::Update),
        step(&p, "security_group.web", Op::Delete),
    );
    assert!(before(&p, create, update) && before(&p, update, delete));
}

#[test]
fn a_replacement_that_cannot_stand_beside_the_old_one_is_refused_with_why() {
    let src = WEB.replace("name = \"web\"", "name = \"web\"\n  description = \"new words\"");
    let d = planned(&src, account(), false).unwrap_err().to_string();
    assert!(d.contains("security_group.web would be replaced while instance.web keeps using it"), "{d}");
    assert!(d.contains("a group's name (\"web\") is unique in its VPC"), "{d}");
}

#[test]
fn public_addresses_wait_for_the_gateway_and_the_gateway_goes_after_them() {
    let p = planned(WEB, vec![], false).unwrap();
    assert!(before(&p, step(&p, "internet_gateway.gw", Op::Create), step(&p, "elastic_ip.web", Op::Create)));
    let d = planned(WEB, account(), true).unwrap();
    let gw = step(&d, "internet_gateway.gw", Op::Delete);
    for a in ["elastic_ip.web", "instance.web"] {
        assert!(before(&d, step(&d, a, Op::Delete), gw), "{a} before the gateway");
    }
}

#[test]
fn an_instances_termination_frees_its_volume_and_address() {
    // Both go: the instance first, which detaches the volume (no busy device to wait on).
    let d = planned(WEB, account(), true).unwrap();
    let inst = step(&d, "instance.web", Op::Delete);
    assert!(before(&d, inst, step(&d, "volume.data", Op::Delete)));
    assert!(before(&d, inst, step(&d, "elastic_ip.web", Op::Delete)));
    // The instance is replaced: the volume is not detached first, it moves after.
    let p = planned(&WEB.replace("ami-12345678", "ami-87654321"), account(), false).unwrap();
    assert!(!p.steps.iter().any(|s| s.op == Op::Release && p.changes[s.change].addr.kind == "volume"));
    assert!(before(&p, step(&p, "instance.web", Op::Delete), step(&p, "volume.data", Op::Update)));
    assert!(before(&p, step(&p, "instance.web", Op::Create), step(&p, "volume.data", Op::Update)));
}
