//! Step and simple scaling policies against LocalStack: each policy is made with its CloudWatch
//! alarm (the group's metric and dimension, the threshold, the policy's ARN as its action, the
//! stack's ownership tags), plans settle, changes update both in place, a removed block takes
//! its alarm with it and a destroyed group all of them; bad steps are diagnostics at the block.

mod common;

use aws_sdk_cloudwatch::types::MetricAlarm;
use common::*;

const BASE: &str = r##"
vpc "v" { cidr = "10.71.0.0/16" }
subnet "a" {
  vpc  = vpc.v
  cidr = "10.71.1.0/24"
  az   = "us-east-1a"
}
launch_template "web" {
  ami  = "ami-760aaa0f"
  type = "t3.micro"
}
"##;

const STEP: &str = r#"
  step_scaling {
    name               = "cpu-high"
    metric             = "cpu"
    threshold          = 70
    comparison         = ">="
    period             = 60
    evaluation_periods = 2
    adjustment_type    = "ChangeInCapacity"
    adjustments        = [{ lower = 0, upper = 20, change = 1 }, { lower = 20, change = 2 }]
  }
"#;

const SIMPLE: &str = r#"
  simple_scaling {
    name       = "cpu-low"
    threshold  = 20
    comparison = "<="
    change     = -1
    cooldown   = 120
  }
"#;

fn stack(stack: &str, group: &str, body: &str) -> String {
    format!(
        "stack \"{stack}\" {{}}\n{BASE}autoscaling_group \"web\" {{\n  name = \"{group}\"\n  \
         launch_template = launch_template.web\n  min_size = 0\n  max_size = 4\n  subnets = [subnet.a]\n{body}}}\n"
    )
}

async fn cloudwatch() -> aws_sdk_cloudwatch::Client {
    aws_sdk_cloudwatch::Client::new(&sdk_config_in(REGION).await)
}

async fn alarm(cw: &aws_sdk_cloudwatch::Client, name: &str) -> Option<MetricAlarm> {
    let out = cw.describe_alarms().alarm_names(name).send().await.unwrap();
    out.metric_alarms().first().cloned()
}

async fn policies(acct: &Account, group: &str) -> Vec<aws_sdk_autoscaling::types::ScalingPolicy> {
    let out = acct.autoscaling.describe_policies().auto_scaling_group_name(group).send().await.unwrap();
    out.scaling_policies().to_vec()
}

#[tokio::test]
async fn step_and_simple_policies_come_with_their_alarms() {
    require_localstack();
    let (acct, cw) = (account().await, cloudwatch().await);
    let dir = tempfile::tempdir().unwrap();
    let (name, group) = (unique("steps"), unique("g"));
    let file = p(&stack_file(dir.path(), "s.hcl", &stack(&name, &group, &format!("{STEP}{SIMPLE}")))).to_string();
    apply_settled(&file, &["+ step_scaling {", "+ simple_scaling {"]);

    let all = policies(&acct, &group).await;
    let step = all.iter().find(|p| p.policy_name() == Some("cpu-high")).expect("step policy");
    assert_eq!(step.policy_type(), Some("StepScaling"));
    let mut bounds: Vec<_> = step
        .step_adjustments()
        .iter()
        .map(|s| (s.metric_interval_lower_bound(), s.metric_interval_upper_bound(), s.scaling_adjustment()))
        .collect();
    bounds.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    assert_eq!(bounds, vec![(Some(0.0), Some(20.0), Some(1)), (Some(20.0), None, Some(2))]);
    let simple = all.iter().find(|p| p.policy_name() == Some("cpu-low")).expect("simple policy");
    assert_eq!((simple.policy_type(), simple.scaling_adjustment()), (Some("SimpleScaling"), Some(-1)));
    assert_eq!(simple.cooldown(), Some(120));

    let high = alarm(&cw, &format!("{group}-cpu-high")).await.expect("the step policy's alarm");
    assert_eq!((high.namespace(), high.metric_name()), (Some("AWS/EC2"), Some("CPUUtilization")));
    let dim = &high.dimensions()[0];
    assert_eq!((dim.name(), dim.value()), (Some("AutoScalingGroupName"), Some(group.as_str())));
    assert_eq!((high.threshold(), high.period(), high.evaluation_periods()), (Some(70.0), Some(60), Some(2)));
    assert_eq!(high.comparison_operator().map(|c| c.as_str()), Some("GreaterThanOrEqualToThreshold"));
    assert_eq!(high.alarm_actions(), [step.policy_arn().unwrap().to_string()]);
    let tags = cw.list_tags_for_resource().resource_arn(high.alarm_arn().unwrap()).send().await.unwrap();
    let tag = |k: &str| tags.tags().iter().find(|t| t.key() == Some(k)).and_then(|t| t.value().map(String::from));
    assert_eq!(tag("stackr:stack"), Some(name.clone()));
    assert_eq!(tag("stackr:address"), Some("autoscaling_group.web".into()));
    let low = alarm(&cw, &format!("{group}-cpu-low")).await.expect("the simple policy's alarm");
    assert_eq!(low.comparison_operator().map(|c| c.as_str()), Some("LessThanOrEqualToThreshold"));
    assert_eq!(low.alarm_actions(), [simple.policy_arn().unwrap().to_string()]);

    // Threshold and steps change in place, the alarm keeps acting on the same policy.
    let changed = STEP.replace("threshold          = 70", "threshold          = 75.5").replace(
        "[{ lower = 0, upper = 20, change = 1 }, { lower = 20, change = 2 }]",
        "[{ lower = 0, upper = 10, change = 1 }, { lower = 10, upper = 20, change = 2 }, { lower = 20, change = 3 }]",
    );
    std::fs::write(&file, stack(&name, &group, &format!("{changed}{SIMPLE}"))).unwrap();
    apply_settled(&file, &["# autoscaling_group.web will be updated in-place", "75.5"]);
    let high = alarm(&cw, &format!("{group}-cpu-high")).await.unwrap();
    assert_eq!(high.threshold(), Some(75.5));
    let step = policies(&acct, &group).await.into_iter().find(|p| p.policy_name() == Some("cpu-high")).unwrap();
    assert_eq!(step.step_adjustments().len(), 3);
    assert_eq!(high.alarm_actions(), [step.policy_arn().unwrap().to_string()]);

    // An alarm changed or deleted by hand is put back.
    cw.delete_alarms().alarm_names(format!("{group}-cpu-low")).send().await.unwrap();
    apply_settled(&file, &["+ simple_scaling {"]);
    assert!(alarm(&cw, &format!("{group}-cpu-low")).await.is_some());

    // A removed block takes its policy and its alarm.
    std::fs::write(&file, stack(&name, &group, &changed)).unwrap();
    apply_settled(&file, &["- simple_scaling {"]);
    assert!(alarm(&cw, &format!("{group}-cpu-low")).await.is_none());
    assert!(policies(&acct, &group).await.iter().all(|p| p.policy_name() != Some("cpu-low")));

    // Destroying the group deletes the alarms AWS would leave behind.
    stackr(&["destroy", "-f", &file, "--auto-approve"]).expect(0);
    assert!(alarm(&cw, &format!("{group}-cpu-high")).await.is_none());
}

#[test]
fn bad_steps_are_refused_at_the_block() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[{ lower = 0, upper = 10, change = 1 }, { lower = 20, change = 2 }]", "steps leave a gap from 10 to 20"),
        ("[{ lower = 0, upper = 30, change = 1 }, { lower = 20, change = 2 }]", "steps overlap"),
        ("[{ lower = 0, change = 1 }, { lower = 20, change = 2 }]", "exactly one bound is left open"),
        ("[{ lower = 5, change = 1 }]", "run from 0 (the threshold) up"),
        ("[{ lower = 0, change = 1.5 }]", "change is a whole number"),
        ("[{ lower = 0, step = 1 }]", "unknown key `step`"),
    ];
    for (steps, msg) in cases {
        let body = STEP.replace("[{ lower = 0, upper = 20, change = 1 }, { lower = 20, change = 2 }]", steps);
        let file = stack_file(dir.path(), "bad.hcl", &stack("bad", "g", &body));
        let run = stackr(&["plan", "-f", p(&file)]).expect(1);
        assert!(run.stderr.contains(msg), "{steps}: no `{msg}` in\n{}", run.stderr);
        assert!(run.stderr.contains("bad.hcl:"), "{steps}: no position in\n{}", run.stderr);
        assert!(run.stderr.contains("adjustments"), "{steps}: the attribute is not underlined\n{}", run.stderr);
    }
    let twice = format!("{STEP}{}", STEP.replace("threshold          = 70", "threshold          = 90"));
    let run = stackr(&["plan", "-f", p(&stack_file(dir.path(), "bad.hcl", &stack("bad", "g", &twice)))]).expect(1);
    assert!(run.stderr.contains("two scaling policies are named \"cpu-high\""), "{}", run.stderr);
    let odd = STEP.replace("period             = 60", "period             = 90");
    let run = stackr(&["plan", "-f", p(&stack_file(dir.path(), "bad.hcl", &stack("bad", "g", &odd)))]).expect(1);
    assert!(run.stderr.contains("period 90 is not a multiple of 60 seconds"), "{}", run.stderr);
}

const BALANCED: &str = r##"
subnet "b" {
  vpc  = vpc.v
  cidr = "10.71.2.0/24"
  az   = "us-east-1b"
}
internet_gateway "gw" { vpc = vpc.v }
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

#[tokio::test]
async fn request_count_tracking_is_labelled_with_the_balancer_and_target_group() {
    require_localstack();
    let acct = account().await;
    let dir = tempfile::tempdir().unwrap();
    let (name, group) = (unique("reqs"), unique("g"));
    let body = "  target_groups = [target_group.web]\n  target_tracking {\n    metric       = \"requests_per_target\"\n    \
                target       = 1000\n    target_group = target_group.web\n  }\n";
    let text = stack(&name, &group, body).replace(BASE, &format!("{BASE}{BALANCED}"));
    let file = p(&stack_file(dir.path(), "s.hcl", &text)).to_string();
    apply_settled(&file, &["+ target_tracking {", "requests_per_target"]);

    let policy = policies(&acct, &group).await.into_iter().next().expect("the tracking policy");
    let spec = policy.target_tracking_configuration().unwrap().predefined_metric_specification().unwrap();
    assert_eq!(spec.predefined_metric_type().map(|m| m.as_str()), Some("ALBRequestCountPerTarget"));
    let g = acct.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&group).send().await.unwrap();
    let tg = g.auto_scaling_groups()[0].target_group_arns()[0].clone();
    let tgs = acct.elb.describe_target_groups().target_group_arns(&tg).send().await.unwrap();
    let lb = tgs.target_groups()[0].load_balancer_arns()[0].clone();
    let want = format!("{}/{}", lb.split_once(":loadbalancer/").unwrap().1, tg.rsplit_once(':').unwrap().1);
    assert_eq!(spec.resource_label(), Some(want.as_str()));
    stackr(&["destroy", "-f", &file, "--auto-approve"]).expect(0);
}

#[test]
fn request_count_tracking_needs_one_of_the_groups_target_groups() {
    let dir = tempfile::tempdir().unwrap();
    let missing = "  target_tracking {\n    metric = \"requests_per_target\"\n    target = 1000\n  }\n";
    let text = stack("bad", "g", missing).replace(BASE, &format!("{BASE}{BALANCED}"));
    let run = stackr(&["plan", "-f", p(&stack_file(dir.path(), "bad.hcl", &text))]).expect(1);
    assert!(run.stderr.contains("requests_per_target tracking needs `target_group`"), "{}", run.stderr);
    let foreign = "  target_tracking {\n    metric = \"requests_per_target\"\n    target = 1000\n    \
                   target_group = target_group.web\n  }\n";
    let text = stack("bad", "g", foreign).replace(BASE, &format!("{BASE}{BALANCED}"));
    let run = stackr(&["plan", "-f", p(&stack_file(dir.path(), "bad.hcl", &text))]).expect(1);
    assert!(run.stderr.contains("target_group.web is not one of this group's target_groups"), "{}", run.stderr);
}

/// The realism layer's `alarm_visibility`: a new alarm is missing from DescribeAlarms for a
/// while (CloudWatch's eventual consistency), for the profile's caller only.
#[tokio::test]
async fn a_new_alarm_is_listed_only_after_a_while() {
    require_localstack();
    let key = common::realism::key_with("alarms", r#"{"alarm_visibility": 1.5, "scale": 1}"#);
    let creds = aws_credential_types::Credentials::new(&key, "test", None, None, "tests");
    let config = common::sdk_loader()
        .region(aws_config::Region::new(REGION))
        .endpoint_url(endpoint())
        .credentials_provider(creds)
        .load()
        .await;
    let (me, observer) = (aws_sdk_cloudwatch::Client::new(&config), cloudwatch().await);
    let name = unique("alarm");
    me.put_metric_alarm()
        .alarm_name(&name)
        .namespace("AWS/EC2")
        .metric_name("CPUUtilization")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Average)
        .period(60)
        .evaluation_periods(1)
        .threshold(50.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    assert!(alarm(&me, &name).await.is_none(), "a new alarm is not listed yet");
    assert!(alarm(&observer, &name).await.is_some(), "a plain caller sees it");
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    assert!(alarm(&me, &name).await.is_some());
    me.delete_alarms().alarm_names(&name).send().await.unwrap();
}
