//! A lexer for HCL's native syntax that keeps every byte but the spaces between tokens: the
//! formatter only ever changes those. Token kinds follow hclsyntax's, because Terraform's
//! spacing and alignment rules are written in terms of them. Only called on text hcl-edit
//! has already parsed, so it needs no error reporting: anything unexpected becomes `Other`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    Newline,
    /// `# …` and `// …` (with their line break), or `/* … */`.
    Comment,
    Ident,
    Number,
    OQuote,
    CQuote,
    /// Literal text of a quoted template.
    QuotedLit,
    /// `<<EOT` or `<<-EOT` with its line break.
    OHeredoc,
    /// The closing marker line of a heredoc, with its indentation.
    CHeredoc,
    /// Literal text of a heredoc.
    StringLit,
    /// `${` or `${~`.
    Interp,
    /// `%{` or `%{~`.
    Control,
    /// `}` or `~}` closing an interpolation or directive.
    SeqEnd,
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    Equal,
    Dot,
    Comma,
    Ellipsis,
    Colon,
    DoubleColon,
    Question,
    Minus,
    Bang,
    /// `+ * / %`
    Arith,
    /// `== != < <= > >=`
    Compare,
    /// `&& ||`
    Logic,
    FatArrow,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: K,
    pub text: &'a str,
}

impl K {
    /// +1 for what opens a nesting, -1 for what closes one (hclwrite's tokenBracketChange).
    pub fn bracket_change(self) -> i32 {
        match self {
            K::OBrace | K::OBrack | K::OParen | K::Control | K::Interp => 1,
            K::CBrace | K::CBrack | K::CParen | K::SeqEnd => -1,
            _ => 0,
        }
    }
}

impl Token<'_> {
    /// Ends a line: a line break, or a line comment (which holds its line break).
    pub fn ends_line(&self) -> bool {
        self.kind == K::Newline || (self.kind == K::Comment && self.text.ends_with('\n'))
    }
}

enum Mode<'a> {
    /// Expressions; inside an interpolation, with the depth of `{` opened within it.
    Expr {
        interp: bool,
        braces: usize,
    },
    Quoted,
    Heredoc {
        marker: &'a str,
        line_start: bool,
    },
}

pub fn lex(src: &str) -> Vec<Token<'_>> {
    let mut out = vec![];
    let mut modes = vec![Mode::Expr { interp: false, braces: 0 }];
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let top = modes.len() - 1;
        match &mut modes[top] {
            Mode::Expr { interp, braces } => {
                let start = i;
                let c = b[i];
                let next = b.get(i + 1).copied();
                match c {
                    b' ' | b'\t' => i += 1,
                    b'\r' if next == Some(b'\n') => {
                        push(&mut out, src, K::Newline, i, i + 2);
                        i += 2;
                    }
                    b'\r' => i += 1,
                    b'\n' => {
                        push(&mut out, src, K::Newline, i, i + 1);
                        i += 1;
                    }
                    b'#' => {
                        i = line_end(b, i);
                        push(&mut out, src, K::Comment, start, i);
                    }
                    b'/' if next == Some(b'/') => {
                        i = line_end(b, i);
                        push(&mut out, src, K::Comment, start, i);
                    }
                    b'/' if next == Some(b'*') => {
                        i = src[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
                        push(&mut out, src, K::Comment, start, i);
                    }
                    b'"' => {
                        push(&mut out, src, K::OQuote, i, i + 1);
                        i += 1;
                        modes.push(Mode::Quoted);
                    }
                    b'<' if next == Some(b'<') => match heredoc_open(src, i) {
                        Some((end, marker)) => {
                            push(&mut out, src, K::OHeredoc, i, end);
                            i = end;
                            modes.push(Mode::Heredoc { marker, line_start: true });
                        }
                        None => {
                            push(&mut out, src, K::Other, i, i + 2);
                            i += 2;
                        }
                    },
                    b'~' if *interp && *braces == 0 && next == Some(b'}') => {
                        push(&mut out, src, K::SeqEnd, i, i + 2);
                        i += 2;
                        modes.pop();
                    }
                    b'}' if *interp && *braces == 0 => {
                        push(&mut out, src, K::SeqEnd, i, i + 1);
                        i += 1;
                        modes.pop();
                    }
                    b'{' => {
                        *braces += 1;
                        push(&mut out, src, K::OBrace, i, i + 1);
                        i += 1;
                    }
                    b'}' => {
                        *braces = braces.saturating_sub(1);
                        push(&mut out, src, K::CBrace, i, i + 1);
                        i += 1;
                    }
                    b'0'..=b'9' => {
                        i = number_end(b, i);
                        push(&mut out, src, K::Number, start, i);
                    }
                    _ if is_ident_start(src, i) => {
                        i = ident_end(src, i);
                        push(&mut out, src, K::Ident, start, i);
                    }
                    _ => {
                        let (kind, len) = operator(&b[i..]);
                        // Keep a multi-byte character whole.
                        let len =
                            if kind == K::Other { src[i..].chars().next().map_or(1, char::len_utf8) } else { len };
                        push(&mut out, src, kind, i, i + len);
                        i += len;
                    }
                }
            }
            Mode::Quoted => {
                let start = i;
                loop {
                    match b.get(i) {
                        None | Some(b'\n') => break,
                        Some(b'"') => break,
                        Some(b'\\') => i = (i + 2).min(b.len()),
                        Some(b'$' | b'%') if b.get(i + 1) == Some(&b'{') => match escaped_sequence(b, start, i) {
                            true => i += 2,
                            false => break,
                        },
                        Some(_) => i += 1,
                    }
                }
                if i > start {
                    push(&mut out, src, K::QuotedLit, start, i);
                }
                match b.get(i) {
                    Some(b'"') => {
                        push(&mut out, src, K::CQuote, i, i + 1);
                        i += 1;
                        modes.pop();
                    }
                    Some(b'$' | b'%') => i = open_sequence(src, i, &mut out, &mut modes),
                    // An unterminated string (hcl-edit refuses these): back to expressions.
                    _ => {
                        modes.pop();
                    }
                }
            }
            Mode::Heredoc { marker, line_start } => {
                let marker = *marker;
                if *line_start {
                    let end = line_end(b, i);
                    let line = src[i..end].trim_end_matches(['\n', '\r']);
                    if line.trim_start() == marker {
                        let close = i + line.len();
                        push(&mut out, src, K::CHeredoc, i, close);
                        i = close;
                        modes.pop();
                        continue;
                    }
                }
                let start = i;
                loop {
                    match b.get(i) {
                        None => break,
                        Some(b'\n') => {
                            i += 1;
                            break;
                        }
                        Some(b'$' | b'%') if b.get(i + 1) == Some(&b'{') => match escaped_sequence(b, start, i) {
                            true => i += 2,
                            false => break,
                        },
                        Some(_) => i += 1,
                    }
                }
                *line_start = i > start && b[i - 1] == b'\n';
                if i > start {
                    push(&mut out, src, K::StringLit, start, i);
                }
                if matches!(b.get(i), Some(b'$' | b'%')) && !*line_start {
                    i = open_sequence(src, i, &mut out, &mut modes);
                }
            }
        }
    }
    out
}

fn push<'a>(out: &mut Vec<Token<'a>>, src: &'a str, kind: K, from: usize, to: usize) {
    out.push(Token { kind, text: &src[from..to] });
}

/// Whether the `${`/`%{` at `i` is escaped by a doubled `$`/`%` (`$${`, `%%{` are literal),
/// counting the run of repeated characters since `start` (`$$${` is a literal `$` then an
/// interpolation).
fn escaped_sequence(b: &[u8], start: usize, i: usize) -> bool {
    let mut n = 0;
    let mut j = i;
    while j > start && b[j - 1] == b[i] {
        n += 1;
        j -= 1;
    }
    n % 2 == 1
}

/// Emits `${`/`%{` (with an optional `~`) and enters an expression.
fn open_sequence<'a>(src: &'a str, i: usize, out: &mut Vec<Token<'a>>, modes: &mut Vec<Mode<'a>>) -> usize {
    let b = src.as_bytes();
    let kind = if b[i] == b'$' { K::Interp } else { K::Control };
    let end = if b.get(i + 2) == Some(&b'~') { i + 3 } else { i + 2 };
    out.push(Token { kind, text: &src[i..end] });
    modes.push(Mode::Expr { interp: true, braces: 0 });
    end
}

/// `<<EOT` or `<<-EOT` then a line break: the end of the opener (after the break) and the marker.
fn heredoc_open(src: &str, i: usize) -> Option<(usize, &str)> {
    let mut j = i + 2;
    if src.as_bytes().get(j) == Some(&b'-') {
        j += 1;
    }
    if !is_ident_start(src, j) {
        return None;
    }
    let end = ident_end(src, j);
    let marker = &src[j..end];
    let rest = &src[end..];
    let nl = if rest.starts_with("\r\n") {
        2
    } else if rest.starts_with('\n') {
        1
    } else {
        return None;
    };
    Some((end + nl, marker))
}

/// The end of the line at `i`, after its line break.
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..].iter().position(|c| *c == b'\n').map_or(b.len(), |p| i + p + 1)
}

fn is_ident_start(src: &str, i: usize) -> bool {
    src[i..].chars().next().is_some_and(|c| c == '_' || c.is_alphabetic())
}

fn ident_end(src: &str, i: usize) -> usize {
    let mut end = i;
    for c in src[i..].chars() {
        if c == '_' || c == '-' || c.is_alphanumeric() {
            end += c.len_utf8();
        } else {
            break;
        }
    }
    end
}

fn number_end(b: &[u8], mut i: usize) -> usize {
    let digits = |b: &[u8], mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    i = digits(b, i);
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(b, i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(b, j);
        }
    }
    i
}

/// The operator or punctuation at the start of `b`, and its length.
fn operator(b: &[u8]) -> (K, usize) {
    let two = |s: &[u8]| b.starts_with(s);
    if two(b"...") {
        return (K::Ellipsis, 3);
    }
    for (s, k) in [
        (&b"=="[..], K::Compare),
        (b"!=", K::Compare),
        (b"<=", K::Compare),
        (b">=", K::Compare),
        (b"&&", K::Logic),
        (b"||", K::Logic),
        (b"=>", K::FatArrow),
        (b"::", K::DoubleColon),
    ] {
        if two(s) {
            return (k, 2);
        }
    }
    let k = match b[0] {
        b'=' => K::Equal,
        b'.' => K::Dot,
        b',' => K::Comma,
        b':' => K::Colon,
        b'?' => K::Question,
        b'-' => K::Minus,
        b'!' => K::Bang,
        b'+' | b'*' | b'/' | b'%' => K::Arith,
        b'<' | b'>' => K::Compare,
        b'[' => K::OBrack,
        b']' => K::CBrack,
        b'(' => K::OParen,
        b')' => K::CParen,
        _ => K::Other,
    };
    (k, 1)
}
