//! Input variables: `variable` blocks (type, default, nullable, sensitive, validation) and the
//! value each ends up with. Values come from `varinputs` (var files, `--var` flags, the
//! environment); each remembers where it came from, so a diagnostic about it points there.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use hcl_edit::structure::Block;

use super::body::{header, simple_attrs};
use super::diag::{Diagnostic, Diagnostics, SourceFile};
use super::eval::{Env, span};
use super::validation::{self, Validation};
use super::varinputs::{self, ENV_PREFIX};
use super::vartypes::{self, VarType};
use crate::model::{Address, Value};

pub(super) struct VarDef {
    pub name: String,
    pub ty: VarType,
    /// The default and the span of its expression.
    pub default: Option<(Value, Range<usize>)>,
    /// `nullable = false`: the value is never null (a null given takes the default).
    pub nullable: bool,
    pub sensitive: bool,
    pub validations: Vec<Validation>,
    pub span: Range<usize>,
}

/// Where a variable's value came from: what a diagnostic about the value points at.
#[derive(Debug, Clone)]
pub(super) enum Origin {
    /// The `default` expression in the stack file.
    Default(Range<usize>),
    /// A line of a var file: the value's expression.
    File(Arc<SourceFile>, Range<usize>),
    Flag,
    Env,
    /// A value recorded in a saved plan.
    Saved,
}

impl Origin {
    /// An error about the value of `def` from here: at the value when a file holds it, else
    /// naming the flag or environment variable that gave it. A diagnostic quotes the lines it
    /// points at, so a sensitive value's own lines are named, not pointed at.
    pub fn error(&self, stack: &Arc<SourceFile>, def: &VarDef, msg: &str) -> Diagnostic {
        let name = def.name.as_str();
        let about = Diagnostic::error(format!("variable \"{name}\": {msg}"));
        match self {
            Origin::Default(_) if def.sensitive => {
                about.at(stack, def.span.clone()).label("its default (sensitive, so not shown)")
            }
            Origin::Default(at) => about.at(stack, at.clone()),
            Origin::File(f, at) if def.sensitive => {
                let (line, col) = f.line_col(at.start);
                Diagnostic::error(format!("variable \"{name}\" (set at {}:{line}:{col}): {msg}", f.path))
            }
            Origin::File(f, at) => about.at(f, at.clone()),
            Origin::Flag => Diagnostic::error(format!("--var {name}=…: {msg}")),
            Origin::Env => Diagnostic::error(format!("{ENV_PREFIX}{name}: {msg}")),
            Origin::Saved => Diagnostic::error(format!("variable \"{name}\" (as the saved plan recorded it): {msg}")),
        }
    }
}

/// An environment with nothing to refer to but `vars`: for defaults, var files, `--var`
/// values and validation conditions, which may not use locals or resources.
pub(super) fn bare_env(file: Arc<SourceFile>, dir: Option<PathBuf>, vars: BTreeMap<String, Value>) -> Env<'static> {
    static NOTHING: LazyLock<HashMap<Address, Range<usize>>> = LazyLock::new(HashMap::new);
    let mut env = Env::new(file, dir, HashMap::new(), &NOTHING);
    env.vars = vars;
    env
}

/// Reads a `variable "NAME" { … }` block; `None` when its type cannot be read.
pub(super) fn declare(file: &Arc<SourceFile>, b: &Block, name: &str, diags: &mut Diagnostics) -> Option<VarDef> {
    let allowed = ["type", "default", "description", "sensitive", "nullable"];
    let attrs = simple_attrs(file, b, &allowed, &["validation"], diags);
    let env = bare_env(file.clone(), None, BTreeMap::new());
    let ty = match attrs.get("type").map(|a| vartypes::parse_type(&a.value, &env)) {
        None => VarType::Any,
        Some(Ok(t)) => t,
        Some(Err(d)) => {
            diags.push(*d);
            return None;
        }
    };
    let default = match attrs.get("default") {
        Some(a) => Some((env.eval(&a.value, diags)?, span(&a.value))),
        None => None,
    };
    let flag = |key: &str, unset: bool, diags: &mut Diagnostics| match attrs
        .get(key)
        .map(|a| (a, env.eval(&a.value, diags)))
    {
        None => unset,
        Some((_, Some(Value::Bool(b)))) => b,
        Some((a, _)) => {
            diags.push(Diagnostic::error(format!("{key} must be true or false")).at(file, span(&a.value)));
            unset
        }
    };
    let sensitive = flag("sensitive", false, diags);
    let nullable = flag("nullable", true, diags);
    let validations = b
        .body
        .blocks()
        .filter(|v| v.ident.as_str() == "validation")
        .filter_map(|v| validation::parse(file, v, name, diags));
    let validations = validations.collect();
    Some(VarDef { name: name.to_string(), ty, default, nullable, sensitive, validations, span: header(b) })
}

/// Computes every variable's value, reporting missing, ill-typed and invalid ones. A variable
/// without a valid value is `Value::Unknown`, so the expressions using it do not report it again.
pub(super) fn resolve(
    defs: &[VarDef],
    inputs: &varinputs::VarInputs,
    file: &Arc<SourceFile>,
    dir: Option<PathBuf>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Value> {
    let mut given = varinputs::gather(defs, inputs, file, diags);
    let mut out = BTreeMap::new();
    for def in defs {
        let value = value_of(def, given.remove(&def.name), file, diags)
            .filter(|(v, origin)| validation::check(def, v, origin, file, dir.clone(), diags));
        out.insert(def.name.clone(), value.map_or(Value::Unknown, |(v, _)| v));
    }
    out
}

/// A variable's value converted to its type, with where it came from.
pub(super) fn value_of(
    def: &VarDef,
    given: Option<(Value, Origin)>,
    file: &Arc<SourceFile>,
    diags: &mut Diagnostics,
) -> Option<(Value, Origin)> {
    let name = def.name.as_str();
    // The default is checked even when a value is given, as Terraform checks it.
    let default = def.default.as_ref().map(|(v, at)| {
        let origin = Origin::Default(at.clone());
        let converted = match v {
            Value::Null if !def.nullable => Err("a null default is not valid when nullable = false".to_string()),
            v => vartypes::convert(&def.ty, v.clone(), def.sensitive),
        };
        converted.map(|v| (v, origin.clone())).map_err(|why| diags.push(origin.error(file, def, &why))).ok()
    });
    match given {
        // Terraform's nullable = false: a null given takes the default.
        Some((Value::Null, _)) if !def.nullable && default.is_some() => default.flatten(),
        Some((Value::Null, origin)) if !def.nullable => {
            diags.push(origin.error(
                file,
                def,
                "the value may not be null (the variable is declared nullable = false)",
            ));
            None
        }
        Some((v, origin)) => match vartypes::convert(&def.ty, v, def.sensitive) {
            Ok(v) => Some((v, origin)),
            Err(why) => {
                diags.push(origin.error(file, def, &why));
                None
            }
        },
        None => match default {
            Some(d) => d,
            None => {
                diags.push(
                    Diagnostic::error(format!("variable \"{name}\" has no value"))
                        .at(file, def.span.clone())
                        .hint(format!("give it a default, or set it with --var {name}=VALUE or in a --var-file")),
                );
                None
            }
        },
    }
}
