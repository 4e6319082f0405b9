//! The realism layer itself, for EC2: each behaviour fires for a caller whose profile has it,
//! and the same calls succeed for a plain caller (so these tests fail with the layer off).
//! Windows are in real seconds at scale 1 here, long enough to observe and short to wait out.

mod common;

use std::time::Duration;

use aws_sdk_ec2::types::{AttributeValue, Filter, ResourceType, Tag, TagSpecification};
use common::realism::{account_as, code, key_with};
use common::*;

const AMI: &str = "ami-760aaa0f";

fn tagged(kind: ResourceType, name: &str) -> TagSpecification {
    TagSpecification::builder().resource_type(kind).tags(Tag::builder().key("realism").value(name).build()).build()
}

async fn vpc_with_subnet(ec2: &aws_sdk_ec2::Client, cidr: &str) -> (String, String) {
    let vpc = ec2.create_vpc().cidr_block(cidr).send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let sub =
        ec2.create_subnet().vpc_id(&vpc).cidr_block(cidr.replace(".0.0/16", ".1.0/24")).availability_zone("us-east-1a");
    let sub = sub.send().await.unwrap().subnet().unwrap().subnet_id().unwrap().to_string();
    (vpc, sub)
}

#[tokio::test]
async fn new_objects_are_not_found_by_id_and_missing_from_listings_for_a_while() {
    require_localstack();
    let key = key_with("ec", r#"{"ec2_visibility": 2, "scale": 1}"#);
    let me = account_as(&key, 1).await;
    let plain = account().await;
    let name = unique("ec");
    let out = me.ec2.create_vpc().cidr_block("10.71.0.0/16").tag_specifications(tagged(ResourceType::Vpc, &name));
    let vpc = out.send().await.unwrap().vpc().unwrap().vpc_id().unwrap().to_string();

    let err = me.ec2.describe_vpcs().vpc_ids(&vpc).send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidVpcID.NotFound");
    let err = me.ec2.create_subnet().vpc_id(&vpc).cidr_block("10.71.1.0/24").send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidVpcID.NotFound", "a call using the new id fails too");
    let by_tag = || Filter::builder().name("tag:realism").values(&name).build();
    assert!(me.ec2.describe_vpcs().filters(by_tag()).send().await.unwrap().vpcs().is_empty());
    // The main route table is born with the VPC and is as new.
    let of_vpc = Filter::builder().name("vpc-id").values(&vpc).build();
    assert!(me.ec2.describe_route_tables().filters(of_vpc.clone()).send().await.unwrap().route_tables().is_empty());
    // A plain caller sees it all at once.
    assert_eq!(plain.ec2.describe_vpcs().filters(by_tag()).send().await.unwrap().vpcs().len(), 1);
    assert_eq!(plain.ec2.describe_route_tables().filters(of_vpc).send().await.unwrap().route_tables().len(), 1);

    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(me.ec2.describe_vpcs().vpc_ids(&vpc).send().await.unwrap().vpcs().len(), 1);
    assert_eq!(me.ec2.describe_vpcs().filters(by_tag()).send().await.unwrap().vpcs().len(), 1);
    plain.ec2.delete_vpc().vpc_id(&vpc).send().await.unwrap();
}

#[tokio::test]
async fn instances_pass_through_pending_stopping_and_shutting_down() {
    require_localstack();
    let spec = r#"{"instance_pending": 1.5, "instance_stopping": 1.5, "instance_shutting_down": 1.5,
                   "start_after_type_change_fails": true, "scale": 1}"#;
    let me = account_as(&key_with("st", spec), 1).await;
    let (_, subnet) = vpc_with_subnet(&me.ec2, "10.72.0.0/16").await;
    let run = me.ec2.run_instances().image_id(AMI).min_count(1).max_count(1).subnet_id(&subnet).send().await.unwrap();
    let id = run.instances()[0].instance_id().unwrap().to_string();
    assert_eq!(run.instances()[0].state().unwrap().name().unwrap().as_str(), "pending");
    let state = |o: aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput| {
        o.reservations()[0].instances()[0].state().unwrap().name().unwrap().as_str().to_string()
    };
    assert_eq!(state(me.ec2.describe_instances().instance_ids(&id).send().await.unwrap()), "pending");
    let err = me.ec2.stop_instances().instance_ids(&id).send().await.unwrap_err();
    assert_eq!(code(&err), "IncorrectInstanceState");

    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(state(me.ec2.describe_instances().instance_ids(&id).send().await.unwrap()), "running");
    let stop = me.ec2.stop_instances().instance_ids(&id).send().await.unwrap();
    assert_eq!(stop.stopping_instances()[0].current_state().unwrap().name().unwrap().as_str(), "stopping");
    let ty = || AttributeValue::builder().value("t3.large").build();
    let err = me.ec2.modify_instance_attribute().instance_id(&id).instance_type(ty()).send().await.unwrap_err();
    assert_eq!(code(&err), "IncorrectInstanceState", "the type changes only once stopped");

    tokio::time::sleep(Duration::from_millis(1600)).await;
    me.ec2.modify_instance_attribute().instance_id(&id).instance_type(ty()).send().await.unwrap();
    let err = me.ec2.start_instances().instance_ids(&id).send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    assert!(format!("{err:?}").contains("LaunchPlan instance type does not match attribute value"), "{err:?}");
    me.ec2.start_instances().instance_ids(&id).send().await.expect("the second start succeeds");

    let term = me.ec2.terminate_instances().instance_ids(&id).send().await.unwrap();
    assert_eq!(term.terminating_instances()[0].current_state().unwrap().name().unwrap().as_str(), "shutting-down");
}

#[tokio::test]
async fn volumes_create_detach_busy_and_modify_asynchronously_and_come_back_encrypted() {
    require_localstack();
    let spec = r#"{"volume_creating": 1, "volume_detaching": 1, "volume_busy": true, "volume_modifying": 2,
                   "ebs_encryption_by_default": true, "scale": 1}"#;
    let me = account_as(&key_with("vol", spec), 1).await;
    let plain = account().await;
    let (_, subnet) = vpc_with_subnet(&me.ec2, "10.73.0.0/16").await;
    let run = me.ec2.run_instances().image_id(AMI).min_count(1).max_count(1).subnet_id(&subnet).send().await.unwrap();
    let inst = run.instances()[0].instance_id().unwrap().to_string();
    let vol = me.ec2.create_volume().availability_zone("us-east-1a").size(2).encrypted(false).send().await.unwrap();
    let id = vol.volume_id().unwrap().to_string();
    assert_eq!(vol.state().unwrap().as_str(), "creating");
    assert_eq!(vol.encrypted(), Some(true), "encryption by default overrides the request");
    let seen = plain.ec2.describe_volumes().volume_ids(&id).send().await.unwrap();
    assert_eq!(seen.volumes()[0].encrypted(), Some(true), "stored encrypted, not only shown so");
    let attach = || me.ec2.attach_volume().volume_id(&id).instance_id(&inst).device("/dev/sdf");
    assert_eq!(code(&attach().send().await.unwrap_err()), "IncorrectState");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    attach().send().await.unwrap();
    let detach = me.ec2.detach_volume().volume_id(&id).instance_id(&inst).send().await.unwrap();
    assert_eq!(detach.state().unwrap().as_str(), "busy", "a running instance keeps its volume busy");
    let v = me.ec2.describe_volumes().volume_ids(&id).send().await.unwrap();
    assert_eq!(v.volumes()[0].attachments()[0].state().unwrap().as_str(), "busy");
    assert_eq!(code(&me.ec2.delete_volume().volume_id(&id).send().await.unwrap_err()), "VolumeInUse");
    // Forcing it detaches; then it is detaching for a while.
    me.ec2.detach_volume().volume_id(&id).instance_id(&inst).force(true).send().await.unwrap();
    let v = me.ec2.describe_volumes().volume_ids(&id).send().await.unwrap();
    assert_eq!(v.volumes()[0].attachments()[0].state().unwrap().as_str(), "detaching");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let v = me.ec2.describe_volumes().volume_ids(&id).send().await.unwrap();
    assert_eq!(v.volumes()[0].state().unwrap().as_str(), "available");

    me.ec2.modify_volume().volume_id(&id).size(4).send().await.unwrap();
    let err = me.ec2.modify_volume().volume_id(&id).size(6).send().await.unwrap_err();
    assert_eq!(code(&err), "IncorrectModificationState");
    let m = me.ec2.describe_volumes_modifications().volume_ids(&id).send().await.unwrap();
    assert_eq!(m.volumes_modifications()[0].modification_state().unwrap().as_str(), "modifying");
    assert_eq!(me.ec2.get_ebs_encryption_by_default().send().await.unwrap().ebs_encryption_by_default(), Some(true));
    plain.ec2.terminate_instances().instance_ids(&inst).send().await.unwrap();
}

#[tokio::test]
async fn running_instances_and_deleted_ones_hold_their_groups_subnets_and_public_addresses() {
    require_localstack();
    let me =
        account_as(&key_with("dep", r#"{"dependencies": true, "instance_shutting_down": 1.5, "scale": 1}"#), 1).await;
    let plain = account_as(&key_with("dep-off", r#""off""#), 1).await;
    let (vpc, subnet) = vpc_with_subnet(&me.ec2, "10.74.0.0/16").await;
    let sg = me.ec2.create_security_group().group_name(unique("dep")).description("d").vpc_id(&vpc).send().await;
    let sg = sg.unwrap().group_id().unwrap().to_string();
    let igw = me.ec2.create_internet_gateway().send().await.unwrap();
    let igw = igw.internet_gateway().unwrap().internet_gateway_id().unwrap().to_string();
    me.ec2.attach_internet_gateway().internet_gateway_id(&igw).vpc_id(&vpc).send().await.unwrap();
    let run = me.ec2.run_instances().image_id(AMI).min_count(1).max_count(1).subnet_id(&subnet).security_group_ids(&sg);
    let inst = run.send().await.unwrap().instances()[0].instance_id().unwrap().to_string();
    let eip = me.ec2.allocate_address().send().await.unwrap().allocation_id().unwrap().to_string();
    let assoc = me.ec2.associate_address().allocation_id(&eip).instance_id(&inst).send().await.unwrap();

    assert_eq!(code(&me.ec2.delete_security_group().group_id(&sg).send().await.unwrap_err()), "DependencyViolation");
    assert_eq!(code(&me.ec2.delete_subnet().subnet_id(&subnet).send().await.unwrap_err()), "DependencyViolation");
    let detach = || me.ec2.detach_internet_gateway().internet_gateway_id(&igw).vpc_id(&vpc);
    let err = detach().send().await.unwrap_err();
    assert_eq!(code(&err), "DependencyViolation");
    assert!(format!("{err:?}").contains("mapped public address"), "{err:?}");
    me.ec2.disassociate_address().association_id(assoc.association_id().unwrap()).send().await.unwrap();
    me.ec2.terminate_instances().instance_ids(&inst).send().await.unwrap();
    // Its interface lingers while it shuts down: only that holds the group now.
    assert_eq!(code(&me.ec2.delete_security_group().group_id(&sg).send().await.unwrap_err()), "InvalidGroup.InUse");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    detach().send().await.unwrap();
    me.ec2.delete_security_group().group_id(&sg).send().await.unwrap();
    me.ec2.delete_subnet().subnet_id(&subnet).send().await.unwrap();
    // The plain caller's VPC goes as moto lets it; a realistic one checks its children.
    let vpc2 = plain.ec2.create_vpc().cidr_block("10.75.0.0/16").send().await.unwrap();
    let vpc2 = vpc2.vpc().unwrap().vpc_id().unwrap().to_string();
    plain.ec2.create_subnet().vpc_id(&vpc2).cidr_block("10.75.1.0/24").send().await.unwrap();
    assert_eq!(code(&me.ec2.delete_vpc().vpc_id(&vpc2).send().await.unwrap_err()), "DependencyViolation");
}

#[tokio::test]
async fn validation_moto_skips_is_done() {
    require_localstack();
    let me = account_as(&key_with("val", r#"{"validation": true, "filter_value_limit": 200, "scale": 1}"#), 1).await;
    let plain = account_as(&key_with("val-off", r#""off""#), 1).await;
    let (vpc, subnet) = vpc_with_subnet(&me.ec2, "10.76.0.0/16").await;
    let run = me.ec2.run_instances().image_id(AMI).min_count(1).max_count(1).subnet_id(&subnet);
    let inst = run.send().await.unwrap().instances()[0].instance_id().unwrap().to_string();

    let no_groups = |c: &aws_sdk_ec2::Client| c.modify_instance_attribute().instance_id(&inst).set_groups(Some(vec![]));
    assert_eq!(code(&no_groups(&me.ec2).send().await.unwrap_err()), "InvalidParameterCombination");
    let eip = me.ec2.allocate_address().send().await.unwrap().allocation_id().unwrap().to_string();
    let err = me.ec2.associate_address().allocation_id(&eip).instance_id(&inst).send().await.unwrap_err();
    assert_eq!(code(&err), "Gateway.NotAttached");
    plain.ec2.associate_address().allocation_id(&eip).instance_id(&inst).send().await.expect("moto allows it");

    let rt = |c: &aws_sdk_ec2::Client| c.create_route_table().vpc_id(&vpc);
    let rt1 = rt(&me.ec2).send().await.unwrap().route_table().unwrap().route_table_id().unwrap().to_string();
    let rt2 = rt(&me.ec2).send().await.unwrap().route_table().unwrap().route_table_id().unwrap().to_string();
    me.ec2.associate_route_table().route_table_id(&rt1).subnet_id(&subnet).send().await.unwrap();
    let err = me.ec2.associate_route_table().route_table_id(&rt2).subnet_id(&subnet).send().await.unwrap_err();
    assert_eq!(code(&err), "Resource.AlreadyAssociated");

    let many: Vec<String> = (0..201).map(|i| format!("vpc-{i:08x}")).collect();
    let filter = Filter::builder().name("vpc-id").set_values(Some(many)).build();
    let err = me.ec2.describe_vpcs().filters(filter.clone()).send().await.unwrap_err();
    assert_eq!(code(&err), "FilterLimitExceeded");
    plain.ec2.describe_vpcs().filters(filter).send().await.expect("moto takes any number");

    let vol = me.ec2.create_volume().availability_zone("us-east-1b").size(1).send().await.unwrap();
    let vol = vol.volume_id().unwrap().to_string();
    let err = me.ec2.attach_volume().volume_id(&vol).instance_id(&inst).device("/dev/sdf").send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidVolume.ZoneMismatch");
    plain.ec2.terminate_instances().instance_ids(&inst).send().await.unwrap();
}
