//! The commands that never contact AWS beyond reading files: `fmt`, `graph`, `completions`
//! and `man`, run as the real binary. Needs no LocalStack: the endpoint is a closed port, so
//! any AWS call would fail the command.

mod common;

use std::path::Path;
use std::process::Stdio;

use common::{Run, p, stack_file};

/// stackr with no reachable endpoint, in `dir`.
fn stackr_in(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = common::stackr_cmd(args);
    cmd.current_dir(dir).env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    Run::from(cmd.output().expect("run stackr"))
}

const MESSY: &str = "vpc \"main\" {\ncidr = \"10.0.0.0/16\"\n    enable_dns_hostnames=true # DNS names\n\n\n\ttags = {Name=\"main\"}\n}\n\n\n";
const TIDY: &str = "vpc \"main\" {\n  cidr                 = \"10.0.0.0/16\"\n  enable_dns_hostnames = true # DNS names\n\n  tags = { Name = \"main\" }\n}\n";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn fmt_rewrites_the_current_directorys_hcl_files_and_lists_them() {
    let tmp = tempfile::tempdir().unwrap();
    let messy = stack_file(tmp.path(), "messy.hcl", MESSY);
    let tidy = stack_file(tmp.path(), "tidy.hcl", TIDY);
    let other = stack_file(tmp.path(), "notes.txt", MESSY);
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    let nested = stack_file(&tmp.path().join("sub"), "nested.hcl", MESSY);

    let run = stackr_in(tmp.path(), &["fmt"]).expect(0);
    assert_eq!(run.stdout, "messy.hcl\n");
    assert_eq!(read(&messy), TIDY);
    assert_eq!(read(&tidy), TIDY);
    assert_eq!(read(&other), MESSY, "only .hcl files are formatted");
    assert_eq!(read(&nested), MESSY, "subdirectories only with -r");

    // Idempotent: nothing left to change.
    let again = stackr_in(tmp.path(), &["fmt"]).expect(0);
    assert_eq!(again.stdout, "");
}

#[test]
fn fmt_recursive_skips_hidden_directories_and_named_files_are_formatted_whatever_their_name() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("a/b")).unwrap();
    std::fs::create_dir(tmp.path().join(".hidden")).unwrap();
    let deep = stack_file(&tmp.path().join("a/b"), "deep.hcl", MESSY);
    let hidden = stack_file(&tmp.path().join(".hidden"), "h.hcl", MESSY);
    let vars = stack_file(tmp.path(), "prod.vars", "region=\"eu-west-1\"\ninstance_count = 2\n");

    let run = stackr_in(tmp.path(), &["fmt", "-r", "a", "prod.vars"]).expect(0);
    assert_eq!(run.stdout, "a/b/deep.hcl\nprod.vars\n");
    assert_eq!(read(&deep), TIDY);
    assert_eq!(read(&vars), "region         = \"eu-west-1\"\ninstance_count = 2\n");
    stackr_in(tmp.path(), &["fmt", "--recursive"]).expect(0);
    assert_eq!(read(&hidden), MESSY);
}

#[test]
fn fmt_check_lists_what_would_change_writes_nothing_and_exits_3() {
    let tmp = tempfile::tempdir().unwrap();
    let messy = stack_file(tmp.path(), "messy.hcl", MESSY);
    stack_file(tmp.path(), "tidy.hcl", TIDY);

    let run = stackr_in(tmp.path(), &["fmt", "--check"]).expect(3);
    assert_eq!(run.stdout, "messy.hcl\n");
    assert_eq!(read(&messy), MESSY);

    stackr_in(tmp.path(), &["fmt", "--check", "tidy.hcl"]).expect(0);
}

#[test]
fn fmt_diff_prints_a_unified_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let messy = stack_file(tmp.path(), "messy.hcl", MESSY);

    let run = stackr_in(tmp.path(), &["fmt", "--check", "--diff", "messy.hcl"]).expect(3);
    assert!(run.stdout.starts_with("--- a/messy.hcl\n+++ b/messy.hcl\n@@ "), "{}", run.stdout);
    assert!(run.stdout.contains("\n-cidr = \"10.0.0.0/16\"\n"), "{}", run.stdout);
    assert!(run.stdout.contains("\n+  cidr                 = \"10.0.0.0/16\"\n"), "{}", run.stdout);
    assert_eq!(read(&messy), MESSY, "--check writes nothing, even with --diff");

    let run = stackr_in(tmp.path(), &["fmt", "--diff", "messy.hcl"]).expect(0);
    assert!(run.stdout.contains("+++ b/messy.hcl"), "{}", run.stdout);
    assert_eq!(read(&messy), TIDY, "--diff alone still writes");
}

#[test]
fn fmt_refuses_invalid_hcl_with_its_position_and_writes_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let messy = stack_file(tmp.path(), "a.hcl", MESSY);
    let bad = "vpc \"main\" {\n  cidr = \n}\n";
    let broken = stack_file(tmp.path(), "b.hcl", bad);

    let run = stackr_in(tmp.path(), &["fmt"]).expect(1);
    assert!(run.stderr.contains("b.hcl is not valid HCL"), "{}", run.stderr);
    assert!(run.stderr.contains("b.hcl:2:9"), "{}", run.stderr);
    assert!(run.stderr.contains("no file was formatted"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(read(&messy), MESSY, "no file is written when any is invalid");
    assert_eq!(read(&broken), bad);
}

#[test]
fn fmt_of_a_missing_path_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let run = stackr_in(tmp.path(), &["fmt", "nope.hcl"]).expect(1);
    assert!(run.stderr.contains("nope.hcl"), "{}", run.stderr);
}

#[test]
fn fmt_dash_reads_stdin_and_writes_stdout() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = common::stackr_cmd(&["fmt", "-"]);
    let mut child = cmd.current_dir(tmp.path()).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(MESSY.as_bytes()).unwrap();
    let run = Run::from(child.wait_with_output().unwrap()).expect(0);
    assert_eq!(run.stdout, TIDY);
}

#[test]
fn the_repositorys_stack_files_are_formatted() {
    let run = stackr_in(&common::repo(), &["fmt", "--check", "--diff", "-r", "stacks", "examples"]);
    assert_eq!(run.code, 0, "run `stackr fmt -r stacks examples`:\n{}{}", run.stdout, run.stderr);
}

const GRAPH_STACK: &str = r#"stack "g" {
  region = "us-east-1"
}

vpc "main" {
  cidr = "10.0.0.0/16"
}

subnet "b" {
  vpc  = vpc.main
  cidr = "10.0.2.0/24"
  az   = "us-east-1b"
}

subnet "a" {
  vpc  = vpc.main
  cidr = "10.0.1.0/24"
  az   = "us-east-1a"
}

internet_gateway "gw" {
  vpc = vpc.main
}
"#;

#[test]
fn graph_prints_the_dependency_graph_as_dot_sorted_without_aws() {
    let tmp = tempfile::tempdir().unwrap();
    let f = stack_file(tmp.path(), "g.hcl", GRAPH_STACK);
    let run = stackr_in(tmp.path(), &["graph", "-f", p(&f)]).expect(0);
    assert_eq!(
        run.stdout,
        r#"digraph "g" {
  rankdir = "RL";
  node [shape = "box"];
  "internet_gateway.gw";
  "subnet.a";
  "subnet.b";
  "vpc.main";
  "internet_gateway.gw" -> "vpc.main";
  "subnet.a" -> "vpc.main";
  "subnet.b" -> "vpc.main";
}
"#
    );
    let again = stackr_in(tmp.path(), &["graph", "-f", p(&f)]).expect(0);
    assert_eq!(again.stdout, run.stdout, "the output is stable");
}

#[test]
fn graph_draws_each_module_instance_in_its_own_box() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("modules/n")).unwrap();
    let module = "variable \"cidr\" {}\nvpc \"main\" { cidr = var.cidr }\n";
    std::fs::write(tmp.path().join("modules/n/main.hcl"), module).unwrap();
    let root = "stack \"g\" {}\nmodule \"n\" {\n  count  = 2\n  source = \"./modules/n\"\n  cidr   = \"10.${count.index}.0.0/16\"\n}\niam_user \"u\" { depends_on = [module.n[1]] }\n";
    let f = stack_file(tmp.path(), "g.hcl", root);
    let run = stackr_in(tmp.path(), &["graph", "-f", p(&f)]).expect(0);
    assert_eq!(
        run.stdout,
        r#"digraph "g" {
  rankdir = "RL";
  node [shape = "box"];
  "iam_user.u";
  subgraph "cluster_module.n[0]" {
    label = "module.n[0]";
    "module.n[0].vpc.main";
  }
  subgraph "cluster_module.n[1]" {
    label = "module.n[1]";
    "module.n[1].vpc.main";
  }
  "iam_user.u" -> "module.n[1].vpc.main";
}
"#
    );
}

#[test]
fn graph_of_the_network_example_has_its_references() {
    let f = common::repo().join("stacks/network.hcl");
    let run = stackr_in(&common::repo(), &["graph", "-f", p(&f)]).expect(0);
    assert!(run.stdout.starts_with("digraph \"network\" {\n"), "{}", run.stdout);
    for edge in [
        "\"subnet.a\" -> \"vpc.main\";",
        "\"route_table.public\" -> \"internet_gateway.main\";",
        "\"security_group.web\" -> \"security_group.alb\";",
        "\"iam_user.alice\" -> \"iam_group.developers\";",
    ] {
        assert!(run.stdout.contains(edge), "missing {edge}:\n{}", run.stdout);
    }
}

#[test]
fn graph_of_an_invalid_stack_is_a_diagnostic() {
    let tmp = tempfile::tempdir().unwrap();
    let f = stack_file(
        tmp.path(),
        "bad.hcl",
        "stack \"g\" {\n  region = \"us-east-1\"\n}\n\nsubnet \"a\" {\n  vpc = vpc.nope\n}\n",
    );
    let run = stackr_in(tmp.path(), &["graph", "-f", p(&f)]).expect(1);
    assert!(run.stderr.contains("bad.hcl:6:"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn completions_for_each_shell() {
    let tmp = tempfile::tempdir().unwrap();
    let bash = stackr_in(tmp.path(), &["completions", "bash"]).expect(0);
    for word in ["plan", "apply", "destroy", "fmt", "graph", "--auto-approve"] {
        assert!(bash.stdout.contains(word), "bash completion lacks {word}");
    }
    assert!(bash.stdout.contains("complete -F"), "{}", bash.stdout);
    for shell in ["zsh", "fish", "powershell"] {
        let run = stackr_in(tmp.path(), &["completions", shell]).expect(0);
        assert!(run.stdout.contains("plan") && run.stdout.contains("apply"), "{shell}:\n{}", run.stdout);
    }
    stackr_in(tmp.path(), &["completions", "tcsh"]).expect(2);
}

#[test]
fn man_prints_the_manual_page_and_writes_one_per_command() {
    let tmp = tempfile::tempdir().unwrap();
    let run = stackr_in(tmp.path(), &["man"]).expect(0);
    assert!(run.stdout.contains(".TH stackr 1"), "{}", run.stdout);
    assert!(run.stdout.contains("plan"), "{}", run.stdout);

    let run = stackr_in(tmp.path(), &["man", "--out-dir", "man1"]).expect(0);
    assert!(run.stdout.contains("man1/stackr.1\n"), "{}", run.stdout);
    let plan = read(&tmp.path().join("man1/stackr-plan.1"));
    assert!(plan.contains(".TH stackr-plan 1"), "{plan}");
    assert!(plan.contains("detailed"), "{plan}");
    assert!(!tmp.path().join("man1/stackr-help.1").exists());
}
