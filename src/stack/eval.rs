//! Expression evaluation. References to resources (`vpc.main`, `subnet.a.id`) become
//! [`Value::Ref`] so the plan can resolve them against the account later; `var.*` and
//! `local.*` are looked up here; everything else (templates, operators, conditionals,
//! function calls) is handed to hcl-rs's evaluator, so HCL semantics are hcl-rs's.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use hcl::eval::Evaluate;
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey, Traversal, TraversalOperator};
use hcl_edit::visit::Visit;

use super::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use super::dynamic::{self, Iter};
use super::funcs;
use super::hclvalue::to_hcl_object;
pub(super) use super::hclvalue::{from_hcl, to_hcl};
use super::repeat::{Each, Repeat};
use crate::model::{Address, Schema, Value};

/// Everything an expression may refer to.
pub(super) struct Env<'a> {
    pub file: Arc<SourceFile>,
    /// Where `template()` looks for templates: the stack file's directory. `None` for var
    /// files and variable defaults, where templates make no sense.
    pub dir: Option<PathBuf>,
    pub vars: BTreeMap<String, Value>,
    pub locals: BTreeMap<String, Value>,
    pub kinds: HashMap<&'static str, &'static Schema>,
    pub declared: &'a HashMap<Address, Range<usize>>,
    /// The blocks with `count` or `for_each`, by block address.
    pub repeats: HashMap<Address, Repeat>,
    /// The instance being evaluated: `count.index`, `each.key`, `each.value`.
    pub each: RefCell<Option<Each>>,
    /// The dynamic-block elements being evaluated, outermost first (`port.key`, `port.value`).
    pub iters: RefCell<Vec<Iter>>,
    /// The data blocks and their results.
    pub data: super::data::DataEnv,
    /// The module instance being loaded (`module.web`), empty at the root: its objects'
    /// addresses start with it.
    pub module: String,
    /// The module directories being loaded, outermost first.
    pub chain: Vec<PathBuf>,
    /// Each module call's outputs: an object, or a list / map of them with count / for_each.
    pub modules: BTreeMap<String, Value>,
    /// The module calls with count or for_each.
    pub repeated_modules: std::collections::BTreeSet<String>,
    /// What this scope's module calls made.
    pub made: RefCell<super::module::Made>,
    /// Module directories read so far (see [`super::module::Sources`]).
    pub sources: std::rc::Rc<super::module::Sources>,
    /// Which variables, locals and module calls give sensitive values.
    pub taint: super::sensitive::Taint,
}

pub(super) fn span(expr: &impl Span) -> Range<usize> {
    expr.span().unwrap_or(0..0)
}

impl<'a> Env<'a> {
    pub fn new(
        file: Arc<SourceFile>,
        dir: Option<PathBuf>,
        kinds: HashMap<&'static str, &'static Schema>,
        declared: &'a HashMap<Address, Range<usize>>,
    ) -> Env<'a> {
        Env {
            file,
            dir,
            vars: BTreeMap::new(),
            locals: BTreeMap::new(),
            kinds,
            declared,
            repeats: HashMap::new(),
            each: Default::default(),
            iters: Default::default(),
            data: Default::default(),
            module: String::new(),
            chain: vec![],
            modules: BTreeMap::new(),
            repeated_modules: Default::default(),
            made: Default::default(),
            sources: Default::default(),
            taint: Default::default(),
        }
    }

    /// The address of block `kind.name` in the scope being loaded.
    pub fn address(&self, kind: &str, name: &str) -> Address {
        Address::new(kind, name).in_module(&self.module)
    }

    /// The path of an instance of module call `name` in this scope: `module.web["a"]`, below
    /// this scope's own path.
    pub fn module_path(&self, name: &str, key: Option<&crate::model::Key>) -> String {
        let own = format!("module.{name}{}", key.map(ToString::to_string).unwrap_or_default());
        if self.module.is_empty() { own } else { format!("{}.{own}", self.module) }
    }
}

impl Env<'_> {
    pub(super) fn err(&self, diags: &mut Diagnostics, at: Range<usize>, msg: impl Into<String>) -> Option<Value> {
        diags.push(Diagnostic::error(msg).at(&self.file, at));
        None
    }

    /// Evaluates an expression; `None` means a diagnostic was recorded.
    pub fn eval(&self, expr: &Expression, diags: &mut Diagnostics) -> Option<Value> {
        match expr {
            Expression::Null(_) => Some(Value::Null),
            Expression::Bool(b) => Some(Value::Bool(*b.value())),
            Expression::String(s) => Some(Value::Str(s.value().to_string())),
            Expression::Number(n) => match super::hclvalue::from_number(n.value()) {
                Ok(v) => Some(v),
                Err(msg) => self.err(diags, span(expr), msg),
            },
            Expression::Array(a) => {
                let items: Vec<Option<Value>> = a.iter().map(|e| self.eval(e, diags)).collect();
                items.into_iter().collect::<Option<Vec<_>>>().map(Value::List)
            }
            Expression::Object(o) => {
                let mut map = BTreeMap::new();
                let mut ok = true;
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => Some(id.as_str().to_string()),
                        ObjectKey::Expression(e) => match self.eval(e, diags) {
                            Some(Value::Str(s)) => Some(s),
                            Some(Value::Int(i)) => Some(i.to_string()),
                            Some(Value::Num(n)) => Some(n.to_string()),
                            Some(_) => self.err(diags, span(e), "object keys must be strings").map(|_| String::new()),
                            None => None,
                        },
                    };
                    match (key, self.eval(v.expr(), diags)) {
                        (Some(k), Some(v)) => {
                            map.insert(k, v);
                        }
                        _ => ok = false,
                    }
                }
                ok.then_some(Value::Map(map))
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), diags),
            Expression::Variable(v) if self.iterating(v.as_str()) => {
                self.err(diags, span(expr), dynamic::not_a_value(v.as_str()))
            }
            Expression::Variable(v) => self.err(
                diags,
                span(expr),
                format!("`{}` is not a value; references look like var.NAME, local.NAME or KIND.NAME", v.as_str()),
            ),
            Expression::Traversal(t) => self.traverse(t, expr, diags),
            Expression::FuncCall(f) if f.name.name.as_str() == "template" && !f.name.is_namespaced() => {
                super::template::render(self, f, span(expr), diags)
            }
            _ => self.eval_hcl(expr, diags),
        }
    }

    pub(super) fn traverse(&self, t: &Traversal, whole: &Expression, diags: &mut Diagnostics) -> Option<Value> {
        let Expression::Variable(root) = &t.expr else {
            return self.eval_hcl(whole, diags);
        };
        let ops = &t.operators;
        let first = ops.first().and_then(|op| match op.value() {
            TraversalOperator::GetAttr(id) => Some((id.as_str(), span(op))),
            _ => None,
        });
        let root_name = root.as_str();
        if self.iterating(root_name) {
            return dynamic::reference(self, root_name, ops, span(whole), diags);
        }
        match (root_name, first) {
            ("var", Some((name, at))) => {
                let v = self.lookup(&self.vars, "variable", "var", name, at, diags)?;
                self.index_or_defer(v, &ops[1..], whole, diags)
            }
            ("local", Some((name, at))) => {
                let v = self.lookup(&self.locals, "local value", "local", name, at, diags)?;
                self.index_or_defer(v, &ops[1..], whole, diags)
            }
            ("module", Some((name, at))) => {
                let v = self.lookup(&self.modules, "module", "module", name, at, diags)?;
                super::module::check_output(self, name, &v, &ops[1..], diags)?;
                self.index_or_defer(v, &ops[1..], whole, diags)
            }
            ("each" | "count", Some((name, at))) => {
                let v = self.instance_value(root_name, name, at, diags)?;
                self.index_value(v, &ops[1..], diags)
            }
            (kind, Some((name, at))) if self.kinds.contains_key(kind) => {
                self.resource_ref(kind, name, at, &ops[1..], span(whole), diags)
            }
            ("data", _) => super::data::reference(self, ops, span(whole), diags),
            ("path", Some((name, at))) => match name {
                "module" => self.index_value(Value::str(PATH_MODULE), &ops[1..], diags),
                _ => self.err(
                    diags,
                    at,
                    format!(
                        "path.{name} is not available: only path.module is (\".\"), as paths in file() and \
                         templatefile() are relative to the directory of the file that calls them"
                    ),
                ),
            },
            _ => {
                let iters: Vec<String> = self.iters.borrow().iter().map(|i| i.name.clone()).collect();
                let roots = self.roots().chain(iters.iter().map(String::as_str));
                let hint = did_you_mean(root_name, roots).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
                self.err(diags, span(root), format!("unknown name `{root_name}`{hint}"))
            }
        }
    }

    /// Whether `name` is the iterator of a dynamic block being expanded.
    pub(super) fn iterating(&self, name: &str) -> bool {
        self.iters.borrow().iter().any(|i| i.name == name)
    }

    fn roots(&self) -> impl Iterator<Item = &str> {
        ["var", "local", "data", "module", "path"].into_iter().chain(self.kinds.keys().copied())
    }

    /// The `data` object an expression sees: the data blocks it uses. `None` when one is not
    /// declared (reported) or not read yet (silent: the stack is loaded again once it is).
    fn data_object(&self, expr: &Expression, diags: &mut Diagnostics) -> Option<Value> {
        let used = super::data::used(expr);
        if !used.is_empty() && !super::data::check_refs(self, expr, diags) {
            return None;
        }
        super::data::object(self, &used)
    }

    /// Evaluates anything that is not a plain literal or reference with hcl-rs.
    pub(super) fn eval_hcl(&self, expr: &Expression, diags: &mut Diagnostics) -> Option<Value> {
        // An expression using a variable or local that already failed would only repeat it.
        let m = super::sensitive::Mentions::of(expr);
        let failed = |table: &BTreeMap<String, Value>, names: &[String]| {
            names.iter().any(|n| matches!(table.get(n), Some(Value::Unknown)))
        };
        if failed(&self.vars, &m.vars) || failed(&self.locals, &m.locals) || failed(&self.modules, &m.modules) {
            return None;
        }
        let data = self.data_object(expr, diags)?;
        if let Some(deferred) = super::deferred::capture(self, expr, &m, &data, diags) {
            return deferred;
        }
        let mut ctx = funcs::context();
        ctx.declare_var("data", to_hcl(&data).unwrap_or(hcl::Value::Null));
        ctx.declare_var("path", path_object());
        let obj = |pairs: Vec<(&str, &Value)>| {
            hcl::Value::Object(pairs.into_iter().filter_map(|(k, v)| Some((k.to_string(), to_hcl(v)?))).collect())
        };
        // Only what the expression names goes in: copying every variable and local into each
        // evaluation made loading quadratic in their number.
        ctx.declare_var("var", to_hcl_object(&self.vars, &m.vars));
        ctx.declare_var("local", to_hcl_object(&self.locals, &m.locals));
        ctx.declare_var("module", to_hcl_object(&self.modules, &m.modules));
        if let Some(e) = self.each.borrow().as_ref() {
            let key = e.key.value();
            match e.by_count() {
                true => ctx.declare_var("count", obj(vec![("index", &key)])),
                false => ctx.declare_var("each", obj(vec![("key", &key), ("value", &e.value)])),
            }
        }
        // Outermost first, so an inner iterator of the same name is the one declared.
        for it in self.iters.borrow().iter() {
            ctx.declare_var(it.name.as_str(), obj(vec![("key", &it.key), ("value", &it.value)]));
        }
        let mut checked = expr.clone();
        // try, can, file and templatefile are resolved first: they need their arguments
        // unevaluated, or the stack file's directory.
        let eval = |e: &Expression| {
            let mut e = e.clone();
            super::arith::rewrite(&mut e);
            hcl::Expression::from(e).evaluate(&ctx).map_err(|e| message(&e))
        };
        if let Err(msg) = funcs::rewrite_lazy(&mut checked, self.dir.as_deref(), &eval) {
            return self.err(diags, span(expr), msg);
        }
        super::arith::rewrite(&mut checked);
        let hexpr: hcl::Expression = checked.into();
        match hexpr.evaluate(&ctx) {
            Ok(v) => match from_hcl(v) {
                Ok(v) => Some(v),
                Err(msg) => self.err(diags, span(expr), msg),
            },
            Err(e) => match super::arith::located(&e) {
                Some((at, msg)) => self.err(diags, at, msg),
                // The kind alone: the expression is underlined, and its text as hcl-rs got it
                // shows the checked-arithmetic rewrite.
                None => self.err(diags, span(expr), message(&e)),
            },
        }
    }
}

/// Terraform's `path.module`. Relative paths in `file()`, `templatefile()` and `template()` are
/// relative to the calling file's directory already, so `"${path.module}/x.sh"` is `./x.sh`
/// there: the same file, and plans do not depend on where stackr runs.
const PATH_MODULE: &str = ".";

/// The `path` object expressions see.
pub(super) fn path_object() -> hcl::Value {
    hcl::Value::Object([("module".to_string(), hcl::Value::from(PATH_MODULE))].into_iter().collect())
}

/// An evaluation error's message. A function's own message already names it (`cidrsubnet:
/// …`), so hcl-rs's "error calling function `cidrsubnet`:" would say it twice.
pub(super) fn message(e: &hcl::eval::Error) -> String {
    match e.kind() {
        hcl::eval::ErrorKind::FuncCall(name, msg) if msg.starts_with(&format!("{name}:")) => msg.clone(),
        hcl::eval::ErrorKind::FuncCall(name, msg) => format!("{name}: {msg}"),
        kind => kind.to_string(),
    }
}

/// The `ROOT.NAME` names an expression uses (`local.x`, `module.web`), for ordering.
pub(super) fn names_used(expr: &Expression, root_name: &str) -> Vec<String> {
    struct Names<'r>(&'r str, Vec<String>);
    impl Visit for Names<'_> {
        fn visit_traversal(&mut self, t: &Traversal) {
            if let (Expression::Variable(root), Some(op)) = (&t.expr, t.operators.first())
                && root.as_str() == self.0
                && let TraversalOperator::GetAttr(id) = op.value()
            {
                self.1.push(id.as_str().to_string());
            }
            hcl_edit::visit::visit_traversal(self, t);
        }
    }
    let mut l = Names(root_name, vec![]);
    l.visit_expr(expr);
    l.1
}
