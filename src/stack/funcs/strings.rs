//! String functions: upper, lower, title, trimspace, trimprefix, trimsuffix, substr,
//! startswith, endswith, split, join, replace.

use hcl::Value;
use hcl::eval::{Context, FuncArgs};

use super::{Ret, fixed, graphemes, int, list, string, variadic};

pub(super) fn declare(ctx: &mut Context) {
    fixed(ctx, "upper", 1, |a| Ok(Value::String(string("upper", "str", &a[0])?.to_uppercase())));
    fixed(ctx, "lower", 1, |a| Ok(Value::String(string("lower", "str", &a[0])?.to_lowercase())));
    fixed(ctx, "title", 1, |a| Ok(Value::String(title(&string("title", "str", &a[0])?))));
    fixed(ctx, "trimspace", 1, |a| Ok(Value::String(string("trimspace", "str", &a[0])?.trim().to_string())));
    fixed(ctx, "trimprefix", 2, trimprefix);
    fixed(ctx, "trimsuffix", 2, trimsuffix);
    fixed(ctx, "startswith", 2, |a| {
        Ok(Value::Bool(string("startswith", "str", &a[0])?.starts_with(&string("startswith", "prefix", &a[1])?)))
    });
    fixed(ctx, "endswith", 2, |a| {
        Ok(Value::Bool(string("endswith", "str", &a[0])?.ends_with(&string("endswith", "suffix", &a[1])?)))
    });
    fixed(ctx, "substr", 3, substr);
    fixed(ctx, "split", 2, split);
    variadic(ctx, "join", 1, join);
    fixed(ctx, "replace", 3, replace);
}

/// The first letter of each word in upper case, as Go's `strings.Title` (Terraform's `title`).
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut after_separator = true;
    for c in s.chars() {
        if after_separator && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        // As Go's: ASCII other than letters, digits and `_` separates words; beyond ASCII, only
        // white space does.
        after_separator = if c.is_ascii() { !c.is_ascii_alphanumeric() && c != '_' } else { c.is_whitespace() };
    }
    out
}

fn trimprefix(a: FuncArgs) -> Ret {
    let s = string("trimprefix", "str", &a[0])?;
    let p = string("trimprefix", "prefix", &a[1])?;
    Ok(Value::String(s.strip_prefix(p.as_str()).unwrap_or(&s).to_string()))
}

fn trimsuffix(a: FuncArgs) -> Ret {
    let s = string("trimsuffix", "str", &a[0])?;
    let p = string("trimsuffix", "suffix", &a[1])?;
    Ok(Value::String(s.strip_suffix(p.as_str()).unwrap_or(&s).to_string()))
}

/// `substr(str, offset, length)`, counting user-perceived characters; a negative offset counts
/// from the end, a negative length takes the rest.
fn substr(a: FuncArgs) -> Ret {
    let s = string("substr", "str", &a[0])?;
    let offset = int("substr", "offset", &a[1])?;
    let length = int("substr", "length", &a[2])?;
    let chars = graphemes(&s);
    let len = chars.len() as i64;
    let start = if offset < 0 { (offset + len).max(0) } else { offset };
    if start >= len || length == 0 {
        return Ok(Value::from(""));
    }
    let rest = &chars[start as usize..];
    let take = if length < 0 { rest.len() } else { rest.len().min(length as usize) };
    Ok(Value::String(rest[..take].concat()))
}

fn split(a: FuncArgs) -> Ret {
    let sep = string("split", "separator", &a[0])?;
    let s = string("split", "str", &a[1])?;
    // Go's strings.Split with an empty separator splits after each character.
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str()).map(Value::from).collect()
    };
    Ok(Value::Array(parts))
}

/// `join(separator, list, ...)`: the elements of every list, in order, with the separator
/// between them.
fn join(a: FuncArgs) -> Ret {
    let sep = string("join", "separator", &a[0])?;
    if a.len() < 2 {
        return Err("join: at least one list is required".into());
    }
    let mut parts = Vec::new();
    for (i, l) in a[1..].iter().enumerate() {
        for (j, e) in list("join", "lists", l)?.iter().enumerate() {
            if e.is_null() {
                return Err(format!("join: element {j} of list {} is null; cannot concatenate null values", i + 1));
            }
            parts.push(string("join", "lists", e)?);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

/// `replace(string, substring, replacement)`; a substring written `/…/` is a regular
/// expression, and the replacement may then refer to its groups (`$1`, `${name}`).
fn replace(a: FuncArgs) -> Ret {
    let s = string("replace", "str", &a[0])?;
    let search = string("replace", "substr", &a[1])?;
    let with = string("replace", "replace", &a[2])?;
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        let re = regex::Regex::new(&search[1..search.len() - 1])
            .map_err(|e| format!("replace: invalid regular expression {search}: {e}"))?;
        return Ok(Value::String(re.replace_all(&s, with.as_str()).into_owned()));
    }
    Ok(Value::String(s.replace(&search, &with)))
}

#[cfg(test)]
mod tests {
    use super::super::test::{eval, fails, v};

    #[test]
    fn case_functions_match_terraform_docs() {
        assert_eq!(eval(r#"upper("hello")"#), Ok(v(r#""HELLO""#)));
        assert_eq!(eval(r#"upper("алло!")"#), Ok(v(r#""АЛЛО!""#)));
        assert_eq!(eval(r#"lower("HELLO")"#), Ok(v(r#""hello""#)));
        assert_eq!(eval(r#"lower("ΓΕΙΑ ΣΟΥ")"#), Ok(v(r#""γεια σου""#)));
        assert_eq!(eval(r#"title("hello world")"#), Ok(v(r#""Hello World""#)));
        assert_eq!(eval(r#"title("web-tier_a b.c")"#), Ok(v(r#""Web-Tier_a B.C""#)));
        assert_eq!(eval(r#"upper(12)"#), Ok(v(r#""12""#)));
        fails(r#"upper(["a"])"#, "upper: argument \"str\" must be a string, not a tuple");
        fails("lower(null)", "must not be null");
    }

    #[test]
    fn trimming_matches_terraform_docs() {
        assert_eq!(eval(r#"trimspace("  hello\n\n")"#), Ok(v(r#""hello""#)));
        assert_eq!(eval(r#"trimprefix("helloworld", "hello")"#), Ok(v(r#""world""#)));
        assert_eq!(eval(r#"trimprefix("helloworld", "cat")"#), Ok(v(r#""helloworld""#)));
        assert_eq!(eval(r#"trimprefix("--hello", "-")"#), Ok(v(r#""-hello""#)));
        assert_eq!(eval(r#"trimsuffix("helloworld", "world")"#), Ok(v(r#""hello""#)));
        assert_eq!(eval(r#"trimsuffix("helloworld", "cat")"#), Ok(v(r#""helloworld""#)));
        assert_eq!(eval(r#"trimsuffix("hello--", "-")"#), Ok(v(r#""hello-""#)));
        fails(r#"trimprefix("a")"#, "expected 2 positional arguments, got 1");
    }

    #[test]
    fn prefixes_and_suffixes_match_terraform_docs() {
        assert_eq!(eval(r#"startswith("hello world", "hello")"#), Ok(v("true")));
        assert_eq!(eval(r#"startswith("hello world", "world")"#), Ok(v("false")));
        assert_eq!(eval(r#"endswith("hello world", "world")"#), Ok(v("true")));
        assert_eq!(eval(r#"endswith("hello world", "hello")"#), Ok(v("false")));
        fails(r#"endswith("a", {})"#, "endswith: argument \"suffix\" must be a string, not a object");
    }

    #[test]
    fn substr_matches_terraform_docs() {
        assert_eq!(eval(r#"substr("hello world", 1, 4)"#), Ok(v(r#""ello""#)));
        assert_eq!(eval(r#"substr("🤔🤷", 0, 1)"#), Ok(v(r#""🤔""#)));
        assert_eq!(eval(r#"substr("hello world", -5, -1)"#), Ok(v(r#""world""#)));
        assert_eq!(eval(r#"substr("hello world", 6, 10)"#), Ok(v(r#""world""#)));
        assert_eq!(eval(r#"substr("hello", 9, 2)"#), Ok(v(r#""""#)));
        assert_eq!(eval(r#"substr("hello", -9, 2)"#), Ok(v(r#""he""#)));
        fails(r#"substr("hello", 1.5, 2)"#, "substr: argument \"offset\" must be a whole number, not 1.5");
    }

    #[test]
    fn split_and_join_match_terraform_docs() {
        assert_eq!(eval(r#"split(",", "foo,bar,baz")"#), Ok(v(r#"["foo", "bar", "baz"]"#)));
        assert_eq!(eval(r#"split(",", "foo")"#), Ok(v(r#"["foo"]"#)));
        assert_eq!(eval(r#"split(",", "")"#), Ok(v(r#"[""]"#)));
        assert_eq!(eval(r#"join("-", ["foo", "bar", "baz"])"#), Ok(v(r#""foo-bar-baz""#)));
        assert_eq!(eval(r#"join(", ", ["foo", "bar", "baz"])"#), Ok(v(r#""foo, bar, baz""#)));
        assert_eq!(eval(r#"join(", ", ["foo"])"#), Ok(v(r#""foo""#)));
        assert_eq!(eval(r#"join("-", ["a"], [1, true])"#), Ok(v(r#""a-1-true""#)));
        fails(r#"join("-", ["a", null])"#, "join: element 1 of list 1 is null");
        fails(r#"join("-")"#, "join: at least one list is required");
        fails(r#"join("-", "a")"#, "join: argument \"lists\" must be a list, not a string");
    }

    #[test]
    fn replace_matches_terraform_docs() {
        assert_eq!(eval(r#"replace("1 + 2 + 3", "+", "-")"#), Ok(v(r#""1 - 2 - 3""#)));
        assert_eq!(eval(r#"replace("hello world", "/w.*d/", "everybody")"#), Ok(v(r#""hello everybody""#)));
        assert_eq!(eval(r#"replace("a-1 b-2", "/(\\w)-(\\d)/", "$2$1")"#), Ok(v(r#""1a 2b""#)));
        assert_eq!(eval(r#"replace("/", "/", "x")"#), Ok(v(r#""x""#)));
        fails(r#"replace("a", "/(/", "x")"#, "replace: invalid regular expression /(/");
    }
}
