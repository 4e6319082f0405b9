//! GitHub Actions integration, active when `GITHUB_ACTIONS=true` (the runner sets it):
//! diagnostics also print as `::error` / `::warning` workflow commands, which GitHub shows as
//! annotations on the file and line, and `plan` appends its Markdown to the step summary.
//! The commands go to stderr with the rest of the diagnostics (the runner reads both
//! streams), so stdout stays data, e.g. `plan --format markdown > plan.md`.

use std::io::Write;
use std::path::PathBuf;

use crate::stack::Diagnostic;
use crate::stack::diag::Severity;

/// True inside a GitHub Actions job.
pub fn enabled() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// The workflow command for one diagnostic:
/// `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=stackr::message`.
pub fn annotation(d: &Diagnostic) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    if let Some((file, span)) = &d.at {
        let (line, col) = file.line_col(span.start);
        let (end_line, end_col) = file.line_col(span.end.max(span.start));
        props.push(format!("file={}", escape_property(&file.path)));
        props.push(format!("line={line},col={col}"));
        // GitHub underlines columns only within one line.
        if end_line == line && end_col > col {
            props.push(format!("endLine={end_line},endColumn={end_col}"));
        }
    }
    let title = match &d.code {
        Some(code) => format!("stackr {command} [{code}]"),
        None => format!("stackr {command}"),
    };
    props.push(format!("title={}", escape_property(&title)));
    let mut message = d.message.clone();
    if let Some(label) = &d.label {
        message.push_str(&format!(": {label}"));
    }
    for hint in &d.hints {
        message.push_str(&format!("\nhelp: {hint}"));
    }
    format!("::{command} {}::{}", props.join(","), escape_data(&message))
}

/// The workflow command for an error that is not about a place in the stack file (an AWS
/// failure, a refused apply), so it shows on the run's summary page too.
pub fn error_annotation(message: &str, hint: Option<&str>) -> String {
    let mut text = message.to_string();
    if let Some(h) = hint {
        text.push_str(&format!("\nhint: {h}"));
    }
    format!("::error title=stackr error::{}", escape_data(&text))
}

/// Prints the workflow command of each diagnostic to stderr, when in a GitHub Actions job.
pub fn annotate<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) {
    if !enabled() {
        return;
    }
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = writeln!(err, "{}", annotation(d));
    }
}

/// Appends `markdown` to the file named by GITHUB_STEP_SUMMARY, when in a GitHub Actions job
/// that has one. Earlier steps' summaries in the file are kept.
pub fn append_step_summary(markdown: &str) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| enabled() && !p.is_empty()) else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
    // A blank line first so this never runs into the end of what an earlier step wrote.
    write!(f, "\n{markdown}")
}

/// A message in a workflow command: `%`, CR and LF are escaped.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value (`file=`, `title=`): also `:` and `,`, which would end it.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::SourceFile;

    #[test]
    fn data_escapes_percent_and_line_breaks() {
        assert_eq!(escape_data("100%\r\nnext: a,b"), "100%25%0D%0Anext: a,b");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }

    #[test]
    fn an_error_points_at_file_line_and_column() {
        let f = SourceFile::new("stacks/web,1.hcl", "stack \"t\" {}\nvpc \"a\" {\n  cidr = \"10.0.0.0/33\"\n}\n");
        let start = f.text.find("\"10.0").unwrap();
        let d = Diagnostic::error("invalid CIDR `10.0.0.0/33`")
            .at(&f, start..start + 13)
            .label("prefix length is at most 32")
            .hint("write it as 10.0.0.0/16, say");
        assert_eq!(
            annotation(&d),
            "::error file=stacks/web%2C1.hcl,line=3,col=10,endLine=3,endColumn=23,title=stackr error::invalid CIDR \
             `10.0.0.0/33`: prefix length is at most 32%0Ahelp: write it as 10.0.0.0/16, say"
        );
    }

    #[test]
    fn a_warning_without_a_place_has_only_a_title() {
        let d = Diagnostic::warning("100% of: something");
        assert_eq!(annotation(&d), "::warning title=stackr warning::100%25 of: something");
    }

    #[test]
    fn an_error_elsewhere_carries_its_hint() {
        assert_eq!(
            error_annotation("AccessDenied: not allowed", Some("check the role's policy")),
            "::error title=stackr error::AccessDenied: not allowed%0Ahint: check the role's policy"
        );
    }

    #[test]
    fn a_span_over_lines_gives_no_end_column() {
        let f = SourceFile::new("s.hcl", "vpc \"a\" {\n}\n");
        let d = Diagnostic::error("bad").at(&f, 0..11);
        assert_eq!(annotation(&d), "::error file=s.hcl,line=1,col=1,title=stackr error::bad");
    }
}
