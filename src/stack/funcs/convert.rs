//! Type conversion functions: tostring, tonumber, tobool, tolist, toset, tomap; and the
//! unification of mixed element types that Terraform applies to lists, sets and maps.

use std::cmp::Ordering;

use hcl::Value;
use hcl::eval::{Context, FuncArgs};

use super::{Ret, as_text, fixed, parse_number, type_name};

pub(super) fn declare(ctx: &mut Context) {
    fixed(ctx, "tostring", 1, tostring);
    fixed(ctx, "tonumber", 1, tonumber);
    fixed(ctx, "tobool", 1, tobool);
    fixed(ctx, "tolist", 1, tolist);
    fixed(ctx, "toset", 1, toset);
    fixed(ctx, "tomap", 1, tomap);
}

/// Elements of one type, as Terraform makes a list or map of mixed elements: primitives
/// (strings, numbers, bools) of different types all become strings; nulls stay; collections
/// must all be of one kind.
pub(super) fn unify(vals: &[Value]) -> Result<Vec<Value>, String> {
    let mut kinds: Vec<&str> = vals.iter().filter(|v| !v.is_null()).map(type_name).collect();
    kinds.dedup();
    kinds.sort();
    kinds.dedup();
    if kinds.len() <= 1 {
        return Ok(vals.to_vec());
    }
    if kinds.iter().any(|k| *k == "tuple" || *k == "object") {
        return Err("all arguments must have the same type".into());
    }
    Ok(vals.iter().map(|v| as_text(v).map(Value::String).unwrap_or(Value::Null)).collect())
}

fn tostring(a: FuncArgs) -> Ret {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        v => {
            as_text(v).map(Value::String).ok_or_else(|| format!("tostring: cannot convert {} to string", type_name(v)))
        }
    }
}

fn tonumber(a: FuncArgs) -> Ret {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::String(s) => parse_number(s).map(Value::Number).ok_or_else(|| {
            format!(
                "tonumber: cannot convert {s:?} to number; given string must be a decimal representation of a number"
            )
        }),
        v => Err(format!("tonumber: cannot convert {} to number", type_name(v))),
    }
}

fn tobool(a: FuncArgs) -> Ret {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        Value::String(s) => {
            Err(format!(r#"tobool: cannot convert {s:?} to bool; only the strings "true" or "false" are allowed"#))
        }
        v => Err(format!("tobool: cannot convert {} to bool", type_name(v))),
    }
}

fn tolist(a: FuncArgs) -> Ret {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        Value::Array(l) => unify(l)
            .map(Value::Array)
            .map_err(|_| "tolist: cannot convert tuple to list of any single type".to_string()),
        v => Err(format!("tolist: cannot convert {} to list of any single type", type_name(v))),
    }
}

/// A set: distinct elements, strings in lexical order, numbers in numeric order, `false`
/// before `true`, as Terraform orders a set; other elements keep their first position.
fn toset(a: FuncArgs) -> Ret {
    let l = match &a[0] {
        Value::Null => return Ok(Value::Null),
        Value::Array(l) => unify(l).map_err(|_| "toset: cannot convert tuple to set of any single type".to_string())?,
        v => return Err(format!("toset: cannot convert {} to set of any single type", type_name(v))),
    };
    let mut out: Vec<Value> = Vec::with_capacity(l.len());
    for e in l {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out.sort_by(|x, y| match (x, y) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    });
    Ok(Value::Array(out))
}

fn tomap(a: FuncArgs) -> Ret {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        Value::Object(o) => {
            let vals: Vec<Value> = o.values().cloned().collect();
            let vals =
                unify(&vals).map_err(|_| "tomap: cannot convert object to map of any single type".to_string())?;
            Ok(super::sorted(o.keys().cloned().zip(vals).collect()))
        }
        v => Err(format!("tomap: cannot convert {} to map of any single type", type_name(v))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test::{eval, fails, v};

    #[test]
    fn tostring_tonumber_tobool_match_terraform_docs() {
        assert_eq!(eval(r#"tostring("hello")"#), Ok(v(r#""hello""#)));
        assert_eq!(eval("tostring(1)"), Ok(v(r#""1""#)));
        assert_eq!(eval("tostring(1.5)"), Ok(v(r#""1.5""#)));
        assert_eq!(eval("tostring(true)"), Ok(v(r#""true""#)));
        assert_eq!(eval("tostring(null)"), Ok(v("null")));
        fails("tostring([])", "tostring: cannot convert tuple to string");
        assert_eq!(eval("tonumber(1)"), Ok(v("1")));
        assert_eq!(eval(r#"tonumber("1")"#), Ok(v("1")));
        assert_eq!(eval(r#"tonumber("-2.5")"#), Ok(v("-2.5")));
        assert_eq!(eval("tonumber(null)"), Ok(v("null")));
        fails(
            r#"tonumber("no")"#,
            r#"tonumber: cannot convert "no" to number; given string must be a decimal representation of a number"#,
        );
        fails(r#"tonumber("inf")"#, "given string must be a decimal representation");
        fails("tonumber(true)", "tonumber: cannot convert bool to number");
        assert_eq!(eval("tobool(true)"), Ok(v("true")));
        assert_eq!(eval(r#"tobool("true")"#), Ok(v("true")));
        assert_eq!(eval("tobool(null)"), Ok(v("null")));
        fails(
            r#"tobool("no")"#,
            r#"tobool: cannot convert "no" to bool; only the strings "true" or "false" are allowed"#,
        );
        fails("tobool(1)", "tobool: cannot convert number to bool");
    }

    #[test]
    fn tolist_toset_tomap_match_terraform_docs() {
        assert_eq!(eval(r#"tolist(["a", "b", "c"])"#), Ok(v(r#"["a", "b", "c"]"#)));
        assert_eq!(eval(r#"tolist(["a", "b", 3])"#), Ok(v(r#"["a", "b", "3"]"#)));
        fails(r#"tolist(["a", ["b"]])"#, "tolist: cannot convert tuple to list of any single type");
        fails(r#"tolist("a")"#, "tolist: cannot convert string to list of any single type");
        assert_eq!(eval(r#"toset(["a", "b", "c"])"#), Ok(v(r#"["a", "b", "c"]"#)));
        assert_eq!(eval(r#"toset(["a", "b", 3])"#), Ok(v(r#"["3", "a", "b"]"#)));
        assert_eq!(eval(r#"toset(["c", "b", "b"])"#), Ok(v(r#"["b", "c"]"#)));
        assert_eq!(eval("toset([10, 2, 2.5, 2])"), Ok(v("[2, 2.5, 10]")));
        fails("toset({})", "toset: cannot convert object to set of any single type");
        assert_eq!(eval(r#"tomap({"a" = 1, "b" = 2})"#), Ok(v("{a = 1, b = 2}")));
        assert_eq!(eval(r#"tomap({"a" = "foo", "b" = true})"#), Ok(v(r#"{a = "foo", b = "true"}"#)));
        fails(r#"tomap({"a" = [1], "b" = 2})"#, "tomap: cannot convert object to map of any single type");
        fails("tomap([1])", "tomap: cannot convert tuple to map of any single type");
    }
}
