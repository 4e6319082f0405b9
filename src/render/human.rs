//! The human plan: Terraform's layout, so its users can read it without learning anything.

use super::Style;
use super::value::{Doc, Sym, is_blocks};
use crate::model::{Attrs, Update, Value, is_private};
use crate::plan::{Action, Change, Plan};

pub fn plan(plan: &Plan, style: Style) -> String {
    if !plan.has_changes() {
        let mut s = style.bold("No changes.").to_string();
        s.push_str(if plan.destroy {
            " No objects owned by this stack exist, so there is nothing to destroy.\n"
        } else {
            " Your infrastructure matches the configuration.\n"
        });
        return s;
    }
    let mut doc = Doc { out: String::new(), style: &style, gutter: false };
    // A plan of moves only has no symbols to explain.
    if plan.changes.iter().any(|c| c.action != Action::NoOp) {
        legend(&mut doc, plan);
    }
    doc.out.push_str("stackr will perform the following actions:\n");
    for c in plan.changes.iter().filter(|c| c.acts()) {
        doc.out.push('\n');
        change(&mut doc, c, duplicate(plan, c));
    }
    let (add, chg, del) = plan.summary();
    doc.out.push_str(&format!("\n{} {add} to add, {chg} to change, {del} to destroy.\n", style.bold("Plan:")));
    doc.out
}

/// One change's block of the text plan, with its symbols in column 0 (`~` as `!`), for the
/// Markdown plan's `diff` block. Placing them here rather than moving them in the finished text
/// keeps a line of user data that begins with `- ` from being taken for a symbol.
pub(super) fn change_gutter_text(plan: &Plan, c: &Change) -> String {
    let style = Style { color: false };
    let mut doc = Doc { out: String::new(), style: &style, gutter: true };
    change(&mut doc, c, duplicate(plan, c));
    doc.out
}

/// A delete of an object whose address another change of the plan keeps: a duplicate.
fn duplicate(plan: &Plan, c: &Change) -> bool {
    c.action == Action::Delete && plan.changes.iter().any(|o| o.addr == c.addr && o.raw.is_some())
}

fn legend(doc: &mut Doc, plan: &Plan) {
    let style = doc.style;
    doc.out.push_str("Resource actions are indicated with the following symbols:\n");
    let used = |a: Action| plan.changes.iter().any(|c| c.action == a);
    if used(Action::Create) {
        doc.out.push_str(&format!("  {} create\n", style.green("+")));
    }
    if used(Action::Update) {
        doc.out.push_str(&format!("  {} update in-place\n", style.yellow("~")));
    }
    if used(Action::Delete) {
        doc.out.push_str(&format!("  {} destroy\n", style.red("-")));
    }
    let replaces =
        |cbd: bool| plan.changes.iter().any(|c| c.action == Action::Replace && c.create_before_destroy == cbd);
    if replaces(false) {
        doc.out.push_str(&format!("{}{} destroy and then create replacement\n", style.red("-/"), style.green("+")));
    }
    if replaces(true) {
        doc.out.push_str(&format!("{}{} create replacement and then destroy\n", style.green("+/"), style.red("-")));
    }
    doc.out.push('\n');
}

fn change(doc: &mut Doc, c: &Change, duplicate: bool) {
    let style = doc.style;
    let what = match c.action {
        Action::Create => "will be created",
        Action::Update => "will be updated in-place",
        Action::Replace if c.forces.is_empty() && c.changed.is_empty() => "will be replaced, as requested",
        Action::Replace => "must be replaced",
        Action::Delete => "will be destroyed",
        Action::NoOp => "",
    };
    match (&c.moved_from, what) {
        (None, "") => return,
        (Some(from), "") => {
            doc.out.push_str(&format!("  {}\n", style.bold(&format!("# {from} has moved to {}", c.addr))))
        }
        (from, _) => {
            doc.out.push_str(&format!("  {} {what}\n", style.bold(&format!("# {}", c.addr))));
            if let Some(from) = from {
                doc.out.push_str(&format!("  # (moved from {from})\n"));
            }
        }
    }
    if c.action == Action::Delete {
        let why = if duplicate {
            "is a second object with this address, which nothing uses (a create retried after its answer was lost)"
        } else {
            "is not in the stack file"
        };
        let id = c.live.as_ref().map(|l| l.id.as_str()).unwrap_or_default();
        doc.out.push_str(&format!("  # (because {} {why}; id {id})\n", c.addr));
    }
    if let Some(note) = c.kind().delete_note().filter(|_| matches!(c.action, Action::Delete | Action::Replace)) {
        doc.out.push_str(&format!("  # (deleting it {note})\n"));
    }
    for note in &c.notes {
        doc.out.push_str(&format!("  # ({note})\n"));
    }
    let head = format!("resource \"{}\" \"{}\" {{", c.addr.kind, c.addr.name);
    match c.action {
        Action::Create => doc.line(0, Sym::Add, &head),
        Action::Update => doc.line(0, Sym::Chg, &head),
        Action::Delete => doc.line(0, Sym::Del, &head),
        Action::NoOp => doc.out.push_str(&format!("    {head}\n")),
        _ if c.create_before_destroy => doc.out.push_str(&format!("{}{} {head}\n", style.green("+/"), style.red("-"))),
        _ => doc.out.push_str(&format!("{}{} {head}\n", style.red("-/"), style.green("+"))),
    }
    let empty = Attrs::new();
    let before = c.before().unwrap_or(&empty);
    let after = c.after.as_ref().unwrap_or(&empty);
    match c.action {
        Action::Create => all(doc, after, Sym::Add),
        Action::Delete => all(doc, before, Sym::Del),
        _ => changed(doc, c, before, after),
    }
    doc.out.push_str("    }\n");
}

/// Every attribute, with one symbol (creates and deletes). Nested blocks come last.
fn all(doc: &mut Doc, attrs: &Attrs, s: Sym) {
    let shown: Vec<(&String, &Value)> =
        attrs.iter().filter(|(k, v)| !is_private(k) && !v.is_null() && !is_empty(v)).collect();
    let pad = shown.iter().filter(|(_, v)| !is_blocks(v)).map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in shown.iter().filter(|(_, v)| !is_blocks(v)) {
        doc.whole(1, s, k, pad, v);
    }
    for (k, v) in shown.iter().filter(|(_, v)| is_blocks(v)) {
        for item in v.as_list() {
            if let Value::Map(m) = item {
                doc.block(1, s, k, m, "");
            }
        }
    }
}

/// Empty lists and maps say nothing in a create or delete.
fn is_empty(v: &Value) -> bool {
    matches!(v, Value::List(l) if l.is_empty()) || matches!(v, Value::Map(m) if m.is_empty())
}

/// Only what changes (and `id`, which identifies the object); the rest is counted.
fn changed(doc: &mut Doc, c: &Change, before: &Attrs, after: &Attrs) {
    let unknown_after: Vec<&String> =
        after.iter().filter(|(k, v)| matches!(v, Value::Unknown) && before.contains_key(*k)).map(|(k, _)| k).collect();
    let mut names: Vec<&String> = c.changed.iter().chain(unknown_after.iter().copied()).collect();
    names.sort();
    names.dedup();
    let keep_id = !names.iter().any(|n| *n == "id") && before.contains_key("id");
    let null = Value::Null;
    let scalar = |k: &str| !is_blocks(before.get(k).unwrap_or(&null)) && !is_blocks(after.get(k).unwrap_or(&null));
    let pad = names.iter().filter(|k| scalar(k)).map(|k| k.len()).chain(keep_id.then_some(2)).max().unwrap_or(0);
    if keep_id {
        doc.line(1, Sym::Same, &format!("{:pad$} = {}", "id", super::value::inline(&before["id"]).unwrap_or_default()));
    }
    let ordered: Vec<&String> =
        names.iter().filter(|k| scalar(k)).chain(names.iter().filter(|k| !scalar(k))).copied().collect();
    for name in ordered {
        let restart = c.kind().schema().attr(name).is_some_and(|a| a.update == Update::Restart);
        let note = if c.forces.contains(name) {
            format!(" {}", doc.style.red("# forces replacement"))
        } else if restart && c.action == Action::Update {
            format!(" {}", doc.style.yellow("# stops and starts it"))
        } else {
            String::new()
        };
        let old = before.get(name).unwrap_or(&null);
        let new = after.get(name).unwrap_or(&null);
        doc.diff(1, name, pad, old, new, &note);
    }
    let hidden = after
        .keys()
        .filter(|k| !(is_private(k) || names.contains(k) || after[*k].is_null() || keep_id && *k == "id"))
        .count();
    doc.hidden(1, hidden, "attribute");
}
