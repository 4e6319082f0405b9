//! How an apply ended, for the GitHub Actions step summary: the counts, what steps recorded
//! beyond their attributes (a rolling update's result) and what failed, in Markdown.

use crate::apply::Outcome;

/// The Markdown result of an apply or destroy.
pub fn markdown(o: &Outcome, destroy: bool) -> String {
    let what = if destroy { "destroy" } else { "apply" };
    let result = match (o.interrupted, o.errors.is_empty()) {
        (true, _) => "interrupted",
        (false, true) => "complete",
        (false, false) => "failed",
    };
    let mut out =
        format!("### stackr {what} {result}\n\n{} added, {} changed, {} destroyed", o.added, o.changed, o.destroyed);
    if o.skipped > 0 {
        out.push_str(&format!("; {} not attempted", o.skipped));
    }
    out.push_str(".\n");
    if !o.notes.is_empty() {
        out.push('\n');
        for (addr, note) in &o.notes {
            out.push_str(&format!("- `{addr}`: {note}\n"));
        }
    }
    if !o.errors.is_empty() {
        out.push_str("\n**Errors**\n\n");
        for (addr, e, hint) in &o.errors {
            let e = e.replace('\n', " ");
            out.push_str(&format!("- `{addr}`: {e}"));
            if let Some(h) = hint {
                out.push_str(&format!(" (hint: {h})"));
            }
            out.push('\n');
        }
    }
    out
}

/// In a GitHub Actions job, appends the result to the step summary; a failure to write it is
/// a warning.
pub fn step_summary(o: &Outcome, destroy: bool) {
    if !super::github::enabled() {
        return;
    }
    if let Err(e) = super::github::append_step_summary(&markdown(o, destroy)) {
        eprintln!("warning: cannot append the apply result to GITHUB_STEP_SUMMARY: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Address;

    #[test]
    fn a_rollout_and_a_failure_are_listed() {
        let o = Outcome {
            changed: 1,
            notes: vec![(
                Address::new("autoscaling_group", "web"),
                "3 instance(s) replaced by a rolling update in 52s".into(),
            )],
            errors: vec![(Address::new("autoscaling_group", "api"), "the rolling update r-1 failed".into(), None)],
            ..Outcome::default()
        };
        let md = markdown(&o, false);
        assert!(md.starts_with("### stackr apply failed\n\n0 added, 1 changed, 0 destroyed.\n"), "{md}");
        assert!(md.contains("- `autoscaling_group.web`: 3 instance(s) replaced by a rolling update in 52s\n"), "{md}");
        assert!(md.contains("- `autoscaling_group.api`: the rolling update r-1 failed\n"), "{md}");
    }
}
