//! `yamlencode`: YAML block syntax shaped as Terraform's output (go-cty-yaml on libyaml's
//! emitter): strings double-quoted, or as a `|` literal block when they span lines; keys
//! double-quoted and in lexical order; sequences inside a mapping not indented; long quoted
//! strings folded at spaces past column 80; a lone plain scalar followed by `...`.

use hcl::Value;

/// Past this column, a quoted string is folded at its next space, as libyaml does.
const WIDTH: usize = 80;

pub(super) fn encode(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Array(a) if !a.is_empty() => block(&mut out, v, 0),
        Value::Object(o) if !o.is_empty() => block(&mut out, v, 0),
        _ => scalar(&mut out, v, 2),
    }
    out.push('\n');
    if matches!(v, Value::Null | Value::Bool(_) | Value::Number(_)) {
        out.push_str("...\n");
    }
    out
}

/// Writes a non-empty sequence or mapping whose entries start at column `col`; the first
/// entry's position is already written.
fn block(out: &mut String, v: &Value, col: usize) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    newline(out, col);
                }
                out.push_str("- ");
                match item {
                    Value::Array(a) if !a.is_empty() => block(out, item, col + 2),
                    Value::Object(o) if !o.is_empty() => block(out, item, col + 2),
                    _ => scalar(out, item, col + 2),
                }
            }
        }
        Value::Object(o) => {
            let mut entries: Vec<_> = o.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    newline(out, col);
                }
                quoted(out, k, 0, false);
                out.push(':');
                match item {
                    // libyaml writes a sequence in a mapping at the key's own indentation.
                    Value::Array(a) if !a.is_empty() => {
                        newline(out, col);
                        block(out, item, col);
                    }
                    Value::Object(m) if !m.is_empty() => {
                        newline(out, col + 2);
                        block(out, item, col + 2);
                    }
                    _ => {
                        out.push(' ');
                        scalar(out, item, col + 2);
                    }
                }
            }
        }
        _ => scalar(out, v, col + 2),
    }
}

fn newline(out: &mut String, col: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', col));
}

/// A scalar or empty collection; `indent` is where continuation lines start.
fn scalar(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&super::num_text(n)),
        Value::String(s) if literal_allowed(s) => literal(out, s, indent),
        Value::String(s) => quoted(out, s, indent, true),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// libyaml's printable characters: others are escaped.
fn printable(c: char) -> bool {
    matches!(c as u32, 0x0A | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
        && c != '\u{FEFF}'
}

/// A multi-line string is written as a literal block unless libyaml would refuse: a
/// character it must escape, a space before a line break, or a trailing space.
fn literal_allowed(s: &str) -> bool {
    s.contains('\n') && s.chars().all(printable) && !s.contains(" \n") && !s.ends_with(' ')
}

fn literal(out: &mut String, s: &str, indent: usize) {
    out.push('|');
    if s.starts_with([' ', '\n']) {
        out.push('2');
    }
    let body = match s.strip_suffix('\n') {
        None => {
            out.push('-');
            s
        }
        Some(rest) if rest.is_empty() || rest.ends_with('\n') => {
            out.push('+');
            rest
        }
        Some(rest) => rest,
    };
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(line);
        }
    }
}

/// A double-quoted string; with `fold`, a space past column 80 becomes a line break to
/// `indent` (an escaped `\` keeps a following space).
fn quoted(out: &mut String, s: &str, indent: usize, fold: bool) {
    let mut col = out.rsplit('\n').next().map_or(0, |l| l.chars().count());
    out.push('"');
    col += 1;
    let chars: Vec<char> = s.chars().collect();
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        let escape = match c {
            '\0' => Some("\\0".to_string()),
            '\u{7}' => Some("\\a".into()),
            '\u{8}' => Some("\\b".into()),
            '\t' => Some("\\t".into()),
            '\n' => Some("\\n".into()),
            '\u{B}' => Some("\\v".into()),
            '\u{C}' => Some("\\f".into()),
            '\r' => Some("\\r".into()),
            '\u{1B}' => Some("\\e".into()),
            '"' => Some("\\\"".into()),
            '\\' => Some("\\\\".into()),
            '\u{85}' => Some("\\N".into()),
            '\u{2028}' => Some("\\L".into()),
            '\u{2029}' => Some("\\P".into()),
            c if !printable(c) => Some(match c as u32 {
                n @ 0..=0xFF => format!("\\x{n:02X}"),
                n @ 0x100..=0xFFFF => format!("\\u{n:04X}"),
                n => format!("\\U{n:08X}"),
            }),
            _ => None,
        };
        if let Some(e) = escape {
            col += e.len();
            out.push_str(&e);
            spaces = false;
        } else if c == ' ' {
            if fold && !spaces && col > WIDTH && i > 0 && i < chars.len() - 1 {
                newline(out, indent);
                col = indent;
                if chars[i + 1] == ' ' {
                    out.push('\\');
                    col += 1;
                }
            } else {
                out.push(' ');
                col += 1;
            }
            spaces = true;
        } else {
            out.push(c);
            col += 1;
            spaces = false;
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::super::test::{eval, v};

    fn yaml(src: &str) -> String {
        eval(&format!("yamlencode({src})")).unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn yamlencode_matches_terraform_docs() {
        assert_eq!(yaml(r#"{"a":"b", "c":"d"}"#), "\"a\": \"b\"\n\"c\": \"d\"\n");
        assert_eq!(yaml(r#"{"foo":[1, 2, 3], "bar": "baz"}"#), "\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n- 3\n");
        assert_eq!(
            yaml(r#"{"foo":[1, {"a":"b","c":"d"}, 3], "bar": "baz"}"#),
            "\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n"
        );
    }

    #[test]
    fn yamlencode_matches_go_cty_yaml() {
        assert_eq!(yaml("true"), "true\n...\n");
        assert_eq!(yaml("0"), "0\n...\n");
        assert_eq!(yaml("null"), "null\n...\n");
        assert_eq!(yaml(r#""""#), "\"\"\n");
        assert_eq!(yaml(r#""hello""#), "\"hello\"\n");
        assert_eq!(yaml(r#""hello\nworld""#), "|-\n  hello\n  world\n");
        assert_eq!(yaml("{}"), "{}\n");
        assert_eq!(yaml("[]"), "[]\n");
        assert_eq!(yaml(r#"["b"]"#), "- \"b\"\n");
        assert_eq!(yaml(r#"{a = {b = "c\nd\n", e = []}}"#), "\"a\":\n  \"b\": |\n    c\n    d\n  \"e\": []\n");
        assert_eq!(yaml("[[1, 2], [3]]"), "- - 1\n  - 2\n- - 3\n");
        assert_eq!(yaml(r#"["a\tb", "x \ny"]"#), "- \"a\\tb\"\n- \"x \\ny\"\n");
        assert_eq!(yaml("1.5"), "1.5\n...\n");
    }

    #[test]
    fn long_strings_fold_past_column_80() {
        let words = ["word"; 30].join(" ");
        let out = yaml(&format!(r#"{{k = "{words}"}}"#));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0].len() > 80 && lines[0].len() < 90, "{out}");
        assert!(lines[1].starts_with("  word"), "{out}");
        assert_eq!(out.replace("\n  ", " "), format!("\"k\": \"{words}\"\n"));
        assert_eq!(eval("yamlencode(1)"), Ok(v(r#""1\n...\n""#)));
    }
}
