//! Blocks inside a resource that are about stackr's handling of it rather than about the AWS
//! object: `lifecycle { prevent_destroy, ignore_changes, create_before_destroy }`,
//! `silence "RULE" { reason = "…" }` for the safety checks, and the `depends_on` attribute.

use std::ops::Range;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Structure};

use super::body::header;
use super::diag::{Diagnostic, Diagnostics, did_you_mean};
use super::eval::{Env, span};
use crate::model::{Presence, Schema, Value};

/// Names of the meta blocks; they are not attributes of any kind.
pub(super) const META: &[&str] = &["lifecycle", "silence"];

/// The meta attribute: ordering the references in the block do not imply.
pub(super) const DEPENDS_ON: &str = "depends_on";

/// The resources and modules a block's `depends_on = [kind.name, module.db, …]` names,
/// checked where written. A module stands for every object in it; [`expand`] replaces it
/// once they are all loaded.
pub(super) fn depends_on(
    env: &Env,
    body: &hcl_edit::structure::Body,
    diags: &mut Diagnostics,
) -> Vec<crate::model::Address> {
    let Some(a) = body.get_attribute(DEPENDS_ON) else { return vec![] };
    let wrong = |at: Range<usize>, diags: &mut Diagnostics| {
        diags.push(
            Diagnostic::error(
                "depends_on takes a list of resources and modules, e.g. [internet_gateway.main, module.db]",
            )
            .at(&env.file, at),
        );
    };
    let Expression::Array(items) = &a.value else {
        wrong(span(&a.value), diags);
        return vec![];
    };
    let mut out = vec![];
    for item in items.iter() {
        if let Some(m) = module_address(env, item, diags) {
            out.extend(m);
            continue;
        }
        match env.eval(item, diags) {
            Some(Value::Ref(r)) if r.attr.is_none() => out.push(r.addr),
            Some(_) => wrong(span(item), diags),
            None => {}
        }
    }
    out
}

/// `module.NAME` or `module.NAME[KEY]` in a depends_on list: `Some(None)` when it names no
/// module call (reported), `None` when it is not a module reference at all.
fn module_address(env: &Env, e: &Expression, diags: &mut Diagnostics) -> Option<Option<crate::model::Address>> {
    use hcl_edit::expr::TraversalOperator as Op;
    let Expression::Traversal(t) = e else { return None };
    let Expression::Variable(root) = &t.expr else { return None };
    if root.as_str() != "module" {
        return None;
    }
    let ops: Vec<&Op> = t.operators.iter().map(|o| o.value()).collect();
    use crate::model::Key;
    let key = match ops.as_slice() {
        [Op::GetAttr(_)] => None,
        [Op::GetAttr(_), Op::Index(Expression::String(k))] => Some(Key::Str(k.value().to_string())),
        [Op::GetAttr(_), Op::Index(Expression::Number(n))] if n.value().as_u64().is_some() => {
            n.value().as_u64().map(|i| Key::Index(i as i64))
        }
        [Op::GetAttr(_), Op::LegacyIndex(i)] => Some(Key::Index(*i.value() as i64)),
        _ => {
            let d = Diagnostic::error("depends_on names a whole module (module.db) or one instance (module.db[0])");
            diags.push(d.at(&env.file, span(e)));
            return Some(None);
        }
    };
    let Op::GetAttr(name) = ops[0] else { return None };
    if !env.modules.contains_key(name.as_str()) {
        let d = Diagnostic::error(format!("no module named `{}` is declared", name.as_str())).at(&env.file, span(e));
        diags.push(d);
        return Some(None);
    }
    let path = env.module_path(name.as_str(), key.as_ref());
    Some(Some(crate::model::Address { module: path, ..crate::model::Address::new("", "") }))
}

/// Replaces each module named in a `depends_on` by the objects it holds (at any depth).
pub(super) fn expand(resources: &mut [super::Resource]) {
    let all: Vec<crate::model::Address> = resources.iter().map(|r| r.addr.clone()).collect();
    for r in resources.iter_mut().filter(|r| r.deps.iter().any(|d| d.is_module())) {
        let deps = std::mem::take(&mut r.deps);
        let (modules, mut plain): (Vec<_>, Vec<_>) = deps.into_iter().partition(|d| d.is_module());
        plain.extend(all.iter().filter(|a| *a != &r.addr && modules.iter().any(|m| m.covers(a))).cloned());
        plain.sort();
        plain.dedup();
        r.deps = plain;
    }
}

#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    /// Refuse any plan that deletes or replaces the object; any expression, unlike Terraform.
    pub prevent_destroy: bool,
    /// Attributes whose differences are not changes.
    pub ignore_changes: Vec<String>,
    /// Replace by creating the new object before deleting the old one.
    pub create_before_destroy: bool,
    /// The `lifecycle` block, for diagnostics about it.
    pub span: Option<Range<usize>>,
}

/// A safety-check finding the stack accepts for this resource, and why.
#[derive(Debug, Clone)]
pub struct Silence {
    pub rule: String,
    pub reason: String,
    pub span: Range<usize>,
}

pub(super) fn lifecycle(env: &Env, b: &Block, schema: &Schema, diags: &mut Diagnostics) -> Lifecycle {
    let mut out = Lifecycle { span: Some(header(b)), ..Lifecycle::default() };
    for s in b.body.iter() {
        let Structure::Attribute(a) = s else {
            diags.push(Diagnostic::error("a lifecycle block holds only attributes").at(&env.file, span(s)));
            continue;
        };
        let flag = |diags: &mut Diagnostics| match env.eval(&a.value, diags) {
            Some(Value::Bool(v)) => v,
            Some(_) => {
                diags.push(
                    Diagnostic::error(format!("{} must be true or false", a.key.as_str()))
                        .at(&env.file, span(&a.value)),
                );
                false
            }
            None => false,
        };
        match a.key.as_str() {
            "prevent_destroy" => out.prevent_destroy = flag(diags),
            "create_before_destroy" => out.create_before_destroy = flag(diags),
            "ignore_changes" => out.ignore_changes = ignore_list(env, &a.value, schema, diags),
            other => {
                let mut d =
                    Diagnostic::error(format!("unknown lifecycle setting `{other}`")).at(&env.file, span(&a.key));
                if let Some(m) = did_you_mean(other, ["prevent_destroy", "ignore_changes", "create_before_destroy"]) {
                    d = d.label(format!("did you mean `{m}`?"));
                }
                diags.push(d);
            }
        }
    }
    out
}

/// `ignore_changes = [tags, "desired_capacity"]`: bare names or strings, each an attribute a
/// user can set.
fn ignore_list(env: &Env, expr: &Expression, schema: &Schema, diags: &mut Diagnostics) -> Vec<String> {
    let Expression::Array(items) = expr else {
        diags.push(Diagnostic::error("ignore_changes is a list of attribute names").at(&env.file, span(expr)));
        return vec![];
    };
    let mut out = vec![];
    for item in items.iter() {
        let name = match item {
            Expression::Variable(v) => v.as_str().to_string(),
            Expression::String(s) => s.value().to_string(),
            _ => {
                diags.push(Diagnostic::error("expected an attribute name").at(&env.file, span(item)));
                continue;
            }
        };
        match schema.attr(&name) {
            Some(a) if a.presence != Presence::Computed => out.push(name),
            _ => {
                let settable = schema.attrs.iter().filter(|a| a.presence != Presence::Computed).map(|a| a.name);
                let mut d = Diagnostic::error(format!("{} has no attribute `{name}` to ignore", schema.kind))
                    .at(&env.file, span(item));
                if let Some(m) = did_you_mean(&name, settable) {
                    d = d.label(format!("did you mean `{m}`?"));
                }
                diags.push(d);
            }
        }
    }
    out
}

pub(super) fn silence(env: &Env, b: &Block, diags: &mut Diagnostics) -> Option<Silence> {
    let [label] = b.labels.as_slice() else {
        diags.push(
            Diagnostic::error("a silence block names one rule")
                .at(&env.file, header(b))
                .hint("write silence \"RULE-ID\" { reason = \"why this is fine here\" }"),
        );
        return None;
    };
    let reason = b.body.get_attribute("reason").and_then(|a| match env.eval(&a.value, diags) {
        Some(Value::Str(s)) if !s.trim().is_empty() => Some(s),
        _ => None,
    });
    let Some(reason) = reason else {
        diags.push(
            Diagnostic::error(format!("silencing {} needs a reason", label.as_str()))
                .at(&env.file, header(b))
                .hint("add reason = \"…\": a finding is only silenced with its justification on record"),
        );
        return None;
    };
    Some(Silence { rule: label.as_str().to_string(), reason, span: header(b) })
}
