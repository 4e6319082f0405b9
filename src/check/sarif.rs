//! SARIF 2.1.0, the format GitHub code scanning uploads (`github/codeql-action/upload-sarif`):
//! one run whose driver lists every rule, and one result per finding with the stack file's
//! path relative to the working directory (the repository root in a workflow) and a 1-based
//! line and column. Silenced findings are results with an `inSource` suppression carrying the
//! reason, which code scanning shows as dismissed rather than hiding them.

use std::path::Path;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value as Json, json};

use super::output::severity_name;
use super::{Finding, Report, rules};
use crate::stack::diag::Severity;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Characters a path keeps as they are in a URI reference.
const PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.').remove(b'~');

pub fn sarif(report: &Report) -> Json {
    let result = |f: &Finding| {
        let (path, (start_line, start_column), (end_line, end_column)) = f.position();
        let (uri, base) = artifact_uri(&path, std::env::current_dir().ok().as_deref());
        let mut location = json!({ "uri": uri });
        if base {
            location["uriBaseId"] = json!("%SRCROOT%");
        }
        json!({
            "ruleId": f.rule.id,
            "ruleIndex": rules().position(|r| r.id == f.rule.id),
            "level": severity_name(f.rule.severity),
            "message": { "text": format!("{} ({})", f.message, f.addr) },
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {
                        "startLine": start_line,
                        "startColumn": start_column,
                        "endLine": end_line,
                        "endColumn": end_column,
                    }
                },
                "logicalLocations": [{ "fullyQualifiedName": f.addr.to_string(), "kind": "resource" }]
            }],
        })
    };
    let mut results: Vec<Json> = report.findings.iter().map(result).collect();
    for s in &report.silenced {
        let mut r = result(&s.finding);
        r["suppressions"] = json!([{ "kind": "inSource", "justification": s.reason }]);
        results.push(r);
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "stackr",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules().map(rule).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn rule(r: &super::Rule) -> Json {
    // GitHub ranks security alerts by this CVSS-like score: 7.0 and up is "high".
    let score = match r.severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
    };
    json!({
        "id": r.id,
        "name": r.id,
        "shortDescription": { "text": r.title },
        "fullDescription": { "text": format!("{} (source: {})", r.title, r.source) },
        "help": { "text": format!("Fix: {}", r.fix) },
        "defaultConfiguration": { "level": severity_name(r.severity) },
        "properties": { "tags": ["security"], "security-severity": score },
    })
}

/// The stack file as a URI reference: relative to `cwd` when it is inside it (with `true`:
/// resolve against %SRCROOT%), else an absolute `file://` URI.
fn artifact_uri(path: &str, cwd: Option<&Path>) -> (String, bool) {
    let p = Path::new(path);
    let relative = if p.is_absolute() { cwd.and_then(|c| p.strip_prefix(c).ok()) } else { Some(p) };
    match relative {
        Some(rel) => {
            let s = rel.to_string_lossy().replace('\\', "/");
            let s = s.trim_start_matches("./");
            (utf8_percent_encode(s, PATH).to_string(), true)
        }
        None => (format!("file://{}", utf8_percent_encode(&path.replace('\\', "/"), PATH)), false),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::artifact_uri;

    #[test]
    fn uris_are_relative_to_the_working_directory() {
        let cwd = Some(Path::new("/repo"));
        assert_eq!(artifact_uri("stacks/web.hcl", cwd), ("stacks/web.hcl".into(), true));
        assert_eq!(artifact_uri("./stacks/web.hcl", cwd), ("stacks/web.hcl".into(), true));
        assert_eq!(artifact_uri("/repo/stacks/my web.hcl", cwd), ("stacks/my%20web.hcl".into(), true));
        assert_eq!(artifact_uri("/elsewhere/s.hcl", cwd), ("file:///elsewhere/s.hcl".into(), false));
    }
}
