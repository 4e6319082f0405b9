//! Diagnostics for stack files: a message, the source span it is about, and hints, rendered
//! the way rustc and cargo render theirs (`--> file:line:col` and the line underlined).
//! Rendering only builds strings; `main` decides where they go.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// One source file as read, kept so diagnostics can quote it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it, for messages.
    pub path: String,
    pub text: String,
    /// Byte offset of each line's start, so finding a line costs a binary search: a file with
    /// thousands of findings must not be rescanned for each.
    line_starts: Vec<usize>,
    /// For a module's files read as one text: where each file starts in it. Diagnostics and
    /// positions name the file that holds the offset.
    parts: Vec<(usize, Arc<SourceFile>)>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Arc::new(SourceFile { path: path.into(), text, line_starts, parts: vec![] })
    }

    /// Several files read as one text (joined by newlines), named `path` as a whole: a
    /// module's directory. Offsets into it are reported in the file they fall in.
    pub fn combined(path: impl Into<String>, files: Vec<Arc<SourceFile>>) -> Arc<SourceFile> {
        let mut text = String::new();
        let mut parts = vec![];
        for f in files {
            parts.push((text.len(), f.clone()));
            text.push_str(&f.text);
            text.push('\n');
        }
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Arc::new(SourceFile { path: path.into(), text, line_starts, parts })
    }

    /// The file that holds `span` and the span within it.
    pub fn locate(self: &Arc<Self>, span: Range<usize>) -> (Arc<SourceFile>, Range<usize>) {
        let i = self.parts.partition_point(|(start, _)| *start <= span.start);
        match i.checked_sub(1).and_then(|i| self.parts.get(i)) {
            Some((start, f)) => {
                let end = (span.end - start).min(f.text.len());
                f.locate(span.start - start..end.max(span.start - start))
            }
            None => (self.clone(), span),
        }
    }

    /// The files this one is made of (itself when it is one file).
    pub fn files(self: &Arc<Self>) -> Vec<Arc<SourceFile>> {
        match self.parts.is_empty() {
            true => vec![self.clone()],
            false => self.parts.iter().flat_map(|(_, f)| f.files()).collect(),
        }
    }

    /// 0-based index of the line holding a byte offset.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let i = self.parts.partition_point(|(start, _)| *start <= offset);
        if let Some((start, f)) = i.checked_sub(1).and_then(|i| self.parts.get(i)) {
            return f.line_col(offset - start);
        }
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        (line + 1, self.text.get(start..offset).map_or(0, |s| s.chars().count()) + 1)
    }

    /// The whole lines a span touches: their text, the first line's number (1-based) and the
    /// byte offset they start at. Diagnostics quote only these, not the file.
    fn window(&self, span: &Range<usize>) -> (&str, usize, usize) {
        let first = self.line_index(span.start);
        let last = self.line_index(span.end.max(span.start));
        let start = self.line_starts[first];
        let end = self.line_starts.get(last + 1).copied().unwrap_or(self.text.len());
        (&self.text[start..end], first + 1, start)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where: the file and the byte range to underline.
    pub at: Option<(Arc<SourceFile>, Range<usize>)>,
    /// Short text under the underline.
    pub label: Option<String>,
    pub hints: Vec<String>,
    /// An identifier shown after the severity, `warning[sg-world-open]`, as rustc shows lint names.
    pub code: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            at: None,
            label: None,
            hints: vec![],
            code: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(message) }
    }

    pub fn at(mut self, file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        self.at = Some(file.locate(span));
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// `path:line:col` of the start of the span, when there is one.
    #[cfg(test)]
    pub fn location(&self) -> Option<(String, usize, usize)> {
        let (file, span) = self.at.as_ref()?;
        let (line, col) = file.line_col(span.start);
        Some((file.path.clone(), line, col))
    }

    /// Renders the diagnostic, with ANSI colours when `color` is set.
    pub fn render(&self, color: bool) -> String {
        if self.at.is_none() {
            return self.render_plain(color);
        }
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut title = level.primary_title(self.message.as_str());
        if let Some(code) = &self.code {
            title = title.id(code.as_str());
        }
        let first = match &self.at {
            Some((file, span)) => {
                let len = file.text.len();
                let span = widen(&file.text, span.start.min(len)..span.end.min(len));
                let (text, line, base) = file.window(&span);
                let mut ann = AnnotationKind::Primary.span(span.start - base..span.end - base);
                if let Some(label) = &self.label {
                    ann = ann.label(label.as_str());
                }
                let snippet = Snippet::source(text).line_start(line).path(file.path.as_str()).fold(true);
                title.element(snippet.annotation(ann))
            }
            None => Group::with_title(title),
        };
        let mut groups = vec![first];
        for hint in &self.hints {
            groups.push(Group::with_title(Level::HELP.secondary_title(hint.as_str())));
        }
        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        renderer.render(&groups).to_string()
    }
}

impl Diagnostic {
    /// A diagnostic without a source location: `error: …` and `help: …` lines.
    fn render_plain(&self, color: bool) -> String {
        // The styles annotate-snippets gives located diagnostics, so both kinds look alike.
        use annotate_snippets::renderer::{
            DEFAULT_EMPHASIS_STYLE as BOLD, DEFAULT_ERROR_STYLE, DEFAULT_HELP_STYLE, DEFAULT_WARNING_STYLE, Style,
        };
        let paint = |style: Style, s: &str| if color { format!("{style}{s}{style:#}") } else { s.to_string() };
        let head = match self.severity {
            Severity::Error => paint(DEFAULT_ERROR_STYLE, "error"),
            Severity::Warning => paint(DEFAULT_WARNING_STYLE, "warning"),
        };
        let code = self.code.as_ref().map(|c| format!("[{c}]")).unwrap_or_default();
        let mut out = format!("{head}{code}{} {}", paint(BOLD, ":"), self.message);
        for h in &self.hints {
            out.push_str(&format!("\n{}{} {h}", paint(DEFAULT_HELP_STYLE, "help"), paint(BOLD, ":")));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// A batch of diagnostics; loading fails when it holds any error.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.severity == Severity::Error).count()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Without repeats: a mistake in a block with `count` or `for_each` is found once per
    /// instance but reported once.
    pub fn deduplicated(self) -> Diagnostics {
        let mut seen = std::collections::HashSet::new();
        let key = |d: &Diagnostic| {
            let at = d.at.as_ref().map(|(f, s)| (f.path.clone(), s.start, s.end));
            (d.severity == Severity::Error, d.message.clone(), at, d.label.clone())
        };
        Diagnostics(self.0.into_iter().filter(|d| seen.insert(key(d))).collect())
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Reads a file the loader parses. A file that is not UTF-8 is a diagnostic at its first bad
/// byte (shown in the text with that byte replaced), so the user can find it; other failures
/// are the I/O error's message.
pub fn read_text(path: &std::path::Path) -> Result<String, Unreadable> {
    let bytes = std::fs::read(path).map_err(Unreadable::Io)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let byte = e.as_bytes()[at];
        let shown = SourceFile::new(path.display().to_string(), String::from_utf8_lossy(e.as_bytes()).into_owned());
        // Everything before the bad byte is valid, so its offset is the same in the lossy text.
        let d = Diagnostic::error(format!("{} is not UTF-8 text: byte 0x{byte:02X} here", path.display()))
            .at(&shown, at..at + '\u{FFFD}'.len_utf8())
            .label("not UTF-8")
            .hint("save the file as UTF-8 (Latin-1 and Windows-1252 files need converting, e.g. with iconv)");
        Unreadable::NotUtf8(Box::new(d))
    })
}

/// Why [`read_text`] read nothing.
pub enum Unreadable {
    /// The diagnostic, at the first byte that is not UTF-8.
    NotUtf8(Box<Diagnostic>),
    Io(std::io::Error),
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo (by
/// optimal string alignment: a swap of neighbouring characters, `cdir` for `cidr`, is one edit).
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// An empty span underlines nothing: widen it to one character, and never onto a line break
/// (that would underline the next line too).
fn widen(text: &str, span: Range<usize>) -> Range<usize> {
    if !span.is_empty() {
        return span;
    }
    let at = span.start.min(text.len());
    match text[at..].chars().next() {
        Some(c) if c != '\n' && c != '\r' => at..at + c.len_utf8(),
        _ => match text[..at].char_indices().next_back() {
            Some((i, c)) if c != '\n' => i..at,
            _ => span,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("x.hcl", "a = 1\nbé = \"x\"\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(6), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(f.line_col(9), (2, 3));
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(did_you_mean("cidrr", ["cidr", "tags"]), Some("cidr"));
        assert_eq!(did_you_mean("subnett", ["vpc", "subnet"]), Some("subnet"));
        assert_eq!(did_you_mean("zzz", ["cidr", "tags"]), None);
        assert_eq!(did_you_mean("cdir", ["cidr", "tags"]), Some("cidr"));
    }
}
