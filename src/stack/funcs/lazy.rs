//! `try`, `can`, `file` and `templatefile`, resolved before hcl-rs evaluates an expression.
//! hcl-rs evaluates every argument before calling a function, and a function is a plain `fn`
//! that cannot know the stack file's directory; so [`rewrite_lazy`] replaces each call by its
//! result, as a literal: `try(a, b, …)` by the first argument that evaluates without error,
//! `can(x)` by whether `x` does, `file(…)`/`templatefile(…)` by the file's text.
//!
//! A call whose arguments use a variable of an enclosing `for` cannot be resolved alone; it is
//! left to the functions [`declare`] registers, which see evaluated arguments: `try` gives its
//! first argument and `can` true (right whenever the arguments evaluate; an error in one is
//! reported as such instead of being caught), `file` and `templatefile` fail with a message.
//! The arguments of such a `try` before the first that uses the variable are still tried here.

use std::path::Path;

use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use hcl_edit::expr::{Expression, ForExpr, FuncCall};
use hcl_edit::template::{ForTemplateExpr, Template};
use hcl_edit::visit::{Visit, visit_expr};
use hcl_edit::visit_mut::{VisitMut, visit_expr_mut, visit_template_mut};

use super::files;

/// Evaluates an expression (already free of lazy calls) as the caller's evaluator would.
pub(in crate::stack) type Eval<'a> = &'a dyn Fn(&Expression) -> Result<Value, String>;

/// Replaces the `try`, `can`, `file` and `templatefile` calls in `expr` by their results.
/// `dir` is the stack file's directory (`None` outside a stack file, where `file` and
/// `templatefile` are errors). `Err` is the first call that failed.
pub(in crate::stack) fn rewrite_lazy(expr: &mut Expression, dir: Option<&Path>, eval: Eval) -> Result<(), String> {
    rewrite_lazy_bound(expr, dir, eval, vec![])
}

/// [`rewrite_lazy`], leaving in place the calls whose arguments use one of `bound`'s names
/// (values known only later: a deferred expression's placeholders).
pub(in crate::stack) fn rewrite_lazy_bound(
    expr: &mut Expression,
    dir: Option<&Path>,
    eval: Eval,
    bound: Vec<String>,
) -> Result<(), String> {
    let mut lazy = Lazy { dir, eval, bound, in_template: false, error: None };
    lazy.visit_expr_mut(expr);
    lazy.error.map_or(Ok(()), Err)
}

/// The same inside a template file rendered by `templatefile`, where `templatefile` itself
/// cannot be called.
pub(super) fn rewrite_template(t: &mut Template, dir: &Path, eval: Eval) -> Result<(), String> {
    let mut lazy = Lazy { dir: Some(dir), eval, bound: vec![], in_template: true, error: None };
    visit_template_mut(&mut lazy, t);
    lazy.error.map_or(Ok(()), Err)
}

/// The functions a call left in place reaches (see the module's documentation).
pub(super) fn declare(ctx: &mut Context) {
    ctx.declare_func("try", FuncDef::builder().variadic_param(ParamType::Any).build(try_evaluated));
    ctx.declare_func("can", FuncDef::builder().param(ParamType::Any).build(|_| Ok(Value::Bool(true))));
}

fn try_evaluated(a: FuncArgs) -> Result<Value, String> {
    a.first().cloned().ok_or_else(|| "try: at least one argument is required".into())
}

struct Lazy<'a> {
    dir: Option<&'a Path>,
    eval: Eval<'a>,
    /// Variables of the enclosing `for` expressions and directives.
    bound: Vec<String>,
    in_template: bool,
    error: Option<String>,
}

impl Lazy<'_> {
    /// The value of `expr` with its own lazy calls resolved first.
    fn value(&self, expr: &Expression) -> Result<Value, String> {
        let mut expr = expr.clone();
        let mut inner = Lazy { bound: self.bound.clone(), error: None, ..*self };
        inner.visit_expr_mut(&mut expr);
        match inner.error {
            Some(e) => Err(e),
            None => (self.eval)(&expr),
        }
    }

    /// Whether an argument uses a `for` variable.
    fn uses_bound(&self, call: &FuncCall) -> bool {
        struct Names<'b>(&'b [String], bool);
        impl Visit for Names<'_> {
            fn visit_expr(&mut self, e: &Expression) {
                if let Expression::Variable(v) = e {
                    self.1 |= self.0.iter().any(|b| b == v.as_str());
                }
                visit_expr(self, e);
            }
        }
        let mut names = Names(&self.bound, false);
        call.args.iter().for_each(|a| names.visit_expr(a));
        names.1
    }

    fn resolve(&self, name: &str, call: &FuncCall) -> Result<Value, String> {
        let args: Vec<&Expression> = call.args.iter().collect();
        match name {
            "try" => {
                let mut errors = Vec::new();
                for a in &args {
                    match self.value(a) {
                        Ok(v) => return Ok(v),
                        Err(e) => errors.push(e),
                    }
                }
                if errors.is_empty() {
                    return Err("try: at least one argument is required".into());
                }
                Err(format!(
                    "try: no expression succeeded:\n- {}\nAt least one expression must produce a successful result",
                    errors.join("\n- ")
                ))
            }
            "can" => match args[..] {
                [a] => Ok(Value::Bool(self.value(a).is_ok())),
                _ => Err(format!("can: expected 1 argument, got {}", args.len())),
            },
            "templatefile" if self.in_template => {
                Err("templatefile: cannot recursively call templatefile from inside another template function".into())
            }
            _ => {
                let values: Vec<Value> = args.iter().map(|a| self.value(a)).collect::<Result<_, _>>()?;
                let Some(dir) = self.dir else {
                    return Err(format!("{name}: {name}() can only be used in a stack file"));
                };
                match (name, &values[..]) {
                    ("file", [path]) => files::file_at(dir, &super::string("file", "path", path)?).map(Value::String),
                    ("templatefile", [path, vars]) => {
                        let path = super::string("templatefile", "path", path)?;
                        files::templatefile_at(dir, &path, vars).map(Value::String)
                    }
                    _ => Err(format!("{name}: wrong number of arguments ({})", values.len())),
                }
            }
        }
    }

    /// For a `try` some of whose arguments use a `for` variable: the arguments before the
    /// first of those are tried here; the first to succeed is the result, the others are
    /// dropped from the call, which is left with the rest.
    fn try_leading(&mut self, call: &mut FuncCall) -> Option<Value> {
        let mut rest: Vec<Expression> = call.args.iter().cloned().collect();
        while let Some(first) = rest.first() {
            let one = FuncCall::new(call.name.clone(), vec![first.clone()].into());
            if self.uses_bound(&one) {
                break;
            }
            if let Ok(v) = self.value(first) {
                return Some(v);
            }
            rest.remove(0);
        }
        for a in &mut rest {
            self.visit_expr_mut(a);
        }
        call.args = rest.into();
        None
    }

    fn scoped(&mut self, vars: Vec<String>, walk: impl FnOnce(&mut Self)) {
        let n = self.bound.len();
        self.bound.extend(vars);
        walk(self);
        self.bound.truncate(n);
    }
}

/// The expression for a value: literal strings stay literal (no `${` interpretation).
fn literal(v: Value) -> Expression {
    Expression::from(hcl::Expression::from(v))
}

impl VisitMut for Lazy<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expression) {
        if self.error.is_some() {
            return;
        }
        if let Expression::FuncCall(call) = expr
            && !call.name.is_namespaced()
            && !call.args.expand_final()
        {
            let name = call.name.name.as_str().to_string();
            if name == "try" && self.uses_bound(call) {
                if let Some(v) = self.try_leading(call) {
                    *expr = literal(v);
                    return;
                }
            } else if matches!(name.as_str(), "try" | "can" | "file" | "templatefile") && !self.uses_bound(call) {
                match self.resolve(&name, call) {
                    Ok(v) => *expr = literal(v),
                    Err(e) => self.error = Some(e),
                }
                return;
            }
        }
        visit_expr_mut(self, expr);
    }

    fn visit_for_expr_mut(&mut self, node: &mut ForExpr) {
        self.visit_expr_mut(&mut node.intro.collection_expr);
        let vars = node.intro.key_var.iter().chain([&node.intro.value_var]).map(|v| v.as_str().to_string()).collect();
        self.scoped(vars, |me| {
            if let Some(k) = &mut node.key_expr {
                me.visit_expr_mut(k);
            }
            me.visit_expr_mut(&mut node.value_expr);
            if let Some(c) = &mut node.cond {
                me.visit_expr_mut(&mut c.expr);
            }
        });
    }

    fn visit_for_template_expr_mut(&mut self, node: &mut ForTemplateExpr) {
        self.visit_expr_mut(&mut node.collection_expr);
        let vars = node.key_var.iter().chain([&node.value_var]).map(|v| v.as_str().to_string()).collect();
        self.scoped(vars, |me| me.visit_template_mut(&mut node.template));
    }
}

#[cfg(test)]
#[path = "tests_lazy.rs"]
mod tests;
