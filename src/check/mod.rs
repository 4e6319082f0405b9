//! The built-in safety checks: rules drawn from AWS's IAM and EC2 guidance, run over a loaded
//! stack without any AWS access. Each rule has a stable id of the form `<area>-<what>`
//! (`sg-admin-port-open`, `iam-action-wildcard`), a severity, a title and a fix; ids are never
//! renamed once released, since stack files name them in `silence` blocks. Rules live in one
//! file per area (security groups, IAM, EC2 compute, network and load balancing); this module
//! holds the table, runs every area and applies the silences ([`silence`]). The renderers are
//! in [`output`] (text and JSON) and [`sarif`].

mod compute;
mod iam;
mod network;
mod nlb;
pub mod output;
pub mod sarif;
mod sg;
mod silence;

use std::ops::Range;
use std::sync::Arc;

use crate::model::{Address, Value};
use crate::stack::diag::Severity;
use crate::stack::{Resource, SourceFile, Stack};

/// One safety rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, used in `silence "ID"` blocks and in SARIF.
    pub id: &'static str,
    pub severity: Severity,
    /// What the rule catches, in a few words.
    pub title: &'static str,
    /// How to fix a finding.
    pub fix: &'static str,
    /// Where the guidance comes from, for the README and SARIF's `helpUri`.
    pub source: &'static str,
}

/// What one area of rules checks.
type CheckFn = fn(&Stack, &mut Vec<Finding>);

/// Every area: its rules and the function that finds violations of them.
static AREAS: &[(&[&Rule], CheckFn)] = &[
    (sg::RULES, sg::check),
    (iam::RULES, iam::check),
    (compute::RULES, compute::check),
    (network::RULES, network::check),
    (silence::RULES, |_, _| {}),
];

/// Every rule, in the order the README lists them.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    AREAS.iter().flat_map(|(rules, _)| rules.iter().copied())
}

pub fn rule(id: &str) -> Option<&'static Rule> {
    rules().find(|r| r.id == id)
}

/// One violation of a rule by one resource.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub addr: Address,
    /// The file the resource's block is in (the stack file or a module's).
    pub file: std::sync::Arc<crate::stack::SourceFile>,
    /// The offending attribute or block in `file`.
    pub span: Range<usize>,
    pub message: String,
    /// Short text under the underlined source.
    pub label: Option<String>,
}

impl Finding {
    pub fn new(rule: &'static Rule, res: &Resource, span: Range<usize>, message: impl Into<String>) -> Finding {
        Finding { rule, addr: res.addr.clone(), file: res.file.clone(), span, message: message.into(), label: None }
    }

    /// The path of the file the finding is in, and its 1-based start and end line and column.
    pub fn position(&self) -> (String, (usize, usize), (usize, usize)) {
        let (file, span) = self.file.locate(self.span.clone());
        (file.path.clone(), file.line_col(span.start), file.line_col(span.end.max(span.start)))
    }

    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = Some(label.into());
        self
    }
}

/// A finding the stack accepts, with the reason it gives.
#[derive(Debug, Clone)]
pub struct Silenced {
    pub finding: Finding,
    pub reason: String,
}

/// The outcome of checking one stack.
#[derive(Debug)]
pub struct Report {
    pub file: Arc<SourceFile>,
    /// Findings still standing, in file order.
    pub findings: Vec<Finding>,
    pub silenced: Vec<Silenced>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.rule.severity == severity).count()
    }

    /// True when a standing finding is at least as severe as `deny`.
    pub fn fails(&self, deny: Severity) -> bool {
        match deny {
            Severity::Warning => !self.findings.is_empty(),
            Severity::Error => self.count(Severity::Error) > 0,
        }
    }
}

/// Runs every rule over the stack, then sets aside what its `silence` blocks accept.
pub fn run(stack: &Stack) -> Report {
    let mut found = vec![];
    for (_, check) in AREAS {
        check(stack, &mut found);
    }
    let (mut findings, silenced) = silence::apply(stack, found);
    // The stack file's findings first, then each module's, in file order.
    findings.sort_by_key(|f| (!f.addr.module.is_empty(), f.file.path.clone(), f.span.start, f.rule.id));
    Report { file: stack.file.clone(), findings, silenced }
}

/// Silence blocks naming no rule: mistakes in the file, refused when it loads.
pub fn unknown_silences(stack: &Stack) -> Vec<crate::stack::Diagnostic> {
    silence::unknown(stack)
}

/// The resources of one kind.
fn of_kind<'a>(stack: &'a Stack, kind: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
    stack.resources.iter().filter(move |r| r.addr.kind == kind)
}

/// The items of a nested-block attribute (`ingress`, `listener`) with their index.
fn blocks<'a>(
    res: &'a Resource,
    name: &str,
) -> impl Iterator<Item = (usize, &'a std::collections::BTreeMap<String, Value>)> {
    res.attrs
        .get(name)
        .map(Value::as_list)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Some((i, v.as_map()?)))
}

#[cfg(test)]
mod tests;
