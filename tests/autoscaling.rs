//! Auto Scaling groups against LocalStack: sizes, subnets, tags, target groups, schedules and
//! tracking policies (with a fractional target) change in place; desired capacity is left to
//! a tracking policy while one is declared; a new name replaces the group, launching from the
//! template's latest version; bad sizes are diagnostics.

mod common;

use common::*;

const BASE: &str = r##"
vpc "v" { cidr = "10.70.0.0/16" }
subnet "a" {
  vpc  = vpc.v
  cidr = "10.70.1.0/24"
  az   = "us-east-1a"
}
subnet "b" {
  vpc  = vpc.v
  cidr = "10.70.2.0/24"
  az   = "us-east-1b"
}
internet_gateway "gw" { vpc = vpc.v }
security_group "web" { vpc = vpc.v }
launch_template "web" {
  ami  = "ami-760aaa0f"
  type = "t3.micro"
  security_groups = [security_group.web]
  user_data = "#!/bin/sh\necho hello\n"
}
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

fn group(name: &str, body: &str) -> String {
    format!(
        "{BASE}autoscaling_group \"web\" {{\n  name = \"{name}\"\n  launch_template = launch_template.web\n{body}}}\n"
    )
}

struct Case {
    dir: tempfile::TempDir,
    stack: String,
}

impl Case {
    fn write(&self, body: &str) -> String {
        p(&stack_file(self.dir.path(), "s.hcl", &format!("stack \"{}\" {{}}\n{body}", self.stack))).to_string()
    }

    fn apply(&self, body: &str, expect: &[&str]) {
        apply_settled(&self.write(body), expect);
    }
}

async fn describe(acct: &Account, name: &str) -> Option<aws_sdk_autoscaling::types::AutoScalingGroup> {
    let out = acct.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(name).send().await.unwrap();
    out.auto_scaling_groups().first().cloned()
}

#[tokio::test]
async fn groups_update_in_place_and_replace_on_rename() {
    require_localstack();
    let acct = account().await;
    let c = Case { dir: tempfile::tempdir().unwrap(), stack: unique("asg") };
    let (n1, n2) = (unique("g"), unique("g2"));

    let first = "  min_size = 1\n  max_size = 3\n  desired_capacity = 2\n  subnets = [subnet.a, subnet.b]\n  \
                 target_groups = [target_group.web]\n  health_check_type = \"ELB\"\n  health_check_grace_period = 60\n  \
                 tags = { team = \"web\" }\n  schedule {\n    name = \"night\"\n    recurrence = \"0 22 * * *\"\n    \
                 min_size = 1\n    max_size = 1\n    desired_capacity = 1\n  }\n";
    c.apply(&group(&n1, first), &["+ resource \"autoscaling_group\" \"web\""]);
    let g = describe(&acct, &n1).await.unwrap();
    assert_eq!((g.min_size(), g.max_size(), g.desired_capacity()), (Some(1), Some(3), Some(2)));
    assert_eq!(g.vpc_zone_identifier().unwrap().split(',').count(), 2);
    assert_eq!(g.target_group_arns().len(), 1);
    assert_eq!((g.health_check_type(), g.health_check_grace_period()), (Some("ELB"), Some(60)));
    let team = g.tags().iter().find(|t| t.key() == Some("team")).unwrap();
    assert_eq!((team.value(), team.propagate_at_launch()), (Some("web"), Some(true)));
    let sched = acct.autoscaling.describe_scheduled_actions().auto_scaling_group_name(&n1).send().await.unwrap();
    assert_eq!(sched.scheduled_update_group_actions()[0].recurrence(), Some("0 22 * * *"));

    // Sizes, subnets, tags, target groups and schedules all change in place.
    let second =
        "  min_size = 1\n  max_size = 4\n  desired_capacity = 3\n  subnets = [subnet.a]\n  tags = { team = \"api\" }\n";
    c.apply(&group(&n1, second), &["# autoscaling_group.web will be updated in-place", "~ max_size"]);
    let g = describe(&acct, &n1).await.unwrap();
    assert_eq!((g.max_size(), g.desired_capacity()), (Some(4), Some(3)));
    assert!(g.target_group_arns().is_empty(), "detached");
    assert_eq!(g.vpc_zone_identifier().unwrap().split(',').count(), 1);
    let sched = acct.autoscaling.describe_scheduled_actions().auto_scaling_group_name(&n1).send().await.unwrap();
    assert!(sched.scheduled_update_group_actions().is_empty());

    // With a tracking policy, desired capacity is the policy's: drift is not a change.
    let tracked = format!("{second}  target_tracking {{\n    metric = \"cpu\"\n    target = 50\n  }}\n");
    c.apply(&group(&n1, &tracked), &["+ target_tracking {"]);
    let policies = acct.autoscaling.describe_policies().auto_scaling_group_name(&n1).send().await.unwrap();
    assert_eq!(policies.scaling_policies()[0].target_tracking_configuration().unwrap().target_value(), Some(50.0));
    acct.autoscaling.set_desired_capacity().auto_scaling_group_name(&n1).desired_capacity(2).send().await.unwrap();
    stackr(&["plan", "-f", &c.write(&group(&n1, &tracked)), "--detailed-exitcode"]).expect(0);

    // A fractional target goes to AWS as computed and reads back the same: the plan settles.
    let half = "output \"target\" { value = 75 / 2 }\n";
    let fraction = group(&n1, &tracked.replace("target = 50", "target = 75 / 2")) + half;
    c.apply(&fraction, &["-> 37.5"]);
    let policies = acct.autoscaling.describe_policies().auto_scaling_group_name(&n1).send().await.unwrap();
    assert_eq!(policies.scaling_policies()[0].target_tracking_configuration().unwrap().target_value(), Some(37.5));
    let out = stackr(&["output", "-f", &c.write(&fraction), "--json"]).expect(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["target"]["value"], serde_json::json!(37.5));
    assert_eq!(stackr(&["output", "-f", &c.write(&fraction), "target", "--raw"]).expect(0).stdout.trim(), "37.5");

    // Without it, the same drift is a change back to the file's value.
    let plan = stackr(&["plan", "-f", &c.write(&group(&n1, second)), "--detailed-exitcode"]).expect(2);
    assert!(plan.stdout.contains("~ desired_capacity = 2 -> 3"), "{}", plan.stdout);
    c.apply(&group(&n1, second), &["- target_tracking {"]);
    assert!(
        acct.autoscaling
            .describe_policies()
            .auto_scaling_group_name(&n1)
            .send()
            .await
            .unwrap()
            .scaling_policies()
            .is_empty()
    );

    // A new name replaces the group; with a new template version (user data kept), the new
    // group launches from it.
    let smaller = group(&n2, second).replace("t3.micro", "t3.small");
    c.apply(&smaller, &["# autoscaling_group.web must be replaced", "~ type"]);
    assert!(describe(&acct, &n1).await.is_none());
    let g = describe(&acct, &n2).await.unwrap();
    assert_eq!(g.instances().len(), 3);
    assert!(g.instances().iter().all(|i| i.instance_type() == Some("t3.small")), "{:?}", g.instances());

    stackr(&["destroy", "-f", &c.write(""), "--auto-approve"]).expect(0);
    assert_eq!(acct.leftovers(&c.stack).await, Vec::<String>::new());
}

#[test]
fn sizes_are_checked_before_anything_is_sent() {
    let c = Case { dir: tempfile::tempdir().unwrap(), stack: "x".into() };
    let f = c.write(&group("x", "  min_size = 3\n  max_size = 2\n  desired_capacity = 5\n  subnets = [subnet.a]\n"));
    let run = stackr(&["plan", "-f", &f]).expect(1);
    assert!(run.stderr.contains("min_size 3 must be between 0 and max_size 2"), "{}", run.stderr);
    assert!(run.stderr.contains("desired_capacity 5 is outside min_size..max_size (3..2)"), "{}", run.stderr);
    // AWS sizes are whole: a fraction is refused where written, a whole one computed is taken.
    let f = c.write(&group(
        "x",
        "  min_size = 3 / 2
  max_size = 4 / 2
  subnets = [subnet.a]
",
    ));
    let run = stackr(&["plan", "-f", &f]).expect(1);
    assert!(run.stderr.contains("expected a whole number, found the number 1.5"), "{}", run.stderr);
    assert!(run.stderr.contains("s.hcl:36:14"), "{}", run.stderr);
    assert!(!run.stderr.contains("max_size"), "{}", run.stderr);
}
