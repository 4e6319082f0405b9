//! Which instances are the stack's own, and when a launch token must not be reused.

use super::*;
use aws_sdk_ec2::types::InstanceState;

fn instance(state: InstanceStateName, tags: &[(&str, &str)]) -> AwsInstance {
    let tags = tags.iter().map(|(k, v)| Tag::builder().key(*k).value(*v).build()).collect();
    AwsInstance::builder()
        .instance_id("i-1")
        .state(InstanceState::builder().name(state).build())
        .set_tags(Some(tags))
        .build()
}

#[test]
fn a_token_that_returns_a_terminated_instance_is_replaced() {
    assert_eq!(relaunch_token(&instance(InstanceStateName::Running, &[]), "t"), None);
    assert_eq!(relaunch_token(&instance(InstanceStateName::Pending, &[]), "t"), None);
    let next = relaunch_token(&instance(InstanceStateName::Terminated, &[]), "t");
    assert_eq!(next, Some(userdata::next_token("t", "i-1")));
    assert!(relaunch_token(&instance(InstanceStateName::ShuttingDown, &[]), "t").is_some());
}

#[test]
fn instances_of_an_auto_scaling_group_are_the_groups() {
    let asg = instance(InstanceStateName::Running, &[("aws:autoscaling:groupName", "web"), ("stackr:stack", "s")]);
    assert!(owned(&asg).is_none());
    let mine = instance(InstanceStateName::Running, &[("stackr:stack", "s"), ("stackr:address", "instance.web")]);
    assert!(owned(&mine).is_some());
}
