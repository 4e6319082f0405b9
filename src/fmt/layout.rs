//! Terraform's layout rules (hclwrite's format): lines are split into a lead, an assignment
//! (from the first `=` when the rest of the line is a whole expression) and a trailing comment;
//! indentation is two spaces per open bracket level; spacing between tokens follows fixed
//! rules; the `=` of consecutive assignment lines, and then their trailing comments, line up.
//! Only the spaces before tokens change. On top of Terraform: runs of blank lines become one,
//! no blank lines at the start or end, one line break at the end, no trailing spaces after
//! line comments.

use std::ops::Range;

use super::lex::{K, Token};

struct Line {
    lead: Range<usize>,
    assign: Option<Range<usize>>,
    comment: Option<usize>,
}

impl Line {
    fn is_blank(&self, tokens: &[Token]) -> bool {
        self.assign.is_none()
            && self.comment.is_none()
            && self.lead.len() == 1
            && tokens[self.lead.start].kind == K::Newline
    }

    fn end(&self) -> usize {
        self.comment.map(|c| c + 1).or(self.assign.as_ref().map(|a| a.end)).unwrap_or(self.lead.end)
    }
}

pub fn format(tokens: &[Token]) -> String {
    let lines = split(tokens);
    let mut sp = vec![0usize; tokens.len()];
    indent(tokens, &lines, &mut sp);
    spaces(tokens, &lines, &mut sp);
    align(tokens, &lines, &mut sp);
    render(tokens, &lines, &sp)
}

fn split(tokens: &[Token]) -> Vec<Line> {
    let mut ranges = vec![];
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.ends_line() {
            ranges.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        ranges.push(start..tokens.len());
    }
    ranges
        .into_iter()
        .map(|mut lead| {
            let mut comment = None;
            if lead.len() > 1 && tokens[lead.end - 1].kind == K::Comment {
                comment = Some(lead.end - 1);
                lead.end -= 1;
            }
            let mut assign = None;
            if let Some(eq) = lead.clone().skip(1).find(|i| tokens[*i].kind == K::Equal) {
                // Only a whole expression on this line is aligned; `x = {` opens a multi-line one.
                if net_brackets(&tokens[eq..lead.end]) == 0 {
                    assign = Some(eq..lead.end);
                    lead.end = eq;
                }
            }
            Line { lead, assign, comment }
        })
        .collect()
}

fn net_brackets(tokens: &[Token]) -> i32 {
    tokens.iter().map(|t| t.kind.bracket_change()).sum()
}

/// Two spaces per level of brackets opened on earlier lines and still open; a line that closes
/// brackets is indented at the level it returns to.
fn indent(tokens: &[Token], lines: &[Line], sp: &mut [usize]) {
    let mut levels: Vec<i32> = vec![];
    for line in lines {
        let first = line.lead.start;
        if line.lead.is_empty() {
            continue;
        }
        if tokens[first].kind == K::Newline {
            sp[first] = 0;
            continue;
        }
        let mut net = 0;
        for t in &tokens[line.lead.clone()] {
            net += t.kind.bracket_change();
            if t.kind == K::OHeredoc {
                break;
            }
        }
        if let Some(a) = &line.assign {
            net += net_brackets(&tokens[a.clone()]);
        }
        if net > 0 {
            sp[first] = 2 * levels.len();
            levels.push(net);
        } else {
            let mut closed = -net;
            while closed > 0 {
                let Some(top) = levels.last_mut() else { break };
                if closed >= *top {
                    closed -= *top;
                    levels.pop();
                } else {
                    *top -= closed;
                    closed = 0;
                }
            }
            sp[first] = 2 * levels.len();
        }
    }
}

fn spaces(tokens: &[Token], lines: &[Line], sp: &mut [usize]) {
    for line in lines {
        let cells = [Some(line.lead.clone()), line.assign.clone()];
        for (c, cell) in cells.into_iter().enumerate() {
            let Some(cell) = cell else { continue };
            if c == 1 {
                sp[cell.start] = 1;
            }
            for i in cell.start..cell.end.saturating_sub(1) {
                let before = if i > cell.start { Some(&tokens[i - 1]) } else { None };
                sp[i + 1] = usize::from(space_after(&tokens[i], before, &tokens[i + 1]));
            }
        }
    }
}

/// Whether `subject` is followed by a space (hclwrite's spaceAfterToken, rule for rule).
fn space_after(subject: &Token, before: Option<&Token>, after: &Token) -> bool {
    use K::*;
    let (s, a) = (subject.kind, after.kind);
    let b = before.map(|t| t.kind);
    match () {
        _ if a == Newline => false,
        _ if s == Ident && a == OParen => false,
        _ if (s == Ident && a == DoubleColon) || (s == DoubleColon && a == Ident) => false,
        _ if s == Dot || a == Dot => false,
        _ if a == Comma || a == Ellipsis => false,
        _ if s == Comma => true,
        _ if matches!(s, QuotedLit | StringLit | OQuote | OHeredoc)
            || matches!(a, QuotedLit | StringLit | CQuote | CHeredoc) =>
        {
            false
        }
        _ if s == Ident && subject.text == "in" && b == Some(Ident) => true,
        _ if a == OBrack && (s == Ident || s == Number || s.bracket_change() < 0) => false,
        _ if s == Bang => false,
        _ if s == Minus => !matches!(
            b,
            None | Some(
                OParen | OBrace | OBrack | Equal | Colon | Comma | Question | Arith | Minus | Compare | Logic | Bang
            )
        ),
        _ if s == OBrace || a == CBrace => !(s == OBrace && a == CBrace),
        _ if matches!(s, Interp | Control) && a == OBrace => true,
        _ if s == CBrace && a == SeqEnd => true,
        _ if s == SeqEnd && matches!(a, Interp | Control) => false,
        _ if s.bracket_change() > 0 => false,
        _ if a.bracket_change() < 0 => false,
        _ => true,
    }
}

fn columns(tokens: &[Token], range: &Range<usize>, sp: &[usize]) -> usize {
    range.clone().map(|i| sp[i] + tokens[i].text.chars().count()).sum()
}

/// Lines up the `=` of each run of consecutive assignment lines, then the trailing comments of
/// each run of consecutive lines that have one.
fn align(tokens: &[Token], lines: &[Line], sp: &mut [usize]) {
    for run in runs(lines, |l| l.assign.is_some()) {
        let width = run.clone().map(|i| columns(tokens, &lines[i].lead, sp)).max().unwrap_or(0);
        for i in run {
            let l = &lines[i];
            let start = l.assign.as_ref().map_or(0, |a| a.start);
            sp[start] = width - columns(tokens, &l.lead, sp) + 1;
        }
    }
    let before_comment =
        |l: &Line, sp: &[usize]| columns(tokens, &l.lead, sp) + l.assign.as_ref().map_or(0, |a| columns(tokens, a, sp));
    for run in runs(lines, |l| l.comment.is_some()) {
        let width = run.clone().map(|i| before_comment(&lines[i], sp)).max().unwrap_or(0);
        for i in run {
            let l = &lines[i];
            let c = l.comment.unwrap_or(0);
            sp[c] = width - before_comment(l, sp) + 1;
        }
    }
}

fn runs(lines: &[Line], member: impl Fn(&Line) -> bool) -> Vec<Range<usize>> {
    let mut out = vec![];
    let mut start = None;
    for (i, l) in lines.iter().enumerate() {
        match (member(l), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..lines.len());
    }
    out
}

fn render(tokens: &[Token], lines: &[Line], sp: &[usize]) -> String {
    let mut out = String::new();
    let mut blank: Option<&str> = None;
    for line in lines {
        if line.is_blank(tokens) {
            // Kept only between two lines with content, and only one.
            if !out.is_empty() {
                blank = Some(tokens[line.lead.start].text);
            }
            continue;
        }
        if let Some(b) = blank.take() {
            out.push_str(b);
        }
        for i in line.lead.start..line.end() {
            let t = &tokens[i];
            out.extend(std::iter::repeat_n(' ', sp[i]));
            if t.kind == K::Comment && !t.text.starts_with("/*") {
                let body = t.text.trim_end_matches(['\n', '\r']);
                out.push_str(body.trim_end());
                out.push_str(&t.text[body.len()..]);
            } else {
                out.push_str(t.text);
            }
        }
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}
