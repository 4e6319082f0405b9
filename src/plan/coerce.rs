//! The type check of a value that was an expression over resource attributes: the loader
//! could not know its type, so once evaluated it is converted to the attribute's type here,
//! as the loader converts literal values (numbers to strings where a string is wanted,
//! numeric strings to numbers, JSON documents to canonical text, CIDRs to their network).

use std::collections::BTreeMap;

use crate::model::{Ty, Value};

/// Whether a desired value holds an expression evaluated at plan or apply time.
pub fn has_expr(v: &Value) -> bool {
    match v {
        Value::Expr(_) => true,
        Value::List(l) => l.iter().any(has_expr),
        Value::Map(m) => m.values().any(has_expr),
        _ => false,
    }
}

/// `v` as a value of type `ty`, or why it is not one. Unknown parts stay unknown.
pub fn coerce(ty: &Ty, v: Value) -> Result<Value, String> {
    if v.is_null() || v.has_unknown() && !matches!(v, Value::List(_) | Value::Map(_)) {
        return Ok(v);
    }
    let wrong = |v: &Value| Err(format!("expected {}, found {}", ty.describe(), crate::stack::describe_value(v)));
    Ok(match (ty, v) {
        (Ty::Str | Ty::Ref(_), Value::Str(s)) => Value::Str(s),
        (Ty::Str | Ty::Ref(_), Value::Int(i)) => Value::Str(i.to_string()),
        (Ty::Str | Ty::Ref(_), Value::Num(n)) => Value::Str(n.to_string()),
        (Ty::Str | Ty::Ref(_), Value::Bool(b)) => Value::Str(b.to_string()),
        (Ty::Int | Ty::Port | Ty::Number, v @ (Value::Int(_) | Value::Num(_) | Value::Str(_))) => number(ty, v)?,
        (Ty::Bool, Value::Bool(b)) => Value::Bool(b),
        (Ty::Bool, Value::Str(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
        (Ty::Cidr, Value::Str(s)) => match s.parse::<ipnet::Ipv4Net>() {
            Ok(net) => Value::Str(net.trunc().to_string()),
            Err(_) => return Err(format!("\"{s}\" is not a valid IPv4 CIDR block")),
        },
        (Ty::Enum(opts), Value::Str(s)) if opts.contains(&s.as_str()) => Value::Str(s),
        (Ty::Enum(_), Value::Str(s)) => return Err(format!("\"{s}\" is not {}", ty.describe())),
        (Ty::Json, Value::Str(s)) => match serde_json::from_str::<serde_json::Value>(&s) {
            Ok(j) => Value::Str(j.to_string()),
            Err(e) => return Err(format!("invalid JSON: {e}")),
        },
        (Ty::Json, v @ (Value::Map(_) | Value::List(_))) if !v.has_unknown() => Value::Str(v.to_json().to_string()),
        (Ty::List(inner) | Ty::Set(inner), Value::List(items)) => {
            Value::List(items.into_iter().map(|i| coerce(inner, i)).collect::<Result<_, _>>()?)
        }
        (Ty::Map(inner), Value::Map(m)) => {
            Value::Map(m.into_iter().map(|(k, i)| Ok((k, coerce(inner, i)?))).collect::<Result<_, String>>()?)
        }
        (Ty::Blocks(specs), Value::List(items)) => {
            let mut out = vec![];
            for item in items {
                let Value::Map(m) = item else { return wrong(&item) };
                let mut block = BTreeMap::new();
                for (k, x) in m {
                    let x = match specs.iter().find(|s| s.name == k) {
                        Some(spec) => coerce(&spec.ty, x)?,
                        None => x,
                    };
                    block.insert(k, x);
                }
                out.push(Value::Map(block));
            }
            Value::List(out)
        }
        (_, v) => return wrong(&v),
    })
}

/// A number from a number or a decimal string; a fraction only where the type takes one (a
/// whole value computed as a float is already an `Int`).
fn number(ty: &Ty, v: Value) -> Result<Value, String> {
    let wrong = |v: &Value| format!("expected {}, found {}", ty.describe(), crate::stack::describe_value(v));
    let n = match &v {
        Value::Str(s) => Value::parse_number(s).ok_or_else(|| wrong(&v))?,
        n => n.clone(),
    };
    match (ty, n) {
        (Ty::Number, n) => Ok(n),
        (Ty::Port, Value::Int(p)) if !(0..=65535).contains(&p) => Err(format!("port {p} is out of range (0-65535)")),
        (_, n @ Value::Int(_)) => Ok(n),
        _ => Err(wrong(&v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_as_the_loader_does() {
        assert_eq!(coerce(&Ty::Str, Value::Int(3)), Ok(Value::str("3")));
        assert_eq!(coerce(&Ty::Int, Value::str(" 42")), Ok(Value::Int(42)));
        assert_eq!(coerce(&Ty::Cidr, Value::str("10.0.1.7/24")), Ok(Value::str("10.0.1.0/24")));
        assert_eq!(coerce(&Ty::Json, Value::str("{ \"a\": 1 }")), Ok(Value::str("{\"a\":1}")));
        assert_eq!(coerce(&Ty::Port, Value::Int(70000)), Err("port 70000 is out of range (0-65535)".into()));
        assert_eq!(coerce(&Ty::Int, Value::str("x")), Err("expected a whole number, found the string \"x\"".into()));
        assert_eq!(coerce(&Ty::Str, Value::Unknown), Ok(Value::Unknown));
    }

    #[test]
    fn fractions_go_only_where_the_type_takes_them() {
        let num = |f| Value::number(f).unwrap();
        assert_eq!(coerce(&Ty::Number, num(2.5)), Ok(num(2.5)));
        assert_eq!(coerce(&Ty::Number, Value::str("0.75")), Ok(num(0.75)));
        assert_eq!(coerce(&Ty::Number, Value::Int(3)), Ok(Value::Int(3)));
        assert_eq!(coerce(&Ty::Str, num(1.5)), Ok(Value::str("1.5")));
        assert_eq!(coerce(&Ty::Int, num(1.5)), Err("expected a whole number, found the number 1.5".into()));
        assert_eq!(
            coerce(&Ty::Int, Value::str("4.5")),
            Err("expected a whole number, found the string \"4.5\"".into())
        );
        assert_eq!(coerce(&Ty::Port, num(80.5)), Err("expected a port number (0-65535), found the number 80.5".into()));
        // Terraform converts a whole number written with a fraction (or computed as one).
        assert_eq!(coerce(&Ty::Int, Value::str("4.0")), Ok(Value::Int(4)));
        assert_eq!(coerce(&Ty::Int, num(8.0 / 2.0)), Ok(Value::Int(4)));
        assert_eq!(
            coerce(&Ty::Int, num(1e20)),
            Err("expected a whole number, found the number 100000000000000000000, which does not fit in 64 bits".into())
        );
        assert_eq!(coerce(&Ty::Number, Value::str("x")), Err("expected a number, found the string \"x\"".into()));
    }
}
