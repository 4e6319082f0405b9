//! Helpers the rule tests share, and tests of what is common to every rule: silencing, and the
//! shape of the JSON and SARIF documents.

use super::*;
use crate::resources;
use crate::stack::{self, VarInputs};

const HEAD: &str = "stack \"t\" {\n  region = \"us-east-1\"\n}\n\n";

/// A stack file: the stack block, then `body`.
pub(super) fn stack_with(body: &str) -> String {
    format!("{HEAD}{body}")
}

/// Loads `src` as `stackr check` does; panics when it does not load.
pub(super) fn report(src: &str) -> Report {
    let mut s = stack::load_str("stack.hcl", src, &VarInputs::default(), &resources::schemas())
        .unwrap_or_else(|d| panic!("{d}"));
    let diags = resources::check(&mut s);
    assert!(!diags.has_errors(), "{diags}");
    run(&s)
}

/// The standing findings as (rule id, line, column).
pub(super) fn found(src: &str) -> Vec<(&'static str, usize, usize)> {
    let r = report(src);
    r.findings
        .iter()
        .map(|f| {
            let (line, col) = r.file.line_col(f.span.start);
            (f.rule.id, line, col)
        })
        .collect()
}

/// The expected finding for `rule` at the first occurrence of `needle` in `src`.
pub(super) fn hit(rule: &'static str, src: &str, needle: &str) -> (&'static str, usize, usize) {
    nth_hit(rule, src, needle, 0)
}

/// The same at the `n`th (0-based) occurrence of `needle`.
pub(super) fn nth_hit(rule: &'static str, src: &str, needle: &str, n: usize) -> (&'static str, usize, usize) {
    let at = src.match_indices(needle).nth(n).unwrap_or_else(|| panic!("`{needle}` not in:\n{src}")).0;
    let (line, col) = SourceFile::new("t", src).line_col(at);
    (rule, line, col)
}

/// A group with SSH open to the world, and `extra` inside its block.
fn open_ssh(extra: &str) -> String {
    stack_with(&format!(
        "vpc \"v\" {{\n  cidr = \"10.0.0.0/16\"\n}}\n\nsecurity_group \"g\" {{\n  vpc = vpc.v\n  ingress {{\n    port = 22\n    cidr = \"0.0.0.0/0\"\n  }}\n{extra}}}\n"
    ))
}

#[test]
fn every_rule_id_is_unique_and_well_formed() {
    let ids: Vec<&str> = rules().map(|r| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate rule ids: {ids:?}");
    for id in ids {
        let (area, what) = id.split_once('-').unwrap_or_else(|| panic!("{id} is not <area>-<what>"));
        assert!(["sg", "iam", "ec2", "elb", "silence"].contains(&area), "{id}: unknown area");
        assert!(what.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{id}");
    }
}

#[test]
fn a_silence_block_sets_the_finding_aside_with_its_reason() {
    let src = open_ssh("  silence \"sg-admin-port-open\" {\n    reason = \"a honeypot\"\n  }\n");
    let r = report(&src);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.silenced.len(), 1);
    assert_eq!(r.silenced[0].finding.rule.id, "sg-admin-port-open");
    assert_eq!(r.silenced[0].reason, "a honeypot");
    assert_eq!(output::summary(&r), "0 errors, 0 warnings (1 silenced)");
}

#[test]
fn a_silence_only_covers_its_own_rule() {
    let src = open_ssh("  silence \"sg-world-open\" {\n    reason = \"public\"\n  }\n");
    assert_eq!(
        found(&src),
        [hit("sg-admin-port-open", &src, "\"0.0.0.0/0\""), hit("silence-unused", &src, "silence \"sg-world-open\"")]
    );
    assert_eq!(output::summary(&report(&src)), "1 error, 1 warning");
}

#[test]
fn an_unknown_rule_in_a_silence_block_is_an_error_with_a_suggestion() {
    let src = open_ssh("  silence \"sg-admin-port-opn\" {\n    reason = \"typo\"\n  }\n");
    let r = report(&src);
    let s = stack::load_str("stack.hcl", &src, &VarInputs::default(), &resources::schemas()).unwrap();
    let unknown = unknown_silences(&s);
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].severity, Severity::Error);
    assert_eq!(unknown[0].code.as_deref(), Some("silence-unknown-rule"));
    assert_eq!(unknown[0].label.as_deref(), Some("did you mean `sg-admin-port-open`?"));
    let (_, line, col) = hit("", &src, "silence \"sg-admin-port-opn\"");
    assert_eq!(unknown[0].location().map(|(_, l, c)| (l, c)), Some((line, col)));
    assert!(r.findings.iter().any(|f| f.rule.id == "sg-admin-port-open"), "the typo silences nothing");
    assert!(r.findings.iter().all(|f| !f.rule.id.starts_with("silence")), "{:?}", r.findings);
}

#[test]
fn silences_of_the_silence_rules_are_refused_too() {
    let src = open_ssh("  silence \"silence-unused\" {\n    reason = \"no\"\n  }\n");
    let s = stack::load_str("stack.hcl", &src, &VarInputs::default(), &resources::schemas()).unwrap();
    let unknown = unknown_silences(&s);
    assert_eq!(unknown[0].label.as_deref(), Some("findings about silence blocks cannot be silenced"));
}

#[test]
fn a_silence_without_a_reason_does_not_load() {
    let src = open_ssh("  silence \"sg-admin-port-open\" {\n    reason = \"\"\n  }\n");
    let err = stack::load_str("stack.hcl", &src, &VarInputs::default(), &resources::schemas()).unwrap_err();
    assert!(err.to_string().contains("silencing sg-admin-port-open needs a reason"), "{err}");
}

#[test]
fn deny_levels() {
    let r = report(&open_ssh(""));
    assert!(r.fails(Severity::Error) && r.fails(Severity::Warning));
    let r = report(
        &open_ssh("  silence \"sg-admin-port-open\" {\n    reason = \"x\"\n  }\n").replace("port = 22", "port = 8080"),
    );
    assert_eq!(r.findings.iter().map(|f| f.rule.id).collect::<Vec<_>>(), ["sg-world-open", "silence-unused"]);
    assert!(!r.fails(Severity::Error) && r.fails(Severity::Warning));
}

#[test]
fn json_lists_findings_silenced_and_counts() {
    let src = open_ssh("  silence \"sg-admin-port-open\" {\n    reason = \"a honeypot\"\n  }\n").replace(
        "security_group \"g\"",
        "security_group \"h\" {\n  vpc = vpc.v\n  ingress {\n    port = 8080\n    cidr = \"0.0.0.0/0\"\n  }\n}\n\nsecurity_group \"g\"",
    );
    let doc: serde_json::Value = serde_json::from_str(&output::json(&report(&src)).to_string()).unwrap();
    assert_eq!(doc["file"], "stack.hcl");
    assert_eq!(doc["summary"], serde_json::json!({ "errors": 0, "warnings": 1, "silenced": 1 }));
    let f = &doc["findings"][0];
    let (_, line, col) = hit("", &src, "\"0.0.0.0/0\"");
    assert_eq!((f["rule"].as_str(), f["severity"].as_str()), (Some("sg-world-open"), Some("warning")));
    assert_eq!(
        (f["address"].as_str(), f["line"].as_u64(), f["column"].as_u64()),
        (Some("security_group.h"), Some(line as u64), Some(col as u64))
    );
    assert_eq!(f["end_column"].as_u64(), Some(col as u64 + 11), "the quoted CIDR is 11 characters");
    assert!(f["fix"].as_str().is_some_and(|s| !s.is_empty()));
    let s = &doc["silenced"][0];
    assert_eq!((s["rule"].as_str(), s["reason"].as_str()), (Some("sg-admin-port-open"), Some("a honeypot")));
}

#[test]
fn sarif_has_rules_results_levels_locations_and_suppressions() {
    let src = open_ssh("").replace(
        "security_group \"g\"",
        "security_group \"h\" {\n  vpc = vpc.v\n  ingress {\n    port = 8080\n    cidr = \"0.0.0.0/0\"\n  }\n  silence \"sg-world-open\" {\n    reason = \"a web cache\"\n  }\n}\n\nsecurity_group \"g\"",
    );
    let doc: serde_json::Value = serde_json::from_str(&sarif::sarif(&report(&src)).to_string()).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "stackr");
    let rule_ids: Vec<&str> =
        run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(rule_ids, rules().map(|r| r.id).collect::<Vec<_>>());
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let open = &results[0];
    assert_eq!((open["ruleId"].as_str(), open["level"].as_str()), (Some("sg-admin-port-open"), Some("error")));
    assert_eq!(rule_ids[open["ruleIndex"].as_u64().unwrap() as usize], "sg-admin-port-open");
    let loc = &open["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "stack.hcl");
    let (_, line, col) = nth_hit("", &src, "\"0.0.0.0/0\"", 1);
    assert_eq!(
        (loc["region"]["startLine"].as_u64(), loc["region"]["startColumn"].as_u64()),
        (Some(line as u64), Some(col as u64))
    );
    let quiet = &results[1];
    assert_eq!(quiet["ruleId"], "sg-world-open");
    assert_eq!(quiet["suppressions"][0]["kind"], "inSource");
    assert_eq!(quiet["suppressions"][0]["justification"], "a web cache");
}

#[test]
fn the_example_stacks_pass_with_honest_silences() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("stacks");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "hcl") {
            continue;
        }
        let mut s =
            stack::load_file(&path, &VarInputs::default(), &resources::schemas()).unwrap_or_else(|d| panic!("{d}"));
        resources::check(&mut s);
        let r = run(&s);
        let left: Vec<String> = r.findings.iter().map(|f| format!("{}: {}", f.rule.id, f.message)).collect();
        assert!(left.is_empty(), "{}: {left:#?}", path.display());
        assert!(r.silenced.iter().all(|s| s.reason.len() > 20), "{}: a reason says why", path.display());
        seen += 1;
    }
    assert!(seen >= 4, "found only {seen} example stacks");
}

#[test]
fn the_readme_lists_every_rule_with_its_severity() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("## Safety checks").expect("README has a Safety checks section");
    let section = &readme[start..start + readme[start..].find("\n## Behaviour").expect("section end")];
    for r in rules() {
        let row = format!("| `{}` | {} |", r.id, output::severity_name(r.severity));
        assert!(section.contains(&row), "README's Safety checks lacks `{row}`");
    }
}
