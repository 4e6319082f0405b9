//! The `instance` kind's own AWS calls beside the Kind trait: the launch (with its idempotency
//! token and the wait for a new instance profile), and the running state: waiting for it,
//! stopping and starting, and changing the type in between.

use aws_sdk_ec2::types::{
    AttributeValue, BlockDeviceMapping, EbsBlockDevice, HttpTokensState, IamInstanceProfileSpecification,
    Instance as AwsInstance, InstanceMetadataOptionsRequest, InstanceNetworkInterfaceSpecification, InstanceStateName,
    InstanceType, ResourceType, Tag, TagSpecification,
};

use super::instance::{PUBLIC_IP_TAG, computed_of};
use super::poll::{self, Poll};
use super::retry::{self, Window};
use super::uncoded;
use super::{Cx, ec2tags, s, strs, userdata};
use crate::aws;
use crate::model::*;

/// One RunInstances call with `token`, retried while a just-created instance profile is not
/// yet visible to EC2 (IAM is eventually consistent; this can last about two minutes).
pub(super) async fn launch(
    cx: &Cx,
    addr: &Address,
    want: &Attrs,
    root: Option<(String, EbsBlockDevice)>,
    token: &str,
) -> anyhow::Result<AwsInstance> {
    let mut instance_tags = ec2tags::spec(ResourceType::Instance, cx, addr, want).tags().to_vec();
    if let Some(d) = want.get("user_data").and_then(Value::as_str) {
        instance_tags.push(Tag::builder().key(userdata::DIGEST_TAG).value(d).build());
    }
    let public = want.get("associate_public_ip").and_then(Value::as_bool);
    if let Some(p) = public {
        instance_tags.push(Tag::builder().key(PUBLIC_IP_TAG).value(p.to_string()).build());
    }
    let groups: Vec<String> = strs(want, "security_groups").into_iter().map(String::from).collect();
    // The role's instance profile has the role's name.
    let profile = want.get("role").and_then(Value::as_str);
    let mut req = cx
        .aws
        .ec2
        .run_instances()
        .image_id(s(want, "ami"))
        .instance_type(InstanceType::from(s(want, "type")))
        .min_count(1)
        .max_count(1)
        .client_token(token)
        .set_key_name(want.get("key_name").and_then(Value::as_str).map(String::from))
        .set_user_data(userdata::encoded(want))
        .set_iam_instance_profile(profile.map(|p| IamInstanceProfileSpecification::builder().name(p).build()))
        .metadata_options(metadata(want))
        .set_block_device_mappings(
            root.map(|(dev, ebs)| vec![BlockDeviceMapping::builder().device_name(dev).ebs(ebs).build()]),
        )
        .tag_specifications(
            TagSpecification::builder().resource_type(ResourceType::Instance).set_tags(Some(instance_tags)).build(),
        )
        .tag_specifications(ec2tags::spec(ResourceType::Volume, cx, addr, want));
    // The public-IP choice exists only on a network interface specification.
    req = match public {
        Some(p) => req.network_interfaces(
            InstanceNetworkInterfaceSpecification::builder()
                .device_index(0)
                .subnet_id(s(want, "subnet"))
                .set_groups((!groups.is_empty()).then_some(groups))
                .associate_public_ip_address(p)
                .delete_on_termination(true)
                .build(),
        ),
        None => req.subnet_id(s(want, "subnet")).set_security_group_ids((!groups.is_empty()).then_some(groups)),
    };
    let out = userdata::profile_retry(|| async { req.clone().send().await.map_err(aws::error) }).await?;
    out.instances().first().cloned().ok_or_else(|| anyhow::anyhow!("RunInstances returned no instance"))
}

pub(super) fn metadata(want: &Attrs) -> InstanceMetadataOptionsRequest {
    let required = want.get("imdsv2").and_then(Value::as_bool) != Some(false);
    let tokens = if required { HttpTokensState::Required } else { HttpTokensState::Optional };
    InstanceMetadataOptionsRequest::builder().http_tokens(tokens).build()
}

pub(super) async fn wait_running(cx: &Cx, id: &str) -> anyhow::Result<AwsInstance> {
    wait_state(cx, id, InstanceStateName::Running, &[InstanceStateName::ShuttingDown, InstanceStateName::Terminated])
        .await
}

/// Waits until the instance is in `target`; a state in `fatal` ends the wait with an error.
/// A new instance EC2 does not know yet (InvalidInstanceID.NotFound) is waited for.
pub(super) async fn wait_state(
    cx: &Cx,
    id: &str,
    target: InstanceStateName,
    fatal: &[InstanceStateName],
) -> anyhow::Result<AwsInstance> {
    let what = format!("waiting for {id} to be {}", target.as_str());
    poll::until(&what, || async {
        let out = match cx.aws.ec2.describe_instances().instance_ids(id).send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("InvalidInstanceID.NotFound") => {
                return Ok(Poll::Pending("unknown".into()));
            }
            other => other?,
        };
        let Some(inst) = out.reservations().iter().flat_map(|r| r.instances()).next().cloned() else {
            return Ok(Poll::Pending("unknown".into()));
        };
        let state = inst.state().and_then(|s| s.name()).cloned().unwrap_or(InstanceStateName::Pending);
        Ok(if state == target {
            Poll::Done(inst)
        } else if fatal.contains(&state) {
            let why = inst.state_reason().and_then(|r| r.message()).unwrap_or("no reason given");
            Poll::Failed(format!("it is {} ({why})", state.as_str()))
        } else {
            Poll::Pending(state.as_str().to_string())
        })
    })
    .await
}

/// Stop, change the type, start (unless it should stay stopped): EC2 changes the type only of
/// a stopped instance. Returns the computed attributes afterwards (an automatic public IP
/// changes across a stop).
pub(super) async fn change_type(cx: &Cx, id: &str, ty: &str, run: bool) -> anyhow::Result<Vec<(&'static str, Value)>> {
    let ec2 = &cx.aws.ec2;
    stop(cx, id).await?;
    let value = AttributeValue::builder().value(ty).build();
    ec2.modify_instance_attribute().instance_id(id).instance_type(value).send().await.map_err(aws::error)?;
    if !run {
        return Ok(computed_of(&describe_one(cx, id).await?));
    }
    Ok(computed_of(&start(cx, id).await?))
}

pub(super) async fn stop(cx: &Cx, id: &str) -> anyhow::Result<()> {
    let ec2 = &cx.aws.ec2;
    // A just-launched instance is still pending: it cannot be stopped until it runs.
    retry::on_codes(&["IncorrectInstanceState"], Window::State.get(), || async {
        ec2.stop_instances().instance_ids(id).send().await.map_err(aws::error)
    })
    .await?;
    wait_state(cx, id, InstanceStateName::Stopped, &[InstanceStateName::Terminated]).await.map(|_| ())
}

/// Starts the instance and waits until it runs. Right after a type change EC2 may refuse the
/// first start ("LaunchPlan instance type does not match attribute value",
/// hashicorp/terraform-provider-aws#16433): retried, as is a start while it is still stopping.
pub(super) async fn start(cx: &Cx, id: &str) -> anyhow::Result<AwsInstance> {
    let ec2 = &cx.aws.ec2;
    let send = || async { ec2.start_instances().instance_ids(id).send().await.map_err(aws::error) };
    let settled = || retry::on_codes(&["IncorrectInstanceState"], Window::State.get(), send);
    retry::when(uncoded::launch_plan_behind, Window::Ec2Propagation.get(), settled).await?;
    wait_running(cx, id).await
}

pub(super) async fn describe_one(cx: &Cx, id: &str) -> anyhow::Result<AwsInstance> {
    let out = cx.aws.ec2.describe_instances().instance_ids(id).send().await.map_err(aws::error)?;
    let inst = out.reservations().iter().flat_map(|r| r.instances()).find(|i| i.instance_id() == Some(id));
    inst.cloned().ok_or_else(|| anyhow::anyhow!("instance {id} not found"))
}
