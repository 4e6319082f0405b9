//! Expressions over resource attributes: `"${load_balancer.web.dns_name}/health"`,
//! `cidrsubnet(vpc.main.cidr, 8, 1)`, a local that holds a reference. Such an expression cannot
//! be evaluated while loading (the attributes may not exist before apply), so it is captured
//! as a [`Deferred`]: its text with each resource reference replaced by a placeholder name,
//! and a scope binding those names (to `Value::Ref`s) and the variables, locals and instance
//! keys it uses. The plan evaluates it once the references resolve to known values
//! ([`evaluate`]); until then it is `(known after apply)`, and the executor evaluates it when
//! the step that needs it starts. References are checked (kind, name, attribute, instance)
//! here, so mistakes still get their file:line:col before any AWS call.

use std::collections::BTreeMap;

use hcl::eval::Evaluate;
use hcl_edit::expr::{Expression, ForExpr, Traversal, TraversalOperator};
use hcl_edit::visit_mut::{VisitMut, visit_expr_mut};

use super::diag::Diagnostics;
use super::eval::{Env, from_hcl, to_hcl};
use super::sensitive::Mentions;
use crate::model::{Deferred, Value};

/// The placeholder names resource references are replaced by: `stackr_ref0`, `stackr_ref1`, …
const PLACEHOLDER: &str = "stackr_ref";

/// Whether a value holds something only known after apply (a reference or a deferred
/// expression); `Value::Unknown` marks a failed local instead, and is not pending.
pub(super) fn pending(v: &Value) -> bool {
    match v {
        Value::Ref(_) | Value::Expr(_) => true,
        Value::List(l) => l.iter().any(pending),
        Value::Map(m) => m.values().any(pending),
        _ => false,
    }
}

/// Captures `expr` as a deferred expression when it uses resources, directly or through
/// variables and locals. `None`: it does not, evaluate it now. `Some(None)`: a reference in it
/// is wrong (reported).
pub(super) fn capture(
    env: &Env,
    expr: &Expression,
    m: &Mentions,
    data: &Value,
    diags: &mut Diagnostics,
) -> Option<Option<Value>> {
    // Most expressions name no resource: tell so without copying them.
    let held = || {
        let held_in =
            |table: &BTreeMap<String, Value>, names: &[String]| names.iter().any(|n| table.get(n).is_some_and(pending));
        held_in(&env.vars, &m.vars) || held_in(&env.locals, &m.locals) || held_in(&env.modules, &m.modules)
    };
    if !names_kind(env, expr) && !held() {
        return None;
    }
    let mut rw = Rewrite { env, bound: vec![], scope: BTreeMap::new(), failed: false, diags };
    let mut text = expr.clone();
    rw.visit_expr_mut(&mut text);
    if rw.failed {
        return Some(None);
    }
    let mut scope = rw.scope;
    let named = |table: &BTreeMap<String, Value>, names: &[String]| -> BTreeMap<String, Value> {
        names.iter().filter_map(|n| Some((n.clone(), table.get(n)?.clone()))).collect()
    };
    let (vars, locals) = (named(&env.vars, &m.vars), named(&env.locals, &m.locals));
    let modules = named(&env.modules, &m.modules);
    let held = vars.values().chain(locals.values()).chain(modules.values()).any(pending);
    if scope.is_empty() && !held {
        return None;
    }
    let mut lazy_bound: Vec<String> = scope.keys().cloned().collect();
    if held {
        lazy_bound.extend(["var".to_string(), "local".to_string(), "module".to_string()]);
    }
    scope.insert("data".into(), data.clone());
    scope.insert("var".into(), Value::Map(vars));
    scope.insert("local".into(), Value::Map(locals));
    scope.insert("module".into(), Value::Map(modules));
    if let Some(e) = env.each.borrow().as_ref() {
        let (root, obj) = match e.by_count() {
            true => ("count", BTreeMap::from([("index".to_string(), e.key.value())])),
            false => {
                ("each", BTreeMap::from([("key".to_string(), e.key.value()), ("value".to_string(), e.value.clone())]))
            }
        };
        scope.insert(root.into(), Value::Map(obj));
    }
    // Dynamic-block iterators, outermost first so an inner one of the same name wins.
    for it in env.iters.borrow().iter() {
        let obj = BTreeMap::from([("key".to_string(), it.key.clone()), ("value".to_string(), it.value.clone())]);
        scope.insert(it.name.clone(), Value::Map(obj));
    }
    // file, templatefile and the parts of try and can that do not use resources resolve now,
    // against the stack file's directory; the rest waits with the expression.
    let ctx = context(&scope);
    let eval = |e: &Expression| {
        let mut e = e.clone();
        super::arith::rewrite(&mut e);
        hcl::Expression::from(e).evaluate(&ctx).map_err(|e| super::eval::message(&e))
    };
    if let Err(msg) = super::funcs::rewrite_lazy_bound(&mut text, env.dir.as_deref(), &eval, lazy_bound) {
        diags.push(super::diag::Diagnostic::error(msg).at(&env.file, super::eval::span(expr)));
        return Some(None);
    }
    Some(Some(Value::Expr(Box::new(Deferred { expr: text.to_string().trim().to_string(), scope }))))
}

/// Whether any traversal in `expr` starts at a resource kind's name.
fn names_kind(env: &Env, expr: &Expression) -> bool {
    struct Kinds<'e, 'a>(&'e Env<'a>, bool);
    impl hcl_edit::visit::Visit for Kinds<'_, '_> {
        fn visit_expr(&mut self, e: &Expression) {
            if let Expression::Variable(v) = e {
                self.1 |= self.0.kinds.contains_key(v.as_str());
            }
            if !self.1 {
                hcl_edit::visit::visit_expr(self, e);
            }
        }
    }
    let mut k = Kinds(env, false);
    hcl_edit::visit::Visit::visit_expr(&mut k, expr);
    k.1
}

/// Evaluates a deferred expression whose scope holds only known values.
pub fn evaluate(d: &Deferred) -> Result<Value, String> {
    let mut expr = hcl_edit::parser::parse_expr(&d.expr).map_err(|e| format!("cannot read `{}`: {e}", d.expr))?;
    super::arith::rewrite(&mut expr);
    let ctx = context(&d.scope);
    let v = hcl::Expression::from(expr).evaluate(&ctx).map_err(|e| {
        // Arithmetic errors carry a position in the text, which means nothing here.
        super::arith::located(&e).map_or_else(|| super::eval::message(&e), |(_, msg)| msg)
    })?;
    from_hcl(v)
}

/// An evaluation context with the stack-file functions and `scope`'s known values.
fn context(scope: &BTreeMap<String, Value>) -> hcl::eval::Context<'static> {
    let mut ctx = super::funcs::context();
    ctx.declare_var("path", super::eval::path_object());
    for (name, v) in scope {
        let known = match v {
            Value::Map(m) => hcl::Value::Object(m.iter().filter_map(|(k, v)| Some((k.clone(), to_hcl(v)?))).collect()),
            v => match to_hcl(v) {
                Some(h) => h,
                None => continue,
            },
        };
        ctx.declare_var(name.as_str(), known);
    }
    ctx
}

/// Replaces each resource reference by a placeholder bound in `scope`.
struct Rewrite<'e, 'd> {
    env: &'e Env<'e>,
    /// Variables of the enclosing `for` expressions, which shadow kind names.
    bound: Vec<String>,
    scope: BTreeMap<String, Value>,
    failed: bool,
    diags: &'d mut Diagnostics,
}

impl Rewrite<'_, '_> {
    /// How many operators after the kind make up the reference: the name, an instance or splat
    /// for a repeated block, and one attribute. Anything after is applied to its value.
    fn prefix_len(&self, kind: &str, ops: &[hcl_edit::Decorated<TraversalOperator>]) -> usize {
        let Some(TraversalOperator::GetAttr(name)) = ops.first().map(|o| o.value()) else { return ops.len() };
        let mut n = 1;
        let repeated = self.env.repeats.contains_key(&self.env.address(kind, name.as_str()));
        if repeated && matches!(ops.get(1).map(|o| o.value()), Some(op) if !matches!(op, TraversalOperator::GetAttr(_)))
        {
            n = 2;
        }
        if let Some(TraversalOperator::GetAttr(_)) = ops.get(n).map(|o| o.value()) {
            n += 1;
        }
        n.min(ops.len())
    }

    fn reference(&mut self, t: &Traversal, whole: &Expression) -> Option<Expression> {
        let Expression::Variable(root) = &t.expr else { return None };
        let shadowed = self.bound.iter().any(|b| b == root.as_str()) || self.env.iterating(root.as_str());
        if !self.env.kinds.contains_key(root.as_str()) || shadowed {
            return None;
        }
        let n = self.prefix_len(root.as_str(), &t.operators);
        let head = Traversal::new(t.expr.clone(), t.operators[..n].to_vec());
        let Some(v) = self.env.traverse(&head, whole, self.diags) else {
            self.failed = true;
            return None;
        };
        let name = format!("{PLACEHOLDER}{}", self.scope.len());
        self.scope.insert(name.clone(), v);
        let var = Expression::Variable(hcl_edit::Decorated::new(hcl_edit::Ident::new(name)));
        Some(match &t.operators[n..] {
            [] => var,
            rest => Expression::from(Traversal::new(var, rest.to_vec())),
        })
    }
}

impl VisitMut for Rewrite<'_, '_> {
    fn visit_expr_mut(&mut self, expr: &mut Expression) {
        if let Expression::Traversal(t) = &*expr
            && let Some(replaced) = self.reference(t, expr)
        {
            *expr = replaced;
            return;
        }
        visit_expr_mut(self, expr);
    }

    fn visit_for_expr_mut(&mut self, node: &mut ForExpr) {
        self.visit_expr_mut(&mut node.intro.collection_expr);
        let n = self.bound.len();
        let vars = node.intro.key_var.iter().chain([&node.intro.value_var]);
        self.bound.extend(vars.map(|v| v.as_str().to_string()));
        if let Some(k) = &mut node.key_expr {
            self.visit_expr_mut(k);
        }
        self.visit_expr_mut(&mut node.value_expr);
        if let Some(c) = &mut node.cond {
            self.visit_expr_mut(&mut c.expr);
        }
        self.bound.truncate(n);
    }
}
