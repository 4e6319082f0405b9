//! Warm pools and mixed instances of Auto Scaling groups against LocalStack: applied, read back
//! without changes, changed in place, a pool removed (waited out where AWS deletes it slowly),
//! switched between a plain launch template and a mixed policy both ways, destroyed; and a
//! rolling update of a mixed-instances group that keeps its policy.

mod common;

use std::time::Duration;

use aws_sdk_autoscaling::types::{
    AutoScalingGroup, LaunchTemplate, LaunchTemplateOverrides, LaunchTemplateSpecification, MixedInstancesPolicy,
    WarmPoolConfiguration, WarmPoolStatus,
};
use common::realism::{account_as, code, key_with};
use common::*;

const BASE: &str = r##"
vpc "v" { cidr = "10.72.0.0/16" }
subnet "a" {
  vpc  = vpc.v
  cidr = "10.72.1.0/24"
  az   = "us-east-1a"
}
"##;

const WARM: &str = "  warm_pool {\n    min_size = 1\n    max_group_prepared_capacity = 4\n    \
                    pool_state = \"Stopped\"\n    reuse_on_scale_in = true\n  }\n";
const MIXED: &str = "  mixed_instances {\n    instance_types = [\"t3.micro\", \"t3a.micro\"]\n    \
                     on_demand_base_capacity = 1\n    on_demand_percentage_above_base_capacity = 0\n    \
                     spot_allocation_strategy = \"price-capacity-optimized\"\n  }\n";

struct Case {
    dir: tempfile::TempDir,
    stack: String,
    warm: String,
    mixed: String,
}

impl Case {
    fn new() -> Case {
        Case { dir: tempfile::tempdir().unwrap(), stack: unique("pools"), warm: unique("wg"), mixed: unique("mg") }
    }

    /// The stack with both groups, each given its own extra blocks.
    fn write(&self, user_data: &str, warm: &str, mixed: &str) -> String {
        let group = |name: &str, label: &str, desired: u8, extra: &str| {
            format!(
                "autoscaling_group \"{label}\" {{\n  name = \"{name}\"\n  launch_template = launch_template.web\n  \
                 min_size = 1\n  max_size = 4\n  desired_capacity = {desired}\n  subnets = [subnet.a]\n  \
                 health_check_grace_period = 20\n  rolling_update {{\n    instance_warmup = 10\n  }}\n{extra}}}\n"
            )
        };
        let text = format!(
            "stack \"{}\" {{}}\n{BASE}\nlaunch_template \"web\" {{\n  ami = \"ami-760aaa0f\"\n  type = \"t3.micro\"\n  \
             user_data = \"{user_data}\"\n}}\n{}{}",
            self.stack,
            group(&self.warm, "warm", 1, warm),
            group(&self.mixed, "mixed", 2, mixed),
        );
        p(&stack_file(self.dir.path(), "s.hcl", &text)).to_string()
    }
}

async fn pool(acct: &Account, group: &str) -> Option<WarmPoolConfiguration> {
    let out = acct.autoscaling.describe_warm_pool().auto_scaling_group_name(group).send().await.unwrap();
    out.warm_pool_configuration().cloned()
}

async fn group(acct: &Account, name: &str) -> AutoScalingGroup {
    let out = acct.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(name).send().await.unwrap();
    out.auto_scaling_groups().first().cloned().expect("group exists")
}

fn types(g: &AutoScalingGroup) -> Vec<String> {
    let lt = g.mixed_instances_policy().and_then(|m| m.launch_template());
    lt.map(|l| l.overrides()).unwrap_or_default().iter().filter_map(|o| o.instance_type().map(String::from)).collect()
}

#[tokio::test]
async fn warm_pools_and_mixed_instances_apply_change_in_place_and_go() {
    require_localstack();
    let acct = account().await;
    let c = Case::new();
    let file = c.write("#!/bin/sh\\necho v1\\n", WARM, MIXED);
    apply_settled(&file, &["+ resource \"autoscaling_group\" \"warm\"", "warm_pool", "mixed_instances"]);
    let p = pool(&acct, &c.warm).await.expect("a warm pool");
    assert_eq!((p.min_size(), p.max_group_prepared_capacity()), (Some(1), Some(4)));
    assert_eq!(p.pool_state().map(|s| s.as_str()), Some("Stopped"));
    assert_eq!(p.instance_reuse_policy().and_then(|r| r.reuse_on_scale_in()), Some(true));
    let g = group(&acct, &c.mixed).await;
    assert_eq!(types(&g), ["t3.micro", "t3a.micro"]);
    let d = g.mixed_instances_policy().and_then(|m| m.instances_distribution()).expect("a distribution");
    assert_eq!((d.on_demand_base_capacity(), d.on_demand_percentage_above_base_capacity()), (Some(1), Some(0)));
    assert_eq!(d.spot_allocation_strategy(), Some("price-capacity-optimized"));
    let spec = g.mixed_instances_policy().and_then(|m| m.launch_template()?.launch_template_specification().cloned());
    assert_eq!(spec.and_then(|s| s.version().map(String::from)).as_deref(), Some("1"), "pinned like a plain group");
    assert!(pool(&acct, &c.mixed).await.is_none());

    // In place: the pool's size and state, the types and the Spot share.
    let warm2 = WARM.replace("min_size = 1", "min_size = 2").replace("\"Stopped\"", "\"Running\"");
    let mixed2 = MIXED.replace("\"t3a.micro\"]", "\"t3a.micro\", \"t3.small\"]").replace("= 0\n", "= 50\n");
    let file = c.write("#!/bin/sh\\necho v1\\n", &warm2, &mixed2);
    let (plan, _) = apply_settled(&file, &["~ resource \"autoscaling_group\" \"warm\"", "will be updated in-place"]);
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    let p = pool(&acct, &c.warm).await.expect("a warm pool");
    assert_eq!((p.min_size(), p.pool_state().map(|s| s.as_str())), (Some(2), Some("Running")));
    let g = group(&acct, &c.mixed).await;
    assert_eq!(types(&g), ["t3.micro", "t3a.micro", "t3.small"]);
    let d = g.mixed_instances_policy().and_then(|m| m.instances_distribution()).unwrap();
    assert_eq!(d.on_demand_percentage_above_base_capacity(), Some(50));

    // Both ways between the forms, and the pool removed before its group takes a mixed policy.
    let file = c.write("#!/bin/sh\\necho v1\\n", MIXED, "");
    apply_settled(&file, &[]);
    assert!(pool(&acct, &c.warm).await.is_none(), "the pool is gone when apply returns");
    assert_eq!(types(&group(&acct, &c.warm).await), ["t3.micro", "t3a.micro"]);
    let g = group(&acct, &c.mixed).await;
    assert!(g.mixed_instances_policy().is_none(), "{g:?}");
    assert_eq!(g.launch_template().and_then(|l| l.version()), Some("1"));

    stackr(&["destroy", "-f", &file, "--auto-approve"]).expect(0);
    for name in [&c.warm, &c.mixed] {
        let out = acct.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(name.as_str()).send();
        let listed = out.await.unwrap().auto_scaling_groups().iter().filter(|g| g.status().is_none()).count();
        assert_eq!(listed, 0, "{name} deleted");
    }
}

#[tokio::test]
async fn a_group_with_a_warm_pool_is_destroyed_with_it() {
    require_localstack();
    let acct = account().await;
    let c = Case::new();
    let file = c.write("#!/bin/sh\\necho v1\\n", WARM, "");
    apply_settled(&file, &[]);
    assert!(pool(&acct, &c.warm).await.is_some());
    stackr(&["destroy", "-f", &file, "--auto-approve"]).expect(0);
    let out = acct.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(c.warm.as_str()).send();
    assert!(out.await.unwrap().auto_scaling_groups().iter().all(|g| g.status().is_some()), "deleted or deleting");
}

#[tokio::test]
async fn a_rolling_update_of_a_mixed_group_keeps_its_policy() {
    require_localstack();
    let acct = account().await;
    let c = Case::new();
    let file = c.write("#!/bin/sh\\necho v1\\n", "", MIXED);
    apply_settled(&file, &[]);
    let before: Vec<String> =
        group(&acct, &c.mixed).await.instances().iter().filter_map(|i| i.instance_id().map(String::from)).collect();
    assert_eq!(before.len(), 2);

    let file = c.write("#!/bin/sh\\necho v2\\n", "", MIXED);
    let plan = stackr(&["plan", "-f", &file]).expect(0);
    assert!(plan.stdout.contains("2 instance(s) will be replaced by a rolling update"), "{}", plan.stdout);
    let run = stackr(&["apply", "-f", &file, "--auto-approve"]).expect(0);
    assert!(run.stdout.contains("autoscaling_group.mixed: Rolling... ["), "{}", run.stdout);
    let g = group(&acct, &c.mixed).await;
    assert_eq!(types(&g), ["t3.micro", "t3a.micro"], "the refresh carried the mixed policy");
    let spec = g.mixed_instances_policy().and_then(|m| m.launch_template()?.launch_template_specification().cloned());
    assert_eq!(spec.and_then(|s| s.version().map(String::from)).as_deref(), Some("2"));
    assert_eq!(g.instances().len(), 2);
    for i in g.instances() {
        assert_eq!(i.launch_template().and_then(|l| l.version()), Some("2"), "{i:?}");
        assert!(!before.iter().any(|b| Some(b.as_str()) == i.instance_id()), "replaced");
    }
    stackr(&["plan", "-f", &file, "--detailed-exitcode"]).expect(0);
    stackr(&["destroy", "-f", &file, "--auto-approve"]).expect(0);
}

/// The realism layer: a deleted warm pool is PendingDelete for a while, and PutWarmPool refuses
/// a group with a mixed instances policy; neither for a plain caller.
#[tokio::test]
async fn realism_a_warm_pool_is_deleted_slowly_and_refused_to_a_mixed_group() {
    require_localstack();
    let me = account_as(&key_with("warm", r#"{"asg_warm_deleting": 2, "validation": true, "scale": 1}"#), 1).await;
    let plain = account().await;
    let name = unique("wp");
    let vpc = me.ec2.create_vpc().cidr_block("10.73.0.0/16").send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let sub = me.ec2.create_subnet().vpc_id(&vpc).cidr_block("10.73.1.0/24").availability_zone("us-east-1a");
    let sub = sub.send().await.unwrap().subnet().unwrap().subnet_id().unwrap().to_string();
    let data = aws_sdk_ec2::types::RequestLaunchTemplateData::builder().image_id("ami-760aaa0f").build();
    let lt = me.ec2.create_launch_template().launch_template_name(&name).launch_template_data(data).send().await;
    let lt = lt.unwrap().launch_template().unwrap().launch_template_id().unwrap().to_string();
    let spec = LaunchTemplateSpecification::builder().launch_template_id(&lt).version("1").build();
    let create =
        |n: &str| me.autoscaling.create_auto_scaling_group().auto_scaling_group_name(n).min_size(0).max_size(2);
    create(&name).launch_template(spec.clone()).vpc_zone_identifier(&sub).send().await.unwrap();
    me.autoscaling.put_warm_pool().auto_scaling_group_name(&name).min_size(1).send().await.unwrap();
    me.autoscaling.delete_warm_pool().auto_scaling_group_name(&name).force_delete(true).send().await.unwrap();
    let p = pool(&me, &name).await.expect("still listed while AWS deletes it");
    assert_eq!(p.status(), Some(&WarmPoolStatus::PendingDelete));
    assert_eq!(p.min_size(), Some(1));
    assert!(pool(&plain, &name).await.is_none(), "a plain caller sees moto's immediate delete");
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert!(pool(&me, &name).await.is_none(), "gone after the window");

    let mixed = format!("{name}-m");
    let lt_mixed = LaunchTemplate::builder()
        .launch_template_specification(spec)
        .overrides(LaunchTemplateOverrides::builder().instance_type("t3.micro").build())
        .build();
    let policy = MixedInstancesPolicy::builder().launch_template(lt_mixed).build();
    create(&mixed).mixed_instances_policy(policy).vpc_zone_identifier(&sub).send().await.unwrap();
    let err = me.autoscaling.put_warm_pool().auto_scaling_group_name(&mixed).send().await.unwrap_err();
    assert_eq!(code(&err), "ValidationError");
    for n in [&name, &mixed] {
        me.autoscaling
            .delete_auto_scaling_group()
            .auto_scaling_group_name(n.as_str())
            .force_delete(true)
            .send()
            .await
            .unwrap();
    }
}
