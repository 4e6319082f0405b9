//! Values between stackr's model and hcl-rs's evaluator: stack-file values that contain
//! references or deferred expressions have no hcl-rs form (they are left out, and an
//! expression using them is deferred instead). Numbers cross as they are: whole ones as
//! `Value::Int`, fractions as `Value::Num`.

use std::collections::BTreeMap;

use crate::model::Value;

/// The named entries of a table as an hcl-rs object. Values that contain references cannot
/// enter hcl-rs; they are left out, so using them inside an expression reports an unknown key.
pub(super) fn to_hcl_object(m: &BTreeMap<String, Value>, names: &[String]) -> hcl::Value {
    hcl::Value::Object(names.iter().filter_map(|k| Some((k.clone(), to_hcl(m.get(k)?)?))).collect())
}

pub(super) fn to_hcl(v: &Value) -> Option<hcl::Value> {
    Some(match v {
        Value::Null => hcl::Value::Null,
        Value::Bool(b) => hcl::Value::Bool(*b),
        Value::Int(i) => hcl::Value::from(*i),
        Value::Num(n) => hcl::Value::Number(hcl::Number::from_f64(n.get())?),
        Value::Str(s) => hcl::Value::String(s.clone()),
        Value::List(l) => hcl::Value::Array(l.iter().map(to_hcl).collect::<Option<_>>()?),
        Value::Map(m) => {
            hcl::Value::Object(m.iter().map(|(k, v)| Some((k.clone(), to_hcl(v)?))).collect::<Option<_>>()?)
        }
        Value::Ref(_) | Value::Expr(_) | Value::Unknown => return None,
    })
}

pub(super) fn from_hcl(v: hcl::Value) -> Result<Value, String> {
    Ok(match v {
        hcl::Value::Null => Value::Null,
        hcl::Value::Bool(b) => Value::Bool(b),
        hcl::Value::Number(n) => from_number(&n)?,
        hcl::Value::String(s) => Value::Str(s),
        hcl::Value::Array(a) => Value::List(a.into_iter().map(from_hcl).collect::<Result<_, _>>()?),
        hcl::Value::Object(o) => {
            Value::Map(o.into_iter().map(|(k, v)| Ok((k, from_hcl(v)?))).collect::<Result<_, String>>()?)
        }
    })
}

/// An HCL number as a value. hcl-rs holds a whole float as an integer already; what is left is
/// a fraction, or a whole number past 64 bits, kept as a float as Terraform would keep it.
pub(super) fn from_number(n: &hcl::Number) -> Result<Value, String> {
    match n.as_i64() {
        Some(i) => Ok(Value::Int(i)),
        None => n.as_f64().and_then(Value::number).ok_or_else(|| format!("{n} is not a finite number")),
    }
}
