//! Reviewed plans against LocalStack: `plan --out` then `apply FILE` applies exactly that
//! plan; an out-of-band change in between makes apply refuse and change nothing; edited,
//! truncated, foreign and other-version files are refused; secrets never reach the output or
//! the file.

mod common;

use std::path::Path;

use common::*;

fn stack(name: &str, env_tag: &str) -> String {
    format!(
        r##"stack "{name}" {{}}

variable "token" {{
  type      = string
  sensitive = true
}}

vpc "main" {{
  cidr = "10.61.0.0/16"
  tags = {{ env = "{env_tag}" }}
}}

security_group "web" {{
  vpc = vpc.main
  ingress {{
    port = 443
    cidr = "10.0.0.0/8"
  }}
}}

launch_template "web" {{
  ami       = "ami-0abcdef1234567890"
  type      = "t3.micro"
  user_data = "#!/bin/sh\necho token=${{var.token}}\n"
  tags      = {{ deploy = var.token }}
}}

output "token_ref" {{
  value = "t-${{var.token}}"
}}
"##
    )
}

const SECRET: &str = "s3cr3t-Zq9Xw";

fn with_secret(args: &[&str]) -> Run {
    let out = stackr_cmd(args).env("STACKR_VAR_token", SECRET).output().expect("run stackr");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn vpc_tag(acct: &Account, stack: &str, key: &str) -> Option<String> {
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(stack)).send().await.unwrap();
    let vpc = vpcs.vpcs().first()?;
    tag(vpc.tags(), key).map(String::from)
}

async fn vpc_id(acct: &Account, stack: &str) -> String {
    let vpcs = acct.ec2.describe_vpcs().filters(tag_filter(stack)).send().await.unwrap();
    vpcs.vpcs()[0].vpc_id().unwrap().to_string()
}

#[tokio::test]
async fn a_reviewed_plan_is_applied_exactly_and_a_stale_one_is_refused() {
    require_localstack();
    let acct = account().await;
    let name = unique("reviewed");
    let dir = tempfile::tempdir().unwrap();
    let file = stack_file(dir.path(), "stack.hcl", &stack(&name, "one"));
    let plan_file = dir.path().join("first.stackr");

    // Plan and save; secrets stay out of the output and the file.
    let plan = with_secret(&["plan", "-f", p(&file), "-out", p(&plan_file)]).expect(0);
    assert!(plan.stdout.contains("Plan: 3 to add, 0 to change, 0 to destroy."), "{}", plan.stdout);
    assert!(plan.stdout.contains("Saved the plan to:"), "{}", plan.stdout);
    assert!(!plan.stdout.contains(SECRET) && !plan.stderr.contains(SECRET), "secret in plan output:\n{}", plan.stdout);
    assert!(plan.stdout.contains("(sensitive value)"), "{}", plan.stdout);
    assert!(plan.stdout.contains("(sensitive: 34 bytes, sha256 "), "{}", plan.stdout);
    let bytes = std::fs::read(&plan_file).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains(SECRET), "secret in the plan file");

    // `show` reads the file without AWS and shows the same plan.
    let show = stackr_cmd(&["show", p(&plan_file)]).env("AWS_ENDPOINT_URL", "http://127.0.0.1:1").output().unwrap();
    let shown = String::from_utf8_lossy(&show.stdout);
    assert!(shown.contains("Plan: 3 to add"), "{shown}");
    let json = stackr(&["show", "--json", p(&plan_file)]).expect(0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("show --json prints JSON");
    let addrs: Vec<&str> =
        doc["resource_changes"].as_array().unwrap().iter().map(|c| c["address"].as_str().unwrap()).collect();
    assert_eq!(addrs, ["aws_launch_template.web", "aws_security_group.web", "aws_vpc.main"]);
    assert!(!json.stdout.contains(SECRET), "secret in show --json");
    let md = stackr(&["show", "--format", "markdown", p(&plan_file)]).expect(0);
    assert!(md.stdout.contains("<details>"), "{}", md.stdout);

    // Without the secret again, apply cannot plan the same thing and says what to give.
    let no_secret = stackr(&["apply", p(&plan_file)]).expect(1);
    assert!(no_secret.stderr.contains("give token again"), "{}", no_secret.stderr);
    assert_eq!(vpc_tag(&acct, &name, "env").await, None, "nothing may be created without the secret");

    // The reviewed plan applies as is (no prompt: the plan was the review); the stack file is
    // found through the path recorded in the plan.
    let applied = with_secret(&["apply", p(&plan_file)]).expect(0);
    assert!(applied.stdout.contains("Apply complete! Resources: 3 added"), "{}", applied.stdout);
    assert!(applied.stdout.contains("token_ref = <sensitive>"), "{}", applied.stdout);
    assert!(!applied.stdout.contains(SECRET));
    with_secret(&["plan", "-f", p(&file), "--detailed-exitcode"]).expect(0);
    let vpc = vpc_id(&acct, &name).await;

    // Applying it twice is refused: it has been done.
    let again = with_secret(&["apply", p(&plan_file)]).expect(1);
    assert!(again.stderr.contains("was this plan applied already?"), "{}", again.stderr);

    // A change is planned and saved; then someone edits the VPC's tags out of band.
    std::fs::write(&file, stack(&name, "two")).unwrap();
    let second = dir.path().join("second.stackr");
    let planned = with_secret(&["plan", "-f", p(&file), "--out", p(&second)]).expect(0);
    assert!(planned.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{}", planned.stdout);
    let oob = aws_sdk_ec2::types::Tag::builder().key("owner").value("someone-else").build();
    acct.ec2.create_tags().resources(&vpc).tags(oob).send().await.unwrap();
    let stale = with_secret(&["apply", p(&second)]).expect(1);
    assert!(stale.stderr.contains("is stale; nothing was changed"), "{}", stale.stderr);
    assert!(stale.stderr.contains("vpc.main: changed in the account since the plan (tags)"), "{}", stale.stderr);
    assert_eq!(vpc_tag(&acct, &name, "env").await.as_deref(), Some("one"), "a stale plan must change nothing");

    // Planning again includes the out-of-band tag; that plan applies and settles.
    let third = dir.path().join("third.stackr");
    with_secret(&["plan", "-f", p(&file), "--out", p(&third)]).expect(0);
    // Applied as a bot would, as an event stream: the secret output stays masked there too.
    let events = with_secret(&["apply", "--json", p(&third)]).expect(0);
    assert!(!events.stdout.contains(SECRET), "secret in apply --json");
    let outputs: serde_json::Value = events
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["type"] == "outputs")
        .expect("an outputs event");
    assert_eq!(outputs["outputs"]["token_ref"], serde_json::json!({ "sensitive": true, "value": "(sensitive value)" }));
    assert_eq!(vpc_tag(&acct, &name, "env").await.as_deref(), Some("two"));
    assert_eq!(vpc_tag(&acct, &name, "owner").await, None, "the stack owns the VPC's tags");
    with_secret(&["plan", "-f", p(&file), "--detailed-exitcode"]).expect(0);

    // A different secret than the plan was made with is refused.
    let third_again = dir.path().join("fourth.stackr");
    std::fs::write(&file, stack(&name, "three")).unwrap();
    with_secret(&["plan", "-f", p(&file), "--out", p(&third_again)]).expect(0);
    let wrong = stackr_cmd(&["apply", p(&third_again)]).env("STACKR_VAR_token", "another").output().unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(err.contains("variable \"token\" has a different value than when the plan was made"), "{err}");

    // Issue 9: the live "before" values of objects being deleted stay masked: in a destroy plan
    // and its file (the file still marks the tag), and for an object that left the file (nothing
    // says its tags were not secret); --show-sensitive shows them.
    let gone = dir.path().join("destroy.stackr");
    let destroy = with_secret(&["plan", "--destroy", "-f", p(&file), "--out", p(&gone)]).expect(0);
    assert!(destroy.stdout.contains("Plan: 0 to add, 0 to change, 3 to destroy."), "{}", destroy.stdout);
    assert!(!destroy.stdout.contains(SECRET), "secret in the destroy plan:\n{}", destroy.stdout);
    assert!(
        !String::from_utf8_lossy(&std::fs::read(&gone).unwrap()).contains(SECRET),
        "secret in the destroy plan file"
    );
    let without = stack(&name, "three");
    let without = &without[..without.find("launch_template").unwrap()];
    // The same stack file, edited (another file naming the stack would be refused).
    std::fs::create_dir(dir.path().join("edited")).unwrap();
    let left = stack_file(
        &dir.path().join("edited"),
        "stack.hcl",
        &format!("{without}output \"x\" {{\n  value = var.token\n}}\n"),
    );
    let orphan = with_secret(&["plan", "-f", p(&left)]).expect(0);
    assert!(orphan.stdout.contains("launch_template.web will be destroyed"), "{}", orphan.stdout);
    assert!(!orphan.stdout.contains(SECRET), "secret of an object that left the file:\n{}", orphan.stdout);
    let shown = with_secret(&["plan", "-f", p(&left), "--show-sensitive"]).expect(0);
    assert!(shown.stdout.contains(SECRET), "{}", shown.stdout);

    with_secret(&["destroy", "-f", p(&file), "--auto-approve"]).expect(0);
}

/// Writes `bytes` as a plan file and asserts `apply` refuses it with `message`.
fn refused(dir: &Path, name: &str, bytes: &[u8], message: &str) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let run = with_secret(&["apply", p(&path)]).expect(1);
    assert!(run.stderr.contains(message), "{name}: expected `{message}` in:\n{}", run.stderr);
    assert!(!run.stdout.contains("Apply complete"), "{name}: {}", run.stdout);
}

#[tokio::test]
async fn damaged_foreign_and_other_version_plan_files_are_refused_and_change_nothing() {
    require_localstack();
    let acct = account().await;
    let name = unique("planfile");
    let dir = tempfile::tempdir().unwrap();
    let file = stack_file(dir.path(), "stack.hcl", &stack(&name, "one"));
    let good = dir.path().join("good.stackr");
    with_secret(&["plan", "-f", p(&file), "--out", p(&good)]).expect(0);
    let bytes = std::fs::read(&good).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();

    refused(dir.path(), "truncated", &bytes[..bytes.len() / 2], "edited or truncated");
    let edited = text.replacen("10.61.0.0/16", "10.62.0.0/16", 1);
    assert_ne!(edited, text);
    refused(dir.path(), "edited", edited.as_bytes(), "edited or truncated");
    let other_version = text.replacen("\"stackr_version\":\"", "\"stackr_version\":\"0.0.0-", 1);
    refused(dir.path(), "version", other_version.as_bytes(), "was written by stackr 0.0.0-");
    refused(dir.path(), "garbage", b"stack \"x\" {}\n", "is not a stackr plan file");

    // A plan for another stack, applied with this stack's file.
    let other = stack_file(dir.path(), "other.hcl", &stack(&unique("other"), "one"));
    let run = with_secret(&["apply", "-f", p(&other), p(&good)]).expect(1);
    assert!(run.stderr.contains(&format!("the plan is for stack \"{name}\"")), "{}", run.stderr);

    // destroy takes no plan file, in text or as an event stream.
    let run = with_secret(&["destroy", p(&good)]).expect(1);
    assert!(run.stderr.contains("destroy does not take a plan file"), "{}", run.stderr);
    let run = with_secret(&["destroy", "--json", p(&good)]).expect(1);
    assert!(run.stdout.contains("destroy does not take a plan file"), "{}", run.stdout);

    assert_eq!(acct.owned_counts(&name).await, [0; 7], "refused plans must create nothing");
}

#[test]
fn the_plan_shows_user_data_only_with_show_sensitive() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let file = stack_file(dir.path(), "stack.hcl", &stack(&unique("reveal"), "one"));
    let shown = with_secret(&["plan", "-f", p(&file), "--show-sensitive"]).expect(0);
    assert!(shown.stdout.contains(&format!("echo token={SECRET}")), "{}", shown.stdout);
    let json = with_secret(&["plan", "-f", p(&file), "--json"]).expect(0);
    assert!(!json.stdout.contains(SECRET), "secret in plan JSON:\n{}", json.stdout);
}
