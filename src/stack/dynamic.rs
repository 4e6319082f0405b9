//! Terraform's `dynamic` blocks: `dynamic "ingress" { for_each = …  iterator = port  content { … } }`
//! makes one `ingress` block per element of `for_each`, its `content` evaluated with `port.key`
//! and `port.value` bound. As for a resource's `for_each`, the collection must be known when
//! loading; iterators nest, the innermost shadowing an outer one of the same name.

use std::ops::Range;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Structure};

use super::body::header;
use super::diag::{Diagnostic, Diagnostics, did_you_mean};
use super::eval::{Env, span};
use super::repeat::{FOR_EACH, unknown_msg};
use super::typecheck::describe_value;
use crate::model::{AttrSpec, Presence, Ty, Value};

/// The block that makes nested blocks.
pub(super) const DYNAMIC: &str = "dynamic";
const ITERATOR: &str = "iterator";
const CONTENT: &str = "content";

/// Names an iterator may not take: it would hide them inside `content`.
const RESERVED: &[&str] = &["var", "local", "each", "count"];

/// The element whose block is being evaluated: `NAME.key`, `NAME.value`.
#[derive(Clone, Debug)]
pub(super) struct Iter {
    pub name: String,
    pub key: Value,
    pub value: Value,
}

/// What adds one made block: its name, its specs, the `content` block to evaluate.
pub(super) type Make<'m> = dyn FnMut(&str, &'static [AttrSpec], &Block, &mut Diagnostics) + 'm;

/// A dynamic block, checked: what it makes, over what, and from which body.
struct Parts<'b> {
    label: String,
    sub: &'static [AttrSpec],
    for_each: &'b Expression,
    iterator: String,
    content: &'b Block,
}

/// Expands a dynamic block written among `specs`: `make` is called once per element, in order,
/// with the iterator bound, and adds the nested block evaluated from `content`.
pub(super) fn expand(env: &Env, b: &Block, specs: &'static [AttrSpec], diags: &mut Diagnostics, make: &mut Make) {
    let Some(p) = parts(env, b, specs, diags) else { return };
    let Some(elements) = elements(env, p.for_each, diags) else { return };
    for (key, value) in elements {
        env.iters.borrow_mut().push(Iter { name: p.iterator.clone(), key, value });
        make(&p.label, p.sub, p.content, diags);
        env.iters.borrow_mut().pop();
    }
}

/// `ITER.key`, `ITER.value` and what follows them (`port.value.from`); `ops` follow the root.
pub(super) fn reference(
    env: &Env,
    name: &str,
    ops: &[hcl_edit::Decorated<TraversalOperator>],
    whole: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let it = env.iters.borrow().iter().rev().find(|i| i.name == name).cloned()?;
    let v = match ops.first().map(|op| op.value()) {
        Some(TraversalOperator::GetAttr(id)) if id.as_str() == "key" => it.key,
        Some(TraversalOperator::GetAttr(id)) if id.as_str() == "value" => it.value,
        _ => {
            diags.push(Diagnostic::error(not_a_value(name)).at(&env.file, ops.first().map_or(whole, span)));
            return None;
        }
    };
    env.index_value(v, &ops[1..], diags)
}

/// The message for an iterator used other than as `ITER.key` or `ITER.value`.
pub(super) fn not_a_value(name: &str) -> String {
    format!("`{name}` is a dynamic block's iterator: use {name}.key or {name}.value")
}

fn parts<'b>(env: &Env, b: &'b Block, specs: &'static [AttrSpec], diags: &mut Diagnostics) -> Option<Parts<'b>> {
    let target = target(env, b, specs, diags);
    let (mut for_each, mut iterator, mut content) = (None, None, None);
    let mut ok = true;
    // A miswritten content block is reported as such, not also as missing.
    let mut wrote_content = false;
    for s in b.body.iter() {
        wrote_content |= matches!(s, Structure::Block(c) if c.ident.as_str() == CONTENT);
        match s {
            Structure::Attribute(a) if a.key.as_str() == FOR_EACH => for_each = Some(&a.value),
            Structure::Attribute(a) if a.key.as_str() == ITERATOR => {
                iterator = iterator_name(env, a, diags);
                ok &= iterator.is_some();
            }
            Structure::Block(c) if c.ident.as_str() == CONTENT && content.is_none() && c.labels.is_empty() => {
                content = Some(c)
            }
            other => {
                ok = false;
                wrong_argument(env, other, content.is_some(), diags);
            }
        }
    }
    let missing = |what: &str, hint: String, diags: &mut Diagnostics| {
        let msg = format!("this dynamic block has no {what}");
        diags.push(Diagnostic::error(msg).at(&env.file, header(b)).hint(hint));
    };
    let name = b.labels.first().map_or("BLOCK", |l| l.as_str());
    if for_each.is_none() {
        missing(FOR_EACH, format!("for_each = a list, set or map: one `{name}` block per element"), diags);
    }
    if !wrote_content {
        missing("content block", format!("content {{ … }} holds the attributes of each `{name}` block"), diags);
    }
    let (label, sub) = target?;
    let iterator = iterator.unwrap_or_else(|| label.clone());
    ok.then_some(())?;
    Some(Parts { label, sub, for_each: for_each?, iterator, content: content? })
}

/// The nested-block attribute a dynamic block's label names, with its specs.
fn target(
    env: &Env,
    b: &Block,
    specs: &'static [AttrSpec],
    diags: &mut Diagnostics,
) -> Option<(String, &'static [AttrSpec])> {
    let [label] = b.labels.as_slice() else {
        let d = Diagnostic::error("a dynamic block takes one label: the name of the blocks it makes");
        diags.push(d.at(&env.file, header(b)).hint("write dynamic \"ingress\" { … }"));
        return None;
    };
    let name = label.as_str();
    let spec = specs.iter().find(|s| s.name == name);
    if let Some(AttrSpec { ty: Ty::Blocks(sub), .. }) = spec {
        return Some((name.to_string(), sub));
    }
    let blocks = || specs.iter().filter(|s| matches!(s.ty, Ty::Blocks(_))).map(|s| s.name);
    let mut d = match spec {
        Some(s) if s.presence == Presence::Computed => {
            Diagnostic::error(format!("`{name}` is set by AWS and cannot be written"))
        }
        Some(_) => Diagnostic::error(format!("`{name}` is an attribute, not a block"))
            .hint(format!("dynamic makes nested blocks; write `{name} = …` (a for expression builds a list)")),
        None => Diagnostic::error(format!("unknown nested block `{name}`")),
    };
    if spec.is_none() {
        if let Some(m) = did_you_mean(name, blocks()) {
            d = d.label(format!("did you mean `{m}`?"));
        }
        let have: Vec<&str> = blocks().collect();
        d = d.hint(match have.is_empty() {
            true => "this block has no nested blocks".to_string(),
            false => format!("nested blocks here: {}", have.join(", ")),
        });
    }
    diags.push(d.at(&env.file, span(label)));
    None
}

/// `iterator = NAME`: a bare name, not an expression.
fn iterator_name(env: &Env, a: &Attribute, diags: &mut Diagnostics) -> Option<String> {
    let msg = match &a.value {
        Expression::Variable(v) if RESERVED.contains(&v.as_str()) => {
            format!("`{}` cannot name an iterator: it would hide {}.… inside content", v.as_str(), v.as_str())
        }
        Expression::Variable(v) => return Some(v.as_str().to_string()),
        _ => "iterator takes a name, such as `iterator = port`".to_string(),
    };
    diags.push(Diagnostic::error(msg).at(&env.file, span(&a.value)));
    None
}

/// Reports an argument or block a dynamic block does not take.
fn wrong_argument(env: &Env, s: &Structure, had_content: bool, diags: &mut Diagnostics) {
    let (name, at) = match s {
        Structure::Attribute(a) => (a.key.as_str(), span(&a.key)),
        Structure::Block(b) => (b.ident.as_str(), header(b)),
    };
    let d = match (name, s) {
        ("labels", _) => Diagnostic::error("`labels` is not supported: stackr's nested blocks take no labels")
            .hint("drop `labels`; each block made is written without labels"),
        (CONTENT, Structure::Block(_)) if had_content => Diagnostic::error("a dynamic block has one content block"),
        (CONTENT, Structure::Block(_)) => Diagnostic::error("a content block takes no labels"),
        (CONTENT, _) => Diagnostic::error("`content` is written as a block").hint("write content { … }"),
        (FOR_EACH | ITERATOR, _) => {
            Diagnostic::error(format!("`{name}` is an argument, not a block")).hint(format!("write `{name} = …`"))
        }
        _ => {
            let mut d = Diagnostic::error(format!("unknown argument `{name}` in a dynamic block"));
            if let Some(m) = did_you_mean(name, [FOR_EACH, ITERATOR, CONTENT]) {
                d = d.label(format!("did you mean `{m}`?"));
            }
            d.hint("a dynamic block takes for_each, iterator and content { … }")
        }
    };
    diags.push(d.at(&env.file, at));
}

/// The (key, value) of each element: a list's index, a map's key, or a set's element itself.
fn elements(env: &Env, expr: &Expression, diags: &mut Diagnostics) -> Option<Vec<(Value, Value)>> {
    let v = env.eval(expr, diags)?;
    let err = |msg: String, diags: &mut Diagnostics| {
        diags.push(Diagnostic::error(msg).at(&env.file, span(expr)));
        None
    };
    if v.has_unknown() {
        return err(unknown_msg(FOR_EACH, "blocks"), diags);
    }
    match v {
        Value::Map(m) => Some(m.into_iter().map(|(k, v)| (Value::Str(k), v)).collect()),
        Value::List(l) if is_set(expr) => Some(l.into_iter().map(|v| (v.clone(), v)).collect()),
        Value::List(l) => Some(l.into_iter().zip(0..).map(|(v, i)| (Value::Int(i), v)).collect()),
        other => err(format!("for_each takes a list, set or map, not {}", describe_value(&other)), diags),
    }
}

/// Whether `for_each` is written as a set. Stackr's values have no set type (a set is a list
/// without duplicates), so `toset(…)` is how a stack asks for Terraform's key = value.
fn is_set(expr: &Expression) -> bool {
    match expr {
        Expression::Parenthesis(p) => is_set(p.inner()),
        Expression::FuncCall(f) => !f.name.is_namespaced() && f.name.name.as_str() == "toset",
        _ => false,
    }
}
