//! Lifecycle rules, `-replace` and `-target` on in-memory live state: no AWS involved.

use super::tests::{NET, action, applied, before, stack, step};
use super::*;

fn plan_opts(src: &str, opts: &Options) -> Result<Plan, Diagnostics> {
    plan_with(&stack(src), &LiveState { objects: applied(), ..Default::default() }, opts)
}

fn with_lifecycle(lifecycle: &str) -> String {
    NET.replace("  az   = \"us-east-1a\"\n", &format!("  az   = \"us-east-1a\"\n  lifecycle {{\n{lifecycle}\n  }}\n"))
}

fn addr(s: &str) -> Address {
    Address::parse(s).unwrap()
}

#[test]
fn prevent_destroy_refuses_a_replacement_and_points_at_the_lifecycle_block() {
    let src = with_lifecycle("    prevent_destroy = true").replace("10.0.1.0/24", "10.0.2.0/24");
    let d = plan_opts(&src, &Options::default()).unwrap_err();
    let msg = d.to_string();
    assert!(msg.contains("subnet.a is protected by lifecycle.prevent_destroy, but this plan would replace it (a change of `cidr` forces replacement)"), "{msg}");
    let (_, line, col) = d.iter().next().unwrap().location().unwrap();
    assert_eq!((line, col), (8, 3), "the diagnostic points at `lifecycle`:\n{src}");
}

#[test]
fn prevent_destroy_takes_expressions_and_refuses_destroy() {
    let src = format!(
        "variable \"protect\" {{\n  default = \"prod\"\n}}\n{}",
        with_lifecycle("    prevent_destroy = var.protect == \"prod\"")
    );
    let d = plan_opts(&src, &Options { destroy: true, ..Options::default() }).unwrap_err();
    assert!(d.to_string().contains("this plan would destroy it"), "{d}");
    let off = src.replace("default = \"prod\"", "default = \"dev\"");
    let p = plan_opts(&off, &Options { destroy: true, ..Options::default() }).unwrap();
    assert_eq!(action(&p, "subnet.a"), Action::Delete);
}

#[test]
fn ignore_changes_keeps_the_live_value() {
    let src = with_lifecycle("    ignore_changes = [map_public_ip, \"tags\"]").replace(
        "  az   = \"us-east-1a\"\n",
        "  az   = \"us-east-1a\"\n  map_public_ip = true\n  tags = { team = \"x\" }\n",
    );
    let p = plan_opts(&src, &Options::default()).unwrap();
    assert_eq!(action(&p, "subnet.a"), Action::NoOp);
    let bad = with_lifecycle("    ignore_changes = [map_public_iq]");
    let d = load_err(&bad);
    assert!(d.contains("map_public_ip"), "a typo gets a suggestion: {d}");
}

fn load_err(src: &str) -> String {
    crate::stack::load_str("t.hcl", src, &Default::default(), &crate::resources::schemas()).unwrap_err().to_string()
}

#[test]
fn create_before_destroy_creates_the_replacement_first() {
    let src = with_lifecycle("    create_before_destroy = true").replace("10.0.1.0/24", "10.0.2.0/24");
    let p = plan_opts(&src, &Options::default()).unwrap();
    assert_eq!(action(&p, "subnet.a"), Action::Replace);
    let create = step(&p, "subnet.a", Op::Create);
    let delete = step(&p, "subnet.a", Op::Delete);
    assert!(before(&p, create, delete), "the new subnet exists before the old one goes");
    // The route table moves to the new subnet before the old one is deleted.
    let update = step(&p, "route_table.public", Op::Update);
    assert!(before(&p, update, delete));
    let plain = plan_opts(&NET.replace("10.0.1.0/24", "10.0.2.0/24"), &Options::default()).unwrap();
    assert!(before(&plain, step(&plain, "subnet.a", Op::Delete), step(&plain, "subnet.a", Op::Create)));
}

#[test]
fn replace_forces_a_replacement_of_an_unchanged_object() {
    let p = plan_opts(NET, &Options { replace: vec![addr("subnet.a")], ..Options::default() }).unwrap();
    assert_eq!(action(&p, "subnet.a"), Action::Replace);
    assert_eq!(action(&p, "vpc.main"), Action::NoOp);
    let c = p.changes.iter().find(|c| c.addr == addr("subnet.a")).unwrap();
    assert!(c.forces.is_empty(), "nothing in the stack file forces it");
}

#[test]
fn replace_and_target_must_name_objects_of_the_stack() {
    let opts = Options { replace: vec![addr("subnet.zz")], target: vec![addr("vpc.nope")], ..Options::default() };
    let d = plan_opts(NET, &opts).unwrap_err().to_string();
    assert!(d.contains("-replace=subnet.zz: no such object"), "{d}");
    assert!(d.contains("-target=vpc.nope: no such object"), "{d}");
    let fresh = plan_with(
        &stack(NET),
        &LiveState::default(),
        &Options { replace: vec![addr("vpc.main")], ..Options::default() },
    );
    assert!(fresh.unwrap_err().to_string().contains("it does not exist yet"));
}

#[test]
fn target_keeps_the_object_and_what_it_depends_on() {
    let src = NET.replace("10.0.1.0/24", "10.0.2.0/24").replace(
        "vpc \"main\" { cidr = \"10.0.0.0/16\" }",
        "vpc \"main\" {\n  cidr = \"10.0.0.0/16\"\n  tags = { a = \"b\" }\n}",
    );
    let all = plan_opts(&src, &Options::default()).unwrap();
    assert_eq!(all.summary(), (1, 2, 1));
    let p = plan_opts(&src, &Options { target: vec![addr("subnet.a")], ..Options::default() }).unwrap();
    let addrs: Vec<String> = p.changes.iter().map(|c| c.addr.to_string()).collect();
    assert_eq!(addrs, ["subnet.a", "vpc.main"], "the route table depends on the subnet, not the other way round");
    assert_eq!(action(&p, "vpc.main"), Action::Update);
}
