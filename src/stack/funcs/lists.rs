//! List functions: length, element, index, contains, concat, flatten, distinct, slice, sort,
//! reverse, range, coalescelist.

use hcl::Value;
use hcl::eval::{Context, FuncArgs};

use super::{Ret, fixed, float, graphemes, int, list, number, string, type_name, variadic};

pub(super) fn declare(ctx: &mut Context) {
    fixed(ctx, "length", 1, length);
    fixed(ctx, "element", 2, element);
    fixed(ctx, "index", 2, index);
    fixed(ctx, "contains", 2, |a| {
        let l = a[0].as_array().ok_or("contains: argument must be list, tuple, or set")?;
        Ok(Value::Bool(l.contains(&a[1])))
    });
    variadic(ctx, "concat", 0, concat);
    fixed(ctx, "flatten", 1, flatten);
    fixed(ctx, "distinct", 1, distinct);
    fixed(ctx, "slice", 3, slice);
    fixed(ctx, "sort", 1, sort);
    fixed(ctx, "reverse", 1, reverse);
    variadic(ctx, "range", 0, range);
    variadic(ctx, "coalescelist", 0, coalescelist);
}

/// The number of elements of a list or map, or of characters of a string.
fn length(a: FuncArgs) -> Ret {
    let n = match &a[0] {
        Value::String(s) => graphemes(s).len(),
        Value::Array(l) => l.len(),
        Value::Object(o) => o.len(),
        Value::Null => return Err("length: argument must not be null".into()),
        _ => return Err("length: argument must be a string, a collection type, or a structural type".into()),
    };
    Ok(Value::from(n as u64))
}

/// `element(list, index)`: the index wraps around the list's length, both ways.
fn element(a: FuncArgs) -> Ret {
    let l = match &a[0] {
        Value::Array(l) => l,
        v => return Err(format!("element: cannot read elements from {}", type_name(v))),
    };
    let i = int("element", "index", &a[1]).map_err(|e| e.replacen("element: ", "element: invalid index: ", 1))?;
    if l.is_empty() {
        return Err("element: cannot use element function with an empty list".into());
    }
    Ok(l[i.rem_euclid(l.len() as i64) as usize].clone())
}

fn index(a: FuncArgs) -> Ret {
    let l = a[0].as_array().ok_or("index: argument must be a list or tuple")?;
    if l.is_empty() {
        return Err("index: cannot search an empty list".into());
    }
    match l.iter().position(|e| *e == a[1]) {
        Some(i) => Ok(Value::from(i as u64)),
        None => Err("index: item not found".into()),
    }
}

fn concat(a: FuncArgs) -> Ret {
    if a.is_empty() {
        return Err("concat: at least one argument is required".into());
    }
    let mut out = Vec::new();
    for (i, l) in a.iter().enumerate() {
        match l {
            Value::Array(l) => out.extend(l.iter().cloned()),
            v => {
                return Err(format!(
                    "concat: all arguments must be lists or tuples; got {} for argument {}",
                    type_name(v),
                    i + 1
                ));
            }
        }
    }
    Ok(Value::Array(out))
}

/// Replaces every element that is a list by its elements, recursively.
fn flatten(a: FuncArgs) -> Ret {
    fn walk(l: &[Value], out: &mut Vec<Value>) {
        for e in l {
            match e {
                Value::Array(inner) => walk(inner, out),
                e => out.push(e.clone()),
            }
        }
    }
    let l = a[0].as_array().ok_or("flatten: can only flatten lists, sets and tuples")?;
    let mut out = Vec::new();
    walk(l, &mut out);
    Ok(Value::Array(out))
}

/// The list without repeated elements, each kept at its first occurrence.
fn distinct(a: FuncArgs) -> Ret {
    let l = list("distinct", "list", &a[0])?;
    let mut out: Vec<Value> = Vec::with_capacity(l.len());
    for e in l {
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(Value::Array(out))
}

/// `slice(list, startindex, endindex)`: the elements from start up to, not including, end.
fn slice(a: FuncArgs) -> Ret {
    let l = a[0].as_array().ok_or("slice: must be a list or tuple value")?;
    let start = int("slice", "start_index", &a[1])?;
    let end = int("slice", "end_index", &a[2])?;
    let len = l.len() as i64;
    let why = if start < 0 {
        "start index must not be less than zero"
    } else if start > len {
        "start index must not be greater than the length of the list"
    } else if end < 0 {
        "end index must not be less than zero"
    } else if end > len {
        "end index must not be greater than the length of the list"
    } else if start > end {
        "start index must not be greater than end index"
    } else {
        return Ok(Value::Array(l[start as usize..end as usize].to_vec()));
    };
    Err(format!("slice: {why}"))
}

/// Sorts strings lexically (numbers are sorted as their decimal text, as in Terraform).
fn sort(a: FuncArgs) -> Ret {
    let l = list("sort", "list", &a[0])?;
    let mut out = Vec::with_capacity(l.len());
    for (i, e) in l.iter().enumerate() {
        if e.is_null() {
            return Err(format!("sort: given list element {i} is null; a null string cannot be sorted"));
        }
        out.push(string("sort", "list", e)?);
    }
    out.sort();
    Ok(Value::Array(out.into_iter().map(Value::String).collect()))
}

fn reverse(a: FuncArgs) -> Ret {
    match &a[0] {
        Value::Array(l) => Ok(Value::Array(l.iter().rev().cloned().collect())),
        v => Err(format!("reverse: can only reverse list or tuple values, not {}", type_name(v))),
    }
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`: numbers from start,
/// by step, while before limit; fractions allowed; at most 1,024 of them.
fn range(a: FuncArgs) -> Ret {
    let n = |i: usize, name: &str| number("range", name, &a[i]).map(|n| n.as_f64().unwrap_or_default());
    let (start, limit, step) = match a.len() {
        1 => (0.0, n(0, "limit")?, 1.0),
        2 => {
            let (s, l) = (n(0, "start")?, n(1, "limit")?);
            (s, l, if l < s { -1.0 } else { 1.0 })
        }
        3 => (n(0, "start")?, n(1, "limit")?, n(2, "step")?),
        _ => return Err("range: must have one, two, or three arguments".into()),
    };
    if step == 0.0 {
        return Err("range: step must not be zero".into());
    }
    if step < 0.0 && limit > start {
        return Err("range: end must be less than start when step is negative".into());
    }
    if step > 0.0 && limit < start {
        return Err("range: end must be greater than start when step is positive".into());
    }
    let mut out = Vec::new();
    for i in 0.. {
        let x = start + step * f64::from(i);
        if (step > 0.0 && x >= limit) || (step < 0.0 && x <= limit) {
            break;
        }
        if out.len() == 1024 {
            return Err("range: more than 1024 values were generated; either decrease the difference between start and end or use a smaller step".into());
        }
        out.push(float("range", x)?);
    }
    Ok(Value::Array(out))
}

/// The first argument that is a non-empty list.
fn coalescelist(a: FuncArgs) -> Ret {
    if a.is_empty() {
        return Err("coalescelist: at least one argument is required".into());
    }
    for v in a.iter() {
        match v {
            Value::Array(l) if !l.is_empty() => return Ok(v.clone()),
            Value::Array(_) | Value::Null => {}
            _ => return Err("coalescelist: coalescelist arguments must be lists or tuples".into()),
        }
    }
    Err("coalescelist: no non-null arguments".into())
}

#[cfg(test)]
mod tests {
    use super::super::test::{eval, fails, v};

    #[test]
    fn length_matches_terraform_docs() {
        assert_eq!(eval("length([])"), Ok(v("0")));
        assert_eq!(eval(r#"length(["a", "b"])"#), Ok(v("2")));
        assert_eq!(eval(r#"length({"a" = "b"})"#), Ok(v("1")));
        assert_eq!(eval(r#"length("hello")"#), Ok(v("5")));
        assert_eq!(eval(r#"length("👾🕹️")"#), Ok(v("2")));
        fails("length(5)", "length: argument must be a string, a collection type, or a structural type");
        fails("length(null)", "length: argument must not be null");
    }

    #[test]
    fn element_index_contains_match_terraform_docs() {
        assert_eq!(eval(r#"element(["a", "b", "c"], 1)"#), Ok(v(r#""b""#)));
        assert_eq!(eval(r#"element(["a", "b", "c"], 3)"#), Ok(v(r#""a""#)));
        assert_eq!(eval(r#"element(["a", "b", "c"], -1)"#), Ok(v(r#""c""#)));
        fails("element([], 0)", "element: cannot use element function with an empty list");
        fails(r#"element(["a"], 0.5)"#, "element: invalid index: argument \"index\" must be a whole number");
        fails(r#"element("abc", 0)"#, "element: cannot read elements from string");
        assert_eq!(eval(r#"index(["a", "b", "c"], "b")"#), Ok(v("1")));
        assert_eq!(eval(r#"index(["one", "two", "two"], "two")"#), Ok(v("1")));
        fails(r#"index(["a"], "z")"#, "index: item not found");
        fails(r#"index([], "z")"#, "index: cannot search an empty list");
        fails(r#"index("a", "z")"#, "index: argument must be a list or tuple");
        assert_eq!(eval(r#"contains(["a", "b", "c"], "a")"#), Ok(v("true")));
        assert_eq!(eval(r#"contains(["a", "b", "c"], "d")"#), Ok(v("false")));
        fails(r#"contains("abc", "a")"#, "contains: argument must be list, tuple, or set");
    }

    #[test]
    fn concat_flatten_distinct_match_terraform_docs() {
        assert_eq!(eval(r#"concat(["a", ""], ["b", "c"])"#), Ok(v(r#"["a", "", "b", "c"]"#)));
        assert_eq!(eval(r#"concat([], [1, "a"], [[3], "c"])"#), Ok(v(r#"[1, "a", [3], "c"]"#)));
        fails(r#"concat(["a"], "b")"#, "concat: all arguments must be lists or tuples; got string for argument 2");
        fails("concat()", "concat: at least one argument is required");
        assert_eq!(eval(r#"flatten([["a", "b"], [], ["c"]])"#), Ok(v(r#"["a", "b", "c"]"#)));
        assert_eq!(eval(r#"flatten([[["a", "b"], []], ["c"]])"#), Ok(v(r#"["a", "b", "c"]"#)));
        fails(r#"flatten("a")"#, "flatten: can only flatten lists, sets and tuples");
        assert_eq!(eval(r#"distinct(["a", "b", "a", "c", "d", "b"])"#), Ok(v(r#"["a", "b", "c", "d"]"#)));
        fails("distinct({})", "distinct: argument \"list\" must be a list, not a object");
    }

    #[test]
    fn slice_sort_reverse_match_terraform_docs() {
        assert_eq!(eval(r#"slice(["a", "b", "c", "d"], 1, 3)"#), Ok(v(r#"["b", "c"]"#)));
        assert_eq!(eval(r#"slice(["a", "b"], 2, 2)"#), Ok(v("[]")));
        fails(r#"slice(["a", "b"], 1, 3)"#, "slice: end index must not be greater than the length of the list");
        fails(r#"slice(["a", "b"], -1, 1)"#, "slice: start index must not be less than zero");
        fails(r#"slice(["a", "b"], 2, 1)"#, "slice: start index must not be greater than end index");
        assert_eq!(eval(r#"sort(["e", "d", "a", "x"])"#), Ok(v(r#"["a", "d", "e", "x"]"#)));
        assert_eq!(eval("sort([3, 10, 1])"), Ok(v(r#"["1", "10", "3"]"#)));
        fails(r#"sort(["a", null])"#, "sort: given list element 1 is null");
        assert_eq!(eval("reverse([1, 2, 3])"), Ok(v("[3, 2, 1]")));
        fails(r#"reverse("abc")"#, "reverse: can only reverse list or tuple values, not string");
    }

    #[test]
    fn range_matches_terraform_docs() {
        assert_eq!(eval("range(3)"), Ok(v("[0, 1, 2]")));
        assert_eq!(eval("range(1, 4)"), Ok(v("[1, 2, 3]")));
        assert_eq!(eval("range(1, 8, 2)"), Ok(v("[1, 3, 5, 7]")));
        assert_eq!(eval("range(1, 4, 0.5)"), Ok(v("[1, 1.5, 2, 2.5, 3, 3.5]")));
        assert_eq!(eval("range(4, 1)"), Ok(v("[4, 3, 2]")));
        assert_eq!(eval("range(10, 5, -2)"), Ok(v("[10, 8, 6]")));
        assert_eq!(eval("range(0)"), Ok(v("[]")));
        assert_eq!(eval("range(2.5)"), Ok(v("[0, 1, 2]")));
        fails("range(1, 4, 0)", "range: step must not be zero");
        fails("range(1, 4, -1)", "range: end must be less than start when step is negative");
        fails("range(4, 1, 1)", "range: end must be greater than start when step is positive");
        fails("range(2000)", "range: more than 1024 values were generated");
        fails("range()", "range: must have one, two, or three arguments");
        fails(r#"range("x")"#, "range: argument \"limit\" must be a number");
    }

    #[test]
    fn coalescelist_matches_terraform_docs() {
        assert_eq!(eval(r#"coalescelist(["a", "b"], ["c", "d"])"#), Ok(v(r#"["a", "b"]"#)));
        assert_eq!(eval(r#"coalescelist([], ["c", "d"])"#), Ok(v(r#"["c", "d"]"#)));
        assert_eq!(eval(r#"coalescelist([[], ["c", "d"]]...)"#), Ok(v(r#"["c", "d"]"#)));
        fails("coalescelist([], [])", "coalescelist: no non-null arguments");
        fails(r#"coalescelist("a")"#, "coalescelist: coalescelist arguments must be lists or tuples");
    }
}
