//! stackr against the realism layer, for compute (issue 8's numbered points on volumes,
//! instances and Auto Scaling): each test runs the real binary under a profile with the AWS
//! behaviour in question, and fails with the code stackr had before it handled it.

mod common;

use common::realism::{key_with, stackr_as};
use common::*;

const AMI: &str = "ami-760aaa0f";

/// A stack under one realism profile: its own access key, so its behaviours reach nothing else.
pub struct Case {
    dir: tempfile::TempDir,
    pub name: String,
    key: String,
}

impl Case {
    fn new(prefix: &str, profile: &str) -> Case {
        require_localstack();
        Case { dir: tempfile::tempdir().unwrap(), name: unique(prefix), key: key_with(prefix, profile) }
    }

    /// A VPC with a public subnet in us-east-1a, a group, then `body`.
    fn write(&self, body: &str) -> String {
        let net = "vpc \"v\" { cidr = \"10.90.0.0/16\" }\n\
                   subnet \"s\" {\n  vpc = vpc.v\n  cidr = \"10.90.1.0/24\"\n  az = \"us-east-1a\"\n}\n\
                   security_group \"a\" { vpc = vpc.v }\n";
        let text = format!("stack \"{}\" {{}}\n{net}{body}", self.name);
        p(&stack_file(self.dir.path(), "stack.hcl", &text)).to_string()
    }

    fn run(&self, args: &[&str]) -> Run {
        stackr_as(&self.key, args)
    }

    fn apply(&self, body: &str) -> Run {
        let f = self.write(body);
        let run = self.run(&["apply", "-f", &f, "--auto-approve"]).expect(0);
        let settled = self.run(&["plan", "-f", &f, "--detailed-exitcode"]);
        assert_eq!(settled.code, 0, "plan after apply is not clean:\n{}{}", settled.stdout, settled.stderr);
        run
    }

    fn destroy(&self) {
        self.run(&["destroy", "-f", &self.write(""), "--auto-approve"]).expect(0);
    }
}

/// 1. With EBS encryption by default, a volume (and a root volume) asked to be unencrypted
/// comes back encrypted: that is no reason to replace it, ever.
#[tokio::test]
async fn encryption_by_default_never_replaces_a_volume() {
    let case = Case::new("enc", r#"{"ebs_encryption_by_default": true}"#);
    let body = format!(
        "instance \"i\" {{\n  ami = \"{AMI}\"\n  type = \"t3.micro\"\n  subnet = subnet.s\n  security_groups = [security_group.a]\n  root_volume_encrypted = false\n}}\n\
         volume \"plain\" {{\n  az = \"us-east-1a\"\n  size = 4\n}}\n\
         volume \"asked\" {{\n  az = \"us-east-1a\"\n  size = 4\n  encrypted = false\n}}\n"
    );
    case.apply(&body);
    let acct = account().await;
    let vols = acct.ec2.describe_volumes().filters(tag_filter(&case.name)).send().await.unwrap();
    assert!(vols.volumes().len() >= 2 && vols.volumes().iter().all(|v| v.encrypted() == Some(true)));
    case.destroy();
}

/// 3. A type change stops and starts the instance; the first start after it may fail with
/// "LaunchPlan instance type does not match attribute value" and is retried. A stopped
/// instance is a difference the next plan shows and apply starts.
#[tokio::test]
async fn a_type_change_survives_the_launchplan_error_and_a_stopped_instance_is_started() {
    let spec = r#"{"start_after_type_change_fails": true, "instance_pending": 20, "instance_stopping": 20}"#;
    let case = Case::new("type", spec);
    let body = |ty: &str| {
        format!(
            "instance \"i\" {{\n  ami = \"{AMI}\"\n  type = \"{ty}\"\n  subnet = subnet.s\n  security_groups = [security_group.a]\n}}\n"
        )
    };
    case.apply(&body("t3.micro"));
    case.apply(&body("t3.small"));
    let acct = account().await;
    let out = acct.ec2.describe_instances().filters(tag_filter(&case.name)).send().await.unwrap();
    let inst = out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .find(|i| i.state().unwrap().name().unwrap().as_str() != "terminated")
        .unwrap();
    assert_eq!(inst.instance_type().unwrap().as_str(), "t3.small");
    assert_eq!(inst.state().unwrap().name().unwrap().as_str(), "running");
    let id = inst.instance_id().unwrap().to_string();
    acct.ec2.stop_instances().instance_ids(&id).send().await.unwrap();
    let plan = case.run(&["plan", "-f", &case.write(&body("t3.small"))]).expect(0);
    assert!(plan.stdout.contains("~ state") && plan.stdout.contains("\"stopped\" -> \"running\""), "{}", plan.stdout);
    case.apply(&body("t3.small"));
    case.destroy();
}

/// 11. A volume the running instance still uses stays busy when detached: the apply says so
/// at once instead of waiting; `force_detach` detaches it; destroying both terminates the
/// instance first, which frees the volume.
#[tokio::test]
async fn a_busy_volume_fails_fast_or_is_force_detached_and_destroy_terminates_first() {
    let case = Case::new("busy", r#"{"volume_busy": true, "volume_detaching": 20}"#);
    let inst = format!(
        "instance \"i\" {{\n  ami = \"{AMI}\"\n  type = \"t3.micro\"\n  subnet = subnet.s\n  security_groups = [security_group.a]\n}}\n"
    );
    let vol = |extra: &str| format!("volume \"d\" {{\n  az = \"us-east-1a\"\n  size = 4\n{extra}}}\n");
    case.apply(&format!("{inst}{}", vol("  instance = instance.i\n  device = \"/dev/sdf\"\n")));
    let start = std::time::Instant::now();
    let run = case.run(&["apply", "-f", &case.write(&format!("{inst}{}", vol(""))), "--auto-approve"]).expect(1);
    assert!(start.elapsed().as_secs() < 60, "never waits out a busy device");
    assert!(run.stderr.contains("is busy on") && run.stderr.contains("force_detach = true"), "{}", run.stderr);
    case.apply(&format!("{inst}{}", vol("  force_detach = true\n")));
    case.apply(&format!("{inst}{}", vol("  instance = instance.i\n  device = \"/dev/sdf\"\n")));
    case.destroy();
    assert!(account().await.leftovers(&case.name).await.is_empty());
}

/// 5 and 15. A launch template whose instance profile IAM has only just made: creating the
/// group is retried until AWS accepts it; deleting the group right after retries
/// ScalingActivityInProgress.
#[tokio::test]
async fn an_auto_scaling_group_waits_for_its_new_profile_and_deletes_while_scaling() {
    let case = Case::new("asgp", r#"{"iam_propagation": 40, "asg_scaling": 60, "instance_pending": 20}"#);
    let body = format!(
        "iam_role \"r\" {{\n  name = \"{n}-r\"\n  assume = \"ec2.amazonaws.com\"\n  instance_profile = true\n}}\n\
         launch_template \"t\" {{\n  ami = \"{AMI}\"\n  type = \"t3.micro\"\n  role = iam_role.r\n  security_groups = [security_group.a]\n}}\n\
         autoscaling_group \"g\" {{\n  launch_template = launch_template.t\n  min_size = 1\n  max_size = 2\n  subnets = [subnet.s]\n}}\n",
        n = case.name
    );
    case.apply(&body);
    case.destroy();
    assert!(account().await.leftovers(&case.name).await.is_empty());
}

/// 15. A volume modified again while AWS still optimizes the last change refuses
/// (IncorrectModificationState): the second change waits for the first to finish.
#[tokio::test]
async fn a_second_volume_change_waits_for_the_first_to_finish() {
    let case = Case::new("mod", r#"{"volume_modifying": 60}"#);
    let vol = |size: u32| format!("volume \"d\" {{\n  az = \"us-east-1a\"\n  size = {size}\n}}\n");
    case.apply(&vol(4));
    case.apply(&vol(6));
    case.apply(&vol(8));
    let acct = account().await;
    let out = acct.ec2.describe_volumes().filters(tag_filter(&case.name)).send().await.unwrap();
    assert_eq!(out.volumes()[0].size(), Some(8));
    case.destroy();
}

/// 5. Launches that keep failing end the wait at once with the scaling activity's own message,
/// not after the 10-minute window.
#[tokio::test]
async fn failing_launches_fail_the_apply_at_once_with_auto_scalings_reason() {
    let reason = "We currently do not have sufficient t3.micro capacity in the Availability Zone you requested";
    let case = Case::new("asgf", &format!(r#"{{"asg_launch_failure": "{reason}"}}"#));
    let body = format!(
        "launch_template \"t\" {{\n  ami = \"{AMI}\"\n  type = \"t3.micro\"\n  security_groups = [security_group.a]\n}}\n\
         autoscaling_group \"g\" {{\n  launch_template = launch_template.t\n  min_size = 1\n  max_size = 1\n  subnets = [subnet.s]\n}}\n"
    );
    let start = std::time::Instant::now();
    let run = case.run(&["apply", "-f", &case.write(&body), "--auto-approve"]).expect(1);
    assert!(start.elapsed().as_secs() < 90, "failed in {}s", start.elapsed().as_secs());
    assert!(run.stderr.contains("launching instances failed") && run.stderr.contains(reason), "{}", run.stderr);
    case.destroy();
}

/// 15. ELB learns that a new instance runs a little after EC2 does: registering it right after
/// launch is refused (InvalidTarget "not in a running state") and retried.
#[tokio::test]
async fn a_new_instance_is_registered_once_elb_sees_it_running() {
    let case = Case::new("tgt", r#"{"instance_pending": 20, "ec2_visibility": 60}"#);
    let body = format!(
        "instance \"i\" {{\n  ami = \"{AMI}\"\n  type = \"t3.micro\"\n  subnet = subnet.s\n  security_groups = [security_group.a]\n}}\n\
         target_group \"t\" {{\n  vpc = vpc.v\n  port = 80\n  targets = [instance.i]\n}}\n"
    );
    case.apply(&body);
    case.destroy();
    assert!(account().await.leftovers(&case.name).await.is_empty());
}
