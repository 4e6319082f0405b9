//! The realism layer itself, beyond EC2's objects: IAM propagation and policy rewriting, load
//! balancers, Auto Scaling, throttling, client tokens and lost responses. Each behaviour fires
//! for a caller whose profile has it and not for a plain caller.

mod common;

use std::time::Duration;

use aws_sdk_autoscaling::types::LaunchTemplateSpecification;
use aws_sdk_ec2::types::{
    Filter, LaunchTemplateIamInstanceProfileSpecificationRequest, RequestLaunchTemplateData, ResourceType, Tag,
    TagSpecification,
};
use common::realism::{account_as, code, key_with};
use common::*;

const AMI: &str = "ami-760aaa0f";
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

#[tokio::test]
async fn new_iam_objects_are_not_yet_usable_elsewhere() {
    require_localstack();
    let me = account_as(&key_with("iam", r#"{"iam_propagation": 2, "scale": 1}"#), 1).await;
    let name = unique("prop");
    me.iam.create_role().role_name(&name).assume_role_policy_document(TRUST).send().await.unwrap();
    me.iam.create_instance_profile().instance_profile_name(&name).send().await.unwrap();
    let add = || me.iam.add_role_to_instance_profile().instance_profile_name(&name).role_name(&name);
    assert_eq!(code(&add().send().await.unwrap_err()), "NoSuchEntity");
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::000000000000:role/{name}"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let other = unique("trusting");
    let err = me.iam.create_role().role_name(&other).assume_role_policy_document(&trust).send().await.unwrap_err();
    assert_eq!(code(&err), "MalformedPolicyDocument");
    assert!(format!("{err:?}").contains("Invalid principal in policy"), "{err:?}");

    let vpc = me.ec2.create_vpc().cidr_block("10.77.0.0/16").send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    add().send().await.expect("the role is visible by now");
    // Adding the role makes the profile new again for EC2 and Auto Scaling.
    let sub = me.ec2.create_subnet().vpc_id(&vpc).cidr_block("10.77.1.0/24").availability_zone("us-east-1a");
    let sub = sub.send().await.unwrap().subnet().unwrap().subnet_id().unwrap().to_string();
    let profile = aws_sdk_ec2::types::IamInstanceProfileSpecification::builder().name(&name).build();
    let run =
        me.ec2.run_instances().image_id(AMI).min_count(1).max_count(1).subnet_id(&sub).iam_instance_profile(profile);
    let err = run.send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    assert!(format!("{err:?}").contains("Invalid IAM Instance Profile name"), "{err:?}");
    let data = RequestLaunchTemplateData::builder()
        .image_id(AMI)
        .iam_instance_profile(LaunchTemplateIamInstanceProfileSpecificationRequest::builder().name(&name).build())
        .build();
    let lt = me.ec2.create_launch_template().launch_template_name(&name).launch_template_data(data).send().await;
    let lt = lt.unwrap().launch_template().unwrap().launch_template_id().unwrap().to_string();
    let spec = LaunchTemplateSpecification::builder().launch_template_id(&lt).version("$Default").build();
    let asg = me.autoscaling.create_auto_scaling_group().auto_scaling_group_name(&name).launch_template(spec);
    let err = asg.min_size(0).max_size(1).vpc_zone_identifier(&sub).send().await.unwrap_err();
    assert_eq!(code(&err), "ValidationError");
    assert!(format!("{err:?}").contains("Invalid IAM Instance Profile name"), "{err:?}");
}

#[tokio::test]
async fn iam_stores_policies_in_its_own_form_and_keeps_default_password_rules() {
    require_localstack();
    let me = account_as(&key_with("pol", r#"{"iam_policy_rewrite": true, "password_policy_defaults": true}"#), 1).await;
    let name = unique("rewrite");
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true},"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}]}"#;
    me.iam.create_role().role_name(&name).assume_role_policy_document(doc).send().await.unwrap();
    let stored = account().await.iam.get_role().role_name(&name).send().await.unwrap();
    let stored = stored.role().unwrap().assume_role_policy_document().unwrap().to_string();
    let stored = percent_encoding::percent_decode_str(&stored).decode_utf8().unwrap().to_string();
    let v: serde_json::Value = serde_json::from_str(&stored).unwrap();
    let st = &v["Statement"][0];
    assert_eq!(st["Principal"]["AWS"], "arn:aws:iam::000000000000:root", "{stored}");
    assert_eq!(st["Condition"]["Bool"]["aws:MultiFactorAuthPresent"], "true", "{stored}");
    assert_eq!(st["Condition"]["NumericLessThan"]["aws:MultiFactorAuthAge"], "3600", "{stored}");

    let user = unique("pw");
    me.iam.create_user().user_name(&user).send().await.unwrap();
    // Only without an account policy: another test may have set one, then skip the check.
    if me.iam.get_account_password_policy().send().await.is_err() {
        let err = me.iam.create_login_profile().user_name(&user).password("short1").send().await.unwrap_err();
        assert_eq!(code(&err), "PasswordPolicyViolation");
    }
}

#[tokio::test]
async fn the_first_tag_write_or_attachment_meets_a_concurrent_one() {
    require_localstack();
    let me = account_as(&key_with("conflict", r#"{"iam_conflicts": true}"#), 1).await;
    let plain = account().await;
    let doc =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}"#;
    let mut arns = vec![];
    for who in [&me, &plain] {
        let made = who.iam.create_policy().policy_name(unique("conflict")).policy_document(doc).send().await.unwrap();
        arns.push(made.policy().unwrap().arn().unwrap().to_string());
    }
    let tag = aws_sdk_iam::types::Tag::builder().key("k").value("v").build().unwrap();
    let first = me.iam.tag_policy().policy_arn(&arns[0]).tags(tag.clone()).send().await.unwrap_err();
    assert_eq!(code(&first), "ConcurrentModification");
    me.iam.tag_policy().policy_arn(&arns[0]).tags(tag.clone()).send().await.expect("the second write passes");
    me.iam.untag_policy().policy_arn(&arns[0]).tag_keys("k").send().await.expect("only the first write meets another");
    plain.iam.tag_policy().policy_arn(&arns[1]).tags(tag).send().await.expect("a plain caller never meets one");
    let user = unique("conflict");
    plain.iam.create_user().user_name(&user).send().await.unwrap();
    let attach = || me.iam.attach_user_policy().user_name(&user).policy_arn(&arns[1]).send();
    assert_eq!(code(&attach().await.unwrap_err()), "ConcurrentModification");
    attach().await.expect("the second attachment passes");
}

#[tokio::test]
async fn a_user_holding_credentials_or_memberships_cannot_be_deleted() {
    require_localstack();
    let me = account_as(&key_with("deluser", r#"{"dependencies": true}"#), 1).await;
    let plain = account().await;
    let (keyed, member, group) = (unique("held"), unique("member"), unique("grp"));
    for u in [&keyed, &member] {
        plain.iam.create_user().user_name(u).send().await.unwrap();
    }
    let key = plain.iam.create_access_key().user_name(&keyed).send().await.unwrap();
    plain.iam.create_group().group_name(&group).send().await.unwrap();
    plain.iam.add_user_to_group().group_name(&group).user_name(&member).send().await.unwrap();
    for u in [&keyed, &member] {
        assert_eq!(code(&me.iam.delete_user().user_name(u).send().await.unwrap_err()), "DeleteConflict", "{u}");
    }
    let id = key.access_key().unwrap().access_key_id();
    me.iam.delete_access_key().user_name(&keyed).access_key_id(id).send().await.unwrap();
    me.iam.remove_user_from_group().group_name(&group).user_name(&member).send().await.unwrap();
    for u in [&keyed, &member] {
        me.iam.delete_user().user_name(u).send().await.expect("nothing holds it now");
    }
}

#[tokio::test]
async fn load_balancers_provision_and_need_two_zones_and_a_gateway() {
    require_localstack();
    let me = account_as(&key_with("lb", r#"{"lb_provisioning": 2, "validation": true, "scale": 1}"#), 1).await;
    let vpc = me.ec2.create_vpc().cidr_block("10.78.0.0/16").send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let mut subnets = vec![];
    for (i, az) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
        let s = me.ec2.create_subnet().vpc_id(&vpc).cidr_block(format!("10.78.{i}.0/24")).availability_zone(*az);
        subnets.push(s.send().await.unwrap().subnet().unwrap().subnet_id().unwrap().to_string());
    }
    let name = unique("lb").chars().rev().take(30).collect::<String>().replace('-', "x");
    let create = || {
        me.elb
            .create_load_balancer()
            .name(&name)
            .scheme(aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::Internal)
    };
    let err = create().subnets(&subnets[0]).send().await.unwrap_err();
    assert_eq!(code(&err), "ValidationError", "one zone is not enough");
    let err = me.elb.create_load_balancer().name(&name).set_subnets(Some(subnets.clone())).send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidSubnet", "internet-facing needs the VPC's gateway");
    let out = create().set_subnets(Some(subnets.clone())).send().await.unwrap();
    let lb = &out.load_balancers()[0];
    assert_eq!(lb.state().unwrap().code().unwrap().as_str(), "provisioning");
    let arn = lb.load_balancer_arn().unwrap().to_string();
    let err = me.elb.set_subnets().load_balancer_arn(&arn).subnets(&subnets[1]).send().await.unwrap_err();
    assert_eq!(code(&err), "ValidationError");
    let err = me.elb.describe_tags().resource_arns(&arn).resource_arns(format!("{arn}x")).send().await.unwrap_err();
    assert_eq!(code(&err), "LoadBalancerNotFound", "one missing ARN fails the batch");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let now = me.elb.describe_load_balancers().load_balancer_arns(&arn).send().await.unwrap();
    assert_eq!(now.load_balancers()[0].state().unwrap().code().unwrap().as_str(), "active");
    me.elb.delete_load_balancer().load_balancer_arn(&arn).send().await.unwrap();
}

#[tokio::test]
async fn network_load_balancers_hold_their_elastic_ips_and_keep_subnets_and_groups() {
    use aws_sdk_elasticloadbalancingv2::types::{LoadBalancerAttribute, LoadBalancerTypeEnum, SubnetMapping};
    require_localstack();
    let spec = r#"{"ec2_visibility": 1, "validation": true, "dependencies": true, "eni_linger": 2, "scale": 1}"#;
    let me = account_as(&key_with("nlb", spec), 1).await;
    let vpc = me.ec2.create_vpc().cidr_block("10.79.0.0/16").send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut subnets = vec![];
    for (i, az) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
        let s = me.ec2.create_subnet().vpc_id(&vpc).cidr_block(format!("10.79.{i}.0/24")).availability_zone(*az);
        subnets.push(s.send().await.unwrap().subnet().unwrap().subnet_id().unwrap().to_string());
    }
    let eip = me.ec2.allocate_address().domain(aws_sdk_ec2::types::DomainType::Vpc).send().await.unwrap();
    let eip = eip.allocation_id().unwrap().to_string();
    let name = unique("nlb").chars().rev().take(30).collect::<String>().replace('-', "x");
    let mapping =
        |s: &str, e: Option<&str>| SubnetMapping::builder().subnet_id(s).set_allocation_id(e.map(String::from)).build();
    let create = |kind: LoadBalancerTypeEnum| {
        me.elb
            .create_load_balancer()
            .name(&name)
            .r#type(kind)
            .scheme(aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::Internal)
            .subnet_mappings(mapping(&subnets[0], Some(&eip)))
    };
    let err = create(LoadBalancerTypeEnum::Network).send().await.unwrap_err();
    assert_eq!(code(&err), "AllocationIdNotFound", "ELB does not see a new Elastic IP yet");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let err = create(LoadBalancerTypeEnum::Application).subnet_mappings(mapping(&subnets[1], None)).send().await;
    assert_eq!(code(&err.unwrap_err()), "InvalidConfigurationRequest", "Elastic IPs only on network balancers");
    let out = create(LoadBalancerTypeEnum::Network).send().await.unwrap();
    let lb = &out.load_balancers()[0];
    let arn = lb.load_balancer_arn().unwrap().to_string();
    let described = me.elb.describe_load_balancers().load_balancer_arns(&arn).send().await.unwrap();
    let zone = &described.load_balancers()[0];
    let addresses = zone.availability_zones()[0].load_balancer_addresses();
    assert_eq!(addresses[0].allocation_id(), Some(eip.as_str()), "the mapping's address is reported");

    let group = me.ec2.create_security_group().group_name(&name).description("x").vpc_id(&vpc).send().await;
    let group = group.unwrap().group_id().unwrap().to_string();
    let err = me.elb.set_security_groups().load_balancer_arn(&arn).security_groups(&group).send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidConfigurationRequest", "made without groups, never given any");
    me.elb.set_subnets().load_balancer_arn(&arn).set_subnets(Some(subnets.clone())).send().await.unwrap();
    let err = me.elb.set_subnets().load_balancer_arn(&arn).subnets(&subnets[1]).send().await.unwrap_err();
    assert_eq!(code(&err), "ValidationError", "a subnet is never taken away");
    let idle = LoadBalancerAttribute::builder().key("idle_timeout.timeout_seconds").value("30").build();
    let err = me.elb.modify_load_balancer_attributes().load_balancer_arn(&arn).attributes(idle).send().await;
    assert_eq!(code(&err.unwrap_err()), "ValidationError", "an application balancer's attribute");

    let release = || me.ec2.release_address().allocation_id(&eip).send();
    assert_eq!(code(&release().await.unwrap_err()), "InvalidIPAddress.InUse");
    me.elb.delete_load_balancer().load_balancer_arn(&arn).send().await.unwrap();
    assert_eq!(code(&release().await.unwrap_err()), "InvalidIPAddress.InUse", "its interfaces linger");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    release().await.expect("released once the interfaces are gone");
}

#[tokio::test]
async fn auto_scaling_groups_scale_and_delete_over_time() {
    require_localstack();
    let spec = r#"{"asg_scaling": 1.5, "asg_deleting": 1.5, "instance_pending": 1.5, "scale": 1}"#;
    let me = account_as(&key_with("asg", spec), 1).await;
    let vpc = me.ec2.create_vpc().cidr_block("10.79.0.0/16").send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let sub = me.ec2.create_subnet().vpc_id(&vpc).cidr_block("10.79.1.0/24").availability_zone("us-east-1a");
    let sub = sub.send().await.unwrap().subnet().unwrap().subnet_id().unwrap().to_string();
    let name = unique("asg");
    let data = RequestLaunchTemplateData::builder().image_id(AMI).build();
    let lt = me.ec2.create_launch_template().launch_template_name(&name).launch_template_data(data).send().await;
    let lt = lt.unwrap().launch_template().unwrap().launch_template_id().unwrap().to_string();
    let spec = LaunchTemplateSpecification::builder().launch_template_id(&lt).build();
    let create =
        || me.autoscaling.create_auto_scaling_group().auto_scaling_group_name(&name).launch_template(spec.clone());
    create().min_size(2).max_size(2).vpc_zone_identifier(&sub).send().await.unwrap();
    let group = me.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&name).send().await.unwrap();
    let states: Vec<&str> =
        group.auto_scaling_groups()[0].instances().iter().map(|i| i.lifecycle_state().unwrap().as_str()).collect();
    assert_eq!(states, ["Pending", "Pending"]);
    let delete = || me.autoscaling.delete_auto_scaling_group().auto_scaling_group_name(&name);
    assert_eq!(code(&delete().send().await.unwrap_err()), "ScalingActivityInProgress");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(code(&delete().send().await.unwrap_err()), "ResourceInUse", "instances are still in it");
    delete().force_delete(true).send().await.unwrap();
    let group = me.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&name).send().await.unwrap();
    assert_eq!(group.auto_scaling_groups()[0].status(), Some("Delete in progress"));
    let err = create().min_size(0).max_size(1).vpc_zone_identifier(&sub).send().await.unwrap_err();
    assert_eq!(code(&err), "AlreadyExists");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let group = me.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&name).send().await.unwrap();
    assert!(group.auto_scaling_groups().is_empty());
}

#[tokio::test]
async fn throttling_refuses_calls_at_the_set_rate_and_by_ec2_token_bucket() {
    require_localstack();
    let me = account_as(&key_with("thr", r#"{"throttle_rate": 1.0}"#), 1).await;
    assert_eq!(code(&me.iam.list_roles().send().await.unwrap_err()), "Throttling");
    assert_eq!(code(&me.elb.describe_load_balancers().send().await.unwrap_err()), "Throttling");
    assert_eq!(code(&me.ec2.describe_vpcs().send().await.unwrap_err()), "RequestLimitExceeded");
    let me = account_as(&key_with("bkt", r#"{"ec2_token_buckets": true}"#), 1).await;
    let mut refused = 0;
    // Unfiltered, unpaginated Describe calls share a bucket of 50 refilled at 10 per second.
    for _ in 0..80 {
        if let Err(e) = me.ec2.describe_key_pairs().send().await {
            assert_eq!(code(&e), "RequestLimitExceeded");
            refused += 1;
        }
    }
    assert!(refused > 0, "80 quick unfiltered Describe calls must exceed the bucket");
}

#[tokio::test]
async fn client_tokens_are_honoured_and_lost_responses_make_the_sdk_retry() {
    require_localstack();
    let me = account_as(&key_with("tok", r#"{"client_tokens": true}"#), 1).await;
    let plain = account_as(&key_with("tok-off", r#""off""#), 1).await;
    let vpc = me.ec2.create_vpc().cidr_block("10.80.0.0/16").send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let sub = me.ec2.create_subnet().vpc_id(&vpc).cidr_block("10.80.1.0/24").send().await.unwrap();
    let sub = sub.subnet().unwrap().subnet_id().unwrap().to_string();
    let token = unique("token");
    let run = |c: &aws_sdk_ec2::Client, ty: &str| {
        c.run_instances()
            .image_id(AMI)
            .instance_type(ty.into())
            .min_count(1)
            .max_count(1)
            .subnet_id(&sub)
            .client_token(&token)
    };
    let first = run(&me.ec2, "t3.micro").send().await.unwrap().instances()[0].instance_id().unwrap().to_string();
    let again = run(&me.ec2, "t3.micro").send().await.unwrap().instances()[0].instance_id().unwrap().to_string();
    assert_eq!(first, again, "the same token returns the same instance");
    assert_eq!(code(&run(&me.ec2, "t3.large").send().await.unwrap_err()), "IdempotentParameterMismatch");
    let other = run(&plain.ec2, "t3.micro").send().await.unwrap().instances()[0].instance_id().unwrap().to_string();
    assert_ne!(other, first, "moto itself ignores the token");

    // A lost response: the VPC is made, the answer is a 500, the SDK retries and makes a second.
    let lossy = account_as(&key_with("lost", r#"{"lose_responses": "first", "client_tokens": true}"#), 3).await;
    let name = unique("lost");
    let tags = TagSpecification::builder()
        .resource_type(ResourceType::Vpc)
        .tags(Tag::builder().key("realism").value(&name).build())
        .build();
    lossy
        .ec2
        .create_vpc()
        .cidr_block("10.81.0.0/16")
        .tag_specifications(tags)
        .send()
        .await
        .expect("the retry succeeds");
    let f = Filter::builder().name("tag:realism").values(&name).build();
    assert_eq!(plain.ec2.describe_vpcs().filters(f).send().await.unwrap().vpcs().len(), 2, "CreateVpc takes no token");
    // With a token (the SDK fills one in), the retry returns the first instance.
    let before = plain
        .ec2
        .describe_instances()
        .filters(Filter::builder().name("subnet-id").values(&sub).build())
        .send()
        .await
        .unwrap();
    let count = |o: &aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput| {
        o.reservations().iter().map(|r| r.instances().len()).sum::<usize>()
    };
    let n = count(&before);
    lossy.ec2.run_instances().image_id(AMI).min_count(1).max_count(1).subnet_id(&sub).send().await.unwrap();
    let after = plain
        .ec2
        .describe_instances()
        .filters(Filter::builder().name("subnet-id").values(&sub).build())
        .send()
        .await
        .unwrap();
    assert_eq!(count(&after), n + 1, "one instance, not two");
}
