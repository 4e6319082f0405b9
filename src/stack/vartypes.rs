//! Type constraints of variables: reading `type = …` (string, number, bool, any, list, set,
//! map, `object({…})` with `optional(T, DEFAULT)` attributes, `tuple([…])`) and converting a
//! value to a type as Terraform does. A conversion error says where in the value it is
//! (`element 0: attribute "port" is required`), as Terraform's do.

use std::collections::BTreeMap;

use hcl_edit::expr::{Expression, FuncCall, Object, ObjectKey};

use super::diag::{Diagnostic, Diagnostics};
use super::eval::{Env, span};
use crate::model::Value;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum VarType {
    Any,
    String,
    Number,
    Bool,
    /// `list(T)` and `set(T)`: stackr keeps a set's order, as its values are written.
    List(Box<VarType>),
    Map(Box<VarType>),
    Object(BTreeMap<String, ObjAttr>),
    Tuple(Vec<VarType>),
}

/// One attribute of an object type.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ObjAttr {
    pub ty: VarType,
    /// Declared `optional(…)`: it may be left out.
    pub optional: bool,
    /// What a left-out optional attribute becomes, already converted to `ty`; null without one.
    pub default: Option<Value>,
}

const KNOWN: &str =
    "expected string, number, bool, any, list(T), set(T), map(T), object({ NAME = T, … }) or tuple([T, …])";

/// Reads a `type = …` constraint. `env` evaluates the defaults of optional attributes.
pub(super) fn parse_type(expr: &Expression, env: &Env) -> Result<VarType, Box<Diagnostic>> {
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "string" => Ok(VarType::String),
            "number" => Ok(VarType::Number),
            "bool" => Ok(VarType::Bool),
            "any" => Ok(VarType::Any),
            _ => Err(unsupported(env, expr, KNOWN)),
        },
        Expression::Parenthesis(p) => parse_type(p.inner(), env),
        Expression::FuncCall(f) if !f.name.is_namespaced() => parse_call(f, expr, env),
        _ => Err(unsupported(env, expr, KNOWN)),
    }
}

fn unsupported(env: &Env, at: &Expression, label: &str) -> Box<Diagnostic> {
    Box::new(Diagnostic::error("unsupported variable type").at(&env.file, span(at)).label(label))
}

fn parse_call(f: &FuncCall, whole: &Expression, env: &Env) -> Result<VarType, Box<Diagnostic>> {
    let args: Vec<&Expression> = f.args.iter().collect();
    let name = f.name.name.as_str();
    match (name, args.as_slice()) {
        ("list" | "set", [t]) => Ok(VarType::List(Box::new(parse_type(t, env)?))),
        ("map", [t]) => Ok(VarType::Map(Box::new(parse_type(t, env)?))),
        ("tuple", [Expression::Array(a)]) => {
            a.iter().map(|t| parse_type(t, env)).collect::<Result<_, _>>().map(VarType::Tuple)
        }
        ("object", [Expression::Object(o)]) => parse_object(o, env),
        ("list" | "set" | "map", _) => Err(unsupported(env, whole, &format!("{name}(T) takes one element type"))),
        ("tuple", _) => Err(unsupported(env, whole, "a tuple type lists its element types: tuple([string, number])")),
        ("object", _) => Err(unsupported(env, whole, "an object type lists its attributes: object({ name = string })")),
        ("optional", _) => Err(unsupported(env, whole, "optional(…) marks an attribute of an object type")),
        _ => Err(unsupported(env, whole, KNOWN)),
    }
}

fn parse_object(o: &Object, env: &Env) -> Result<VarType, Box<Diagnostic>> {
    let mut attrs = BTreeMap::new();
    for (k, v) in o.iter() {
        let name = match k {
            ObjectKey::Ident(id) => id.as_str().to_string(),
            ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
            ObjectKey::Expression(e) => return Err(unsupported(env, e, "an attribute name is a name or a string")),
        };
        attrs.insert(name, parse_attr(v.expr(), env)?);
    }
    Ok(VarType::Object(attrs))
}

/// An attribute's type: `T`, `optional(T)` or `optional(T, DEFAULT)`.
fn parse_attr(expr: &Expression, env: &Env) -> Result<ObjAttr, Box<Diagnostic>> {
    let f = match expr {
        Expression::FuncCall(f) if f.name.name.as_str() == "optional" && !f.name.is_namespaced() => f,
        _ => return Ok(ObjAttr { ty: parse_type(expr, env)?, optional: false, default: None }),
    };
    let args: Vec<&Expression> = f.args.iter().collect();
    let (ty, default) = match args.as_slice() {
        [t] => (parse_type(t, env)?, None),
        [t, d] => (parse_type(t, env)?, Some(*d)),
        _ => return Err(unsupported(env, expr, "optional takes a type and a default: optional(number, 80)")),
    };
    let Some(d) = default else { return Ok(ObjAttr { ty, optional: true, default: None }) };
    let mut diags = Diagnostics::default();
    let Some(v) = env.eval(d, &mut diags) else {
        return Err(diags
            .0
            .into_iter()
            .next()
            .map(Box::new)
            .unwrap_or_else(|| unsupported(env, d, "cannot be computed")));
    };
    match convert(&ty, v, false) {
        Ok(v) => Ok(ObjAttr { ty, optional: true, default: Some(v) }),
        Err(why) => Err(Box::new(
            Diagnostic::error(format!("invalid default for an optional attribute: {why}")).at(&env.file, span(d)),
        )),
    }
}

/// Converts a value to a type the way Terraform does (numbers and bools from their string
/// forms and back; objects keep the attributes their type names, and optional ones left out
/// take their defaults), or says why it cannot. `secret` keeps the value out of the message.
pub(super) fn convert(ty: &VarType, v: Value, secret: bool) -> Result<Value, String> {
    match (ty, v) {
        (VarType::Any, v) | (_, v @ Value::Null) => Ok(v),
        // A module argument known only after apply: converted where it is used.
        (_, v @ (Value::Ref(_) | Value::Expr(_) | Value::Unknown)) => Ok(v),
        (VarType::String, Value::Str(s)) => Ok(Value::Str(s)),
        (VarType::String, Value::Int(i)) => Ok(Value::Str(i.to_string())),
        (VarType::String, Value::Num(n)) => Ok(Value::Str(n.to_string())),
        (VarType::String, Value::Bool(b)) => Ok(Value::Str(b.to_string())),
        (VarType::Number, v @ (Value::Int(_) | Value::Num(_))) => Ok(v),
        (VarType::Number, Value::Str(s)) => Value::parse_number(&s).ok_or_else(|| match secret {
            true => mismatch(ty, &Value::Str(s), true),
            false => format!("\"{s}\" is not a number"),
        }),
        (VarType::Bool, Value::Bool(b)) => Ok(Value::Bool(b)),
        (VarType::Bool, Value::Str(s)) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
        (VarType::List(t), Value::List(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, x)| convert(t, x, secret).map_err(|e| format!("element {i}: {e}")))
            .collect::<Result<_, _>>()
            .map(Value::List),
        (VarType::Map(t), Value::Map(m)) => m
            .into_iter()
            .map(|(k, x)| match convert(t, x, secret) {
                Ok(x) => Ok((k, x)),
                Err(e) if secret => Err(format!("an element: {e}")),
                Err(e) => Err(format!("element \"{k}\": {e}")),
            })
            .collect::<Result<_, _>>()
            .map(Value::Map),
        (VarType::Object(attrs), Value::Map(m)) => convert_object(attrs, m, secret),
        (VarType::Tuple(ts), Value::List(items)) if ts.len() == items.len() => ts
            .iter()
            .zip(items)
            .enumerate()
            .map(|(i, (t, x))| convert(t, x, secret).map_err(|e| format!("element {i}: {e}")))
            .collect::<Result<_, _>>()
            .map(Value::List),
        (VarType::Tuple(_), Value::List(items)) => {
            let n = items.len();
            Err(format!("expected {}, found a list of {n} element{}", type_name(ty), if n == 1 { "" } else { "s" }))
        }
        (ty, v) => Err(mismatch(ty, &v, secret)),
    }
}

fn convert_object(
    attrs: &BTreeMap<String, ObjAttr>,
    mut m: BTreeMap<String, Value>,
    secret: bool,
) -> Result<Value, String> {
    let mut out = BTreeMap::new();
    for (name, a) in attrs {
        let v = match m.remove(name) {
            // Terraform gives an optional attribute set to null its default too.
            None | Some(Value::Null) if a.optional => a.default.clone().unwrap_or(Value::Null),
            None => return Err(format!("attribute \"{name}\" is required")),
            Some(v) => convert(&a.ty, v, secret).map_err(|e| format!("attribute \"{name}\": {e}"))?,
        };
        out.insert(name.clone(), v);
    }
    // What is left in `m` is dropped: Terraform's conversion to an object type drops the
    // attributes the type does not name.
    Ok(Value::Map(out))
}

fn mismatch(ty: &VarType, v: &Value, secret: bool) -> String {
    match secret {
        true => format!("the (sensitive value) given is not {}", type_name(ty)),
        false => format!("expected {}, found {}", type_name(ty), super::typecheck::describe_value(v)),
    }
}

pub(super) fn type_name(ty: &VarType) -> String {
    match ty {
        VarType::Any => "any value".into(),
        VarType::String => "a string".into(),
        VarType::Number => "a number".into(),
        VarType::Bool => "a bool".into(),
        VarType::List(t) => format!("a list of {}", plural(t)),
        VarType::Map(t) => format!("a map of {}", plural(t)),
        VarType::Object(attrs) => {
            format!("an object with attributes {}", attrs.keys().cloned().collect::<Vec<_>>().join(", "))
        }
        VarType::Tuple(ts) => format!("a tuple of {} element{}", ts.len(), if ts.len() == 1 { "" } else { "s" }),
    }
}

/// "strings", "lists of numbers": an element type in a collection type's name.
fn plural(ty: &VarType) -> String {
    match ty {
        VarType::Any => "any values".into(),
        VarType::String => "strings".into(),
        VarType::Number => "numbers".into(),
        VarType::Bool => "bools".into(),
        VarType::Object(_) => "objects".into(),
        VarType::Tuple(_) => "tuples".into(),
        VarType::List(t) => format!("lists of {}", plural(t)),
        VarType::Map(t) => format!("maps of {}", plural(t)),
    }
}
