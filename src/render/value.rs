//! Attribute values in plan output, laid out the way Terraform lays them out: one symbol per
//! line (`+`, `-`, `~`), aligned `=`, nested maps and blocks indented four spaces a level,
//! `(known after apply)` for values that only exist later. JSON documents and multi-line text
//! are laid out and diffed line by line (see [`super::docdiff`]).

use std::collections::BTreeMap;

use super::Style;
use super::docdiff::{self, Layout, Row};
use crate::model::Value;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Sym {
    Add,
    Del,
    Chg,
    Same,
}

pub(super) struct Doc<'a> {
    pub out: String,
    pub style: &'a Style,
    /// Symbols in column 0 (`~` written `!`), for a Markdown `diff` block, which GitHub colours
    /// by each line's first character. Column widths stay those of the text plan.
    pub gutter: bool,
}

/// A value that fits on one line, if it does.
pub(super) fn inline(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Num(n) => n.to_string(),
        Value::Str(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Unknown | Value::Ref(_) | Value::Expr(_) => "(known after apply)".into(),
        Value::List(l) if l.is_empty() => "[]".into(),
        Value::Map(m) if m.is_empty() => "{}".into(),
        _ => return None,
    })
}

/// True for lists of nested blocks (lists whose items are maps).
pub(super) fn is_blocks(v: &Value) -> bool {
    matches!(v, Value::List(l) if l.first().is_some_and(|i| matches!(i, Value::Map(_))))
}

impl Doc<'_> {
    fn sym(&self, s: Sym) -> String {
        match s {
            Sym::Add => self.style.green("+"),
            Sym::Del => self.style.red("-"),
            Sym::Chg => self.style.yellow("~"),
            Sym::Same => " ".into(),
        }
    }

    pub fn line(&mut self, depth: usize, s: Sym, text: &str) {
        let indent = " ".repeat(2 + 4 * depth);
        match (self.gutter, s) {
            (false, _) | (true, Sym::Same) => self.out.push_str(&format!("{indent}{} {text}\n", self.sym(s))),
            (true, _) => self.out.push_str(&format!("{}{indent} {text}\n", gutter_sym(s))),
        }
    }

    pub fn close(&mut self, depth: usize, text: &str) {
        self.out.push_str(&format!("{}{text}\n", " ".repeat(4 * (depth + 1))));
    }

    pub fn note(&mut self, depth: usize, text: &str) {
        self.out.push_str(&format!("{}{text}\n", " ".repeat(4 + 4 * depth)));
    }

    /// `name = value` with one symbol for the whole value (creates and deletes).
    pub fn whole(&mut self, depth: usize, s: Sym, name: &str, pad: usize, v: &Value) {
        let tail = if s == Sym::Del { " -> null" } else { "" };
        if let Some(layout) = v.as_str().and_then(Layout::of) {
            let (open, close) = layout.brackets();
            self.line(depth, s, &format!("{name:pad$} = {open}"));
            self.lines(depth + 1, s, layout.lines());
            self.close(depth, &format!("{close}{tail}"));
            return;
        }
        if let Some(text) = inline(v) {
            self.line(depth, s, &format!("{name:pad$} = {text}{tail}"));
            return;
        }
        match v {
            Value::Map(m) => {
                self.line(depth, s, &format!("{name:pad$} = {{"));
                let kp = m.keys().map(|k| quoted(k).len()).max().unwrap_or(0);
                for (k, item) in m {
                    self.whole(depth + 1, s, &quoted(k), kp, item);
                }
                self.close(depth, "}");
            }
            Value::List(l) => {
                self.line(depth, s, &format!("{name:pad$} = ["));
                for item in l {
                    match inline(item) {
                        Some(text) => self.line(depth + 1, s, &format!("{text},")),
                        None => self.whole(depth + 1, s, "", 0, item),
                    }
                }
                self.close(depth, "]");
            }
            _ => {}
        }
    }

    /// A nested block (`ingress { … }`) with one symbol throughout: its attributes, then its
    /// own nested blocks. Absent nested blocks (empty lists) are not shown.
    pub fn block(&mut self, depth: usize, s: Sym, name: &str, fields: &BTreeMap<String, Value>, note: &str) {
        self.line(depth, s, &format!("{name} {{{note}"));
        let shown: Vec<(&String, &Value)> = fields.iter().filter(|(_, v)| !v.is_null() && !is_empty(v)).collect();
        let pad = shown.iter().filter(|(_, v)| !is_blocks(v)).map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, v) in shown.iter().filter(|(_, v)| !is_blocks(v)) {
            self.whole(depth + 1, s, k, pad, v);
        }
        for (k, v) in shown.iter().filter(|(_, v)| is_blocks(v)) {
            for item in v.as_list() {
                if let Value::Map(m) = item {
                    self.block(depth + 1, s, k, m, "");
                }
            }
        }
        self.close(depth, "}");
    }

    /// A block that changed: only what differs, nested blocks diffed in turn.
    fn block_diff(
        &mut self,
        depth: usize,
        name: &str,
        a: &BTreeMap<String, Value>,
        b: &BTreeMap<String, Value>,
        note: &str,
    ) {
        self.line(depth, Sym::Chg, &format!("{name} {{{note}"));
        let null = Value::Null;
        let keys: Vec<&String> = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))).collect();
        let nested = |k: &str| is_blocks(a.get(k).unwrap_or(&null)) || is_blocks(b.get(k).unwrap_or(&null));
        let pad = keys.iter().filter(|k| !nested(k)).map(|k| k.len()).max().unwrap_or(0);
        let mut same = 0;
        for k in keys.iter().filter(|k| !nested(k)).chain(keys.iter().filter(|k| nested(k))) {
            let (x, y) = (a.get(*k).unwrap_or(&null), b.get(*k).unwrap_or(&null));
            match (x == y, x.is_null() || is_empty(x), y.is_null() || is_empty(y)) {
                (true, _, _) => same += usize::from(!x.is_null() && !is_empty(x)),
                (false, true, false) if !nested(k) => self.whole(depth + 1, Sym::Add, k, pad, y),
                (false, false, true) if !nested(k) => self.whole(depth + 1, Sym::Del, k, pad, x),
                _ => self.diff(depth + 1, k, pad, x, y, ""),
            }
        }
        self.hidden(depth + 1, same, "attribute");
        self.close(depth, "}");
    }

    /// The change of one attribute from `old` to `new`.
    pub fn diff(&mut self, depth: usize, name: &str, pad: usize, old: &Value, new: &Value, note: &str) {
        match (old, new) {
            (Value::Map(a), Value::Map(b)) if !a.is_empty() && !b.is_empty() => {
                self.line(depth, Sym::Chg, &format!("{name:pad$} = {{{note}"));
                let kp = a.keys().chain(b.keys()).map(|k| quoted(k).len()).max().unwrap_or(0);
                let mut same = 0;
                for k in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                    match (a.get(k), b.get(k)) {
                        (Some(x), Some(y)) if x == y => same += 1,
                        (Some(x), Some(y)) => self.diff(depth + 1, &quoted(k), kp, x, y, ""),
                        (Some(x), None) => self.whole(depth + 1, Sym::Del, &quoted(k), kp, x),
                        (None, Some(y)) => self.whole(depth + 1, Sym::Add, &quoted(k), kp, y),
                        (None, None) => {}
                    }
                }
                self.hidden(depth + 1, same, "element");
                self.close(depth, "}");
            }
            (Value::List(a), Value::List(b)) if is_blocks(old) || is_blocks(new) => {
                let removed: Vec<&Value> = a.iter().filter(|x| !b.contains(x)).collect();
                let added: Vec<&Value> = b.iter().filter(|x| !a.contains(x)).collect();
                let same = a.iter().filter(|x| b.contains(x)).count();
                let pairs = pair_blocks(&removed, &added);
                for (i, item) in removed.iter().enumerate() {
                    match (pairs.iter().find(|(r, _)| *r == i), item) {
                        (Some((_, j)), Value::Map(x)) => {
                            if let Value::Map(y) = added[*j] {
                                self.block_diff(depth, name, x, y, note);
                            }
                        }
                        (None, Value::Map(x)) => self.block(depth, Sym::Del, name, x, note),
                        _ => {}
                    }
                }
                for (j, item) in added.iter().enumerate() {
                    if let (false, Value::Map(y)) = (pairs.iter().any(|(_, p)| *p == j), item) {
                        self.block(depth, Sym::Add, name, y, note);
                    }
                }
                self.hidden(depth, same, &format!("{name} block"));
            }
            (Value::List(a), Value::List(b)) if !a.is_empty() || !b.is_empty() => {
                self.line(depth, Sym::Chg, &format!("{name:pad$} = [{note}"));
                let same = a.iter().filter(|x| b.contains(x)).count();
                for item in a.iter().filter(|x| !b.contains(x)) {
                    self.line(depth + 1, Sym::Del, &format!("{},", inline(item).unwrap_or_default()));
                }
                for item in b.iter().filter(|x| !a.contains(x)) {
                    self.line(depth + 1, Sym::Add, &format!("{},", inline(item).unwrap_or_default()));
                }
                self.hidden(depth + 1, same, "element");
                self.close(depth, "]");
            }
            _ if is_document(old) || is_document(new) => self.document_diff(depth, name, pad, old, new, note),
            _ => match (inline(old), inline(new)) {
                (Some(a), Some(b)) => self.line(depth, Sym::Chg, &format!("{name:pad$} = {a} -> {b}{note}")),
                _ => {
                    self.whole(depth, Sym::Del, name, pad, old);
                    self.whole(depth, Sym::Add, name, pad, new);
                }
            },
        }
    }

    /// A document's lines, all with one symbol but for closing brackets, which Terraform
    /// aligns under their opening line's name without one.
    fn lines(&mut self, depth: usize, s: Sym, lines: &[docdiff::Line]) {
        for l in lines {
            self.line(depth + l.depth, if l.closer { Sym::Same } else { s }, &l.show());
        }
    }

    /// A change of a string shown as a document on either side: a line diff when both sides
    /// are documents of one kind, else the old value removed and the new one added.
    fn document_diff(&mut self, depth: usize, name: &str, pad: usize, old: &Value, new: &Value, note: &str) {
        let layouts = (old.as_str().and_then(Layout::of), new.as_str().and_then(Layout::of));
        match layouts {
            (Some(a), Some(b)) if a.same_kind(&b) => {
                let (open, close) = b.brackets();
                self.line(depth, Sym::Chg, &format!("{name:pad$} = {open}{note}"));
                for row in docdiff::diff(a.lines(), b.lines()) {
                    match row {
                        Row::Same(l) => self.line(depth + 1 + l.depth, Sym::Same, &l.show()),
                        Row::Del(l) => self.line(depth + 1 + l.depth, Sym::Del, &l.show()),
                        Row::Add(l) => self.line(depth + 1 + l.depth, Sym::Add, &l.show()),
                        Row::Chg(a, b) => self.line(depth + 1 + b.depth, Sym::Chg, &docdiff::Line::show_change(a, b)),
                        Row::Hidden(n, d) => self.hidden(depth + 1 + d, n, "line"),
                    }
                }
                self.close(depth, close);
            }
            // One side a single line (user data's digest before, a value known after apply).
            (Some(a), None) if !new.is_null() => {
                let (open, close) = a.brackets();
                self.line(depth, Sym::Chg, &format!("{name:pad$} = {open}{note}"));
                self.lines(depth + 1, Sym::Del, a.lines());
                self.close(depth, &format!("{close} -> {}", inline(new).unwrap_or_default()));
            }
            (None, Some(b)) if !old.is_null() => {
                let (open, close) = b.brackets();
                self.line(
                    depth,
                    Sym::Chg,
                    &format!("{name:pad$} = {} -> {open}{note}", inline(old).unwrap_or_default()),
                );
                self.lines(depth + 1, Sym::Add, b.lines());
                self.close(depth, close);
            }
            _ => {
                if !old.is_null() {
                    self.whole(depth, Sym::Del, name, pad, old);
                }
                if !new.is_null() {
                    self.whole(depth, Sym::Add, name, pad, new);
                }
            }
        }
    }

    pub fn hidden(&mut self, depth: usize, n: usize, what: &str) {
        if n > 0 {
            let s = if n == 1 { "" } else { "s" };
            self.note(depth, &format!("# ({n} unchanged {what}{s} hidden)"));
        }
    }
}

/// A string laid out over several lines: a JSON document or multi-line text.
fn is_document(v: &Value) -> bool {
    v.as_str().is_some_and(|s| Layout::of(s).is_some())
}

/// The symbol a Markdown `diff` block knows: `~` is not one, `!` is.
fn gutter_sym(s: Sym) -> char {
    match s {
        Sym::Add => '+',
        Sym::Del => '-',
        _ => '!',
    }
}

/// Empty lists and maps: absent nested blocks, nothing to show.
fn is_empty(v: &Value) -> bool {
    matches!(v, Value::List(l) if l.is_empty()) || matches!(v, Value::Map(m) if m.is_empty())
}

/// Pairs removed with added blocks that are the same block changed: those agreeing on at
/// least half of their attributes, best matches first, each used once.
fn pair_blocks(removed: &[&Value], added: &[&Value]) -> Vec<(usize, usize)> {
    let score = |a: &Value, b: &Value| -> (usize, usize) {
        let (Some(a), Some(b)) = (a.as_map(), b.as_map()) else { return (0, 1) };
        let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        (keys.iter().filter(|k| a.get(**k) == b.get(**k)).count(), keys.len())
    };
    let mut candidates: Vec<(usize, usize, usize)> = vec![];
    for (i, r) in removed.iter().enumerate() {
        for (j, a) in added.iter().enumerate() {
            let (equal, total) = score(r, a);
            if equal * 2 >= total {
                candidates.push((equal, i, j));
            }
        }
    }
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut pairs: Vec<(usize, usize)> = vec![];
    for (_, i, j) in candidates {
        if !pairs.iter().any(|(r, a)| *r == i || *a == j) {
            pairs.push((i, j));
        }
    }
    pairs
}

/// Map keys are shown quoted, as Terraform shows them.
fn quoted(k: &str) -> String {
    serde_json::to_string(k).unwrap_or_default()
}
