//! The diff and its ordering rules on in-memory live state: no AWS involved.

use super::*;
use crate::live::LiveState;
use crate::model::{Value, str_map, str_set};
use crate::resources::{live, schemas};
use crate::stack::{VarInputs, load_str};

pub(super) const NET: &str = r#"
stack "t" {}
vpc "main" { cidr = "10.0.0.0/16" }
subnet "a" {
  vpc  = vpc.main
  cidr = "10.0.1.0/24"
  az   = "us-east-1a"
}
route_table "public" {
  vpc     = vpc.main
  subnets = [subnet.a]
}
"#;

pub(super) fn stack(src: &str) -> Stack {
    load_str("t.hcl", src, &VarInputs::default(), &schemas()).unwrap_or_else(|d| panic!("{d}"))
}

pub(super) fn tags(name: &str) -> Value {
    str_map([("Name", name)])
}

/// The live objects an apply of NET leaves behind.
pub(super) fn applied() -> Vec<LiveObject> {
    vec![
        live(
            "vpc.main",
            "vpc-1",
            &[
                ("cidr", Value::str("10.0.0.0/16")),
                ("enable_dns_support", Value::Bool(true)),
                ("enable_dns_hostnames", Value::Bool(false)),
                ("instance_tenancy", Value::str("default")),
                ("tags", tags("t-main-vpc")),
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
                ("tags", tags("t-a-subnet")),
                ("arn", Value::str("arn:subnet-1")),
            ],
        ),
        live(
            "route_table.public",
            "rtb-1",
            &[
                ("vpc", Value::str("vpc-1")),
                ("route", Value::List(vec![])),
                ("subnets", str_set(["subnet-1"])),
                ("tags", tags("t-public-rtb")),
            ],
        ),
    ]
}

pub(super) fn plan_of(src: &str, objects: Vec<LiveObject>) -> Plan {
    plan(&stack(src), &LiveState { objects, ..Default::default() }, false).unwrap_or_else(|d| panic!("{d}"))
}

pub(super) fn action(p: &Plan, addr: &str) -> Action {
    p.changes.iter().find(|c| c.addr.to_string() == addr).map(|c| c.action).expect(addr)
}

pub(super) fn step(p: &Plan, addr: &str, op: Op) -> usize {
    p.steps.iter().position(|s| p.changes[s.change].addr.to_string() == addr && s.op == op).expect(addr)
}

pub(super) fn before(p: &Plan, first: usize, then: usize) -> bool {
    // `then` waits on `first`, directly or through other steps.
    let mut todo = vec![then];
    while let Some(s) = todo.pop() {
        if p.steps[s].after.contains(&first) {
            return true;
        }
        todo.extend(p.steps[s].after.iter().copied());
    }
    false
}

#[test]
fn empty_account_creates_everything_in_reference_order() {
    let p = plan_of(NET, vec![]);
    assert_eq!(p.summary(), (3, 0, 0));
    let subnet = &p.changes.iter().find(|c| c.addr.name == "a").unwrap();
    assert_eq!(subnet.after.as_ref().unwrap()["vpc"], Value::Unknown);
    assert_eq!(subnet.after.as_ref().unwrap()["id"], Value::Unknown);
    assert!(before(&p, step(&p, "vpc.main", Op::Create), step(&p, "subnet.a", Op::Create)));
    assert!(before(&p, step(&p, "subnet.a", Op::Create), step(&p, "route_table.public", Op::Create)));
}

#[test]
fn applied_stack_has_no_changes() {
    let p = plan_of(NET, applied());
    assert!(!p.has_changes(), "{:#?}", p.changes.iter().filter(|c| c.action != Action::NoOp).collect::<Vec<_>>());
    assert!(p.steps.is_empty());
}

#[test]
fn in_place_attribute_is_an_update() {
    let p = plan_of(&NET.replace("az   = \"us-east-1a\"", "az = \"us-east-1a\"\n  map_public_ip = true"), applied());
    assert_eq!(action(&p, "subnet.a"), Action::Update);
    let c = p.changes.iter().find(|c| c.addr.name == "a").unwrap();
    assert_eq!(c.changed, vec!["map_public_ip"]);
    assert!(c.forces.is_empty());
    assert_eq!(p.summary(), (0, 1, 0));
}

#[test]
fn cidr_change_forces_replacement_and_cascades_through_references() {
    let p = plan_of(&NET.replace("10.0.1.0/24", "10.0.2.0/24"), applied());
    assert_eq!(action(&p, "subnet.a"), Action::Replace);
    let c = p.changes.iter().find(|c| c.addr.name == "a").unwrap();
    assert_eq!(c.forces, vec!["cidr"]);
    // The route table must let go of the old subnet before it is deleted, and pick up the new
    // one after it exists.
    assert_eq!(action(&p, "route_table.public"), Action::Update);
    let release = step(&p, "route_table.public", Op::Release);
    let del = step(&p, "subnet.a", Op::Delete);
    let create = step(&p, "subnet.a", Op::Create);
    let update = step(&p, "route_table.public", Op::Update);
    assert!(before(&p, release, del));
    assert!(before(&p, del, create));
    assert!(before(&p, create, update));
    assert_eq!(p.steps[release].release.as_ref().unwrap()["subnets"], Value::List(vec![]));
}

#[test]
fn vpc_replacement_replaces_what_is_bound_to_it() {
    let p = plan_of(&NET.replace("10.0.0.0/16", "10.1.0.0/16").replace("10.0.1.0/24", "10.1.1.0/24"), applied());
    assert_eq!(action(&p, "vpc.main"), Action::Replace);
    assert_eq!(action(&p, "subnet.a"), Action::Replace);
    assert_eq!(action(&p, "route_table.public"), Action::Replace);
    // Dependents go first, the VPC last; creation runs the other way round.
    assert!(before(&p, step(&p, "subnet.a", Op::Delete), step(&p, "vpc.main", Op::Delete)));
    assert!(before(&p, step(&p, "route_table.public", Op::Delete), step(&p, "vpc.main", Op::Delete)));
    assert!(before(&p, step(&p, "vpc.main", Op::Create), step(&p, "subnet.a", Op::Create)));
}

#[test]
fn removed_block_is_deleted_after_its_referrers() {
    let src = NET.replace("subnets = [subnet.a]", "subnets = []");
    let src =
        src.replace("subnet \"a\" {\n  vpc  = vpc.main\n  cidr = \"10.0.1.0/24\"\n  az   = \"us-east-1a\"\n}\n", "");
    let p = plan_of(&src, applied());
    assert_eq!(action(&p, "subnet.a"), Action::Delete);
    assert_eq!(action(&p, "route_table.public"), Action::Update);
    assert!(before(&p, step(&p, "route_table.public", Op::Update), step(&p, "subnet.a", Op::Delete)));
}

#[test]
fn destroy_deletes_everything_in_reverse_order() {
    let p = plan(&stack(NET), &LiveState { objects: applied(), ..Default::default() }, true).unwrap();
    assert_eq!(p.summary(), (0, 0, 3));
    assert!(before(&p, step(&p, "subnet.a", Op::Delete), step(&p, "vpc.main", Op::Delete)));
    assert!(before(&p, step(&p, "route_table.public", Op::Delete), step(&p, "subnet.a", Op::Delete)));
}

#[test]
fn a_free_duplicate_is_deleted_and_the_one_in_use_kept() {
    // vpc-0 sorts first but nothing uses it; the subnet lives in vpc-1.
    let mut objects = applied();
    let mut dup = objects[0].clone();
    dup.id = "vpc-0".into();
    dup.attrs.insert("id".into(), Value::str("vpc-0"));
    objects.push(dup);
    let p = plan_of(NET, objects);
    let deletes: Vec<_> = p.changes.iter().filter(|c| c.action == Action::Delete).collect();
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].live.as_ref().unwrap().id, "vpc-0", "the unused copy goes");
    assert_eq!(action(&p, "subnet.a"), Action::NoOp, "nothing moves into the copy");
    assert!(p.warnings.is_empty());
}

#[test]
fn a_duplicate_that_holds_data_is_never_deleted() {
    let src = format!("{NET}volume \"data\" {{\n  az = \"us-east-1a\"\n  size = 8\n}}\n");
    let vol = |id: &str| {
        live(
            "volume.data",
            id,
            &[
                ("az", Value::str("us-east-1a")),
                ("size", Value::Int(8)),
                ("type", Value::str("gp3")),
                ("instance", Value::Null),
                ("device", Value::Null),
                ("tags", tags("t-data")),
            ],
        )
    };
    let mut objects = applied();
    objects.extend([vol("vol-1"), vol("vol-2")]);
    let p = plan_of(&src, objects);
    assert!(!p.changes.iter().any(|c| c.action == Action::Delete), "{:#?}", p.changes);
    let w = p.warnings.iter().map(|d| d.render(false)).collect::<Vec<_>>().join("\n");
    assert!(w.contains("volume.data exists twice in the account: vol-1 (the one this stack uses) and vol-2"), "{w}");
}

#[test]
fn taking_an_unowned_name_is_refused_with_the_span() {
    let src = "stack \"t\" {}\niam_user \"alice\" {\n  name = \"alice\"\n}\n";
    let mut state = LiveState::default();
    state.foreign.insert("iam_user".into(), ["alice".to_string()].into());
    let err = plan(&stack(src), &state, false).unwrap_err();
    let d = &err.0[0];
    assert!(d.message.contains("not owned by this stack"), "{}", d.message);
    assert!(
        d.hints.iter().any(|h| h.contains("stackr adopt -f ") && h.contains(" iam_user.alice=alice`")),
        "{:?}",
        d.hints
    );
    assert_eq!(d.location().map(|(_, l, c)| (l, c)), Some((3, 10)));
}

#[test]
fn an_instance_profile_name_held_by_another_owner_is_refused_at_the_attribute() {
    let src = "stack \"t\" {}\niam_role \"web\" {\n  assume = \"ec2.amazonaws.com\"\n  instance_profile = true\n}\n";
    let mut state = LiveState::default();
    state.foreign.insert("instance profile".into(), ["web".to_string()].into());
    let err = plan(&stack(src), &state, false).unwrap_err();
    let d = &err.0[0];
    assert!(d.message.contains("iam_role.web would create instance profile \"web\""), "{}", d.message);
    assert_eq!(d.location().map(|(_, l, c)| (l, c)), Some((4, 22)));
    // Without a profile the role's name is free to use.
    let plain = src.replace("  instance_profile = true\n", "");
    assert!(plan(&stack(&plain), &state, false).is_ok());
}

#[test]
fn a_moved_unique_name_is_freed_before_it_is_taken() {
    let src = "stack \"t\" {}\niam_group \"devs\" {\n  name = \"developers\"\n}\n";
    let old = live(
        "iam_group.developers",
        "developers",
        &[
            ("name", Value::str("developers")),
            ("managed_policies", Value::List(vec![])),
            ("inline_policies", Value::Map(Default::default())),
        ],
    );
    let p = plan_of(src, vec![old]);
    assert!(before(&p, step(&p, "iam_group.developers", Op::Delete), step(&p, "iam_group.devs", Op::Create)));
}

#[test]
fn security_group_rules_written_differently_compare_equal() {
    let src = r#"
stack "t" {}
vpc "main" { cidr = "10.0.0.0/16" }
security_group "web" {
  vpc = vpc.main
  ingress {
    port  = 443
    cidrs = ["10.0.0.0/8", "192.168.0.0/16"]
  }
}
"#;
    let rule = |cidr: &str| {
        Value::Map(
            [
                ("protocol", Value::str("tcp")),
                ("from_port", Value::Int(443)),
                ("to_port", Value::Int(443)),
                ("cidr", Value::str(cidr)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        )
    };
    let egress = Value::List(vec![Value::Map(
        [("protocol", Value::str("all")), ("cidr", Value::str("0.0.0.0/0"))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )]);
    let mut objects = vec![applied().remove(0)];
    objects.push(live(
        "security_group.web",
        "sg-1",
        &[
            ("vpc", Value::str("vpc-1")),
            ("name", Value::str("t-web-sg")),
            ("description", Value::str("Managed by stackr")),
            ("ingress", Value::List(vec![rule("192.168.0.0/16"), rule("10.0.0.0/8")])),
            ("egress", egress),
            ("tags", tags("t-web-sg")),
            ("arn", Value::str("arn:sg-1")),
        ],
    ));
    let p = plan_of(src, objects);
    assert!(!p.has_changes(), "{:#?}", p.changes);
}

#[test]
fn an_auto_scaling_group_waits_for_the_listener_forwarding_to_its_target_group() {
    let src = r#"
stack "t" {}
vpc "v" { cidr = "10.0.0.0/16" }
subnet "a" {
  vpc  = vpc.v
  cidr = "10.0.1.0/24"
  az   = "us-east-1a"
}
subnet "b" {
  vpc  = vpc.v
  cidr = "10.0.2.0/24"
  az   = "us-east-1b"
}
launch_template "web" {
  ami  = "ami-12345678"
  type = "t3.micro"
}
target_group "web" {
  vpc  = vpc.v
  port = 80
}
internet_gateway "gw" { vpc = vpc.v }
load_balancer "web" {
  subnets = [subnet.a, subnet.b]
  listener {
    port    = 80
    forward = target_group.web
  }
}
autoscaling_group "web" {
  launch_template = launch_template.web
  min_size        = 1
  max_size        = 2
  subnets         = [subnet.a, subnet.b]
  target_groups   = [target_group.web]
}
"#;
    let mut s = stack(src);
    let diags = crate::resources::check(&mut s);
    assert!(!diags.has_errors(), "{diags}");
    let p = plan(&s, &LiveState::default(), false).unwrap();
    // The group names only the target group, yet waits for the load balancer and its listener.
    assert!(before(&p, step(&p, "load_balancer.web", Op::Create), step(&p, "autoscaling_group.web", Op::Create)));
    assert!(before(&p, step(&p, "target_group.web", Op::Create), step(&p, "load_balancer.web", Op::Create)));
}

#[test]
fn a_password_policy_weaker_than_the_accounts_rules_without_one_is_said() {
    let weak = plan_of("stack \"t\" {}\niam_password_policy {}\n", vec![]);
    let w = weak.warnings.iter().map(|d| d.render(false)).collect::<Vec<_>>().join("\n");
    assert!(w.contains("weakens the account's rules") && w.contains("asks for 6 characters and 0 of them"), "{w}");
    let strong = "stack \"t\" {}\niam_password_policy {\n  minimum_length = 12\n  require_uppercase = true\n  require_lowercase = true\n  require_numbers = true\n}\n";
    assert!(plan_of(strong, vec![]).warnings.is_empty());
}

#[test]
fn deleted_objects_show_no_secrets() {
    let src = "stack \"t\" {}\nvariable \"s\" {\n  sensitive = true\n  default = \"hunter2\"\n}\n\
               vpc \"main\" {\n  cidr = \"10.0.0.0/16\"\n  tags = { token = var.s }\n}\n";
    let secret = |name: &str| {
        let mut attrs = applied()[0].attrs.clone();
        attrs.insert("tags".into(), str_map([("Name", name), ("token", "hunter2")]));
        attrs
    };
    let main = LiveObject { attrs: secret("t-main"), ..applied()[0].clone() };
    let old = LiveObject { addr: Address::new("vpc", "old"), id: "vpc-2".into(), attrs: secret("t-old") };
    let shown = |p: &Plan, addr: &str| {
        let c = p.redacted().changes.into_iter().find(|c| c.addr.to_string() == addr).unwrap();
        c.live.unwrap().attrs.get("tags").cloned().unwrap()
    };
    let state = LiveState { objects: vec![main, old], ..Default::default() };
    // An object that left the file: nothing says its tags were not secret.
    let p = plan(&stack(src), &state, false).unwrap();
    assert_eq!(shown(&p, "vpc.old"), Value::str(redact::MASK));
    // Destroy: the file still marks which attributes come from sensitive variables.
    let p = plan(&stack(src), &state, true).unwrap();
    assert_eq!(shown(&p, "vpc.main"), Value::str(redact::MASK));
    let c = p.redacted().changes.into_iter().find(|c| c.addr.to_string() == "vpc.main").unwrap();
    assert_eq!(c.live.unwrap().attrs.get("cidr"), Some(&Value::str("10.0.0.0/16")));
    // --show-sensitive shows them.
    let c = p.revealed().changes.into_iter().find(|c| c.addr.to_string() == "vpc.main").unwrap();
    assert_eq!(c.live.unwrap().attrs.get("tags"), Some(&str_map([("Name", "t-main"), ("token", "hunter2")])));
}
