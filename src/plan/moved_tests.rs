//! `moved` blocks in the diff: a live object found at `from` is planned as the object at `to`,
//! with no create or destroy, and its move is a step of its own.

use super::tests::{NET, applied, stack};
use super::*;
use crate::live::LiveState;
use crate::model::Value;
use crate::render::Style;
use crate::resources::live;

fn state(objects: Vec<LiveObject>) -> LiveState {
    LiveState { objects, ..LiveState::default() }
}

fn change<'p>(p: &'p Plan, addr: &str) -> &'p Change {
    p.changes.iter().find(|c| c.addr.to_string() == addr).unwrap_or_else(|| panic!("no change for {addr}"))
}

fn human(p: &Plan) -> String {
    crate::render::human_plan(p, Style { color: false })
}

/// NET with its VPC renamed to `core`, keeping the VPC's name tag.
fn renamed_vpc(extra: &str) -> String {
    let vpc = "vpc \"core\" {\n  cidr = \"10.0.0.0/16\"\n  tags = { Name = \"t-main-vpc\" }\n}\n";
    let net = NET.replace("vpc \"main\" { cidr = \"10.0.0.0/16\" }\n", vpc).replace("vpc.main", "vpc.core");
    format!("{net}moved {{\n  from = vpc.main\n  to   = vpc.core\n}}\n{extra}")
}

#[test]
fn a_pure_rename_is_a_move_and_nothing_else() {
    let p = plan(&stack(&renamed_vpc("")), &state(applied()), false).unwrap();
    let c = change(&p, "vpc.core");
    assert_eq!((c.action, c.moved_from.as_ref().map(ToString::to_string)), (Action::NoOp, Some("vpc.main".into())));
    assert_eq!(c.live.as_ref().unwrap().id, "vpc-1");
    assert_eq!(p.summary(), (0, 0, 0));
    assert!(p.has_changes(), "a move is a change, as in Terraform");
    assert_eq!(p.steps.len(), 1);
    assert_eq!(p.steps[0].op, Op::Move);
    let text = human(&p);
    assert!(text.contains("# vpc.main has moved to vpc.core\n"), "{text}");
    assert!(text.contains("Plan: 0 to add, 0 to change, 0 to destroy."), "{text}");
    assert!(!text.contains("No changes") && !text.contains("symbols"), "{text}");
    let json = crate::render::json_plan(&p);
    let rc = json["resource_changes"].as_array().unwrap().iter().find(|r| r["address"] == "aws_vpc.core").unwrap();
    assert_eq!(rc["previous_address"], "aws_vpc.main");
    assert_eq!(rc["change"]["actions"], serde_json::json!(["no-op"]));
}

#[test]
fn a_rename_that_also_changes_is_an_update_after_the_move() {
    let src = NET.replace("subnet \"a\"", "subnet \"b\"").replace("subnet.a", "subnet.b")
        + "moved {\n  from = subnet.a\n  to   = subnet.b\n}\n";
    let p = plan(&stack(&src), &state(applied()), false).unwrap();
    let c = change(&p, "subnet.b");
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.changed, vec!["tags"], "the default Name tag follows the block name");
    assert_eq!(p.summary(), (0, 1, 0));
    let step = |op| p.steps.iter().position(|s| s.op == op && p.changes[s.change].addr.to_string() == "subnet.b");
    let (mv, upd) = (step(Op::Move).unwrap(), step(Op::Update).unwrap());
    assert!(p.steps[upd].after.contains(&mv), "the update waits for the move");
    let text = human(&p);
    assert!(text.contains("# subnet.b will be updated in-place\n  # (moved from subnet.a)\n"), "{text}");
}

#[test]
fn an_object_moves_into_for_each() {
    let src = NET
        .replace(
            "subnet \"a\" {",
            "subnet \"public\" {\n  for_each = { a = \"10.0.1.0/24\" }\n  tags = { Name = \"t-a-subnet\" }",
        )
        .replace("cidr = \"10.0.1.0/24\"", "cidr = each.value")
        .replace("subnets = [subnet.a]", "subnets = [subnet.public[\"a\"]]")
        + "moved {\n  from = subnet.a\n  to   = subnet.public[\"a\"]\n}\n";
    let p = plan(&stack(&src), &state(applied()), false).unwrap();
    let c = change(&p, "subnet.public[\"a\"]");
    assert_eq!((c.action, c.moved_from.clone()), (Action::NoOp, Address::parse("subnet.a")));
    assert_eq!(p.summary(), (0, 0, 0));
}

#[test]
fn a_move_from_nothing_is_ignored() {
    let src = format!("{NET}moved {{\n  from = vpc.gone\n  to   = vpc.main\n}}\n");
    let p = plan(&stack(&src), &state(applied()), false).unwrap();
    assert!(!p.has_changes());
    assert!(human(&p).starts_with("No changes."));
}

#[test]
fn both_ends_in_the_account_is_an_error() {
    let mut objects = applied();
    let mut old = objects[0].clone();
    (old.addr, old.id) = (Address::new("vpc", "old"), "vpc-9".into());
    objects.push(old);
    let src = format!("{NET}moved {{\n  from = vpc.old\n  to   = vpc.main\n}}\n");
    let err = plan(&stack(&src), &state(objects), false).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("vpc.old (vpc-9) cannot move to vpc.main: an object already exists there (vpc-1)"), "{msg}");
    assert!(msg.contains("t.hcl:"), "points at the moved block: {msg}");
}

#[test]
fn an_iam_role_cannot_move() {
    let role =
        |name: &str| format!("iam_role \"{name}\" {{\n  name   = \"web\"\n  assume = \"ec2.amazonaws.com\"\n}}\n");
    let src = format!("stack \"t\" {{}}\n{}moved {{\n  from = iam_role.old\n  to   = iam_role.web\n}}\n", role("web"));
    let live = live("iam_role.old", "web", &[("name", Value::str("web"))]);
    let err = plan(&stack(&src), &state(vec![live]), false).unwrap_err().to_string();
    assert!(err.contains("iam_role.old (web) cannot move to iam_role.web"), "{err}");
    assert!(err.contains("no call to change a role's path") && err.contains("remove this moved block"), "{err}");
}

#[test]
fn moves_chain_to_the_last_address() {
    let src = renamed_vpc("moved {\n  from = vpc.first\n  to   = vpc.main\n}\n");
    let mut objects = applied();
    objects[0].addr = Address::new("vpc", "first");
    let p = plan(&stack(&src), &state(objects), false).unwrap();
    let c = change(&p, "vpc.core");
    assert_eq!((c.action, c.moved_from.clone()), (Action::NoOp, Some(Address::new("vpc", "first"))));
    assert_eq!(p.summary(), (0, 0, 0));
}

#[test]
fn a_saved_plan_holds_the_move_and_a_changed_move_is_stale() {
    let s = stack(&renamed_vpc(""));
    let p = plan(&s, &state(applied()), false).unwrap();
    let saved = saved::Saved::new(&p, &s, "us-east-1", &Options::default());
    assert_eq!(saved.changes.len(), 1, "the move is recorded though nothing else changes");
    assert!(stale::check(&saved, &s, "us-east-1", &p).is_empty());
    let shown = saved.to_plan();
    assert!(human(&shown).contains("# vpc.main has moved to vpc.core"));
    let mut objects = applied();
    objects[0].addr = Address::new("vpc", "core");
    let moved_already = plan(&s, &state(objects), false).unwrap();
    let why = stale::check(&saved, &s, "us-east-1", &moved_already);
    assert!(why.iter().any(|w| w.contains("vpc.core: the planned no-op is no longer needed")), "{why:?}");
}

#[test]
fn a_destroy_reads_objects_at_their_new_addresses() {
    let src = renamed_vpc("").replace(
        "tags = { Name = \"t-main-vpc\" }",
        "tags = { Name = \"t-main-vpc\" }\n  lifecycle { prevent_destroy = true }",
    );
    let err = plan(&stack(&src), &state(applied()), true).unwrap_err().to_string();
    assert!(err.contains("vpc.core"), "the block at the new address protects the object: {err}");
    let p = plan(&stack(&renamed_vpc("")), &state(applied()), true).unwrap();
    let c = change(&p, "vpc.core");
    assert_eq!((c.action, c.moved_from.clone()), (Action::Delete, Some(Address::new("vpc", "main"))));
    assert!(!p.steps.iter().any(|s| s.op == Op::Move), "nothing is re-recorded before a delete");
}

#[test]
fn adding_count_moves_the_object_to_index_zero_without_a_block_and_removing_it_moves_it_back() {
    let counted = NET
        .replace(
            "vpc \"main\" { cidr = \"10.0.0.0/16\" }",
            "vpc \"main\" {\n  count = 1\n  cidr = \"10.0.0.0/16\"\n  tags = { Name = \"t-main-vpc\" }\n}",
        )
        .replace("vpc.main", "vpc.main[0]");
    let p = plan(&stack(&counted), &state(applied()), false).unwrap();
    let c = change(&p, "vpc.main[0]");
    assert_eq!((c.action, c.moved_from.clone()), (Action::NoOp, Address::parse("vpc.main")));
    assert_eq!(c.live.as_ref().unwrap().id, "vpc-1");
    assert!(human(&p).contains("# vpc.main has moved to vpc.main[0]\n"), "{}", human(&p));
    assert_eq!(p.summary(), (0, 0, 0));

    // Back: the object recorded at [0], the block without count.
    let mut live = applied();
    live.iter_mut().filter(|o| o.addr.kind == "vpc").for_each(|o| o.addr = Address::parse("vpc.main[0]").unwrap());
    let p = plan(&stack(NET), &state(live.clone()), false).unwrap();
    assert_eq!(change(&p, "vpc.main").moved_from, Address::parse("vpc.main[0]"));

    // Only [0] moves implicitly; and never onto an address an object already holds.
    let two = counted.replace("count = 1", "count = 2");
    let p = plan(&stack(&two), &state(applied()), false).unwrap();
    assert!(change(&p, "vpc.main[1]").moved_from.is_none());
    let mut both = applied();
    both.extend(live.into_iter().filter(|o| o.addr.kind == "vpc").map(|mut o| {
        o.id = "vpc-2".into();
        o.addr = Address::parse("vpc.main[0]").unwrap();
        o
    }));
    let p = plan(&stack(&counted), &state(both), false).unwrap();
    assert!(p.changes.iter().all(|c| c.moved_from.is_none()), "{}", human(&p));
    assert_eq!(change(&p, "vpc.main").action, Action::Delete);
}
