//! Findings for people and for scripts: text in rustc's diagnostic style
//! (`error[sg-admin-port-open]: …` with `--> file:line:col` and the source underlined), the
//! summary line, the same findings as warnings for `plan`, and a JSON document.

use serde_json::json;

use super::{Finding, Report};
use crate::stack::diag::{Diagnostic, Severity};

/// A finding as a diagnostic of its rule's severity, or always a warning (`plan`).
pub fn diagnostic(f: &Finding, as_warning: bool) -> Diagnostic {
    let d = if as_warning || f.rule.severity == Severity::Warning {
        Diagnostic::warning(f.message.clone())
    } else {
        Diagnostic::error(f.message.clone())
    };
    // A finding may be what the stack needs (an admins group's AdministratorAccess): say how
    // to accept it on record, where the fix alone would leave the user stuck.
    let accept = format!(
        "{}; or, if the stack needs it, accept it in the block with the reason on record: silence \"{}\" {{ reason = \"…\" }}",
        f.rule.fix, f.rule.id
    );
    let d = d.code(f.rule.id).at(&f.file, f.span.clone()).hint(accept);
    match &f.label {
        Some(l) => d.label(l.clone()),
        None => d,
    }
}

/// Every standing finding, rendered, each followed by a blank line.
pub fn text(report: &Report, color: bool) -> String {
    report.findings.iter().map(|f| format!("{}\n\n", diagnostic(f, false).render(color))).collect()
}

/// Every standing finding as a diagnostic of its rule's severity (for annotations).
pub fn diagnostics(report: &Report) -> Vec<Diagnostic> {
    report.findings.iter().map(|f| diagnostic(f, false)).collect()
}

/// What `plan` prints: each finding as a warning, so it never fails the plan.
pub fn warnings(report: &Report) -> Vec<Diagnostic> {
    report.findings.iter().map(|f| diagnostic(f, true)).collect()
}

/// `2 errors, 1 warning (1 silenced)`.
pub fn summary(report: &Report) -> String {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let mut s = format!(
        "{}, {}",
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning")
    );
    if !report.silenced.is_empty() {
        s.push_str(&format!(" ({} silenced)", report.silenced.len()));
    }
    s
}

pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The report as one JSON document: findings and silenced findings with their rule, severity,
/// resource address, message, fix and 1-based start and end positions.
pub fn json(report: &Report) -> serde_json::Value {
    let entry = |f: &Finding| {
        let (path, (line, column), (end_line, end_column)) = f.position();
        json!({
            "rule": f.rule.id,
            "severity": severity_name(f.rule.severity),
            "title": f.rule.title,
            "address": f.addr.to_string(),
            "message": f.message,
            "fix": f.rule.fix,
            "file": path,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
        })
    };
    let silenced: Vec<_> = report
        .silenced
        .iter()
        .map(|s| {
            let mut e = entry(&s.finding);
            e["reason"] = json!(s.reason);
            e
        })
        .collect();
    json!({
        "format_version": "1",
        "file": report.file.path,
        "summary": {
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "silenced": report.silenced.len(),
        },
        "findings": report.findings.iter().map(entry).collect::<Vec<_>>(),
        "silenced": silenced,
    })
}
