//! `stackr plan --json` is Terraform's plan JSON closely enough that checkov, unchanged, reads
//! it as a Terraform plan and runs its AWS checks on stackr's resources: an SSH group open to
//! the world fails CKV_AWS_24 and a closed one passes, and so on. The plan is made by the real
//! binary against LocalStack; checkov comes from STACKR_CHECKOV (scripts/test sets it) or PATH.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::Value as J;

/// A stack with one good and one bad example of what checkov looks at.
fn stack_text(stack: &str) -> String {
    format!(
        r#"
stack "{stack}" {{}}
vpc "main" {{ cidr = "10.93.0.0/16" }}
subnet "a" {{
  vpc  = vpc.main
  cidr = "10.93.1.0/24"
  az   = "us-east-1a"
}}
security_group "ssh_open" {{
  vpc = vpc.main
  ingress {{
    port = 22
    cidr = "0.0.0.0/0"
  }}
}}
security_group "ssh_closed" {{
  vpc = vpc.main
  ingress {{
    port = 22
    cidr = "10.0.0.0/8"
  }}
}}
volume "plain" {{
  az   = "us-east-1a"
  size = 8
}}
volume "sealed" {{
  az        = "us-east-1a"
  size      = 8
  encrypted = true
}}
instance "legacy" {{
  ami    = "ami-760aaa0f"
  type   = "t3.micro"
  subnet = subnet.a
  imdsv2 = false
}}
launch_template "web" {{
  ami  = "ami-760aaa0f"
  type = "t3.micro"
}}
"#
    )
}

/// The checkov to run: STACKR_CHECKOV, else `checkov` on PATH. Never skips: without checkov
/// this test cannot show anything, so it fails and says how to get it.
fn checkov() -> String {
    if let Ok(c) = std::env::var("STACKR_CHECKOV") {
        assert!(Path::new(&c).is_file(), "STACKR_CHECKOV={c} does not exist; run scripts/pytools");
        return c;
    }
    let on_path = Command::new("checkov").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(
        on_path,
        "checkov not found: set STACKR_CHECKOV (scripts/test does, via scripts/pytools) or put it on PATH"
    );
    "checkov".to_string()
}

/// checkov's JSON report of one plan file (one framework: one object).
fn scan(plan: &Path) -> J {
    let out = Command::new(checkov())
        .args(["-f", plan.to_str().unwrap(), "--framework", "terraform_plan", "-o", "json", "--skip-download"])
        .env("HOME", std::env::temp_dir())
        .output()
        .expect("run checkov");
    // checkov exits 1 when a check fails, which this plan makes sure of.
    let text = String::from_utf8_lossy(&out.stdout);
    let report: J = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("checkov did not print JSON ({e}):\n{text}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    match report {
        J::Array(mut a) => a.remove(0),
        other => other,
    }
}

/// (check id, resource address) of every passed or failed check.
fn results(report: &J, which: &str) -> Vec<(String, String)> {
    report["results"][which]
        .as_array()
        .unwrap_or_else(|| panic!("no {which} in {report:#}"))
        .iter()
        .map(|c| (c["check_id"].as_str().unwrap().to_string(), c["resource"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn checkov_reads_the_plan_and_judges_stackr_resources() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let f = stack_file(dir.path(), "s.hcl", &stack_text(&unique("ckv")));
    let plan = stackr(&["plan", "-f", p(&f), "--json"]).expect(0);
    let doc: J = serde_json::from_str(&plan.stdout).expect("plan --json is JSON");
    let changes = doc["resource_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 8, "{:#}", doc["resource_changes"]);
    assert!(changes.iter().all(|c| c["change"]["actions"] == serde_json::json!(["create"])));
    let plan_file = dir.path().join("plan.json");
    std::fs::write(&plan_file, &plan.stdout).unwrap();

    let report = scan(&plan_file);
    assert_eq!(report["summary"]["parsing_errors"], 0, "{:#}", report["summary"]);
    assert_eq!(report["summary"]["resource_count"], 8, "checkov saw every resource: {:#}", report["summary"]);
    let (passed, failed) = (results(&report, "passed_checks"), results(&report, "failed_checks"));
    let has = |list: &[(String, String)], id: &str, res: &str| list.iter().any(|(i, r)| i == id && r == res);
    let expect = [
        ("CKV_AWS_24", "aws_security_group.ssh_open", false),
        ("CKV_AWS_24", "aws_security_group.ssh_closed", true),
        ("CKV_AWS_3", "aws_ebs_volume.plain", false),
        ("CKV_AWS_3", "aws_ebs_volume.sealed", true),
        ("CKV_AWS_79", "aws_instance.legacy", false),
        ("CKV_AWS_79", "aws_launch_template.web", true),
    ];
    for (id, res, pass) in expect {
        let (want, other) = if pass { (&passed, &failed) } else { (&failed, &passed) };
        assert!(
            has(want, id, res) && !has(other, id, res),
            "{id} on {res} should {}:\npassed {passed:?}\nfailed {failed:?}",
            if pass { "pass" } else { "fail" }
        );
    }
}

#[tokio::test]
async fn checkov_reads_the_objects_a_module_makes() {
    require_localstack();
    // stacks/web.hcl makes the account's password policy: one another run left would stop the
    // plan (`adopt` first). Test binaries run one at a time, so no other test holds it now.
    let _ = account().await.iam.delete_account_password_policy().send().await;
    let web = common::repo().join("stacks/web.hcl");
    let plan = stackr(&["plan", "-f", p(&web), "--json"]).expect(0);
    let doc: J = serde_json::from_str(&plan.stdout).expect("plan --json is JSON");
    let lb = doc["resource_changes"].as_array().unwrap().iter().find(|c| c["address"] == "module.tier.aws_lb.web");
    let lb = lb.unwrap_or_else(|| panic!("no module.tier.aws_lb.web in {:#}", doc["resource_changes"]));
    assert_eq!(
        (&lb["module_address"], &lb["stackr_address"]),
        (&J::from("module.tier"), &J::from("module.tier.load_balancer.web"))
    );
    let dir = tempfile::tempdir().unwrap();
    let plan_file = dir.path().join("plan.json");
    std::fs::write(&plan_file, &plan.stdout).unwrap();
    let report = scan(&plan_file);
    assert_eq!(report["summary"]["parsing_errors"], 0, "{:#}", report["summary"]);
    assert_eq!(report["summary"]["resource_count"], 28, "{:#}", report["summary"]);
    let judged: Vec<String> = results(&report, "passed_checks")
        .into_iter()
        .chain(results(&report, "failed_checks"))
        .map(|(_, r)| r)
        .collect();
    assert!(judged.iter().any(|r| r == "module.tier.aws_security_group.alb"), "{judged:?}");
}
