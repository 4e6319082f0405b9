//! `format` and `formatlist`: printf-style formatting with Terraform's verbs (`%v %#v %t %b %d
//! %o %x %X %e %E %f %g %G %s %q %%`), flags (`+ - 0 # space`), width, precision and explicit
//! argument indexes (`%[2]s`), as go-cty implements them.

use hcl::Value;
use hcl::eval::{Context, FuncArgs};

use super::{Ret, as_text, graphemes, number, string, type_name, variadic};

pub(super) fn declare(ctx: &mut Context) {
    variadic(ctx, "format", 1, |a| format_fn(a).map(Value::String));
    variadic(ctx, "formatlist", 1, formatlist);
}

fn format_fn(a: FuncArgs) -> Result<String, String> {
    let spec = string("format", "format", &a[0])?;
    format(&spec, &a[1..]).map_err(|e| format!("format: {e}"))
}

/// One `%` sequence.
#[derive(Default)]
struct Verb {
    raw: String,
    offset: usize,
    arg: usize,
    mode: char,
    plus: bool,
    minus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Formats `args` by `spec`; every argument must be used.
fn format(spec: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let b = spec.as_bytes();
    let (mut i, mut next, mut highest) = (0, 1, 0);
    while i < b.len() {
        if b[i] != b'%' {
            let c = spec[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        if b.get(i + 1) == Some(&b'%') {
            out.push('%');
            i += 2;
            continue;
        }
        let mut v = Verb { offset: i, arg: next, ..Verb::default() };
        let mut j = i + 1;
        while let Some(&c) = b.get(j) {
            match c {
                b'+' => v.plus = true,
                b'-' => v.minus = true,
                b' ' => v.space = true,
                b'0' => v.zero = true,
                b'#' => v.sharp = true,
                _ => break,
            }
            j += 1;
        }
        let digits = |j: &mut usize| {
            let start = *j;
            while b.get(*j).is_some_and(u8::is_ascii_digit) {
                *j += 1;
            }
            spec[start..*j].parse::<usize>().ok()
        };
        v.width = digits(&mut j);
        if b.get(j) == Some(&b'.') {
            j += 1;
            v.prec = Some(digits(&mut j).unwrap_or(0));
        }
        if b.get(j) == Some(&b'[') {
            j += 1;
            v.arg = digits(&mut j).filter(|n| *n > 0).ok_or(format!("invalid format string starting at offset {j}"))?;
            if b.get(j) != Some(&b']') {
                return Err(format!("invalid format string starting at offset {j}"));
            }
            j += 1;
        }
        match spec[j..].chars().next() {
            Some(c) if c.is_ascii_alphabetic() => v.mode = c,
            Some(c) => return Err(format!("unrecognized format character {c:?} at offset {j}")),
            None => return Err(format!("invalid format string starting at offset {j}")),
        }
        v.raw = spec[i..=j].to_string();
        highest = highest.max(v.arg);
        next = v.arg + 1;
        let arg = args.get(v.arg - 1).ok_or_else(|| {
            format!(
                "not enough arguments for {:?} at {}: need index {} but have {} total",
                v.raw,
                v.offset,
                v.arg,
                args.len()
            )
        })?;
        out.push_str(&verb(&v, arg)?);
        i = j + 1;
    }
    match highest {
        h if h >= args.len() => Ok(out),
        0 => Err("too many arguments; no verbs in format string".into()),
        h => Err(format!("too many arguments; only {h} used by format string")),
    }
}

fn verb(v: &Verb, arg: &Value) -> Result<String, String> {
    let bad = |why: &str| format!("unsupported value for {:?} at {}: {why}", v.raw, v.offset);
    if v.mode != 'v' && arg.is_null() {
        return Err(bad("null value cannot be formatted"));
    }
    let num = || number("", "", arg).map_err(|_| bad("a number is required"));
    Ok(match v.mode {
        'v' => match arg {
            Value::String(s) if !v.sharp => pad(v, s.clone()),
            Value::Number(n) if !v.sharp => pad(v, g(n.as_f64().unwrap_or_default(), None)),
            _ => pad(v, super::encoding::json(arg)),
        },
        't' => match arg {
            Value::Bool(b) => b.to_string(),
            Value::String(s) if s == "true" || s == "false" => s.clone(),
            _ => return Err(bad("a bool is required")),
        },
        'b' | 'd' | 'o' | 'x' | 'X' => {
            let n = num()?;
            let i = n.as_i64().ok_or_else(|| bad("an integer is required"))?;
            let (digits, prefix) = match v.mode {
                'b' => (format!("{:b}", i.unsigned_abs()), "0b"),
                'o' => (format!("{:o}", i.unsigned_abs()), "0"),
                'x' => (format!("{:x}", i.unsigned_abs()), "0x"),
                'X' => (format!("{:X}", i.unsigned_abs()), "0X"),
                _ => (i.unsigned_abs().to_string(), ""),
            };
            let digits = match v.prec {
                Some(p) if p > digits.len() => format!("{}{digits}", "0".repeat(p - digits.len())),
                _ => digits,
            };
            let prefix = if v.sharp { prefix } else { "" };
            signed(v, i < 0, format!("{prefix}{digits}"), v.prec.is_none())
        }
        'e' | 'E' | 'f' | 'g' | 'G' => {
            let x = num()?.as_f64().unwrap_or_default();
            let body = match v.mode {
                'f' => format!("{:.*}", v.prec.unwrap_or(6), x.abs()),
                'e' => e(x.abs(), v.prec.unwrap_or(6)),
                'E' => e(x.abs(), v.prec.unwrap_or(6)).to_uppercase(),
                'g' => g(x.abs(), v.prec),
                _ => g(x.abs(), v.prec).to_uppercase(),
            };
            signed(v, x.is_sign_negative() && x != 0.0, body, true)
        }
        's' | 'q' => {
            let s = as_text(arg).ok_or_else(|| bad(&format!("cannot convert {} to string", type_name(arg))))?;
            let s = match v.prec {
                Some(p) if p > 0 => graphemes(&s).into_iter().take(p).collect(),
                _ => s,
            };
            pad(v, if v.mode == 'q' { super::encoding::json(&Value::String(s)) } else { s })
        }
        c => return Err(format!("unsupported format verb {c:?} in {:?} at offset {}", v.raw, v.offset)),
    })
}

/// Pads to the width in user-perceived characters: spaces (zeros with `0`), on the right with `-`.
fn pad(v: &Verb, s: String) -> String {
    let n = graphemes(&s).len();
    match v.width {
        Some(w) if w > n => {
            let fill = if v.zero { "0" } else { " " }.repeat(w - n);
            if v.minus { s + &fill } else { fill + &s }
        }
        _ => s,
    }
}

/// A number's sign (`-`, or `+`/space as flagged) and digits, padded to the width; zero padding
/// goes between the sign and the digits.
fn signed(v: &Verb, negative: bool, body: String, zero_ok: bool) -> String {
    let sign = if negative {
        "-"
    } else if v.plus {
        "+"
    } else if v.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + body.len();
    match v.width {
        Some(w) if w > len && v.minus => format!("{sign}{body}{}", " ".repeat(w - len)),
        Some(w) if w > len && v.zero && zero_ok => format!("{sign}{}{body}", "0".repeat(w - len)),
        Some(w) if w > len => format!("{}{sign}{body}", " ".repeat(w - len)),
        _ => format!("{sign}{body}"),
    }
}

/// Go's `%e`: `1.234560e+06`.
fn e(x: f64, prec: usize) -> String {
    let s = format!("{x:.prec$e}");
    let (m, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// Go's `%g`: the shortest representation (or `prec` significant digits), in exponent form
/// when the exponent is below -4 or at least the precision (6 for the shortest).
fn g(x: f64, prec: Option<usize>) -> String {
    let sci = match prec {
        None => format!("{x:e}"),
        Some(p) => format!("{x:.*e}", p.max(1) - 1),
    };
    let (m, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let neg = m.starts_with('-');
    let digits: String = m.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.trim_end_matches('0') {
        "" => "0",
        d => d,
    };
    let (nd, dp) = (digits.len() as i64, exp + 1);
    let eprec = match prec {
        None => 6,
        Some(p) if p as i64 > nd && nd >= dp => nd,
        Some(p) => p.max(1) as i64,
    };
    let sign = if neg { "-" } else { "" };
    if exp < -4 || exp >= eprec {
        let frac = if nd > 1 { format!(".{}", &digits[1..]) } else { String::new() };
        return format!("{sign}{}{frac}e{}{:02}", &digits[..1], if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let body = if dp <= 0 {
        format!("0.{}{digits}", "0".repeat((-dp) as usize))
    } else if dp >= nd {
        format!("{digits}{}", "0".repeat((dp - nd) as usize))
    } else {
        format!("{}.{}", &digits[..dp as usize], &digits[dp as usize..])
    };
    format!("{sign}{body}")
}

/// `formatlist(spec, values...)`: one string per element of the list arguments (which must
/// have the same length); other arguments are repeated in each.
fn formatlist(a: FuncArgs) -> Ret {
    let spec = string("formatlist", "format", &a[0])?;
    let args = &a[1..];
    let mut len: Option<(usize, usize)> = None;
    for (i, arg) in args.iter().enumerate() {
        if let Value::Array(l) = arg {
            match len {
                None => len = Some((l.len(), i)),
                Some((n, j)) if n != l.len() => {
                    return Err(format!(
                        "formatlist: argument {} has length {}, which is inconsistent with argument {} of length {n}",
                        i + 1,
                        l.len(),
                        j + 1
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    for n in 0..len.map_or(1, |(n, _)| n) {
        let row: Vec<Value> = args
            .iter()
            .map(|arg| match arg {
                Value::Array(l) => l[n].clone(),
                v => v.clone(),
            })
            .collect();
        let s = format(&spec, &row).map_err(|e| format!("formatlist: error on format iteration {n}: {e}"))?;
        out.push(Value::String(s));
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
#[path = "tests_format.rs"]
mod tests;
