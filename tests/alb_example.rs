//! stacks/alb.hcl applied, checked, planned with a counted number of AWS calls, and destroyed;
//! explicit target registration; and the ways load-balancing input is refused (bad blocks,
//! one Availability Zone, a name another owner holds) before anything changes.

mod common;

use common::elb::*;
use common::*;

#[tokio::test]
async fn the_example_stack_applies_settles_and_destroys() {
    let c = Case::new("alb").await;
    let text = std::fs::read_to_string(repo().join("stacks/alb.hcl")).unwrap();
    let body = text.replace("stack \"alb\" {\n  region = var.region\n}\n", "");
    assert_ne!(body, text, "stacks/alb.hcl names its stack as expected");
    let f = c.write(&body);
    let run = stackr(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    assert!(run.stdout.contains("dns_name"), "{}", run.stdout);

    let g = c.group("-web").await;
    assert_eq!((g.health_check_path(), g.health_check_interval_seconds()), (Some("/health"), Some(15)));
    assert_eq!(g.healthy_threshold_count(), Some(3));
    let tg = g.target_group_arn().unwrap().to_string();
    assert_eq!(c.group_attr(&tg, "deregistration_delay.timeout_seconds").await, "30");
    let lb = c.balancer().await;
    assert_eq!(lb.availability_zones().len(), 2);
    let ls = c.listeners(&lb).await;
    assert_eq!((ls.len(), ls[0].port()), (1, Some(80)));
    assert_eq!(target_arn(ls[0].default_actions()), Some(tg.as_str()));
    let rules = c.rules(&ls[0]).await;
    let fixed = rules[0].actions()[0].fixed_response_config().unwrap();
    assert_eq!((rules[0].priority(), fixed.status_code()), (Some("10"), Some("503")));

    // A no-op plan reads load balancing with one listing per kind, plus for this stack's target
    // group its attributes and targets, and for its load balancer its attributes, listeners and
    // the listener's rules. DescribeTags depends on how many ELB objects the whole account has
    // (20 a call). The other kinds' calls are counted by their own tests.
    let plan = stackr(&["-v", "plan", "-f", &f, "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "plan after apply is not clean:\n{}", plan.stdout);
    let calls: Vec<&str> = plan.stderr.lines().filter(|l| l.contains(" DEBUG ") && l.contains(" -> ")).collect();
    let elb: Vec<&&str> = calls.iter().filter(|l| l.contains("Elastic Load Balancing")).collect();
    let tags = elb.iter().filter(|l| l.contains(".DescribeTags ")).count();
    assert_eq!(elb.len() - tags, 7, "{elb:#?}");
    // In the realism lane a listing also shows an object deleted before its tags are read: the
    // batch that names it is split until it drops out, a few calls more.
    let most = if std::env::var("STACKR_TEST_LANE").as_deref() == Ok("realism") { 20 } else { 6 };
    assert!((2..=most).contains(&tags), "{tags} DescribeTags calls");
    c.destroy().await;
}

#[tokio::test]
async fn explicit_targets_are_registered_and_unset_targets_are_left_alone() {
    let c = Case::new("tgt").await;
    let acct = account().await;
    let net = "vpc \"v\" { cidr = \"10.94.0.0/16\" }\nsubnet \"a\" {\n  vpc = vpc.v\n  cidr = \"10.94.1.0/24\"\n}\n";
    c.apply(net, &[]);
    let subnet = acct.ec2.describe_subnets().filters(tag_filter(&c.name)).send().await.unwrap();
    let subnet = subnet.subnets()[0].subnet_id().unwrap().to_string();
    let image = acct.ec2.describe_images().owners("amazon").send().await.unwrap();
    let image = image.images()[0].image_id().unwrap().to_string();
    let run = acct.ec2.run_instances().image_id(&image).min_count(2).max_count(2).subnet_id(&subnet).send().await;
    let ids: Vec<String> = run.unwrap().instances().iter().map(|i| i.instance_id().unwrap().to_string()).collect();
    let tg = |targets: &str| format!("{net}target_group \"app\" {{\n  vpc = vpc.v\n  port = 80\n{targets}}}\n");
    let registered = || async {
        let arn = c.group("-app").await.target_group_arn().unwrap().to_string();
        let h = c.elb.describe_target_health().target_group_arn(arn).send().await.unwrap();
        let mut ids: Vec<String> =
            h.target_health_descriptions().iter().map(|d| d.target().unwrap().id().unwrap().to_string()).collect();
        ids.sort();
        ids
    };
    c.apply(&tg(&format!("  targets = [\"{}\"]\n", ids[0])), &[]);
    assert_eq!(registered().await, vec![ids[0].clone()]);
    c.apply(&tg(&format!("  targets = [\"{}\"]\n", ids[1])), &["# target_group.app will be updated in-place"]);
    assert_eq!(registered().await, vec![ids[1].clone()]);
    // Without `targets`, whatever registered them (an Auto Scaling group) is not fought.
    c.apply(&tg(""), &["No changes."]);
    assert_eq!(registered().await, vec![ids[1].clone()]);
    acct.ec2.terminate_instances().set_instance_ids(Some(ids)).send().await.unwrap();
    c.destroy().await;
}

#[tokio::test]
async fn bad_load_balancing_input_is_refused_before_any_call() {
    let c = Case::new("bad").await;
    let body = format!(
        "{}subnet \"c\" {{\n  vpc = vpc.v\n  cidr = \"10.95.3.0/24\"\n  az = \"us-east-1a\"\n}}\n\
         target_group \"t\" {{\n  name = \"has_underscore\"\n  vpc = vpc.v\n  port = 80\n  health_check_timeout = 30\n}}\n\
         load_balancer \"one_zone\" {{\n  subnets = [subnet.a, subnet.c]\n}}\n\
         load_balancer \"few\" {{\n  subnets = [subnet.a]\n}}\n\
         load_balancer \"web\" {{\n  name = \"internal-web\"\n  subnets = [subnet.a, subnet.b]\n  \
         listener {{\n    port = 443\n    protocol = \"HTTPS\"\n    forward = target_group.t\n    \
         rule {{\n      priority = 1\n      forward = target_group.t\n      fixed_response {{\n        status_code = 404\n      }}\n    }}\n  }}\n}}\n",
        network(95)
    );
    let run = stackr(&["-v", "plan", "-f", &c.write(&body)]).expect(1);
    for want in [
        "invalid target group name: \"has_underscore\" may contain only letters, digits and hyphens",
        "the health check timeout (30s) must be less than its interval (30s)",
        "the subnets of load_balancer.one_zone are all in us-east-1a",
        "a load balancer needs at least two subnets; load_balancer.few has 1",
        "must not begin with \"internal-\"",
        "an HTTPS or TLS listener needs `certificate`",
        "a rule needs at least one condition",
        "has more than one action",
    ] {
        assert!(run.stderr.contains(want), "stderr lacks `{want}`:\n{}", run.stderr);
    }
    assert!(!run.stderr.contains(" -> "), "no AWS call is made:\n{}", run.stderr);
    c.assert_nothing_owned().await;
}

#[tokio::test]
async fn a_name_held_outside_the_stack_is_a_conflict() {
    let c = Case::new("own").await;
    let acct = account().await;
    let vpc = acct.ec2.create_vpc().cidr_block("10.96.0.0/16").send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let taken = format!("{}-x", c.name.replace('_', "-"));
    let taken = &taken[taken.len().saturating_sub(32)..].trim_start_matches('-').to_string();
    let foreign = c.elb.create_target_group().name(taken).protocol("HTTP".into()).port(80).vpc_id(&vpc).send();
    let foreign = foreign.await.unwrap().target_groups()[0].target_group_arn().unwrap().to_string();
    let body = format!("target_group \"x\" {{\n  name = \"{taken}\"\n  vpc = \"{vpc}\"\n  port = 80\n}}\n");
    let run = stackr(&["plan", "-f", &c.write(&body)]).expect(1);
    assert!(run.stderr.contains("is not owned by this stack"), "{}", run.stderr);
    c.assert_nothing_owned().await;
    let still = c.elb.describe_target_groups().target_group_arns(&foreign).send().await.unwrap();
    assert_eq!(still.target_groups().len(), 1, "the foreign group is untouched");
    c.elb.delete_target_group().target_group_arn(&foreign).send().await.unwrap();
    acct.ec2.delete_vpc().vpc_id(&vpc).send().await.unwrap();
}
