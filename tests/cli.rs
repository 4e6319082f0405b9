//! The command line as users meet it: whoami, error messages, diagnostics, confirmation,
//! machine-readable plans, and refusing to take over what the stack does not own.

mod common;

use common::*;

/// An endpoint where nothing listens: any AWS call made there fails to connect.
fn dead_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn whoami_prints_identity_region_and_endpoint() {
    require_localstack();
    let run = stackr(&["whoami"]).expect(0);
    assert!(run.stdout.contains("Account:     000000000000"), "{}", run.stdout);
    assert!(run.stdout.contains("ARN:         arn:aws:iam::000000000000:"), "{}", run.stdout);
    assert!(run.stdout.contains("Region:      us-east-1"));
    assert!(run.stdout.contains(&format!("Endpoint:    {}", endpoint())));
    assert!(run.stdout.contains("Credentials: environment variables"));

    let run = stackr(&["whoami", "--json", "--region", "eu-west-1"]).expect(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["account"], "000000000000");
    assert_eq!(doc["region"], "eu-west-1", "--region wins over AWS_REGION");
    assert_eq!(doc["endpoint"], endpoint());
    assert!(doc["user_id"].as_str().is_some_and(|s| !s.is_empty()));
}

#[test]
fn whoami_with_an_unreachable_endpoint_is_one_error_and_a_hint() {
    let dead = dead_endpoint();
    let run = stackr(&["whoami", "--endpoint-url", &dead]).expect(1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(lines[0].starts_with(&format!("error: could not reach {dead}")), "{}", run.stderr);
    assert!(lines[1].starts_with("hint: "), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn whoami_without_credentials_is_one_error_and_a_hint() {
    let home = tempfile::tempdir().unwrap();
    let out = stackr_cmd(&["whoami"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("HOME", home.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].starts_with("error: ") && lines[0].contains("credentials"), "{stderr}");
    assert!(lines[1].starts_with("hint: set AWS_ACCESS_KEY_ID"), "{stderr}");
}

#[test]
fn bad_stack_file_is_a_diagnostic_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let f = stack_file(
        dir.path(),
        "bad.hcl",
        "stack \"bad\" {}\n\nvpc \"main\" {\n  cidr = \"10.0.0.0/16\"\n}\n\nsubnet \"a\" {\n  vpc  = vpc.main\n  cidr = \"10.0.1.0/33\"\n}\n",
    );
    // The endpoint is dead: had stackr tried AWS, the error would be "could not reach".
    let run = stackr(&["plan", "-f", p(&f), "--endpoint-url", &dead_endpoint()]).expect(1);
    assert!(run.stderr.contains("error: \"10.0.1.0/33\" is not a valid IPv4 CIDR block"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("--> {}:9:10", p(&f))), "{}", run.stderr);
    assert!(run.stderr.contains("9 |   cidr = \"10.0.1.0/33\""), "{}", run.stderr);
    assert!(!run.stderr.contains("could not reach"));
    assert!(run.stdout.is_empty());
}

/// Issue 9: a template outside the stack's tree (here the stack file's directory: no
/// repository) is a diagnostic at the name, and nothing is read into user data or sent.
#[test]
fn templates_outside_the_stack_tree_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token"), "ghp_secret").unwrap();
    std::fs::create_dir(dir.path().join("stack")).unwrap();
    let body = "stack \"t\" {}\n\nlaunch_template \"w\" {\n  ami  = \"ami-760aaa0f\"\n  type = \"t3.micro\"\n  user_data = template(\"../token\")\n}\n";
    let f = stack_file(&dir.path().join("stack"), "s.hcl", body);
    let run = stackr(&["plan", "-f", p(&f), "--endpoint-url", &dead_endpoint()]).expect(1);
    assert!(run.stderr.contains("error: template \"../token\" resolves to"), "{}", run.stderr);
    assert!(run.stderr.contains("outside the stack's tree"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("--> {}:6:24", p(&f))), "{}", run.stderr);
    assert!(!run.stderr.contains("could not reach") && !run.stderr.contains("ghp_secret"));
}

#[test]
fn missing_or_non_hcl_file_is_one_line() {
    let run = stackr(&["plan", "-f", "/nonexistent/stack.hcl"]).expect(1);
    assert!(run.stderr.starts_with("error: stack file /nonexistent/stack.hcl does not exist\n"), "{}", run.stderr);
    let dir = tempfile::tempdir().unwrap();
    let f = stack_file(dir.path(), "x.hcl", "{ \"this\": \"is json\" }\n");
    let run = stackr(&["plan", "-f", p(&f)]).expect(1);
    assert!(run.stderr.starts_with(&format!("error: {} is not valid HCL", p(&f))), "{}", run.stderr);
}

/// Colour goes into a pipe only when CLICOLOR_FORCE asks for it, and never against NO_COLOR
/// or --no-color (issue 12): the error of a missing stack file, on stderr.
#[test]
fn colour_in_a_pipe_only_with_clicolor_force() {
    let run = |env: &[(&str, &str)], extra: &[&str]| {
        let mut cmd = stackr_cmd(&[&["plan", "-f", "/nonexistent/stack.hcl"], extra].concat());
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().unwrap()).expect(1).stderr
    };
    assert!(!run(&[], &[]).contains('\x1b'), "a pipe is plain by default");
    let forced = run(&[("CLICOLOR_FORCE", "1")], &[]);
    assert!(forced.contains("\x1b[") && forced.contains("error"), "{forced:?}");
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]).contains('\x1b'));
    assert!(!run(&[("CLICOLOR_FORCE", "1")], &["--no-color"]).contains('\x1b'));
    assert!(!run(&[("CLICOLOR_FORCE", "0")], &[]).contains('\x1b'));
}

#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    let dir = tempfile::tempdir().unwrap();
    let f = stack_file(dir.path(), "s.hcl", "stack \"x\" {}\nvpc \"v\" { cidr = \"10.0.0.0/16\" }\n");
    for cmd in ["apply", "destroy"] {
        let run = stackr(&[cmd, "-f", p(&f), "--endpoint-url", &dead_endpoint()]).expect(1);
        assert!(run.stderr.contains(&format!("error: refusing to {cmd} without confirmation")), "{}", run.stderr);
        assert!(run.stderr.contains("hint: pass --auto-approve"), "{}", run.stderr);
    }
}

#[test]
fn json_plan_has_terraforms_shape() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let name = unique("json");
    let f = stack_file(
        dir.path(),
        "s.hcl",
        &format!(
            "stack \"{name}\" {{}}\nvpc \"v\" {{ cidr = \"10.7.0.0/16\" }}\nsubnet \"a\" {{\n  vpc  = vpc.v\n  cidr = \"10.7.1.0/24\"\n}}\n"
        ),
    );
    let run = stackr(&["plan", "-f", p(&f), "--json", "--detailed-exitcode"]).expect(2);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["format_version"], "1.2");
    let changes = doc["resource_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    let subnet = changes.iter().find(|c| c["address"] == "aws_subnet.a").unwrap();
    assert_eq!(subnet["type"], "aws_subnet");
    assert_eq!(subnet["stackr_address"], "subnet.a");
    assert_eq!(subnet["change"]["actions"], serde_json::json!(["create"]));
    assert_eq!(subnet["change"]["before"], serde_json::Value::Null);
    assert_eq!(subnet["change"]["after"]["cidr_block"], "10.7.1.0/24");
    assert_eq!(subnet["change"]["after_unknown"]["vpc_id"], true);
    assert_eq!(subnet["change"]["after_unknown"]["id"], true);
    assert_eq!(doc["summary"], serde_json::json!({"add": 2, "change": 0, "destroy": 0}));
}

#[tokio::test]
async fn an_unowned_object_with_the_same_name_is_refused_and_untouched() {
    require_localstack();
    let acct = account().await;
    let user = unique("carol");
    acct.iam.create_user().user_name(&user).send().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("conflict");
    let f = stack_file(
        dir.path(),
        "s.hcl",
        &format!(
            "stack \"{stack}\" {{}}\n\niam_user \"carol\" {{\n  name = \"{user}\"\n  tags = {{ team = \"x\" }}\n}}\n"
        ),
    );
    let run = stackr(&["plan", "-f", p(&f)]).expect(1);
    assert!(run.stderr.contains(&format!("iam_user.carol would create \"{user}\"")), "{}", run.stderr);
    assert!(run.stderr.contains("not owned by this stack"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("--> {}:4:10", p(&f))), "{}", run.stderr);
    stackr(&["apply", "-f", p(&f), "--auto-approve"]).expect(1);
    let got = acct.iam.get_user().user_name(&user).send().await.unwrap();
    assert_eq!(got.user().unwrap().path(), "/", "the existing user keeps its path");
    assert!(got.user().unwrap().tags().is_empty(), "and gets no tags");
    acct.iam.delete_user().user_name(&user).send().await.unwrap();
}

#[tokio::test]
async fn variables_from_flags_and_files() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let stack = unique("vars");
    let f = stack_file(
        dir.path(),
        "s.hcl",
        &format!(
            "stack \"{stack}\" {{}}\nvariable \"cidr\" {{}}\nvariable \"env\" {{ default = \"dev\" }}\n\
             vpc \"v\" {{\n  cidr = var.cidr\n  tags = {{ env = var.env }}\n}}\noutput \"cidr\" {{ value = vpc.v.cidr }}\n"
        ),
    );
    let vars = stack_file(dir.path(), "prod.vars", "cidr = \"10.44.0.0/16\"\nenv = \"from-file\"\n");
    let run = stackr(&["apply", "-f", p(&f), "--var-file", p(&vars), "--var", "env=prod", "--auto-approve"]).expect(0);
    assert!(run.stdout.contains("cidr = \"10.44.0.0/16\""), "{}", run.stdout);
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(&stack)).send().await.unwrap();
    assert_eq!(vpcs.vpcs()[0].cidr_block(), Some("10.44.0.0/16"));
    assert_eq!(tag(vpcs.vpcs()[0].tags(), "env"), Some("prod"));
    let run = stackr(&["plan", "-f", p(&f)]).expect(1);
    assert!(run.stderr.contains("error: variable \"cidr\" has no value"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    stackr(&["plan", "-f", p(&f), "--var", "cidr=10.44.0.0/16", "--var", "env=prod", "--detailed-exitcode"]).expect(0);
    stackr(&["destroy", "-f", p(&f), "--var", "cidr=10.44.0.0/16", "--auto-approve"]).expect(0);
    assert_eq!(acct.owned_counts(&stack).await, [0; 7]);
}

#[test]
fn profiles_from_the_shared_files() {
    require_localstack();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[dev]\naws_access_key_id = test\naws_secret_access_key = test\n",
    )
    .unwrap();
    std::fs::write(home.path().join(".aws/config"), "[profile dev]\nregion = eu-central-1\n").unwrap();
    let out = stackr_cmd(&["whoami", "--json", "--profile", "dev"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_REGION")
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["region"], "eu-central-1");
    assert_eq!(doc["credential_source"], "shared credentials/config profile");
    assert_eq!(doc["account"], "000000000000");
}

/// A Terraform user asks for the schema by the provider's type name and gets stackr's kind.
#[test]
fn schema_takes_terraform_type_names() {
    let run = stackr(&["schema", "aws_instance"]).expect(0);
    let native = stackr(&["schema", "instance"]).expect(0);
    assert_eq!(run.stdout, native.stdout);
    assert!(run.stdout.contains("instance"), "{}", run.stdout);
    let run = stackr(&["schema", "aws_nothing"]).expect(1);
    assert!(run.stderr.contains("no resource kind named `aws_nothing`"), "{}", run.stderr);
}

/// A stack file that is not UTF-8 is refused at the first byte that is not, with its line and
/// column (here the Latin-1 "é" of "café", line 4 column 20).
#[test]
fn a_file_that_is_not_utf8_is_refused_at_the_byte() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("latin1.hcl");
    std::fs::write(&f, b"stack \"t\" {}\nvpc \"v\" {\n  cidr = \"10.0.0.0/16\"\n  tags = { n = \"caf\xe9\" }\n}\n")
        .unwrap();
    let run = stackr(&["check", "-f", p(&f)]).expect(1);
    assert!(run.stderr.contains("is not UTF-8 text: byte 0xE9 here"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("--> {}:4:20", p(&f))), "{}", run.stderr);
}
