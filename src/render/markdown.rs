//! The Markdown plan, for a pull-request comment and the GitHub Actions step summary: a
//! heading, a summary table, one row per change, and the text plan in a collapsible `diff`
//! block. GitHub rejects a comment over 65,535 characters, so a large plan loses detail (and
//! then table rows) with a note saying how much was left out and where the full plan is.

use super::human::change_gutter_text;
use crate::plan::{Action, Change, Plan};

/// GitHub's limit on a comment body, in characters. The output is kept under it in bytes,
/// which is stricter (a character is at least one byte).
pub const GITHUB_COMMENT_LIMIT: usize = 65_535;

/// The Markdown plan, kept under GitHub's comment limit.
pub fn plan(plan: &Plan) -> String {
    plan_within(plan, GITHUB_COMMENT_LIMIT - 1)
}

/// The Markdown plan in at most `limit` bytes (as long as the heading and summary fit).
pub fn plan_within(plan: &Plan, limit: usize) -> String {
    let parts = Parts::new(plan);
    let total = parts.rows.len();
    let fits = |rows: usize, detail: usize| parts.render(rows, detail).len() <= limit;
    if fits(total, total) {
        return parts.render(total, total);
    }
    // Detail goes first, whole changes at a time; only when no detail fits do table rows go.
    if fits(total, 0) {
        let detail = last_fitting(total, |d| fits(total, d));
        return parts.render(total, detail);
    }
    let rows = last_fitting(total, |r| fits(r, 0));
    parts.render(rows, 0)
}

/// The largest `n` in `0..=max` with `ok(n)`, given `ok` holds for small `n` and fails for
/// large ones (and holds for 0, or 0 is returned anyway).
fn last_fitting(max: usize, ok: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, max);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if ok(mid) { lo = mid } else { hi = mid - 1 }
    }
    lo
}

/// The pieces of the document, rendered once; `render` picks how many of them to include.
struct Parts {
    head: String,
    rows: Vec<String>,
    details: Vec<String>,
    footer: String,
}

impl Parts {
    fn new(plan: &Plan) -> Parts {
        let changes: Vec<&Change> = plan.changes.iter().filter(|c| c.acts()).collect();
        let (add, chg, del) = plan.summary();
        let mut head = format!("## stackr plan: `{}`{}\n\n", plan.stack, if plan.destroy { " (destroy)" } else { "" });
        if changes.is_empty() {
            head.push_str(if plan.destroy {
                "**No changes.** No objects owned by this stack exist, so there is nothing to destroy.\n"
            } else {
                "**No changes.** Your infrastructure matches the configuration.\n"
            });
        } else {
            head.push_str(&format!("**Plan:** {add} to add, {chg} to change, {del} to destroy.\n\n"));
            head.push_str("| Action | Count |\n| --- | ---: |\n");
            for action in [Action::Create, Action::Update, Action::Replace, Action::Delete] {
                let n = plan.count(action);
                if n > 0 {
                    head.push_str(&format!("| {} | {n} |\n", label(action)));
                }
            }
        }
        Parts {
            head,
            rows: changes.iter().map(|c| row(c)).collect(),
            details: changes.iter().map(|c| change_gutter_text(plan, c)).collect(),
            footer: format!("Plan: {add} to add, {chg} to change, {del} to destroy.\n"),
        }
    }

    /// The document with the first `rows` table rows and the first `detail` change details.
    fn render(&self, rows: usize, detail: usize) -> String {
        let total = self.rows.len();
        let mut out = self.head.clone();
        if total == 0 {
            return out;
        }
        out.push_str("\n| Address | Action | Forces replacement |\n| --- | --- | --- |\n");
        for r in &self.rows[..rows] {
            out.push_str(r);
        }
        if rows < total {
            out.push_str(&format!("\n_…and {} more changes not listed here._\n", total - rows));
        }
        if detail > 0 {
            let body: String = self.details[..detail].join("\n");
            let body = if detail == total { format!("{body}\n{}", self.footer) } else { body };
            let fence = "`".repeat(longest_backtick_run(&body).max(2) + 1);
            out.push_str("\n<details><summary>Plan detail</summary>\n\n");
            out.push_str(&format!("{fence}diff\n{body}{fence}\n\n</details>\n"));
        }
        if detail < total {
            out.push_str(&format!(
                "\n> **Note:** the detail of {} of {total} changes is left out to stay under GitHub's \
                 65,535-character comment limit. For the full plan, run `stackr show plan.stackr` on the \
                 saved plan file (the workflow's plan artifact), or `stackr plan` locally.\n",
                total - detail
            ));
        }
        out
    }
}

fn label(a: Action) -> &'static str {
    if a == Action::Update { "update in place" } else { a.verb() }
}

fn row(c: &Change) -> String {
    let forces: Vec<String> = c.forces.iter().map(|f| format!("`{}`", cell(f))).collect();
    let action = match (&c.moved_from, c.action) {
        (None, a) => label(a).to_string(),
        (Some(from), Action::NoOp) => format!("move from `{}`", cell(&from.to_string())),
        (Some(from), a) => format!("{} (moved from `{}`)", label(a), cell(&from.to_string())),
    };
    format!("| `{}` | {action} | {} |\n", cell(&c.addr.to_string()), forces.join(", "))
}

/// A table cell may not hold a pipe or a line break.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::LiveState;
    use crate::resources::schemas;
    use crate::stack::{VarInputs, load_str};

    /// A plan creating `n` VPCs.
    fn creates(n: usize) -> Plan {
        let mut src = String::from("stack \"big\" {}\n");
        for i in 0..n {
            src.push_str(&format!("vpc \"v{i}\" {{\n  cidr = \"10.0.0.0/16\"\n  tags = {{ Team = \"net\" }}\n}}\n"));
        }
        let stack = load_str("big.hcl", &src, &VarInputs::default(), &schemas()).unwrap();
        crate::plan::plan(&stack, &LiveState::default(), false).unwrap()
    }

    #[test]
    fn every_action_as_markdown() {
        insta::assert_snapshot!(plan(&super::super::tests::mixed_plan()));
    }

    #[test]
    fn no_changes_has_no_tables() {
        let md = plan(&creates(0));
        assert_eq!(md, "## stackr plan: `big`\n\n**No changes.** Your infrastructure matches the configuration.\n");
    }

    #[test]
    fn the_fence_is_longer_than_any_backtick_run_inside() {
        assert_eq!(longest_backtick_run("a ```` b ` c"), 4);
        assert_eq!(longest_backtick_run("none"), 0);
    }

    #[test]
    fn a_plan_that_fits_is_whole() {
        let md = plan(&creates(3));
        assert!(md.contains("| create | 3 |"), "{md}");
        assert!(md.contains("| `vpc.v0` | create |  |"), "{md}");
        assert!(md.contains("<details><summary>Plan detail</summary>"), "{md}");
        assert!(md.contains("\n+   resource \"vpc\" \"v2\" {\n"), "{md}");
        assert!(md.contains("Plan: 3 to add, 0 to change, 0 to destroy.\n```\n\n</details>"), "{md}");
        assert!(!md.contains("Note:"), "{md}");
    }

    #[test]
    fn a_large_plan_drops_detail_whole_changes_at_a_time() {
        let p = creates(400);
        let md = plan(&p);
        assert!(md.len() < GITHUB_COMMENT_LIMIT, "{} bytes", md.len());
        let shown = md.matches(" will be created\n").count();
        assert!(shown > 0 && shown < 400, "{shown} details shown");
        // Every change keeps its table row; the note counts exactly the details left out.
        assert_eq!(md.matches(" | create |  |\n").count(), 400);
        let note = format!("the detail of {} of 400 changes is left out", 400 - shown);
        assert!(md.contains(&note), "no `{note}` in the tail: {}", &md[md.len() - 400..]);
        assert!(md.contains("`stackr show plan.stackr`"));
        // The detail block is closed: a cut never leaves an open fence or <details>.
        assert_eq!(md.matches("```").count(), 2);
        assert!(md.contains("```\n\n</details>\n"));
    }

    #[test]
    fn a_huge_plan_also_drops_table_rows() {
        let md = plan(&creates(3000));
        assert!(md.len() < GITHUB_COMMENT_LIMIT, "{} bytes", md.len());
        let rows = md.matches(" | create |  |\n").count();
        assert!(rows > 0 && rows < 3000, "{rows} rows");
        assert!(md.contains(&format!("_…and {} more changes not listed here._", 3000 - rows)));
        assert!(md.contains("the detail of 3000 of 3000 changes is left out"));
        assert!(!md.contains("<details>"));
        assert!(md.contains("**Plan:** 3000 to add, 0 to change, 0 to destroy."));
    }

    #[test]
    fn the_limit_is_met_exactly_at_the_edge() {
        let p = creates(20);
        let whole = plan_within(&p, usize::MAX);
        assert_eq!(plan_within(&p, whole.len()), whole);
        let cut = plan_within(&p, whole.len() - 1);
        assert!(cut.len() < whole.len(), "{cut}");
        let shown = cut.matches(" will be created\n").count();
        assert!(cut.contains(&format!("the detail of {} of 20 changes", 20 - shown)), "{cut}");
    }
}
