//! GitHub Actions support, through the real binary: annotations for stack-file errors, the
//! Markdown plan on stdout and in the step summary (against LocalStack), and actionlint on the
//! project's own workflow and the deploy example users copy.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// A stack file whose only error is the CIDR on line 7, column 10.
const BAD_CIDR: &str = "stack \"gh\" {\n  region = \"us-east-1\"\n}\n\nvpc \"main\" {\n  tags = { Team = \"net\" }\n  \
                        cidr = \"10.0.300.0/16\"\n}\n";

fn in_actions(cmd: &mut Command, summary: Option<&Path>) -> Run {
    cmd.env("GITHUB_ACTIONS", "true");
    if let Some(s) = summary {
        cmd.env("GITHUB_STEP_SUMMARY", s);
    }
    let o = cmd.output().expect("run stackr");
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[test]
fn a_stack_file_error_is_annotated_on_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    stack_file(dir.path(), "stack.hcl", BAD_CIDR);
    let mut cmd = stackr_cmd(&["plan", "-f", "stack.hcl"]);
    cmd.current_dir(dir.path());
    let run = in_actions(&mut cmd, None).expect(1);
    let ann: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        ann,
        ["::error file=stack.hcl,line=7,col=10,endLine=7,endColumn=25,title=stackr error::\"10.0.300.0/16\" is not \
          a valid IPv4 CIDR block (expected the form \"10.0.0.0/16\")"],
        "stderr:\n{}",
        run.stderr
    );
    // The usual diagnostic is still there, and stdout (data) has no workflow commands.
    assert!(run.stderr.contains("--> stack.hcl:7:10"), "{}", run.stderr);
    assert!(!run.stdout.contains("::"), "{}", run.stdout);
}

#[test]
fn outside_github_actions_there_are_no_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let f = stack_file(dir.path(), "stack.hcl", BAD_CIDR);
    let run = stackr(&["plan", "-f", p(&f)]).expect(1);
    assert!(run.stderr.contains("is not a valid IPv4 CIDR block"), "{}", run.stderr);
    assert!(!run.stderr.contains("::error"), "{}", run.stderr);
}

#[test]
fn an_error_outside_the_stack_file_is_annotated_with_its_hint() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    drop(l);
    let run = in_actions(&mut stackr_cmd(&["whoami", "--endpoint-url", &dead]), None).expect(1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    let (error, hint) = (lines[0].strip_prefix("error: ").unwrap(), lines[1].strip_prefix("hint: ").unwrap());
    assert_eq!(lines[2], format!("::error title=stackr error::{error}%0Ahint: {hint}"));
}

fn vpc_stack(dir: &Path) -> (String, PathBuf) {
    let name = unique("gh");
    let f = stack_file(
        dir,
        "stack.hcl",
        &format!("stack \"{name}\" {{}}\nvpc \"main\" {{\n  cidr = \"10.7.0.0/16\"\n}}\n"),
    );
    (name, f)
}

#[test]
fn plan_appends_markdown_to_the_step_summary() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let (name, f) = vpc_stack(dir.path());
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "## An earlier step\n").unwrap();
    let run = in_actions(&mut stackr_cmd(&["plan", "-f", p(&f)]), Some(&summary)).expect(0);
    // stdout is the usual text plan; the summary gets the Markdown, after what was there.
    assert!(run.stdout.contains("# vpc.main will be created"), "{}", run.stdout);
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## An earlier step\n\n"), "{md}");
    assert!(md.contains(&format!("## stackr plan: `{name}`")), "{md}");
    assert!(md.contains("| create | 1 |"), "{md}");
    assert!(md.contains("| `vpc.main` | create |  |"), "{md}");
    assert!(md.contains("<details><summary>Plan detail</summary>"), "{md}");
    assert!(md.contains("+       cidr "), "{md}");
    // A second plan appends again rather than replacing.
    in_actions(&mut stackr_cmd(&["plan", "-f", p(&f)]), Some(&summary)).expect(0);
    let again = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(again.matches("## stackr plan:").count(), 2, "{again}");
    assert!(again.starts_with(&md), "{again}");
}

#[test]
fn plan_format_markdown_prints_the_markdown_plan() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let (name, f) = vpc_stack(dir.path());
    let run = stackr(&["plan", "-f", p(&f), "--format", "markdown", "--detailed-exitcode"]).expect(2);
    let md = &run.stdout;
    assert!(md.starts_with(&format!("## stackr plan: `{name}`\n\n**Plan:** 1 to add, 0 to change, 0 to destroy.")));
    assert!(md.contains("| `vpc.main` | create |  |"), "{md}");
    assert!(md.contains("```diff\n  # vpc.main will be created\n+   resource \"vpc\" \"main\" {\n"), "{md}");
    assert!(md.trim_end().ends_with("</details>"), "{md}");
    assert!(!md.contains('\x1b'), "{md}");
}

/// actionlint from STACKR_ACTIONLINT (set by scripts/test), else from PATH. Never skipped: a
/// missing actionlint fails the test.
fn actionlint(files: &[&Path]) -> Run {
    let bin = std::env::var("STACKR_ACTIONLINT").unwrap_or_else(|_| "actionlint".into());
    let o = Command::new(&bin).arg("-no-color").args(files).output().unwrap_or_else(|e| {
        panic!(
            "cannot run actionlint (`{bin}`: {e}): run the tests with scripts/test, which installs it (scripts/pytools), \
             or set STACKR_ACTIONLINT to its path"
        )
    });
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

const WORKFLOWS: [&str; 3] =
    [".github/workflows/ci.yml", ".github/workflows/release.yml", "examples/github-actions/deploy.yml"];

#[test]
fn the_workflows_pass_actionlint() {
    let paths: Vec<PathBuf> = WORKFLOWS.iter().map(|w| repo().join(w)).collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    actionlint(&refs).expect(0);
}

#[test]
fn actionlint_fails_a_broken_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join(WORKFLOWS[1])).unwrap();
    assert!(text.contains("\n    runs-on: ubuntu-latest\n"));
    let broken = dir.path().join("deploy.yml");
    std::fs::write(&broken, text.replacen("\n    runs-on: ubuntu-latest\n", "\n    runs-onn: ubuntu-latest\n", 1))
        .unwrap();
    let run = actionlint(&[&broken]);
    assert_eq!(run.code, 1, "actionlint passed a broken workflow:\n{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("runs-onn"), "{}", run.stdout);
}

#[test]
fn check_findings_are_annotated_with_their_rule() {
    let dir = tempfile::tempdir().unwrap();
    let text = "stack \"gh\" {}\n\nvpc \"main\" {\n  cidr = \"10.0.0.0/16\"\n}\n\nsecurity_group \"ssh\" {\n  vpc = vpc.main\n  ingress {\n    port = 22\n    cidr = \"0.0.0.0/0\"\n  }\n}\n";
    stack_file(dir.path(), "stack.hcl", text);
    let mut cmd = stackr_cmd(&["check", "-f", "stack.hcl"]);
    cmd.current_dir(dir.path());
    let run = in_actions(&mut cmd, None).expect(1);
    let ann: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(ann.len(), 1, "{}", run.stderr);
    assert!(
        ann[0].starts_with(
            "::error file=stack.hcl,line=11,col=12,endLine=11,endColumn=23,title=stackr error [sg-admin-port-open]::"
        ),
        "{}",
        ann[0]
    );
}
