//! Plans of JSON documents against LocalStack: a role's inline policy changed in the stack
//! file is planned as a line diff of the decoded policy (the added action on a line of its own),
//! not as two escaped strings, in the text and Markdown plans; the JSON plan keeps the string.
//! A launch template's user data is a line diff of its old and new text under
//! `--show-sensitive`, and only its digest without.

mod common;

use common::*;

fn role(stack: &str, name: &str, actions: &str) -> String {
    format!(
        "stack \"{stack}\" {{}}\n\
         iam_role \"app\" {{\n  name   = \"{name}\"\n  assume = \"ec2.amazonaws.com\"\n  \
         inline_policies = {{\n    s3 = jsonencode({{\n      Version = \"2012-10-17\"\n      \
         Statement = [{{ Effect = \"Allow\", Action = [{actions}], Resource = \"arn:aws:s3:::reports/*\" }}]\n    \
         }})\n  }}\n}}\n"
    )
}

#[tokio::test]
async fn a_policy_change_is_planned_as_a_line_diff_of_the_document() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let (stack, name) = (unique("diffs"), unique("app"));
    let write = |actions: &str| p(&stack_file(dir.path(), "stack.hcl", &role(&stack, &name, actions))).to_string();

    let file = write("\"s3:ListBucket\"");
    let (created, _) = apply_settled(&file, &["+ resource \"iam_role\" \"app\""]);
    // A create shows the decoded document, every line added.
    let assume = created.stdout.lines().find(|l| l.trim_start().starts_with("+ assume ")).unwrap_or_default();
    assert!(assume.ends_with("= jsonencode("), "{}", created.stdout);
    assert!(created.stdout.contains("+ \"s3:ListBucket\",\n"), "{}", created.stdout);

    let file = write("\"s3:ListBucket\", \"s3:GetObject\"");
    let plan = stackr(&["plan", "-f", &file]).expect(0);
    let out = &plan.stdout;
    assert!(out.contains("      ~ inline_policies = {\n          ~ \"s3\" = jsonencode(\n"), "{out}");
    let added: Vec<&str> = out.lines().filter(|l| l.trim_start().starts_with("+ ")).collect();
    assert_eq!(added, ["                              + \"s3:GetObject\","], "{out}");
    assert!(out.lines().any(|l| l.trim() == "\"s3:ListBucket\","), "the unchanged action is context: {out}");
    assert!(!out.contains("\\\""), "no escaped JSON string in the plan:\n{out}");
    assert!(out.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{out}");

    let md = stackr(&["plan", "-f", &file, "--format", "markdown"]).expect(0).stdout;
    assert!(md.contains("\n+                               \"s3:GetObject\",\n"), "{md}");
    let json = stackr(&["plan", "-f", &file, "--json"]).expect(0).stdout;
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let policy = doc["resource_changes"][0]["change"]["after"]["inline_policy"][0]["policy"].as_str().unwrap();
    assert!(policy.contains(r#""Action":["s3:GetObject","s3:ListBucket"]"#), "{policy}");

    // Applied, the role's policy holds the new action and the plan settles.
    stackr(&["apply", "-f", &file, "--auto-approve"]).expect(0);
    let got = acct.iam.get_role_policy().role_name(&name).policy_name("s3").send().await.unwrap();
    let text = percent_encoding::percent_decode_str(got.policy_document()).decode_utf8_lossy().into_owned();
    assert!(text.contains("s3:GetObject"), "{text}");
    stackr(&["plan", "-f", &file, "--detailed-exitcode"]).expect(0);

    stackr(&["destroy", "-f", &file, "--auto-approve"]).expect(0);
    assert!(acct.iam.get_role().role_name(&name).send().await.is_err());
}

fn template(stack: &str, lines: &str) -> String {
    format!(
        "stack \"{stack}\" {{}}\n\
         launch_template \"web\" {{\n  ami  = \"ami-760aaa0f\"\n  type = \"t3.micro\"\n  \
         user_data = <<-EOT\n    #!/bin/sh\n{lines}    systemctl start web\n  EOT\n}}\n"
    )
}

#[tokio::test]
async fn user_data_is_a_line_diff_of_the_text_only_with_show_sensitive() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("udiff");
    let write = |lines: &str| p(&stack_file(dir.path(), "stack.hcl", &template(&stack, lines))).to_string();
    let file = write("    echo one\n");
    apply_settled(&file, &["+ resource \"launch_template\" \"web\""]);

    let file = write("    echo two\n");
    let shown = stackr(&["plan", "-f", &file, "--show-sensitive"]).expect(0).stdout;
    let marked = |sign: char| -> Vec<String> {
        shown.lines().map(str::trim_start).filter(|l| l.starts_with(sign)).map(String::from).collect()
    };
    assert_eq!(marked('-'), ["- echo one"], "{shown}");
    assert_eq!(marked('+'), ["+ echo two"], "{shown}");
    assert!(shown.lines().any(|l| l.trim() == "systemctl start web"), "unchanged lines are context: {shown}");

    let hidden = stackr(&["plan", "-f", &file]).expect(0).stdout;
    assert!(!hidden.contains("echo"), "user data text without --show-sensitive:\n{hidden}");
    assert!(hidden.contains("(sensitive"), "{hidden}");

    stackr(&["apply", "-f", &file, "--auto-approve"]).expect(0);
    stackr(&["plan", "-f", &file, "--detailed-exitcode"]).expect(0);
    stackr(&["destroy", "-f", &file, "--auto-approve"]).expect(0);
}
