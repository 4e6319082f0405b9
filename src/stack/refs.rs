//! What a reference names: a variable, local or module output (looked up, then indexed), an
//! instance key (`count.index`, `each.key`), or a resource (checked against the declared
//! blocks and the kind's schema, and kept as a [`Value::Ref`]).

use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::Ident;
use hcl_edit::expr::{Expression, TraversalOperator};

use super::diag::{Diagnostic, Diagnostics, did_you_mean};
use super::eval::{Env, span};
use super::repeat;
use crate::model::{Address, Ref, Value};

impl Env<'_> {
    /// `count.index`, `each.key` or `each.value` of the instance being evaluated.
    pub(super) fn instance_value(
        &self,
        root: &str,
        name: &str,
        at: Range<usize>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let each = self.each.borrow();
        let v = match (root, name, each.as_ref().map(|e| (e, e.by_count()))) {
            ("count", "index", Some((e, true))) => e.key.value(),
            ("each", "key", Some((e, false))) => e.key.value(),
            ("each", "value", Some((e, false))) => e.value.clone(),
            ("count", _, Some((_, true))) => {
                return self.err(diags, at, format!("count has no `{name}`; use count.index"));
            }
            ("each", _, Some((_, false))) => {
                return self.err(diags, at, format!("each has no `{name}`; use each.key or each.value"));
            }
            ("count", ..) => return self.err(diags, at, "count.index can only be used in a block with count"),
            _ => return self.err(diags, at, "each.key and each.value can only be used in a block with for_each"),
        };
        Some(v)
    }

    pub(super) fn lookup(
        &self,
        table: &BTreeMap<String, Value>,
        what: &str,
        prefix: &str,
        name: &str,
        at: Range<usize>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        match table.get(name) {
            // A variable without a valid value, or a local that failed: already reported.
            Some(Value::Unknown) => return None,
            Some(v) => return Some(v.clone()),
            None => {}
        }
        let mut d = Diagnostic::error(format!("no {what} named `{name}` is declared")).at(&self.file, at);
        if let Some(s) = did_you_mean(name, table.keys().map(String::as_str)) {
            d = d.label(format!("did you mean `{prefix}.{s}`?"));
        }
        diags.push(d);
        None
    }

    pub(super) fn resource_ref(
        &self,
        kind: &str,
        name: &str,
        at: Range<usize>,
        rest: &[hcl_edit::Decorated<TraversalOperator>],
        whole: Range<usize>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let addr = self.address(kind, name);
        if !self.declared.contains_key(&addr) {
            let same_kind = self.declared.keys().filter(|a| a.kind == kind).map(|a| a.name.as_str());
            // Named as written: a module's mistake is one, however many instances it has.
            let written = Address::new(kind, name);
            let mut d = Diagnostic::error(format!("reference to undeclared resource {written}")).at(&self.file, whole);
            d = match did_you_mean(name, same_kind) {
                Some(s) => d.label(format!("did you mean {kind}.{s}?")),
                None => d.label(format!("there is no {kind} block named \"{name}\" in this stack")),
            };
            diags.push(d);
            return None;
        }
        if let Some(rep) = self.repeats.get(&addr) {
            return repeat::reference(self, &addr, rep, rest, whole, diags);
        }
        if let Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)) = rest.first().map(|o| o.value()) {
            return self.err(diags, span(&rest[0]), format!("{addr} has no count or for_each; refer to it as {addr}"));
        }
        let attr = match rest {
            [] => None,
            [op] => match op.value() {
                TraversalOperator::GetAttr(id) => Some(self.check_attr(kind, id, span(op), diags)?),
                _ => {
                    return self.err(
                        diags,
                        span(op),
                        "resource references take the form KIND.NAME or KIND.NAME.ATTRIBUTE",
                    );
                }
            },
            [_, extra, ..] => {
                return self.err(
                    diags,
                    span(extra),
                    "resource references take the form KIND.NAME or KIND.NAME.ATTRIBUTE",
                );
            }
        };
        let _ = at;
        Some(Value::Ref(Ref { addr, attr }))
    }

    pub(super) fn check_attr(
        &self,
        kind: &str,
        id: &Ident,
        at: Range<usize>,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        let schema = self.kinds[kind];
        let name = id.as_str();
        if schema.attr(name).is_some() {
            return Some(name.to_string());
        }
        let mut d = Diagnostic::error(format!("{kind} has no attribute `{name}`")).at(&self.file, at);
        if let Some(s) = did_you_mean(name, schema.attrs.iter().map(|a| a.name)) {
            d = d.label(format!("did you mean `{s}`?"));
        }
        diags.push(d);
        None
    }

    /// [`Env::index_value`], unless the operators reach into a value known only after apply
    /// (a local holding a `for` over resources, indexed): then the whole expression waits.
    pub(super) fn index_or_defer(
        &self,
        v: Value,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        whole: &Expression,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let mut cur = &v;
        for op in ops {
            if matches!(cur, Value::Expr(_) | Value::Ref(_)) {
                return self.eval_hcl(whole, diags);
            }
            let next = match (cur, op.value()) {
                (Value::Map(m), TraversalOperator::GetAttr(id)) => m.get(id.as_str()),
                (Value::Map(m), TraversalOperator::Index(Expression::String(s))) => m.get(s.value().as_str()),
                (Value::List(l), TraversalOperator::LegacyIndex(i)) => l.get(*i.value() as usize),
                (Value::List(l), TraversalOperator::Index(Expression::Number(n))) => {
                    n.value().as_u64().and_then(|i| l.get(i as usize))
                }
                _ => None,
            };
            match next {
                Some(x) => cur = x,
                None => break,
            }
        }
        self.index_value(v, ops, diags)
    }

    /// Applies `.attr` and `[index]` operators to an already evaluated value.
    pub(super) fn index_value(
        &self,
        mut v: Value,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        for op in ops {
            let at = span(op);
            let key = match op.value() {
                TraversalOperator::GetAttr(id) => Value::Str(id.as_str().to_string()),
                TraversalOperator::Index(e) => self.eval(e, diags)?,
                TraversalOperator::LegacyIndex(i) => Value::Int(*i.value() as i64),
                _ => return self.err(diags, at, "splat expressions are not supported"),
            };
            v = match (&v, &key) {
                // A failed local or module call, already reported, or one waiting for a lookup.
                (Value::Unknown, _) => return None,
                (Value::Map(m), Value::Str(k)) => match m.get(k) {
                    Some(x) => x.clone(),
                    None => return self.err(diags, at, format!("no key `{k}` in this map")),
                },
                (Value::List(l), Value::Int(i)) => match usize::try_from(*i).ok().and_then(|i| l.get(i)) {
                    Some(x) => x.clone(),
                    None => {
                        return self.err(diags, at, format!("index {i} is out of range (the list has {})", l.len()));
                    }
                },
                _ => return self.err(diags, at, "this value cannot be indexed that way"),
            };
        }
        Some(v)
    }
}
