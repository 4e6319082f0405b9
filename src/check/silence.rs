//! `silence "RULE" { reason = "…" }` inside a resource block accepts that rule's findings on
//! that resource. The loader already refuses a silence without a reason; here a silence that
//! names no rule is an error (a typo would otherwise silence nothing, quietly), and one that
//! matches no finding is a warning, so silences do not outlive the problem they excused.

use super::{Finding, Rule, Silenced, rule, rules};
use crate::stack::diag::{Severity, did_you_mean};
use crate::stack::{Resource, Stack};

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
            if let Some(f) = problem(res, &s.rule, s.span.clone(), &silenced) {
                standing.push(f);
            }
        }
    }
    (standing, silenced)
}

fn problem(res: &Resource, id: &str, span: std::ops::Range<usize>, silenced: &[Silenced]) -> Option<Finding> {
    let Some(known) = rule(id).filter(|r| !RULES.iter().any(|m| m.id == r.id)) else {
        let candidates = rules().filter(|r| !RULES.iter().any(|m| m.id == r.id)).map(|r| r.id);
        let label = match did_you_mean(id, candidates) {
            _ if RULES.iter().any(|m| m.id == id) => "findings about silence blocks cannot be silenced".to_string(),
            Some(m) => format!("did you mean `{m}`?"),
            None => "no rule has this id".to_string(),
        };
        return Some(
            Finding::new(&UNKNOWN_RULE, res, span, format!("{} silences unknown rule `{id}`", res.addr)).label(label),
        );
    };
    let used = silenced.iter().any(|s| s.finding.addr == res.addr && s.finding.rule.id == known.id);
    (!used).then(|| {
        Finding::new(&UNUSED, res, span, format!("{} breaks no `{}` rule, so nothing is silenced", res.addr, known.id))
            .label("matches no finding")
    })
}
