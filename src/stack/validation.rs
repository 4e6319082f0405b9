//! `validation { condition = …  error_message = "…" }` blocks of a variable. A condition may
//! refer only to the variable itself (and call functions), as before Terraform 1.9; it is
//! checked on the final value, after conversion and defaults. A failed check is reported at
//! the value (the var file's line, the default, or the `--var` flag): that is what to fix.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;

use super::body::{header, simple_attrs};
use super::diag::{Diagnostic, Diagnostics, SourceFile};
use super::eval::{Env, span};
use super::sensitive::Mentions;
use super::vars::{Origin, VarDef, bare_env};
use crate::model::Value;

pub(super) struct Validation {
    condition: Expression,
    message: Expression,
    /// The block's header, which a failure's hint points to.
    at: Range<usize>,
}

/// Reads a `validation` block of variable `name`.
pub(super) fn parse(file: &Arc<SourceFile>, b: &Block, name: &str, diags: &mut Diagnostics) -> Option<Validation> {
    if !b.labels.is_empty() {
        diags.push(Diagnostic::error("a validation block takes no labels").at(file, header(b)));
        return None;
    }
    let attrs = simple_attrs(file, b, &["condition", "error_message"], &[], diags);
    let (Some(cond), Some(msg)) = (attrs.get("condition"), attrs.get("error_message")) else {
        let missing = if attrs.contains_key("condition") { "error_message" } else { "condition" };
        diags.push(
            Diagnostic::error(format!("missing required attribute `{missing}` in this validation block"))
                .at(file, header(b)),
        );
        return None;
    };
    let cond_ok = only_itself(file, &cond.value, name, true, diags);
    let msg_ok = only_itself(file, &msg.value, name, false, diags);
    (cond_ok && msg_ok).then(|| Validation { condition: cond.value.clone(), message: msg.value.clone(), at: header(b) })
}

/// Whether `expr` refers to no variable but `name` and no local (and, for a condition, does
/// refer to `name`: a condition that does not look at the value checks nothing).
fn only_itself(file: &Arc<SourceFile>, expr: &Expression, name: &str, must: bool, diags: &mut Diagnostics) -> bool {
    let m = Mentions::of(expr);
    let other = m.vars.iter().find(|v| *v != name).map(|v| format!("var.{v}"));
    if let Some(other) = other.or_else(|| m.locals.first().map(|l| format!("local.{l}"))) {
        diags.push(
            Diagnostic::error(format!(
                "the validation of variable \"{name}\" may refer only to var.{name}, not {other}"
            ))
            .at(file, span(expr)),
        );
        return false;
    }
    if must && !m.vars.iter().any(|v| v == name) {
        diags.push(
            Diagnostic::error(format!("the condition must refer to var.{name}, the value it checks"))
                .at(file, span(expr)),
        );
        return false;
    }
    true
}

/// Runs every validation of `def` on its value; false when one failed (each is reported).
pub(super) fn check(
    def: &VarDef,
    value: &Value,
    origin: &Origin,
    file: &Arc<SourceFile>,
    dir: Option<PathBuf>,
    diags: &mut Diagnostics,
) -> bool {
    // A module argument known only after apply cannot be checked when planning.
    if def.validations.is_empty() || super::deferred::pending(value) {
        return true;
    }
    let env = bare_env(file.clone(), dir, BTreeMap::from([(def.name.clone(), value.clone())]));
    // Every validation runs, so one report shows every rule the value breaks.
    let failed = def.validations.iter().filter(|v| !check_one(def, v, &env, origin, diags)).count();
    failed == 0
}

fn check_one(def: &VarDef, v: &Validation, env: &Env, origin: &Origin, diags: &mut Diagnostics) -> bool {
    let mut found = Diagnostics::default();
    let held = match env.eval(&v.condition, &mut found) {
        Some(Value::Bool(b)) => b,
        // Terraform converts the result to a bool, so the strings "true" and "false" count.
        Some(Value::Str(s)) if s == "true" || s == "false" => s == "true",
        Some(other) => {
            let what = if def.sensitive { "another value".into() } else { super::typecheck::describe_value(&other) };
            diags.push(
                Diagnostic::error(format!("a validation condition must be true or false, not {what}"))
                    .at(&env.file, span(&v.condition)),
            );
            return false;
        }
        None => {
            diags.0.extend(hidden(def, found));
            return false;
        }
    };
    if !held {
        let message = error_message(def, v, env, diags);
        let (line, col) = env.file.line_col(v.at.start);
        diags.push(
            origin
                .error(&env.file, def, &message)
                .hint(format!("required by the validation at {}:{line}:{col}", env.file.path)),
        );
    }
    held
}

/// The failed validation's message, unless it would show a sensitive value.
fn error_message(def: &VarDef, v: &Validation, env: &Env, diags: &mut Diagnostics) -> String {
    const FALLBACK: &str = "the value does not pass the validation";
    let mut found = Diagnostics::default();
    match env.eval(&v.message, &mut found) {
        Some(Value::Str(_)) if def.sensitive && !Mentions::of(&v.message).vars.is_empty() => {
            "the error message includes the sensitive value, so it is not shown".into()
        }
        Some(Value::Str(s)) => s,
        Some(_) => {
            diags.push(Diagnostic::error("error_message must be a string").at(&env.file, span(&v.message)));
            FALLBACK.into()
        }
        None => {
            diags.0.extend(hidden(def, found));
            FALLBACK.into()
        }
    }
}

/// Evaluation errors, reworded when the variable is sensitive: a function's error may quote
/// its argument.
fn hidden(def: &VarDef, found: Diagnostics) -> Vec<Diagnostic> {
    if !def.sensitive {
        return found.0;
    }
    let reword = |d: Diagnostic| Diagnostic {
        message: format!(
            "this cannot be computed for the value of variable \"{}\" (sensitive, so not shown)",
            def.name
        ),
        label: None,
        hints: vec![],
        ..d
    };
    found.0.into_iter().map(reword).collect()
}
