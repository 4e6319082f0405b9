//! What AWS accepts for an attribute beyond its type: number ranges, lengths, character sets
//! and formats (an AMI id, an ARN, a cron expression). A kind declares them on the attribute in
//! its schema; the stack loader checks every value written in the file against them (with the
//! expression underlined) before anything is sent, and the README's reference tables print
//! them, so one declaration serves the check and the documentation.

pub mod cron;
pub mod formats;

use crate::model::Value;

/// One constraint on an attribute's value. Item constraints apply to a scalar, and to every
/// item of a list or every value of a map; `Count` and `Keys` apply to the collection itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A number in this inclusive range (a fraction is compared as it is).
    Range(i64, i64),
    /// A number greater than zero, fractions included (AWS's positive doubles).
    Positive,
    /// A string of this many characters (inclusive).
    Len(usize, usize),
    /// A string of at most this many bytes (bodies and scripts: never echoed).
    Bytes(usize),
    /// A string made only of these characters.
    Chars(&'static Chars),
    /// A string that must not start with this prefix (compared without regard to case).
    NotPrefix(&'static str),
    /// A string in this format.
    Format(&'static Format),
    /// A CIDR block whose prefix length is in this range.
    Prefix(u8, u8),
    /// A list or map of at most this many items.
    Count(usize),
    /// Constraints on the keys of a map.
    Keys(&'static [Check]),
}

/// A character set, with the words the docs and messages use for it.
#[derive(Debug)]
pub struct Chars {
    pub doc: &'static str,
    pub ok: fn(char) -> bool,
}

impl PartialEq for Chars {
    fn eq(&self, other: &Self) -> bool {
        self.doc == other.doc
    }
}
impl Eq for Chars {}

/// A format: `check` says what is wrong with a string, or `None` when it fits.
#[derive(Debug)]
pub struct Format {
    pub doc: &'static str,
    pub check: fn(&str) -> Option<String>,
}

impl PartialEq for Format {
    fn eq(&self, other: &Self) -> bool {
        self.doc == other.doc
    }
}
impl Eq for Format {}

/// A problem found in a value: what to say, and whether saying the value itself is harmless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub reason: String,
    /// The item the problem is in (a list item, a map key or value), when not the whole value.
    pub item: Option<String>,
    /// False for bodies and scripts: the message never quotes them.
    pub quotable: bool,
    /// The reason in words that show nothing of the value (for sensitive values), when
    /// `reason` quotes part of it.
    pub masked: Option<String>,
}

/// Every problem `checks` finds in `v`. References and unknown values are not checked: they
/// are only known after apply.
pub fn problems(checks: &[Check], v: &Value) -> Vec<Problem> {
    let mut out = vec![];
    collection(checks, v, &mut out);
    out
}

fn collection(checks: &[Check], v: &Value, out: &mut Vec<Problem>) {
    let items = match v {
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        _ => return scalar(checks, v, None, out),
    };
    for c in checks {
        match c {
            Check::Count(max) if items > *max => out.push(Problem {
                reason: format!("has {items} items; at most {max} are allowed"),
                item: None,
                quotable: false,
                masked: None,
            }),
            Check::Keys(kc) => {
                for k in v.as_map().into_iter().flat_map(|m| m.keys()) {
                    scalar(kc, &Value::Str(k.clone()), Some(format!("key \"{k}\"")), out);
                }
            }
            _ => {}
        }
    }
    match v {
        Value::List(l) => l.iter().for_each(|i| scalar(checks, i, Some(item_name(i)), out)),
        Value::Map(m) => m.iter().for_each(|(k, i)| scalar(checks, i, Some(format!("the value of \"{k}\"")), out)),
        _ => {}
    }
}

fn item_name(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("\"{s}\""),
        Value::Int(i) => i.to_string(),
        Value::Num(n) => n.to_string(),
        _ => "an item".into(),
    }
}

fn scalar(checks: &[Check], v: &Value, item: Option<String>, out: &mut Vec<Problem>) {
    if let Value::List(_) | Value::Map(_) = v {
        // A set of strings inside a map (`headers`): check its items in turn.
        let inner: Vec<Check> =
            checks.iter().copied().filter(|c| !matches!(c, Check::Count(_) | Check::Keys(_))).collect();
        let before = out.len();
        collection(&inner, v, out);
        for p in &mut out[before..] {
            if p.item.is_none() {
                p.item = item.clone();
            }
        }
        return;
    }
    for c in checks {
        if let Some((reason, quotable)) = one(c, v) {
            let masked = match c {
                Check::Chars(set) => Some(format!("contains a character that is not allowed (allowed: {})", set.doc)),
                Check::Format(f) => Some(format!("is not in the expected form ({})", f.doc)),
                _ => None,
            };
            out.push(Problem { reason, item: item.clone(), quotable: quotable && item.is_none(), masked });
        }
    }
}

/// What `c` finds wrong with the scalar `v`, and whether the message may quote `v`.
fn one(c: &Check, v: &Value) -> Option<(String, bool)> {
    match (c, v) {
        (Check::Range(lo, hi), Value::Int(n)) if !(lo..=hi).contains(&n) => {
            Some((format!("is out of range ({})", range_doc(*lo, *hi)), true))
        }
        (Check::Range(lo, hi), Value::Num(n)) if n.get() < *lo as f64 || n.get() > *hi as f64 => {
            Some((format!("is out of range ({})", range_doc(*lo, *hi)), true))
        }
        (Check::Positive, v) if v.as_f64().is_some_and(|n| n <= 0.0) => Some(("must be greater than 0".into(), true)),
        (Check::Len(lo, hi), Value::Str(s)) => {
            let n = s.chars().count();
            let reason = if n == 0 && *lo > 0 {
                "must not be empty".to_string()
            } else if n < *lo {
                format!("is {n} characters long; at least {lo} are needed")
            } else if n > *hi {
                format!("is {n} characters long; at most {hi} are allowed")
            } else {
                return None;
            };
            Some((reason, true))
        }
        (Check::Bytes(max), Value::Str(s)) if s.len() > *max => {
            Some((format!("is {} bytes long; at most {max} are allowed", s.len()), false))
        }
        (Check::Chars(set), Value::Str(s)) => s
            .chars()
            .find(|c| !(set.ok)(*c))
            .map(|bad| (format!("contains {}, which is not allowed (allowed: {})", show_char(bad), set.doc), true)),
        (Check::NotPrefix(p), Value::Str(s)) if s.to_lowercase().starts_with(&p.to_lowercase()) => {
            Some((format!("must not start with \"{p}\""), true))
        }
        (Check::Format(f), Value::Str(s)) => (f.check)(s).map(|r| (r, true)),
        (Check::Prefix(lo, hi), Value::Str(s)) => match s.parse::<ipnet::Ipv4Net>() {
            Ok(net) if !(lo..=hi).contains(&&net.prefix_len()) => {
                Some((format!("is a /{} block; AWS allows /{lo} to /{hi}", net.prefix_len()), true))
            }
            _ => None,
        },
        _ => None,
    }
}

fn show_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\n' => "a line break".into(),
        '\t' => "a tab".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

fn range_doc(lo: i64, hi: i64) -> String {
    match (lo, hi) {
        (lo, i64::MAX) => format!("at least {lo}"),
        (lo, hi) => format!("{lo}-{hi}"),
    }
}

/// `name "x…" is 70 characters long; …`, with the value masked when it is sensitive and left
/// out when it is long or a script.
pub fn message(name: &str, v: &Value, p: &Problem, secret: bool) -> String {
    let shown = match v {
        _ if secret => format!(" {MASK}"),
        Value::Int(i) => format!(" {i}"),
        Value::Num(n) => format!(" {n}"),
        Value::Str(s) if p.quotable && s.chars().count() <= 80 && !s.chars().any(char::is_control) => {
            format!(" \"{s}\"")
        }
        _ => String::new(),
    };
    let reason = if secret { p.masked.as_ref().unwrap_or(&p.reason) } else { &p.reason };
    match &p.item {
        Some(_) if secret => format!("{name}: an item{shown} {reason}"),
        Some(item) => format!("{name}: {item} {reason}"),
        None => format!("{name}{shown} {reason}"),
    }
}

/// What stands in a message for a value from a sensitive variable.
pub const MASK: &str = "(sensitive value)";

/// The constraints in a few words, for the README's "allowed" column. When the keys of a map
/// are constrained, the item constraints are said to be about its values.
pub fn describe(checks: &[Check]) -> String {
    let one = |c: &Check| match c {
        Check::Range(lo, hi) => range_doc(*lo, *hi),
        Check::Positive => "greater than 0".into(),
        Check::Len(lo, hi) if lo == hi => format!("{lo} characters"),
        Check::Len(lo, hi) => format!("{lo}-{hi} characters"),
        Check::Bytes(max) => format!("at most {max} bytes"),
        Check::Chars(set) => set.doc.to_string(),
        Check::NotPrefix(p) => format!("not starting with `{p}`"),
        Check::Format(f) => f.doc.to_string(),
        Check::Prefix(lo, hi) => format!("/{lo} to /{hi}"),
        Check::Count(max) => format!("at most {max} items"),
        Check::Keys(kc) => format!("keys: {}", describe(kc)),
    };
    let join = |items: Vec<String>| items.join("; ");
    let (outer, items): (Vec<&Check>, Vec<&Check>) =
        checks.iter().partition(|c| matches!(c, Check::Count(_) | Check::Keys(_)));
    let mut parts: Vec<String> = outer.into_iter().map(one).collect();
    let items = join(items.into_iter().map(one).collect());
    match () {
        _ if items.is_empty() => {}
        _ if checks.iter().any(|c| matches!(c, Check::Keys(_))) => parts.push(format!("values: {items}")),
        _ => parts.push(items),
    }
    join(parts)
}

/// Character sets AWS documents for names and descriptions.
pub mod chars {
    use super::Chars;

    /// IAM user, group, role and policy names: `[\w+=,.@-]`.
    pub static IAM_NAME: Chars =
        Chars { doc: "letters, digits and `+=,.@_-`", ok: |c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) };

    /// IAM descriptions: tab, line breaks, printable ASCII and Latin-1.
    pub static IAM_DESCRIPTION: Chars = Chars {
        doc: "printable ASCII and Latin-1",
        ok: |c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{a1}'..='\u{ff}'),
    };

    /// Security group names and descriptions (and rule descriptions) in a VPC.
    pub static SECURITY_GROUP: Chars = Chars {
        doc: "letters, digits, spaces and `._-:/()#,@[]+=&;{}!$*`",
        ok: |c| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c),
    };

    /// Launch template names.
    pub static LAUNCH_TEMPLATE: Chars =
        Chars { doc: "letters, digits and `().-/_`", ok: |c| c.is_ascii_alphanumeric() || "().-/_".contains(c) };

    /// Printable ASCII, as key pair names and most AWS strings.
    pub static ASCII: Chars = Chars { doc: "printable ASCII", ok: |c| matches!(c, '\u{20}'..='\u{7e}') };

    /// Auto Scaling names: any character but control characters other than tab and line breaks.
    pub static AUTOSCALING: Chars =
        Chars { doc: "no control characters", ok: |c| !c.is_control() || matches!(c, '\t' | '\n' | '\r') };

    /// Tags of IAM, ELB and Auto Scaling objects: `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
    pub static TAG: Chars = Chars {
        doc: "letters, digits, spaces and `_.:/=+-@`",
        ok: |c| c.is_alphanumeric() || (c.is_whitespace() && !c.is_control()) || "_.:/=+-@".contains(c),
    };
}

#[cfg(test)]
mod tests;
