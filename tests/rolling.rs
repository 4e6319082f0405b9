//! Rolling updates against LocalStack (whose instance refresh the project's plugin serves): a
//! new launch template version replaces every instance before apply returns, with progress
//! lines; a version whose instances fail the target group's health checks fails the apply and
//! AWS rolls the group back; an update left running by a killed apply shows in the next plan,
//! and apply waits for it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::*;

const BASE: &str = r##"
vpc "v" { cidr = "10.71.0.0/16" }
subnet "a" {
  vpc  = vpc.v
  cidr = "10.71.1.0/24"
  az   = "us-east-1a"
}
subnet "b" {
  vpc  = vpc.v
  cidr = "10.71.2.0/24"
  az   = "us-east-1b"
}
internet_gateway "gw" { vpc = vpc.v }
security_group "web" { vpc = vpc.v }
target_group "web" {
  vpc  = vpc.v
  port = 80
}
load_balancer "web" {
  subnets = [subnet.a, subnet.b]
  listener {
    port    = 80
    forward = target_group.web
  }
}
"##;

struct Case {
    dir: tempfile::TempDir,
    stack: String,
    group: String,
}

impl Case {
    fn new() -> Case {
        Case { dir: tempfile::tempdir().unwrap(), stack: unique("roll"), group: unique("rg") }
    }

    /// The stack with the servers' user data and the group's rolling_update settings.
    fn write(&self, user_data: &str, rolling: &str) -> String {
        let text = format!(
            "stack \"{}\" {{}}\n{BASE}\nlaunch_template \"web\" {{\n  ami = \"ami-760aaa0f\"\n  type = \"t3.micro\"\n  \
             security_groups = [security_group.web]\n  user_data = \"{user_data}\"\n}}\n\
             autoscaling_group \"web\" {{\n  name = \"{}\"\n  launch_template = launch_template.web\n  min_size = 2\n  \
             max_size = 4\n  desired_capacity = 3\n  subnets = [subnet.a, subnet.b]\n  target_groups = [target_group.web]\n  \
             health_check_type = \"ELB\"\n  health_check_grace_period = 60\n  rolling_update {{\n{rolling}  }}\n}}\n",
            self.stack, self.group
        );
        p(&stack_file(self.dir.path(), "s.hcl", &text)).to_string()
    }
}

/// The group's template version and each instance's (id, version).
async fn versions(acct: &Account, name: &str) -> (String, Vec<(String, String)>) {
    let out = acct.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(name).send().await.unwrap();
    let g = out.auto_scaling_groups().first().cloned().expect("group exists");
    let v = |lt: Option<&aws_sdk_autoscaling::types::LaunchTemplateSpecification>| {
        lt.and_then(|l| l.version()).unwrap_or_default().to_string()
    };
    let instances =
        g.instances().iter().map(|i| (i.instance_id().unwrap().to_string(), v(i.launch_template()))).collect();
    (v(g.launch_template()), instances)
}

fn destroy(file: &str) {
    stackr(&["destroy", "-f", file, "--auto-approve"]).expect(0);
}

#[tokio::test]
async fn a_new_template_version_replaces_every_instance_before_apply_returns() {
    require_localstack();
    let acct = account().await;
    let c = Case::new();
    let file = c.write("#!/bin/sh\\necho v1\\n", "    instance_warmup = 20\n");
    apply_settled(&file, &["+ resource \"autoscaling_group\" \"web\""]);
    let (group_v1, before) = versions(&acct, &c.group).await;
    assert_eq!(group_v1, "1", "the group is pinned to the template's version number");
    assert_eq!(before.len(), 3);
    assert!(before.iter().all(|(_, v)| v == "1"), "{before:?}");

    let file = c.write("#!/bin/sh\\necho v2\\n", "    instance_warmup = 20\n");
    let plan = stackr(&["plan", "-f", &file]).expect(0);
    assert!(plan.stdout.contains("# (3 instance(s) will be replaced by a rolling update)"), "{}", plan.stdout);
    assert!(plan.stdout.contains("launch_template_version = \"1\" -> (known after apply)"), "{}", plan.stdout);
    // As a deploy job runs it: the result goes to the step summary too.
    let summary = c.dir.path().join("summary.md");
    let out = stackr_cmd(&["apply", "-f", &file, "--auto-approve"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let run = Run::from(out).expect(0);
    assert!(run.stdout.contains("autoscaling_group.web: Rolling... ["), "progress lines:\n{}", run.stdout);
    assert!(
        run.stdout.contains("autoscaling_group.web: 3 instance(s) replaced by a rolling update in "),
        "{}",
        run.stdout
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("### stackr apply complete"), "{md}");
    assert!(md.contains("- `autoscaling_group.web`: 3 instance(s) replaced by a rolling update in "), "{md}");
    assert!(run.stdout.contains("% done"), "{}", run.stdout);
    assert!(run.stdout.contains("healthy in "), "target group health in the progress:\n{}", run.stdout);

    let (group_v2, after) = versions(&acct, &c.group).await;
    assert_eq!(group_v2, "2", "AWS set the new version on the group when the update succeeded");
    assert_eq!(after.len(), 3);
    assert!(after.iter().all(|(_, v)| v == "2"), "every instance runs version 2 when apply returns: {after:?}");
    assert!(after.iter().all(|(id, _)| !before.iter().any(|(old, _)| old == id)), "every instance was replaced");
    stackr(&["plan", "-f", &file, "--detailed-exitcode"]).expect(0);
    destroy(&file);
}

#[tokio::test]
async fn an_unhealthy_version_fails_the_apply_and_the_group_rolls_back() {
    require_localstack();
    let acct = account().await;
    let c = Case::new();
    let file = c.write("#!/bin/sh\\necho v1\\n", "    instance_warmup = 20\n");
    apply_settled(&file, &[]);
    // The plugin's target groups fail instances whose user data holds this marker.
    // A warmup long enough (10 s in LocalStack's time) for stackr's polls to see the target fail.
    let broken = c.write("#!/bin/sh\\n# stackr-localstack: unhealthy\\nexit 1\\n", "    instance_warmup = 300\n");
    let run = stackr(&["apply", "-f", &broken, "--auto-approve", "--json"]).expect(1);
    let events: Vec<serde_json::Value> = run.stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(
        events.iter().any(|e| e["type"] == "apply_progress" && e["phase"] == "Rolling..."),
        "progress events:\n{}",
        run.stdout
    );
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("rolled the group back to its previous launch template version"), "{all}");
    assert!(all.contains("unhealthy in the target groups"), "{all}");
    assert!(all.contains("Target.FailedHealthChecks"), "{all}");

    let (group_v, instances) = versions(&acct, &c.group).await;
    assert_eq!(group_v, "1", "the group keeps its old version");
    assert_eq!(instances.len(), 3);
    assert!(instances.iter().all(|(_, v)| v == "1"), "the old version runs everywhere again: {instances:?}");
    // The broken version is still what the file asks for: the next plan tries again.
    let again = stackr(&["plan", "-f", &broken, "--detailed-exitcode"]).expect(2);
    assert!(again.stdout.contains("will be replaced by a rolling update"), "{}", again.stdout);
    destroy(&file);
}

#[tokio::test]
async fn an_update_left_running_shows_in_the_plan_and_apply_waits_for_it() {
    require_localstack();
    let acct = account().await;
    let c = Case::new();
    let slow = "    instance_warmup = 200\n    checkpoints = [30]\n    checkpoint_delay = 200\n";
    let file = c.write("#!/bin/sh\\necho v1\\n", slow);
    apply_settled(&file, &[]);
    let file = c.write("#!/bin/sh\\necho v2\\n", slow);
    let mut child = stackr_cmd(&["apply", "-f", &file, "--auto-approve"]).stdout(Stdio::piped()).spawn().unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = String::new();
    for line in lines {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("Rolling...") {
            break;
        }
    }
    // Two Ctrl-Cs, as a cancelled CI job sends: the second abandons the wait, and the lock goes.
    let pid = child.id().to_string();
    for _ in 0..2 {
        std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let status = child.wait().unwrap();
    assert!(!status.success(), "the interrupted apply fails");
    assert!(seen.contains("Rolling..."), "{seen}");

    let plan = stackr(&["plan", "-f", &file, "--detailed-exitcode"]).expect(2);
    assert!(plan.stdout.contains("a rolling update is in progress (instance refresh "), "{}", plan.stdout);
    assert!(plan.stdout.contains("apply waits for it"), "{}", plan.stdout);
    stackr(&["apply", "-f", &file, "--auto-approve"]).expect(0);
    let (group_v, instances) = versions(&acct, &c.group).await;
    assert_eq!(group_v, "2");
    assert!(instances.iter().all(|(_, v)| v == "2"), "{instances:?}");
    stackr(&["plan", "-f", &file, "--detailed-exitcode"]).expect(0);
    destroy(&file);
}
