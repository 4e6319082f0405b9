//! Long string values as documents in plans: a JSON object or array (an IAM policy, a trust
//! policy) is decoded and laid out the way Terraform shows a `jsonencode(...)` value, and any
//! other text of several lines (user data under `--show-sensitive`) as a heredoc. A change is
//! then a line diff of the two layouts (`similar`'s Myers diff), so a reviewer sees the one
//! action added to a policy instead of two escaped strings.
//!
//! Which strings are documents is decided by the value, not the schema, as Terraform's plan
//! renderer decides it: a string that decodes to a JSON object or array is shown decoded,
//! whatever attribute holds it. The schema could not say it alone: a role's `assume` is a
//! plain string in the stack file (a service principal) that stackr turns into a trust policy,
//! and a JSON-looking tag value is shown as JSON by Terraform too. The key order is the
//! string's own, which for policies is stackr's canonical order (keys sorted).

use similar::{Algorithm, DiffTag, capture_diff_slices};

/// Unchanged lines kept around each change; longer unchanged runs are folded.
const CONTEXT: usize = 3;

/// One line of a laid-out document. Lines compare by depth, key and text; the padding that
/// aligns `=` within an object only follows from its siblings, so it does not count.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub depth: usize,
    key: Option<String>,
    text: String,
    pad: usize,
    /// The `}` or `]` that closes a JSON object or array.
    pub closer: bool,
}

impl Line {
    fn same(&self) -> (usize, Option<&str>, &str) {
        (self.depth, self.key.as_deref(), &self.text)
    }

    /// A `key = value` line whose value is a scalar, which a change can show as `old -> new`.
    fn is_scalar_member(&self) -> bool {
        self.key.is_some() && !self.text.ends_with(['{', '['])
    }

    pub fn show(&self) -> String {
        match &self.key {
            Some(k) => format!("{k:pad$} = {}", self.text, pad = self.pad),
            None => self.text.clone(),
        }
    }

    /// `key = old -> new` for a pair of scalar members.
    pub fn show_change(old: &Line, new: &Line) -> String {
        let key = new.key.as_deref().unwrap_or_default();
        format!("{key:pad$} = {} -> {}", old.text, new.text, pad = new.pad)
    }
}

/// How a long string is laid out.
pub(super) enum Layout {
    /// A decoded JSON document, shown inside `jsonencode(` … `)`.
    Json(Vec<Line>),
    /// Text of several lines, shown inside `<<-EOT` … `EOT`.
    Text(Vec<Line>),
}

impl Layout {
    /// The layout of a string value, or `None` for a string that fits on one line.
    pub fn of(s: &str) -> Option<Layout> {
        let t = s.trim_start();
        if t.starts_with(['{', '['])
            && let Ok(doc) = serde_json::from_str::<serde_json::Value>(s)
            && (doc.is_object() || doc.is_array())
        {
            let mut lines = vec![];
            value_lines(&doc, 0, None, false, &mut lines);
            return Some(Layout::Json(lines));
        }
        s.contains('\n').then(|| {
            Layout::Text(
                s.lines().map(|l| Line { depth: 0, key: None, text: l.to_string(), pad: 0, closer: false }).collect(),
            )
        })
    }

    pub fn lines(&self) -> &[Line] {
        match self {
            Layout::Json(l) | Layout::Text(l) => l,
        }
    }

    /// The opening and closing text around the lines.
    pub fn brackets(&self) -> (&'static str, &'static str) {
        match self {
            Layout::Json(_) => ("jsonencode(", ")"),
            Layout::Text(_) => ("<<-EOT", "EOT"),
        }
    }

    pub fn same_kind(&self, other: &Layout) -> bool {
        matches!((self, other), (Layout::Json(_), Layout::Json(_)) | (Layout::Text(_), Layout::Text(_)))
    }
}

/// Lays out `v` the way Terraform shows a decoded `jsonencode` value: object members as
/// `Key = value` with `=` aligned, no commas; list items with a trailing comma each, so adding
/// an item at the end is one added line. Keys that are not identifiers are quoted.
fn value_lines(v: &serde_json::Value, depth: usize, key: Option<(&str, usize)>, item: bool, out: &mut Vec<Line>) {
    use serde_json::Value as J;
    let comma = if item { "," } else { "" };
    let line = |text: String| Line {
        depth,
        key: key.map(|(k, _)| k.to_string()),
        text,
        pad: key.map_or(0, |(_, p)| p),
        closer: false,
    };
    match v {
        J::Object(m) if !m.is_empty() => {
            out.push(line("{".into()));
            let keys: Vec<String> = m.keys().map(|k| shown_key(k)).collect();
            let pad = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
            for (k, x) in keys.iter().zip(m.values()) {
                value_lines(x, depth + 1, Some((k, pad)), false, out);
            }
            out.push(Line { depth, key: None, text: format!("}}{comma}"), pad: 0, closer: true });
        }
        J::Array(a) if !a.is_empty() => {
            out.push(line("[".into()));
            for x in a {
                value_lines(x, depth + 1, None, true, out);
            }
            out.push(Line { depth, key: None, text: format!("]{comma}"), pad: 0, closer: true });
        }
        scalar => out.push(line(format!("{scalar}{comma}"))),
    }
}

/// Identifiers bare (`Statement`), anything else quoted (`"aws:SourceIp"`), as Terraform shows
/// object keys.
fn shown_key(k: &str) -> String {
    let ident = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident { k.to_string() } else { serde_json::to_string(k).unwrap_or_default() }
}

/// One row of a line diff.
#[derive(Debug, Clone, Copy)]
pub(super) enum Row<'a> {
    Same(&'a Line),
    Del(&'a Line),
    Add(&'a Line),
    /// A scalar member whose value changed: `~ Key = old -> new`.
    Chg(&'a Line, &'a Line),
    /// `n` unchanged lines folded, at the depth of the first of them.
    Hidden(usize, usize),
}

/// The line diff of two layouts, with unchanged runs longer than the context folded.
pub(super) fn diff<'a>(old: &'a [Line], new: &'a [Line]) -> Vec<Row<'a>> {
    let a: Vec<_> = old.iter().map(Line::same).collect();
    let b: Vec<_> = new.iter().map(Line::same).collect();
    let mut rows = vec![];
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => rows.extend(new[n].iter().map(Row::Same)),
            DiffTag::Delete => rows.extend(old[o].iter().map(Row::Del)),
            DiffTag::Insert => rows.extend(new[n].iter().map(Row::Add)),
            DiffTag::Replace => replaced(&old[o], &new[n], &mut rows),
        }
    }
    fold(rows)
}

/// Lines replaced by others: a scalar member whose key stays (in order) is one changed line;
/// the rest are removed, then added.
fn replaced<'a>(old: &'a [Line], new: &'a [Line], rows: &mut Vec<Row<'a>>) {
    let mut pairs: Vec<Option<usize>> = vec![None; new.len()];
    let mut next = 0;
    let mut paired_old = vec![false; old.len()];
    for (i, o) in old.iter().enumerate().filter(|(_, o)| o.is_scalar_member()) {
        let found =
            (next..new.len()).find(|&j| new[j].is_scalar_member() && new[j].depth == o.depth && new[j].key == o.key);
        if let Some(j) = found {
            pairs[j] = Some(i);
            paired_old[i] = true;
            next = j + 1;
        }
    }
    rows.extend(old.iter().zip(&paired_old).filter(|(_, p)| !**p).map(|(o, _)| Row::Del(o)));
    for (j, n) in new.iter().enumerate() {
        rows.push(match pairs[j] {
            Some(i) => Row::Chg(&old[i], n),
            None => Row::Add(n),
        });
    }
}

/// Folds each run of unchanged rows down to the context around the changes next to it,
/// when that hides at least two lines (one note for one line saves nothing).
fn fold(rows: Vec<Row<'_>>) -> Vec<Row<'_>> {
    let same = |r: &Row| matches!(r, Row::Same(_));
    let mut out = vec![];
    let mut i = 0;
    while i < rows.len() {
        if !same(&rows[i]) {
            out.push(rows[i]);
            i += 1;
            continue;
        }
        let end = (i..rows.len()).find(|&j| !same(&rows[j])).unwrap_or(rows.len());
        // Context after the change before the run, and before the change after it.
        let before = if i == 0 { 0 } else { CONTEXT };
        let after = if end == rows.len() { 0 } else { CONTEXT };
        let hidden = (end - i).saturating_sub(before + after);
        if hidden >= 2 {
            let depth = if let Row::Same(l) = rows[i + before] { l.depth } else { 0 };
            out.extend_from_slice(&rows[i..i + before]);
            out.push(Row::Hidden(hidden, depth));
            out.extend_from_slice(&rows[end - after..end]);
        } else {
            out.extend_from_slice(&rows[i..end]);
        }
        i = end;
    }
    out
}
