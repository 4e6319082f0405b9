//! `data "KIND" "NAME" { … }` blocks: read-only lookups (`data.ami.web.id`). The loader
//! evaluates a block's arguments in dependency order with the locals (a data block may use
//! variables, locals and other data; locals may use data), type-checks them against the
//! kind's schema, and takes the result from what the command already read ([`Fetched`]). A
//! result not read yet is recorded as a [`Request`] and its uses are left out silently: the
//! command reads the requests and loads again. Arguments must be known when planning, so
//! a data block never waits for an apply.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::Block;
use hcl_edit::visit::{Visit, visit_traversal};

use super::body::header;
use super::diag::{Diagnostic, Diagnostics, did_you_mean};
use super::eval::{Env, span};
use super::typecheck::Checker;
use crate::data::{Fetched, Request};
use crate::model::{Schema, Value};

/// The data blocks of a stack file, their values and what is still to be read.
#[derive(Default)]
pub(super) struct DataEnv {
    pub kinds: HashMap<&'static str, &'static Schema>,
    /// Declared blocks by `KIND.NAME`.
    pub declared: HashMap<String, Range<usize>>,
    /// Results by `KIND.NAME`; `Unknown` while not read (or failed, which is reported).
    pub values: BTreeMap<String, Value>,
    pub fetched: Fetched,
    pub pending: RefCell<Vec<Request>>,
}

impl DataEnv {
    pub fn new(fetched: Fetched) -> DataEnv {
        DataEnv { kinds: kinds(), fetched, ..DataEnv::default() }
    }
}

/// The data kinds by name.
pub(super) fn kinds() -> HashMap<&'static str, &'static Schema> {
    crate::data::schemas().into_iter().map(|s| (s.kind, s)).collect()
}

/// `data "KIND" "NAME"`: the block's key `KIND.NAME`, or a diagnostic for a kind that does not exist.
pub(super) fn key_of(
    env_kinds: &HashMap<&'static str, &'static Schema>,
    b: &Block,
    diags: &mut Diagnostics,
    file: &std::sync::Arc<super::SourceFile>,
) -> Option<String> {
    let kind = b.labels[0].as_str();
    if !env_kinds.contains_key(kind) {
        let mut d = Diagnostic::error(format!("there is no data kind `{kind}`")).at(file, span(&b.labels[0]));
        if let Some(s) = did_you_mean(kind, env_kinds.keys().copied()) {
            d = d.label(format!("did you mean `{s}`?"));
        }
        let mut all: Vec<&str> = env_kinds.keys().copied().collect();
        all.sort();
        diags.push(d.hint(format!("data kinds: {}", all.join(", "))));
        return None;
    }
    Some(format!("{kind}.{}", b.labels[1].as_str()))
}

/// Evaluates one data block: its value, `Unknown` when not read yet or failed.
pub(super) fn evaluate(env: &Env, key: &str, b: &Block, diags: &mut Diagnostics) -> Value {
    let schema = env.data.kinds[b.labels[0].as_str()];
    let sensitive = vec![];
    let checker = Checker { file: &env.file, kinds: &env.kinds, sensitive: &sensitive, refused: Default::default() };
    let mut spans = BTreeMap::new();
    let errors = diags.error_count();
    let args = super::resource::eval_body(&b.body, schema.attrs, "", header(b), env, &checker, &mut spans, diags);
    diags.0.extend(checker.refused.take());
    let Some(args) = args.filter(|_| diags.error_count() == errors) else { return Value::Unknown };
    if let Some((name, _)) = args.iter().find(|(_, v)| super::deferred::pending(v)) {
        let at = spans.get(name.as_str()).cloned().unwrap_or_else(|| header(b));
        diags.push(
            Diagnostic::error(format!("data.{key}: `{name}` must be known when planning"))
                .at(&env.file, at)
                .label("uses a resource's attributes")
                .hint(
                    "a data lookup is read during plan, before anything is made: use variables, locals and other data",
                ),
        );
        return Value::Unknown;
    }
    if args.values().any(|v| v.has_unknown()) {
        return Value::Unknown;
    }
    let req = Request { kind: schema.kind.to_string(), args };
    match env.data.fetched.get(&req) {
        Some(Ok(v)) => v.clone(),
        Some(Err(msg)) => {
            diags.push(Diagnostic::error(format!("data.{key}: {msg}")).at(&env.file, header(b)));
            Value::Unknown
        }
        None => {
            env.data.pending.borrow_mut().push(req);
            Value::Unknown
        }
    }
}

/// A reference `data.KIND.NAME[.ATTR…]` (`ops` are the operators after `data`); `None` when it
/// is wrong (reported) or not read yet (silent: the command loads again once it is).
pub(super) fn reference(
    env: &Env,
    ops: &[hcl_edit::Decorated<TraversalOperator>],
    whole: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let (kind, key) = validate(env, ops, whole, diags)?;
    match env.data.values.get(&key) {
        Some(Value::Unknown) | None => None,
        Some(v) => {
            // `data.ami.web` alone is its reference attribute, as `vpc.main` is the VPC's id; a
            // kind without one (another stack) is its whole object.
            let ref_attr = env.data.kinds[kind.as_str()].ref_attr;
            let v = match ops.len() {
                2 if !ref_attr.is_empty() => v.as_map().and_then(|m| m.get(ref_attr)).cloned().unwrap_or(Value::Null),
                _ => v.clone(),
            };
            env.index_value(v, &ops[2.min(ops.len())..], diags)
        }
    }
}

/// Checks a data reference's kind, name and attribute: `(kind, KIND.NAME)`, or `None` reported.
fn validate(
    env: &Env,
    ops: &[hcl_edit::Decorated<TraversalOperator>],
    whole: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<(String, String)> {
    let name_of = |i: usize| match ops.get(i).map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
        _ => None,
    };
    let (Some(kind), Some(name)) = (name_of(0), name_of(1)) else {
        diags.push(Diagnostic::error("data references take the form data.KIND.NAME.ATTRIBUTE").at(&env.file, whole));
        return None;
    };
    let key = format!("{kind}.{name}");
    if !env.data.declared.contains_key(&key) {
        let same = env.data.declared.keys().filter_map(|k| k.strip_prefix(&format!("{kind}.")));
        let mut d = Diagnostic::error(format!("reference to undeclared data.{key}")).at(&env.file, whole);
        if let Some(s) = did_you_mean(name, same) {
            d = d.label(format!("did you mean data.{kind}.{s}?"));
        }
        diags.push(d);
        return None;
    }
    // Another stack's objects are `data.stack.NAME.KIND.BLOCK…`: the kind must be one.
    if kind == "stack" && name_of(2).is_some_and(|k| env.kinds.contains_key(k) || k == "name" || k == "objects") {
        return Some((kind.to_string(), key));
    }
    if let Some(attr) = name_of(2) {
        let schema = env.data.kinds[kind];
        if schema.attr(attr).is_none() {
            let mut d =
                Diagnostic::error(format!("data.{kind} has no attribute `{attr}`")).at(&env.file, span(&ops[2]));
            if let Some(s) = did_you_mean(attr, schema.attrs.iter().map(|a| a.name)) {
                d = d.label(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            return None;
        }
    }
    Some((kind.to_string(), key))
}

/// Checks every data reference inside an expression; false when one is wrong (reported).
pub(super) fn check_refs(env: &Env, expr: &Expression, diags: &mut Diagnostics) -> bool {
    struct Refs(Vec<(Vec<hcl_edit::Decorated<TraversalOperator>>, Range<usize>)>);
    impl Visit for Refs {
        fn visit_traversal(&mut self, t: &Traversal) {
            if let Expression::Variable(root) = &t.expr
                && root.as_str() == "data"
            {
                let at = span(&t.expr).start..t.operators.last().map_or(span(&t.expr).end, |o| span(o).end);
                self.0.push((t.operators.to_vec(), at));
            }
            visit_traversal(self, t);
        }
    }
    let mut refs = Refs(vec![]);
    refs.visit_expr(expr);
    refs.0.into_iter().all(|(ops, at)| validate(env, &ops, at, diags).is_some())
}

/// The `data.KIND.NAME` keys an expression uses.
pub(super) fn used(expr: &Expression) -> Vec<String> {
    struct Used(Vec<String>);
    impl Visit for Used {
        fn visit_traversal(&mut self, t: &Traversal) {
            if let Expression::Variable(root) = &t.expr
                && root.as_str() == "data"
                && let [a, b, ..] = &t.operators[..]
                && let (TraversalOperator::GetAttr(k), TraversalOperator::GetAttr(n)) = (a.value(), b.value())
            {
                self.0.push(format!("{}.{}", k.as_str(), n.as_str()));
            }
            visit_traversal(self, t);
        }
    }
    let mut u = Used(vec![]);
    u.visit_expr(expr);
    u.0
}

/// The `data` object for an expression's evaluation: the blocks it uses, by kind and name.
/// `None` when one of them is not known yet.
pub(super) fn object(env: &Env, keys: &[String]) -> Option<Value> {
    let mut by_kind: BTreeMap<String, Value> = BTreeMap::new();
    for key in keys {
        let v = env.data.values.get(key)?;
        if *v == Value::Unknown {
            return None;
        }
        let (kind, name) = key.split_once('.')?;
        let entry = by_kind.entry(kind.to_string()).or_insert_with(|| Value::Map(BTreeMap::new()));
        if let Value::Map(m) = entry {
            m.insert(name.to_string(), v.clone());
        }
    }
    Some(Value::Map(by_kind))
}
