//! Encoding and hashing: base64encode, base64decode, jsonencode, jsondecode, yamlencode,
//! sha256, md5.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hcl::Value;
use hcl::eval::{Context, FuncArgs};
use md5::Md5;
use sha2::{Digest, Sha256};

use super::{Ret, fixed, num_text, sorted, string};

pub(super) fn declare(ctx: &mut Context) {
    fixed(ctx, "base64encode", 1, |a| Ok(Value::String(STANDARD.encode(string("base64encode", "str", &a[0])?))));
    fixed(ctx, "base64decode", 1, base64decode);
    fixed(ctx, "jsonencode", 1, |a| Ok(Value::String(json(&a[0]))));
    fixed(ctx, "jsondecode", 1, jsondecode);
    fixed(ctx, "yamlencode", 1, |a| Ok(Value::String(super::yaml::encode(&a[0]))));
    fixed(ctx, "sha256", 1, |a| Ok(Value::String(hex(&Sha256::digest(string("sha256", "str", &a[0])?)))));
    fixed(ctx, "md5", 1, |a| Ok(Value::String(hex(&Md5::digest(string("md5", "str", &a[0])?)))));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64decode(a: FuncArgs) -> Ret {
    let s = string("base64decode", "str", &a[0])?;
    let bytes = STANDARD.decode(&s).map_err(|_| format!("base64decode: failed to decode base64 data {s:?}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "base64decode: the result of decoding the provided string is not valid UTF-8".into())
}

/// Minified JSON as Terraform writes it: object keys in lexical order, and `<`, `>`, `&`,
/// U+2028 and U+2029 escaped as `\u003c`… (a Terraform 0.11 compatibility it keeps).
pub(super) fn json(v: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, v);
    out
}

fn write_json(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&num_text(n)),
        Value::String(s) => json_string(out, s),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, e);
            }
            out.push(']');
        }
        Value::Object(o) => {
            let mut entries: Vec<_> = o.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, e)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(out, k);
                out.push(':');
                write_json(out, e);
            }
            out.push('}');
        }
    }
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn jsondecode(a: FuncArgs) -> Ret {
    let s = string("jsondecode", "str", &a[0])?;
    let j: serde_json::Value = serde_json::from_str(&s).map_err(|e| format!("jsondecode: {e}"))?;
    from_json(j)
}

fn from_json(j: serde_json::Value) -> Ret {
    Ok(match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::from(i),
            (_, Some(u)) => Value::from(u),
            _ => super::float("jsondecode", n.as_f64().unwrap_or(f64::NAN))?,
        },
        serde_json::Value::String(s) => Value::String(s),
        serde_json::Value::Array(a) => Value::Array(a.into_iter().map(from_json).collect::<Result<_, _>>()?),
        serde_json::Value::Object(o) => {
            sorted(o.into_iter().map(|(k, v)| Ok((k, from_json(v)?))).collect::<Result<_, String>>()?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::test::{eval, fails, v};

    #[test]
    fn base64_matches_terraform_docs() {
        assert_eq!(eval(r#"base64encode("Hello World")"#), Ok(v(r#""SGVsbG8gV29ybGQ=""#)));
        assert_eq!(eval(r#"base64decode("SGVsbG8gV29ybGQ=")"#), Ok(v(r#""Hello World""#)));
        fails(r#"base64decode("not base64!")"#, r#"base64decode: failed to decode base64 data "not base64!""#);
        fails(r#"base64decode("/w==")"#, "base64decode: the result of decoding the provided string is not valid UTF-8");
        fails("base64encode([])", "base64encode: argument \"str\" must be a string, not a tuple");
    }

    #[test]
    fn json_matches_terraform_docs() {
        assert_eq!(eval(r#"jsonencode({"hello"="world"})"#), Ok(v(r#""{\"hello\":\"world\"}""#)));
        assert_eq!(eval(r#"jsondecode("{\"hello\": \"world\"}")"#), Ok(v(r#"{hello = "world"}"#)));
        assert_eq!(eval(r#"jsondecode("true")"#), Ok(v("true")));
        assert_eq!(
            eval(r#"jsonencode({ b = [1, "x", null, 1.5], a = true })"#),
            Ok(v(r#""{\"a\":true,\"b\":[1,\"x\",null,1.5]}""#))
        );
        assert_eq!(eval(r#"jsonencode("<a&b>")"#), Ok(v(r#""\"\\u003ca\\u0026b\\u003e\"""#)));
        assert_eq!(eval(r#"jsondecode("[1, 2.5, {\"z\": null}]")"#), Ok(v("[1, 2.5, {z = null}]")));
        fails(r#"jsondecode("{")"#, "jsondecode: EOF while parsing an object");
    }

    #[test]
    fn hashes_match_terraform_docs() {
        assert_eq!(
            eval(r#"sha256("hello world")"#),
            Ok(v(r#""b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9""#))
        );
        assert_eq!(eval(r#"md5("hello world")"#), Ok(v(r#""5eb63bbbe01eeed093cb22bb8f5acdc3""#)));
        fails("md5({})", "md5: argument \"str\" must be a string, not a object");
    }
}
