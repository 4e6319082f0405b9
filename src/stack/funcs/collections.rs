//! Map functions, and coalesce: lookup, merge, keys, values, zipmap, coalesce.

use hcl::Value;
use hcl::eval::{Context, FuncArgs};

use super::{Ret, fixed, list, map, sorted, string, type_name, variadic};

pub(super) fn declare(ctx: &mut Context) {
    variadic(ctx, "lookup", 2, lookup);
    variadic(ctx, "merge", 0, merge);
    fixed(ctx, "keys", 1, keys);
    fixed(ctx, "values", 1, values);
    fixed(ctx, "zipmap", 2, zipmap);
    variadic(ctx, "coalesce", 0, coalesce);
}

/// `lookup(map, key, default)`: the element for key, or default; without a default a missing
/// key is an error.
fn lookup(a: FuncArgs) -> Ret {
    if a.len() > 3 {
        return Err(format!("lookup: lookup() takes two or three arguments, got {}", a.len()));
    }
    let m = a[0].as_object().ok_or("lookup: lookup() requires a map as the first argument")?;
    let key = string("lookup", "key", &a[1])?;
    match (m.get(&key), a.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!("lookup: lookup failed to find key {key:?}")),
    }
}

/// Later maps' keys override earlier ones'; null arguments are skipped.
fn merge(a: FuncArgs) -> Ret {
    let mut out = hcl::Map::new();
    for v in a.iter() {
        match v {
            Value::Object(o) => out.extend(o.iter().map(|(k, v)| (k.clone(), v.clone()))),
            Value::Null => {}
            v => return Err(format!("merge: arguments must be maps or objects, got {:?}", type_name(v))),
        }
    }
    Ok(sorted(out))
}

/// The keys of a map, in lexical order.
fn keys(a: FuncArgs) -> Ret {
    let m = map("keys", "inputMap", &a[0])?;
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    Ok(Value::Array(keys.into_iter().map(|k| Value::String(k.clone())).collect()))
}

/// The values of a map, in the lexical order of their keys.
fn values(a: FuncArgs) -> Ret {
    let m = a[0].as_object().ok_or("values: values() requires a map as the first argument")?;
    let Value::Object(m) = sorted(m.clone()) else { unreachable!("sorted gives an object") };
    Ok(Value::Array(m.into_values().collect()))
}

/// `zipmap(keyslist, valueslist)`: a map of each key to the value at the same position.
fn zipmap(a: FuncArgs) -> Ret {
    let ks = list("zipmap", "keys", &a[0])?;
    let vs = a[1].as_array().ok_or("zipmap: values argument must be a list or tuple value")?;
    if ks.len() != vs.len() {
        return Err(format!("zipmap: number of keys ({}) does not match number of values ({})", ks.len(), vs.len()));
    }
    let mut out = hcl::Map::new();
    for (i, (k, v)) in ks.iter().zip(vs).enumerate() {
        if k.is_null() {
            return Err(format!("zipmap: keys list has null value at index {i}"));
        }
        out.insert(string("zipmap", "keys", k)?, v.clone());
    }
    Ok(sorted(out))
}

/// The first argument that is neither null nor an empty string; mixed primitive arguments are
/// compared as strings, as Terraform unifies them.
fn coalesce(a: FuncArgs) -> Ret {
    if a.is_empty() {
        return Err("coalesce: at least one argument is required".into());
    }
    let vals = super::convert::unify(&a).map_err(|e| format!("coalesce: {e}"))?;
    vals.into_iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .ok_or_else(|| "coalesce: no non-null, non-empty-string arguments".into())
}

#[cfg(test)]
mod tests {
    use super::super::test::{eval, fails, v};

    #[test]
    fn lookup_matches_terraform_docs() {
        assert_eq!(eval(r#"lookup({a="ay", b="bee"}, "a", "what?")"#), Ok(v(r#""ay""#)));
        assert_eq!(eval(r#"lookup({a="ay", b="bee"}, "c", "what?")"#), Ok(v(r#""what?""#)));
        assert_eq!(eval(r#"lookup({a="ay"}, "a")"#), Ok(v(r#""ay""#)));
        fails(r#"lookup({a="ay"}, "c")"#, r#"lookup: lookup failed to find key "c""#);
        fails(r#"lookup(["a"], "c", "d")"#, "lookup: lookup() requires a map as the first argument");
        fails(r#"lookup({}, "a", "b", "c")"#, "lookup() takes two or three arguments, got 4");
    }

    #[test]
    fn merge_matches_terraform_docs() {
        assert_eq!(eval(r#"merge({a="b", c="d"}, {e="f", c="z"})"#), Ok(v(r#"{a = "b", c = "z", e = "f"}"#)));
        assert_eq!(eval(r#"merge({a="b"}, {a=[1,2], c="z"}, {d=3})"#), Ok(v(r#"{a = [1, 2], c = "z", d = 3}"#)));
        assert_eq!(eval(r#"merge([{a="b", c="d"}, {}, {e="f", c="z"}]...)"#), Ok(v(r#"{a = "b", c = "z", e = "f"}"#)));
        assert_eq!(eval("merge()"), Ok(v("{}")));
        fails(r#"merge({}, "a")"#, r#"merge: arguments must be maps or objects, got "string""#);
        // The result's keys are in lexical order, as Terraform shows them.
        let keys: Vec<String> = eval(r#"merge({z=1}, {a=2})"#).unwrap().as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["a", "z"]);
    }

    #[test]
    fn keys_values_zipmap_match_terraform_docs() {
        assert_eq!(eval("keys({a=1, c=2, d=3})"), Ok(v(r#"["a", "c", "d"]"#)));
        assert_eq!(eval("keys({d=1, a=2})"), Ok(v(r#"["a", "d"]"#)));
        assert_eq!(eval("values({a=3, c=2, d=1})"), Ok(v("[3, 2, 1]")));
        assert_eq!(eval("values({d=1, a=2})"), Ok(v("[2, 1]")));
        fails(r#"keys(["a"])"#, "keys: argument \"inputMap\" must be a map, not a tuple");
        fails(r#"values("a")"#, "values: values() requires a map as the first argument");
        assert_eq!(eval(r#"zipmap(["a", "b"], [1, 2])"#), Ok(v("{a = 1, b = 2}")));
        fails(r#"zipmap(["a", "b"], [1])"#, "zipmap: number of keys (2) does not match number of values (1)");
        fails(r#"zipmap([null], [1])"#, "zipmap: keys list has null value at index 0");
    }

    #[test]
    fn coalesce_matches_terraform_docs() {
        assert_eq!(eval(r#"coalesce("a", "b")"#), Ok(v(r#""a""#)));
        assert_eq!(eval(r#"coalesce("", "b")"#), Ok(v(r#""b""#)));
        assert_eq!(eval("coalesce(1,2)"), Ok(v("1")));
        assert_eq!(eval(r#"coalesce(["", "b"]...)"#), Ok(v(r#""b""#)));
        assert_eq!(eval(r#"coalesce(1, "hello")"#), Ok(v(r#""1""#)));
        assert_eq!(eval(r#"coalesce(true, "hello")"#), Ok(v(r#""true""#)));
        assert_eq!(eval(r#"coalesce(null, 2)"#), Ok(v("2")));
        fails(r#"coalesce({}, "hello")"#, "coalesce: all arguments must have the same type");
        fails(r#"coalesce(null, "")"#, "coalesce: no non-null, non-empty-string arguments");
    }
}
