//! The functions stack files may call: a subset of Terraform's, with Terraform's meaning and
//! error messages, registered with hcl-rs's evaluator. One file per family; the helpers below
//! convert arguments the way Terraform's type system does (a number where a string is wanted
//! becomes its decimal text, `"12"` where a number is wanted becomes 12, and so on).
//!
//! `try`, `can`, `file` and `templatefile` cannot be plain hcl-rs functions (the first two need
//! their arguments unevaluated, the last two the stack file's directory): [`lazy`] resolves
//! them before evaluation. `timestamp()` and `uuid()` are left out on purpose: a plan must be
//! reproducible.

mod collections;
mod convert;
mod encoding;
mod files;
mod format;
mod lazy;
mod lists;
mod net;
mod numeric;
mod regexp;
mod strings;
mod yaml;

use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};

pub(in crate::stack) use lazy::{rewrite_lazy, rewrite_lazy_bound};

/// What every function returns.
type Ret = Result<Value, String>;

/// The stack-file functions, declared once: declaring them for each evaluation (about a
/// hundred, each insert checked against those before it) was much of the evaluator's time.
static FUNCS: std::sync::LazyLock<Context<'static>> = std::sync::LazyLock::new(|| {
    let mut ctx = Context::new();
    declare(&mut ctx);
    ctx
});

/// A context holding the stack-file functions and nothing else yet.
pub(super) fn context() -> Context<'static> {
    FUNCS.clone()
}

pub(super) fn declare(ctx: &mut Context) {
    super::arith::declare(ctx);
    collections::declare(ctx);
    convert::declare(ctx);
    encoding::declare(ctx);
    format::declare(ctx);
    lists::declare(ctx);
    net::declare(ctx);
    numeric::declare(ctx);
    regexp::declare(ctx);
    strings::declare(ctx);
    lazy::declare(ctx);
    files::declare(ctx);
}

/// Declares `name` taking exactly `n` arguments of any type.
fn fixed(ctx: &mut Context, name: &str, n: usize, f: fn(FuncArgs) -> Ret) {
    ctx.declare_func(name, FuncDef::builder().params(vec![ParamType::Any; n]).build(f));
}

/// Declares `name` taking `n` arguments of any type, then any number more.
fn variadic(ctx: &mut Context, name: &str, n: usize, f: fn(FuncArgs) -> Ret) {
    ctx.declare_func(name, FuncDef::builder().params(vec![ParamType::Any; n]).variadic_param(ParamType::Any).build(f));
}

/// Terraform's name for the type of a value.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "tuple",
        Value::Object(_) => "object",
    }
}

/// A number's decimal text, as Terraform converts a number to a string: no exponent.
fn num_text(n: &hcl::Number) -> String {
    if n.is_f64() { format!("{}", n.as_f64().unwrap_or_default()) } else { n.to_string() }
}

/// A primitive value as a string, as Terraform converts it; `None` for null and collections.
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(num_text(n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A string parsed as Terraform parses a number: decimal, optionally with a fraction and an
/// exponent.
fn parse_number(s: &str) -> Option<hcl::Number> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(i.into());
    }
    let ok = !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    ok.then(|| s.parse::<f64>().ok()).flatten().and_then(hcl::Number::from_f64)
}

/// The string argument `param` of function `f`; numbers and bools convert.
fn string(f: &str, param: &str, v: &Value) -> Result<String, String> {
    match v {
        Value::Null => Err(format!("{f}: argument \"{param}\" must not be null")),
        _ => as_text(v).ok_or_else(|| format!("{f}: argument \"{param}\" must be a string, not a {}", type_name(v))),
    }
}

/// The number argument `param` of function `f`; decimal strings convert.
fn number(f: &str, param: &str, v: &Value) -> Result<hcl::Number, String> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::String(s) => parse_number(s)
            .ok_or_else(|| format!("{f}: argument \"{param}\" must be a number; cannot convert {s:?} to number")),
        Value::Null => Err(format!("{f}: argument \"{param}\" must not be null")),
        _ => Err(format!("{f}: argument \"{param}\" must be a number, not a {}", type_name(v))),
    }
}

/// The whole-number argument `param` of function `f`.
fn int(f: &str, param: &str, v: &Value) -> Result<i64, String> {
    let n = number(f, param, v)?;
    n.as_i64().ok_or_else(|| format!("{f}: argument \"{param}\" must be a whole number, not {}", num_text(&n)))
}

/// The list argument `param` of function `f`.
fn list<'a>(f: &str, param: &str, v: &'a Value) -> Result<&'a Vec<Value>, String> {
    match v {
        Value::Array(a) => Ok(a),
        Value::Null => Err(format!("{f}: argument \"{param}\" must not be null")),
        _ => Err(format!("{f}: argument \"{param}\" must be a list, not a {}", type_name(v))),
    }
}

/// The map argument `param` of function `f`.
fn map<'a>(f: &str, param: &str, v: &'a Value) -> Result<&'a hcl::Map<String, Value>, String> {
    match v {
        Value::Object(o) => Ok(o),
        Value::Null => Err(format!("{f}: argument \"{param}\" must not be null")),
        _ => Err(format!("{f}: argument \"{param}\" must be a map, not a {}", type_name(v))),
    }
}

/// A finite float as a value (whole floats become integers).
fn float(f: &str, x: f64) -> Ret {
    hcl::Number::from_f64(x).map(Value::Number).ok_or_else(|| format!("{f}: the result is not a finite number"))
}

/// The user-perceived characters of a string, as Terraform counts them (`length`, `substr`,
/// `format` widths): a character with the combining marks, variation selectors, emoji
/// modifiers and zero-width-joined characters that follow it, and `\r\n`. An approximation of
/// Unicode's grapheme clusters that covers the cases seen in practice.
fn graphemes(s: &str) -> Vec<&str> {
    let extends = |c: char| {
        matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF
            | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F
            | 0xE0100..=0xE01EF | 0x200D)
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        let joins = prev.is_some_and(|p| p == '\u{200D}' || (p == '\r' && c == '\n')) || extends(c);
        if i > 0 && !joins {
            out.push(&s[start..i]);
            start = i;
        }
        prev = Some(c);
    }
    if !s.is_empty() {
        out.push(&s[start..]);
    }
    out
}

/// Objects as Terraform shows them: keys in lexical order.
fn sorted(o: hcl::Map<String, Value>) -> Value {
    let mut entries: Vec<_> = o.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Object(entries.into_iter().collect())
}

#[cfg(test)]
pub(super) mod test {
    use hcl::Value;
    use hcl::eval::{Context, Evaluate};

    /// Evaluates an expression with every function declared.
    pub(crate) fn eval(src: &str) -> Result<Value, String> {
        let mut ctx = Context::new();
        super::declare(&mut ctx);
        let e: hcl::Expression = src.parse().map_err(|e: hcl::Error| e.to_string())?;
        e.evaluate(&ctx).map_err(|e| e.to_string())
    }

    /// The value of an HCL expression without functions: the expected side of a test.
    pub(crate) fn v(src: &str) -> Value {
        eval(src).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    /// Asserts that `src` fails with a message containing `part`.
    #[track_caller]
    pub(crate) fn fails(src: &str, part: &str) {
        match eval(src) {
            Ok(v) => panic!("{src} gave {v:?}, expected an error containing {part:?}"),
            Err(e) => assert!(e.contains(part), "{src}: {e:?} does not contain {part:?}"),
        }
    }

    #[test]
    fn graphemes_group_marks_and_joined_emoji() {
        assert_eq!(super::graphemes("👾🕹️"), vec!["👾", "🕹️"]);
        assert_eq!(super::graphemes("e\u{301}x"), vec!["e\u{301}", "x"]);
        assert_eq!(super::graphemes("👩\u{200D}💻!"), vec!["👩\u{200D}💻", "!"]);
        assert_eq!(super::graphemes("a\r\nb").len(), 3);
        assert!(super::graphemes("").is_empty());
    }
}
