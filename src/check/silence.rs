//! `silence "RULE" { reason = "…" }` inside a resource block accepts that rule's findings on
//! that resource. The loader already refuses a silence without a reason; a silence that names
//! no rule is refused with the file's other mistakes, before any command goes on (a typo would
//! otherwise silence nothing, quietly); one that matches no finding is a warning, so silences
//! do not outlive the problem they excused.

use super::{Finding, Rule, Silenced, rule, rules};
use crate::stack::diag::{Severity, did_you_mean};
use crate::stack::{Diagnostic, Resource, Stack};

pub static UNKNOWN_RULE: Rule = Rule {
    id: "silence-unknown-rule",
    severity: Severity::Error,
    title: "a silence block names a rule that does not exist",
    fix: "use one of the rule ids `stackr check` reports (listed in the README's \"Safety checks\")",
    source: "stackr",
};

pub static UNUSED: Rule = Rule {
    id: "silence-unused",
    severity: Severity::Warning,
    title: "a silence block matches no finding on its resource",
    fix: "remove the silence block: the resource no longer breaks the rule",
    source: "stackr",
};

pub static RULES: &[&Rule] = &[&UNKNOWN_RULE, &UNUSED];

/// Splits findings into those standing and those silenced, and adds findings about the
/// silence blocks themselves (which can never be silenced).
pub fn apply(stack: &Stack, found: Vec<Finding>) -> (Vec<Finding>, Vec<Silenced>) {
    let mut standing = vec![];
    let mut silenced = vec![];
    for f in found {
        let res = stack.resource(&f.addr).expect("findings are about the stack's resources");
        match res.silenced.iter().find(|s| s.rule == f.rule.id) {
            Some(s) => silenced.push(Silenced { finding: f, reason: s.reason.clone() }),
            None => standing.push(f),
        }
    }
    for res in &stack.resources {
        for s in &res.silenced {
            if let Some(f) = unused(res, &s.rule, s.span.clone(), &silenced) {
                standing.push(f);
            }
        }
    }
    (standing, silenced)
}

/// Silences of rules that do not exist (or cannot be silenced), as errors at their block with
/// the rule id as their code.
pub fn unknown(stack: &Stack) -> Vec<Diagnostic> {
    let silenceable = || rules().filter(|r| !RULES.iter().any(|m| m.id == r.id));
    let mut out = vec![];
    for res in &stack.resources {
        for s in res.silenced.iter().filter(|s| !silenceable().any(|r| r.id == s.rule)) {
            let id = s.rule.as_str();
            let label = match did_you_mean(id, silenceable().map(|r| r.id)) {
                _ if RULES.iter().any(|m| m.id == id) => "findings about silence blocks cannot be silenced".to_string(),
                Some(m) => format!("did you mean `{m}`?"),
                None => "no rule has this id".to_string(),
            };
            out.push(
                Diagnostic::error(format!("{} silences unknown rule `{id}`", res.addr))
                    .code(UNKNOWN_RULE.id)
                    .at(&res.file, s.span.clone())
                    .label(label)
                    .hint(UNKNOWN_RULE.fix),
            );
        }
    }
    out
}

/// A silence of a known rule that matches no finding.
fn unused(res: &Resource, id: &str, span: std::ops::Range<usize>, silenced: &[Silenced]) -> Option<Finding> {
    let known = rule(id).filter(|r| !RULES.iter().any(|m| m.id == r.id))?;
    let used = silenced.iter().any(|s| s.finding.addr == res.addr && s.finding.rule.id == known.id);
    (!used).then(|| {
        Finding::new(&UNUSED, res, span, format!("{} breaks no `{}` rule, so nothing is silenced", res.addr, known.id))
            .label("matches no finding")
    })
}
