//! Variable values from outside the stack file: `STACKR_VAR_NAME` environment variables, a
//! saved plan's values, `--var-file` files and `--var NAME=VALUE` flags. Precedence is
//! Terraform's: environment, then var files in order, then `--var` flags in order; the last
//! one wins (and all of them win over the default).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use hcl_edit::structure::Structure;

use super::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use super::eval::span;
use super::vars::{Origin, VarDef, bare_env};
use super::vartypes::VarType;
use crate::model::Value;

/// Variable values given on the command line.
#[derive(Debug, Default, Clone)]
pub struct VarInputs {
    /// `--var NAME=VALUE`, in order.
    pub vars: Vec<(String, String)>,
    /// `--var-file PATH`, in order.
    pub files: Vec<PathBuf>,
    /// Values recorded in a saved plan, applied before files and flags.
    pub values: Vec<(String, Value)>,
    /// What `data` blocks read: the loader asks for what is missing (`Stack::data_pending`).
    pub data: crate::data::Fetched,
}

impl VarInputs {
    /// Parses one `NAME=VALUE` flag value.
    pub fn parse_flag(s: &str) -> Result<(String, String), String> {
        match s.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
            _ => Err(format!("expected NAME=VALUE, found `{s}`")),
        }
    }
}

/// The environment variable that sets variable NAME, as TF_VAR_NAME does for Terraform: the
/// way to pass secrets in CI without putting them on a command line.
pub const ENV_PREFIX: &str = "STACKR_VAR_";

/// The values given for the declared variables, each with where it came from (not yet
/// converted to the variable's type).
pub(super) fn gather(
    defs: &[VarDef],
    inputs: &VarInputs,
    file: &Arc<SourceFile>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, (Value, Origin)> {
    let by_name: HashMap<&str, &VarDef> = defs.iter().map(|d| (d.name.as_str(), d)).collect();
    let mut given = BTreeMap::new();
    for def in defs {
        if let Ok(raw) = std::env::var(format!("{ENV_PREFIX}{}", def.name)) {
            match flag_value(&def.ty, &raw) {
                Ok(v) => {
                    given.insert(def.name.clone(), (v, Origin::Env));
                }
                Err(e) => diags.push(Origin::Env.error(file, def, &masked(def, e))),
            }
        }
    }
    for (name, v) in &inputs.values {
        if by_name.contains_key(name.as_str()) {
            given.insert(name.clone(), (v.clone(), Origin::Saved));
        }
    }
    for path in &inputs.files {
        read_var_file(path, &by_name, &mut given, diags);
    }
    for (name, raw) in &inputs.vars {
        let Some(def) = by_name.get(name.as_str()) else {
            let mut d =
                Diagnostic::error(format!("--var {name}: no variable named \"{name}\" is declared in {}", file.path));
            if let Some(s) = did_you_mean(name, by_name.keys().copied()) {
                d = d.hint(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            continue;
        };
        match flag_value(&def.ty, raw) {
            Ok(v) => {
                given.insert(name.clone(), (v, Origin::Flag));
            }
            Err(e) => diags.push(Origin::Flag.error(file, def, &masked(def, e))),
        }
    }
    given
}

/// Why a `--var` value cannot be read, without the value when the variable is sensitive.
fn masked(def: &VarDef, why: String) -> String {
    if def.sensitive { "the (sensitive value) given is not a valid HCL value".into() } else { why }
}

/// A `--var` value: strings stay as typed; collections and structures are HCL expressions.
fn flag_value(ty: &VarType, raw: &str) -> Result<Value, String> {
    match ty {
        VarType::List(_) | VarType::Map(_) | VarType::Object(_) | VarType::Tuple(_) => {
            let expr =
                hcl_edit::parser::parse_expr(raw).map_err(|e| format!("not a valid HCL value: {}", e.message()))?;
            let env = bare_env(SourceFile::new("--var", raw), None, BTreeMap::new());
            let mut d = Diagnostics::default();
            env.eval(&expr, &mut d).ok_or_else(|| d.0.first().map(|d| d.message.clone()).unwrap_or_default())
        }
        _ => Ok(Value::Str(raw.to_string())),
    }
}

fn read_var_file(
    path: &std::path::Path,
    defs: &HashMap<&str, &VarDef>,
    given: &mut BTreeMap<String, (Value, Origin)>,
    diags: &mut Diagnostics,
) {
    let text = match super::diag::read_text(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(match e {
                super::diag::Unreadable::NotUtf8(d) => *d,
                super::diag::Unreadable::Io(e) => {
                    Diagnostic::error(format!("cannot read var file {}: {e}", path.display()))
                }
            });
            return;
        }
    };
    let file = SourceFile::new(path.display().to_string(), text);
    let body = match hcl_edit::parser::parse_body(&file.text) {
        Ok(b) => b,
        Err(e) => {
            let at = e.location().offset();
            diags.push(Diagnostic::error(format!("{} is not valid HCL: {}", file.path, e.message())).at(&file, at..at));
            return;
        }
    };
    let env = bare_env(file.clone(), None, BTreeMap::new());
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.as_str();
                if !defs.contains_key(name) {
                    diags.push(
                        Diagnostic::warning(format!("{} sets \"{name}\", which is not a declared variable", file.path))
                            .at(&file, span(&a.key)),
                    );
                    continue;
                }
                if let Some(v) = env.eval(&a.value, diags) {
                    given.insert(name.to_string(), (v, Origin::File(file.clone(), span(&a.value))));
                }
            }
            Structure::Block(b) => {
                diags.push(Diagnostic::error("var files hold only NAME = VALUE lines").at(&file, span(&b.ident)));
            }
        }
    }
}
