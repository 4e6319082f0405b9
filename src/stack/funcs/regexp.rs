//! Regular expressions: regex, regexall. The result's shape follows the pattern's groups, as
//! in Terraform: no groups gives the matched string, unnamed groups a list of their matches,
//! named groups a map; a group that took no part in the match is null.

use hcl::Value;
use hcl::eval::{Context, FuncArgs};
use regex::{Captures, Regex};

use super::{Ret, fixed, string};

pub(super) fn declare(ctx: &mut Context) {
    fixed(ctx, "regex", 2, regex_fn);
    fixed(ctx, "regexall", 2, regexall);
}

/// The kind of result a pattern gives.
enum Shape {
    Whole,
    List,
    Map(Vec<String>),
}

fn compile(f: &str, a: &FuncArgs) -> Result<(Regex, Shape, String), String> {
    let pattern = string(f, "pattern", &a[0])?;
    let s = string(f, "string", &a[1])?;
    let re = Regex::new(&pattern).map_err(|e| format!("{f}: invalid regexp pattern: {e}"))?;
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let named: Vec<String> = names.iter().flatten().map(|n| n.to_string()).collect();
    let shape = match (names.len(), named.len()) {
        (0, _) => Shape::Whole,
        (_, 0) => Shape::List,
        (all, n) if all == n => Shape::Map(named),
        _ => return Err(format!("{f}: invalid regexp pattern: cannot mix both named and unnamed capture groups")),
    };
    Ok((re, shape, s))
}

fn result(c: &Captures, shape: &Shape) -> Value {
    let text = |m: Option<regex::Match>| m.map_or(Value::Null, |m| Value::from(m.as_str()));
    match shape {
        Shape::Whole => text(c.get(0)),
        Shape::List => Value::Array(c.iter().skip(1).map(text).collect()),
        Shape::Map(names) => {
            let mut names = names.clone();
            names.sort();
            Value::Object(names.into_iter().map(|n| (n.clone(), text(c.name(&n)))).collect())
        }
    }
}

/// `regex(pattern, string)`: the first match; no match is an error.
fn regex_fn(a: FuncArgs) -> Ret {
    let (re, shape, s) = compile("regex", &a)?;
    match re.captures(&s) {
        Some(c) => Ok(result(&c, &shape)),
        None => Err("regex: pattern did not match any part of the given string".into()),
    }
}

/// `regexall(pattern, string)`: every non-overlapping match, possibly none.
fn regexall(a: FuncArgs) -> Ret {
    let (re, shape, s) = compile("regexall", &a)?;
    Ok(Value::Array(re.captures_iter(&s).map(|c| result(&c, &shape)).collect()))
}

#[cfg(test)]
mod tests {
    use super::super::test::{eval, fails, v};

    #[test]
    fn regex_matches_terraform_docs() {
        assert_eq!(eval(r#"regex("[a-z]+", "53453453.345345aaabbbccc23454")"#), Ok(v(r#""aaabbbccc""#)));
        assert_eq!(
            eval(r#"regex("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01")"#),
            Ok(v(r#"["2019", "02", "01"]"#))
        );
        assert_eq!(
            eval(r#"regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")"#),
            Ok(v(r#"{authority = "terraform.io", scheme = "https"}"#))
        );
        fails(
            r#"regex("[a-z]+", "53453453.34534523454")"#,
            "regex: pattern did not match any part of the given string",
        );
        assert_eq!(eval(r#"regex("(a)|(b)", "b")"#), Ok(v(r#"[null, "b"]"#)));
        fails(r#"regex("(?P<x>a)(b)", "ab")"#, "regex: invalid regexp pattern: cannot mix both named and unnamed");
        fails(r#"regex("(", "ab")"#, "regex: invalid regexp pattern");
    }

    #[test]
    fn regexall_matches_terraform_docs() {
        assert_eq!(eval(r#"regexall("[a-z]+", "1234abcd5678efgh9")"#), Ok(v(r#"["abcd", "efgh"]"#)));
        assert_eq!(eval(r#"length(regexall("[a-z]+", "1234abcd5678efgh9"))"#), Ok(v("2")));
        assert_eq!(eval(r#"length(regexall("[a-z]+", "123456789")) > 0"#), Ok(v("false")));
        assert_eq!(eval(r#"regexall("(\\w)=(\\d)", "a=1 b=2")"#), Ok(v(r#"[["a", "1"], ["b", "2"]]"#)));
        fails(r#"regexall("[", "x")"#, "regexall: invalid regexp pattern");
    }
}
