//! Input variables: `variable` blocks with optional type and default, values from
//! `--var-file` files and `--var NAME=VALUE` flags. Precedence is Terraform's: default, then
//! var files in order, then `--var` flags in order; the last one wins.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::Structure;

use super::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use super::eval::{Env, span};
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

#[derive(Debug, Clone, PartialEq)]
pub(super) enum VarType {
    Any,
    String,
    Number,
    Bool,
    List(Box<VarType>),
    Map(Box<VarType>),
}

pub(super) struct VarDef {
    pub name: String,
    pub ty: VarType,
    pub default: Option<Value>,
    pub sensitive: bool,
    pub span: Range<usize>,
}

/// The environment variable that sets variable NAME, as TF_VAR_NAME does for Terraform: the
/// way to pass secrets in CI without putting them on a command line.
pub const ENV_PREFIX: &str = "STACKR_VAR_";

/// Reads a `type = …` constraint: string, number, bool, any, list(T), set(T), map(T).
pub(super) fn parse_type(expr: &Expression) -> Option<VarType> {
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "string" => Some(VarType::String),
            "number" => Some(VarType::Number),
            "bool" => Some(VarType::Bool),
            "any" => Some(VarType::Any),
            _ => None,
        },
        Expression::FuncCall(f) if f.args.len() == 1 => {
            let inner = Box::new(parse_type(f.args.iter().next()?)?);
            match f.name.name.as_str() {
                "list" | "set" => Some(VarType::List(inner)),
                "map" => Some(VarType::Map(inner)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Converts a value to a variable's type the way Terraform does (numbers and bools from their
/// string forms and back), or says why it cannot.
pub(super) fn convert(ty: &VarType, v: Value) -> Result<Value, String> {
    match (ty, v) {
        (VarType::Any, v) | (_, v @ Value::Null) => Ok(v),
        (VarType::String, Value::Str(s)) => Ok(Value::Str(s)),
        (VarType::String, Value::Int(i)) => Ok(Value::Str(i.to_string())),
        (VarType::String, Value::Bool(b)) => Ok(Value::Str(b.to_string())),
        (VarType::Number, Value::Int(i)) => Ok(Value::Int(i)),
        (VarType::Number, Value::Str(s)) => {
            s.trim().parse().map(Value::Int).map_err(|_| format!("\"{s}\" is not a number"))
        }
        (VarType::Bool, Value::Bool(b)) => Ok(Value::Bool(b)),
        (VarType::Bool, Value::Str(s)) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
        (VarType::List(t), Value::List(items)) => {
            items.into_iter().map(|i| convert(t, i)).collect::<Result<_, _>>().map(Value::List)
        }
        (VarType::Map(t), Value::Map(m)) => {
            m.into_iter().map(|(k, i)| Ok((k, convert(t, i)?))).collect::<Result<_, String>>().map(Value::Map)
        }
        (ty, v) => Err(format!("expected {}, found {}", type_name(ty), super::typecheck::describe_value(&v))),
    }
}

fn type_name(ty: &VarType) -> String {
    match ty {
        VarType::Any => "any value".into(),
        VarType::String => "a string".into(),
        VarType::Number => "a number".into(),
        VarType::Bool => "a bool".into(),
        VarType::List(t) => format!("a list of {}", type_name(t)),
        VarType::Map(t) => format!("a map of {}", type_name(t)),
    }
}

/// Computes every variable's value, reporting missing and ill-typed ones.
pub(super) fn resolve(
    defs: &[VarDef],
    inputs: &VarInputs,
    file: &Arc<SourceFile>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Value> {
    let by_name: HashMap<&str, &VarDef> = defs.iter().map(|d| (d.name.as_str(), d)).collect();
    let mut given: BTreeMap<String, Value> = BTreeMap::new();
    for def in defs {
        if let Ok(raw) = std::env::var(format!("{ENV_PREFIX}{}", def.name)) {
            match flag_value(&def.ty, &raw) {
                Ok(v) => {
                    given.insert(def.name.clone(), v);
                }
                Err(e) => diags.push(Diagnostic::error(format!("{ENV_PREFIX}{}: {}", def.name, masked(def, e)))),
            }
        }
    }
    for (name, v) in &inputs.values {
        if by_name.contains_key(name.as_str()) {
            given.insert(name.clone(), v.clone());
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
                given.insert(name.clone(), v);
            }
            Err(e) => diags.push(Diagnostic::error(format!("--var {name}: {}", masked(def, e)))),
        }
    }
    let mut out = BTreeMap::new();
    for def in defs {
        let Some(v) = given.remove(&def.name).or_else(|| def.default.clone()) else {
            diags.push(
                Diagnostic::error(format!("variable \"{}\" has no value", def.name))
                    .at(file, def.span.clone())
                    .hint(format!("give it a default, or set it with --var {}=VALUE or in a --var-file", def.name)),
            );
            // Marks it failed, so expressions using it do not each report it again.
            out.insert(def.name.clone(), Value::Unknown);
            continue;
        };
        match convert(&def.ty, v) {
            Ok(v) => {
                out.insert(def.name.clone(), v);
            }
            Err(e) => {
                let e = masked(def, e);
                diags.push(Diagnostic::error(format!("variable \"{}\": {e}", def.name)).at(file, def.span.clone()));
                out.insert(def.name.clone(), Value::Unknown);
            }
        }
    }
    out
}

/// Why a value does not fit its variable, without the value when the variable is sensitive.
fn masked(def: &VarDef, why: String) -> String {
    if def.sensitive { format!("the (sensitive value) given is not {}", type_name(&def.ty)) } else { why }
}

/// A `--var` value: strings stay as typed; lists and maps are HCL expressions.
fn flag_value(ty: &VarType, raw: &str) -> Result<Value, String> {
    match ty {
        VarType::List(_) | VarType::Map(_) => {
            let expr =
                hcl_edit::parser::parse_expr(raw).map_err(|e| format!("not a valid HCL value: {}", e.message()))?;
            let file = SourceFile::new("--var", raw);
            let declared = HashMap::new();
            let env = Env {
                dir: None,
                file,
                vars: BTreeMap::new(),
                locals: BTreeMap::new(),
                kinds: HashMap::new(),
                declared: &declared,
                repeats: Default::default(),
                each: Default::default(),
                iters: Default::default(),
            };
            let mut d = Diagnostics::default();
            env.eval(&expr, &mut d).ok_or_else(|| d.0.first().map(|d| d.message.clone()).unwrap_or_default())
        }
        _ => Ok(Value::Str(raw.to_string())),
    }
}

fn read_var_file(
    path: &PathBuf,
    defs: &HashMap<&str, &VarDef>,
    given: &mut BTreeMap<String, Value>,
    diags: &mut Diagnostics,
) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error(format!("cannot read var file {}: {e}", path.display())));
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
    let declared = HashMap::new();
    let env = Env {
        file: file.clone(),
        dir: None,
        vars: BTreeMap::new(),
        locals: BTreeMap::new(),
        kinds: HashMap::new(),
        declared: &declared,
        repeats: Default::default(),
        each: Default::default(),
        iters: Default::default(),
    };
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
                    given.insert(name.to_string(), v);
                }
            }
            Structure::Block(b) => {
                diags.push(Diagnostic::error("var files hold only NAME = VALUE lines").at(&file, span(&b.ident)));
            }
        }
    }
}
