//! An Auto Scaling group as stackr reads it: the group, its scaling policies and schedules,
//! its warm pool and a rolling update still running, as one live object with the attributes
//! the stack file declares (launch template and version from whichever form it launches with).

use aws_sdk_autoscaling::types::{AutoScalingGroup, InstanceRefresh, WarmPoolConfiguration};

use super::ec2tags::{self, ADDRESS_TAG, STACK_TAG};
use super::{Cx, asg_mixed, asg_refresh, asg_scaling, asg_warm};
use crate::model::*;

/// Whether the group carries this stack's ownership tag.
pub fn ours(cx: &Cx, g: &AutoScalingGroup) -> bool {
    g.tags().iter().any(|t| t.key() == Some(STACK_TAG) && t.value() == Some(cx.stack.as_ref()))
}

/// The live objects of `groups` (this stack's): their policies, running refreshes and warm
/// pools read for every group at once, one call of each kind per group.
pub async fn read(cx: &Cx, groups: &[AutoScalingGroup]) -> anyhow::Result<Vec<LiveObject>> {
    let names: Vec<String> = groups.iter().filter_map(|g| g.auto_scaling_group_name().map(String::from)).collect();
    let (mut scaling, refreshes, pools) = futures::try_join!(
        asg_scaling::read_all(cx, &names),
        super::read_each(names.iter().map(|n| asg_refresh::active(cx, n)).collect()),
        super::read_each(names.iter().map(|n| asg_warm::read(cx, n)).collect()),
    )?;
    let live = groups.iter().zip(refreshes).zip(pools).filter_map(|((g, r), p)| {
        let scaling = scaling.remove(g.auto_scaling_group_name()?);
        with_refresh(live_object(g, scaling, p.as_ref()), r)
    });
    Ok(live.collect())
}

/// Marks a group whose rolling update is still running (`_refresh`: its id).
fn with_refresh(live: Option<LiveObject>, refresh: Option<InstanceRefresh>) -> Option<LiveObject> {
    let mut live = live?;
    if let Some(id) = refresh.and_then(|r| r.instance_refresh_id().map(String::from)) {
        live.attrs.insert("_refresh".into(), Value::Str(id));
    }
    Some(live)
}

pub fn live_object(
    g: &AutoScalingGroup,
    scaling: Option<asg_scaling::Scaling>,
    pool: Option<&WarmPoolConfiguration>,
) -> Option<LiveObject> {
    let name = g.auto_scaling_group_name()?.to_string();
    let mut addr = None;
    let mut user = std::collections::BTreeMap::new();
    for t in g.tags() {
        let (Some(k), v) = (t.key(), t.value().unwrap_or_default()) else { continue };
        if k == ADDRESS_TAG {
            addr = Address::parse(v).filter(|a| a.kind == "autoscaling_group");
        } else if ec2tags::is_user_tag(k) {
            user.insert(k.to_string(), Value::str(v));
        }
    }
    let addr = addr.unwrap_or_else(|| Address::new("autoscaling_group", name.replace(['.', '/'], "_")));
    let (lt, version) = asg_mixed::live_template(g);
    let subnets = g.vpc_zone_identifier().unwrap_or_default().split(',').filter(|s| !s.is_empty());
    let mut attrs = Attrs::from([
        ("name".into(), Value::str(&name)),
        ("launch_template".into(), Value::from(lt)),
        ("launch_template_version".into(), Value::from(version)),
        ("min_size".into(), Value::Int(g.min_size().unwrap_or_default().into())),
        ("max_size".into(), Value::Int(g.max_size().unwrap_or_default().into())),
        ("desired_capacity".into(), Value::Int(g.desired_capacity().unwrap_or_default().into())),
        ("subnets".into(), str_set(subnets)),
        ("target_groups".into(), str_set(g.target_group_arns().iter().map(String::as_str))),
        ("health_check_type".into(), Value::from(g.health_check_type().map(String::from))),
        ("health_check_grace_period".into(), Value::Int(g.health_check_grace_period().unwrap_or_default().into())),
        ("mixed_instances".into(), asg_mixed::live(g)),
        ("warm_pool".into(), asg_warm::live(pool)),
        ("tags".into(), Value::Map(user)),
        ("arn".into(), Value::from(g.auto_scaling_group_arn().map(String::from))),
        ("id".into(), Value::str(&name)),
        ("_versions".into(), versions(g)),
    ]);
    scaling.unwrap_or_default().fill(&mut attrs);
    Some(LiveObject { addr, id: name, attrs })
}

/// What each instance of the group was launched from (`lt-…:3`), in order: what a rolling
/// update would replace.
fn versions(g: &AutoScalingGroup) -> Value {
    let mut out: Vec<String> = g
        .instances()
        .iter()
        .map(|i| {
            let lt = i.launch_template();
            let id = lt.and_then(|l| l.launch_template_id()).unwrap_or("?");
            format!("{id}:{}", lt.and_then(|l| l.version()).unwrap_or("?"))
        })
        .collect();
    out.sort();
    Value::List(out.into_iter().map(Value::Str).collect())
}
