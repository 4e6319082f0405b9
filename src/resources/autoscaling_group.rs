//! `autoscaling_group`: an Auto Scaling group launching from a launch template into subnets,
//! optionally registering its instances in target groups, with target-tracking policies and
//! scheduled actions. Its tags, ownership tags included, propagate to the instances it
//! launches, so those instances are the group's and never planned as separate objects.
//! With a tracking policy declared, desired capacity belongs to the policy and is not diffed.

use async_trait::async_trait;
use aws_sdk_autoscaling::types::Filter;

use super::adopt::{self, Described};
use super::asg_aws::{self, describe, sync_tags, tag, wait_in_service};
use super::asg_live::{self, live_object, ours};
use super::asg_scaling::{self, SCHEDULE, TARGET_TRACKING};
use super::ec2tags::{ADDRESS_TAG, STACK_TAG};
use super::{Cx, Found, Kind, claims, s, strs, user_tags, userdata, with_computed};
use super::{asg_mixed, asg_refresh, asg_step, asg_warm};
use crate::aws;
use crate::model::*;
use crate::stack::{Diagnostics, Resource, Stack};

pub struct AutoscalingGroup;

static SCHEMA: Schema = Schema {
    kind: "autoscaling_group",
    doc: "An Auto Scaling group with target-tracking policies and scheduled actions.",
    ref_attr: "name",
    singleton: false,
    attrs: &[
        attr("name", Ty::Str, Presence::Optional, Update::ForceNew, "Group name, unique in the region (default: `<stack>-<name>-asg`).")
            .with(super::limits::AUTOSCALING_NAME),
        attr(
            "launch_template",
            Ty::Ref("launch_template"),
            Presence::Required,
            Update::InPlace,
            "The launch template instances start from.",
        ),
        attr(
            "launch_template_version",
            Ty::Str,
            Presence::Default(Lit::Str("$Default")),
            Update::InPlace,
            "Version to launch: a number, \"$Default\" or \"$Latest\".",
        )
        .with(&[Check::Format(&crate::constraint::formats::TEMPLATE_VERSION)]),
        attr("min_size", Ty::Int, Presence::Required, Update::InPlace, "Fewest instances, at most max_size.")
            .with(super::limits::NOT_NEGATIVE),
        attr("max_size", Ty::Int, Presence::Required, Update::InPlace, "Most instances.")
            .with(super::limits::NOT_NEGATIVE),
        attr(
            "desired_capacity",
            Ty::Int,
            Presence::Optional,
            Update::InPlace,
            "Instances to run now, from min_size to max_size (default: min_size). Not compared while a scaling policy (tracking, step or simple) is declared.",
        )
        .with(super::limits::NOT_NEGATIVE),
        attr("subnets", Ty::Set(&Ty::Ref("subnet")), Presence::Required, Update::InPlace, "Subnets to launch into."),
        attr(
            "target_groups",
            Ty::Set(&Ty::Ref("target_group")),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "Target groups its instances register in.",
        ),
        attr(
            "health_check_type",
            Ty::Enum(&["EC2", "ELB"]),
            Presence::Default(Lit::Str("EC2")),
            Update::InPlace,
            "EC2 status checks, or also the load balancer's.",
        ),
        attr(
            "health_check_grace_period",
            Ty::Int,
            Presence::Default(Lit::Int(300)),
            Update::InPlace,
            "Seconds before health checks count.",
        )
        .with(super::limits::NOT_NEGATIVE),
        attr(
            "target_tracking",
            Ty::Blocks(TARGET_TRACKING),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "A target-tracking scaling policy (one per metric).",
        ),
        attr(
            "rolling_update",
            Ty::Blocks(super::asg_refresh::ROLLING_UPDATE),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "How instances are replaced when what they launch from changes (one block; on by default). Settings of stackr's, not stored in AWS.",
        ),
        attr(
            "step_scaling",
            Ty::Blocks(asg_step::STEP_SCALING),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "A step scaling policy with the CloudWatch alarm that runs it (repeatable).",
        ),
        attr(
            "simple_scaling",
            Ty::Blocks(asg_step::SIMPLE_SCALING),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "A simple scaling policy with the CloudWatch alarm that runs it (repeatable).",
        ),
        attr(
            "schedule",
            Ty::Blocks(SCHEDULE),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "A scheduled change of size (repeatable).",
        ),
        attr(
            "mixed_instances",
            Ty::Blocks(asg_mixed::MIXED_INSTANCES),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "Several instance types and Spot capacity above an On-Demand base (one block): the group launches from a mixed instances policy built on its launch_template.",
        ),
        attr(
            "warm_pool",
            Ty::Blocks(asg_warm::WARM_POOL),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "Pre-initialised instances kept beside the group for faster scale out (one block; not with mixed_instances).",
        ),
        TAGS,
        computed("arn", "The group ARN."),
        computed("id", "The group name."),
    ],
};

#[async_trait]
impl Kind for AutoscalingGroup {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn complete(&self, stack: &str, addr: &Address, attrs: &mut Attrs) {
        // The Name tag propagates to the group's instances, which are named by the bare label.
        super::names::tag(attrs, || super::names::bare(stack, addr));
        // A version pinned to the template's number (asg_refresh::pin_versions) is a string to AWS.
        if let Some(Value::Int(n)) = attrs.get("launch_template_version") {
            attrs.insert("launch_template_version".into(), Value::Str(n.to_string()));
        }
        attrs.entry("name".into()).or_insert_with(|| Value::Str(super::names::default(stack, addr)));
        // With a scaling policy, the policy sets the desired capacity: keep the file's value
        // for create, never compare it. (Desired side only: the live value stays visible.)
        let policies = ["target_tracking", "step_scaling", "simple_scaling"];
        if policies.iter().any(|k| attrs.get(*k).is_some_and(|t| !t.as_list().is_empty()))
            && let Some(d) = attrs.remove("desired_capacity")
        {
            attrs.insert("_desired_capacity".into(), d);
        }
    }

    fn validate(&self, res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
        super::validate::scaling::group(res, stack, diags);
        super::validate::rolling::group(res, diags);
        super::validate::pools::group(res, diags);
    }

    /// Target groups must be behind a listener before a group can attach them: wait for every
    /// load balancer that forwards to one of this group's target groups.
    fn must_hold(&self) -> &'static [&'static str] {
        &["subnets"]
    }

    fn implied_deps(&self, res: &Resource, stack: &Stack) -> Vec<Address> {
        let mut tgs = vec![];
        if let Some(v) = res.attrs.get("target_groups") {
            v.refs(&mut tgs);
        }
        stack
            .resources
            .iter()
            .filter(|r| r.addr.kind == "load_balancer")
            .filter(|lb| {
                let mut refs = vec![];
                lb.attrs.values().for_each(|v| v.refs(&mut refs));
                refs.iter().any(|r| tgs.iter().any(|t| t.addr == r.addr))
            })
            .map(|lb| lb.addr.clone())
            .collect()
    }

    fn delete_note(&self) -> Option<&'static str> {
        Some("terminates its instances")
    }

    fn accept_live(&self, live: &mut Attrs, want: &mut Attrs) {
        live.insert("rolling_update".into(), want.get("rolling_update").cloned().unwrap_or_default());
    }

    fn pending(&self, live: &Attrs) -> Option<String> {
        let id = live.get("_refresh").and_then(Value::as_str)?;
        Some(format!("a rolling update is in progress (instance refresh {id}); apply waits for it"))
    }

    fn update_note(&self, live: &Attrs, after: &Attrs, changed: &[String]) -> Option<String> {
        let (_, n) = asg_refresh::rollout(live, after, changed)?;
        Some(format!("{n} instance(s) will be replaced by a rolling update"))
    }

    fn unique_name(&self, attrs: &Attrs) -> Option<String> {
        attrs.get("name").and_then(Value::as_str).map(String::from)
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        // Only this stack's groups, filtered by AWS on the ownership tag; then the names the
        // stack declares that none of them holds, by name: taken by another owner, or this
        // stack's after all when the tag filter has not caught up with a new group yet.
        let filter = Filter::builder().name(format!("tag:{STACK_TAG}")).values(cx.stack.as_ref()).build();
        let mut groups = asg_aws::list(cx.aws.autoscaling.describe_auto_scaling_groups().filters(filter)).await?;
        let held = groups.iter().filter_map(|g| g.auto_scaling_group_name());
        let missing = claims::unheld(&cx.declared, SCHEMA.kind, held);
        let (mut foreign_names, mut unlisted) = (vec![], vec![]);
        for chunk in missing.chunks(asg_aws::NAMES_MAX) {
            let call =
                cx.aws.autoscaling.describe_auto_scaling_groups().set_auto_scaling_group_names(Some(chunk.to_vec()));
            for g in asg_aws::list(call).await? {
                match ours(cx, &g) {
                    true => {
                        unlisted.extend(g.auto_scaling_group_name().map(String::from));
                        groups.push(g);
                    }
                    false => foreign_names.extend(g.auto_scaling_group_name().map(String::from)),
                }
            }
        }
        let owned = asg_live::read(cx, &groups).await?;
        Ok(Found { owned, foreign_names, unlisted, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let Some(g) = describe(cx, id).await? else { return Ok(None) };
        let pairs = || g.tags().iter().filter_map(|t| Some((t.key()?, t.value().unwrap_or_default())));
        let owner = adopt::tag_owner(pairs());
        let Some(live) = asg_live::read(cx, std::slice::from_ref(&g)).await?.pop() else { return Ok(None) };
        Ok(Some(Described { live, owner }))
    }

    async fn take_ownership(&self, cx: &Cx, addr: &Address, live: &LiveObject) -> anyhow::Result<()> {
        // Propagated like the group's other tags: instances it launches from now on are its.
        let tags = vec![tag(&live.id, STACK_TAG, &cx.stack), tag(&live.id, ADDRESS_TAG, &addr.to_string())];
        cx.aws.autoscaling.create_or_update_tags().set_tags(Some(tags)).send().await.map_err(aws::error)?;
        Ok(())
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let name = s(want, "name");
        let mut tags = vec![tag(name, STACK_TAG, &cx.stack), tag(name, ADDRESS_TAG, &addr.to_string())];
        tags.extend(user_tags(want).into_iter().map(|(k, v)| tag(name, &k, &v)));
        let desired = want.get("desired_capacity").or(want.get("_desired_capacity")).and_then(Value::as_int);
        let (spec, mixed) = asg_mixed::launch(want);
        let call = cx
            .aws
            .autoscaling
            .create_auto_scaling_group()
            .auto_scaling_group_name(name)
            .set_launch_template(spec)
            .set_mixed_instances_policy(mixed)
            .min_size(int(want, "min_size"))
            .max_size(int(want, "max_size"))
            .set_desired_capacity(desired.and_then(|d| i32::try_from(d).ok()))
            .vpc_zone_identifier(strs(want, "subnets").join(","))
            .set_target_group_arns(Some(strs(want, "target_groups").into_iter().map(String::from).collect()))
            .health_check_type(s(want, "health_check_type"))
            .health_check_grace_period(int(want, "health_check_grace_period"))
            .set_tags(Some(tags));
        // A launch template whose instance profile IAM has only just made is refused for a while.
        match userdata::profile_retry(|| async { call.clone().send().await.map_err(aws::error) }).await {
            // A retried create whose first answer was lost: the group is ours if it says so.
            Err(e) if e.code.as_deref() == Some("AlreadyExists") => {
                let group = describe(cx, name).await?;
                let ours = group.is_some_and(|g| live_object(&g, None, None).is_some_and(|l| &l.addr == addr));
                anyhow::ensure!(ours, e);
            }
            other => {
                other?;
            }
        }
        asg_warm::sync(cx, name, &Attrs::new(), want).await?;
        asg_scaling::sync(cx, name, &Attrs::new(), want).await?;
        asg_step::sync(cx, addr, name, &Attrs::new(), want).await?;
        let group = wait_in_service(cx, name, int(want, "min_size")).await?;
        Ok(with_computed(
            want,
            [("arn", Value::from(group.auto_scaling_group_arn().map(String::from))), ("id", Value::str(name))],
        ))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let asg = &cx.aws.autoscaling;
        let name = live.id.as_str();
        let changed = |k: &str| live.attrs.get(k) != want.get(k);
        let template: Vec<String> = ["launch_template", "launch_template_version"]
            .into_iter()
            .filter(|k| changed(k))
            .map(String::from)
            .collect();
        let roll = asg_refresh::rollout(&live.attrs, want, &template);
        if let Some(id) = live.attrs.get("_refresh").and_then(Value::as_str) {
            let tgs: Vec<String> = strs(want, "target_groups").into_iter().map(String::from).collect();
            let earlier = asg_refresh::wait(cx, name, id, &tgs).await;
            // Its failure is this apply's only when this apply has nothing newer to roll out.
            if roll.is_none() {
                earlier?;
            }
        }
        // A pool goes before the group takes a mixed policy (AWS allows no pool with one).
        if asg_warm::block(want).is_none() {
            asg_warm::sync(cx, name, &live.attrs, want).await?;
        }
        let group_attrs = ["min_size", "max_size", "desired_capacity", "subnets"];
        // A rolling update hands the new template to AWS with the refresh, which sets it on
        // the group when every instance runs it (and not when it rolls back).
        if group_attrs.iter().any(|k| changed(k))
            || ((!template.is_empty() || changed("mixed_instances")) && roll.is_none())
            || changed("health_check_type")
            || changed("health_check_grace_period")
        {
            let desired = want.get("desired_capacity").and_then(Value::as_int).and_then(|d| i32::try_from(d).ok());
            // Always the form the group launches with: a LaunchTemplate would drop its mixed policy.
            let (spec, mixed) = if roll.is_none() { asg_mixed::launch(want) } else { (None, None) };
            let call = asg
                .update_auto_scaling_group()
                .auto_scaling_group_name(name)
                .set_launch_template(spec)
                .set_mixed_instances_policy(mixed)
                .min_size(int(want, "min_size"))
                .max_size(int(want, "max_size"))
                .set_desired_capacity(desired)
                .vpc_zone_identifier(strs(want, "subnets").join(","))
                .health_check_type(s(want, "health_check_type"))
                .health_check_grace_period(int(want, "health_check_grace_period"));
            userdata::profile_retry(|| async { call.clone().send().await.map_err(aws::error) }).await?;
        }
        let (attach, detach) =
            super::iam_policy::set_diff(&strs(&live.attrs, "target_groups"), &strs(want, "target_groups"));
        if !detach.is_empty() {
            let arns = detach.into_iter().map(String::from).collect();
            asg.detach_load_balancer_target_groups()
                .auto_scaling_group_name(name)
                .set_target_group_arns(Some(arns))
                .send()
                .await
                .map_err(aws::error)?;
        }
        if !attach.is_empty() {
            let arns = attach.into_iter().map(String::from).collect();
            asg.attach_load_balancer_target_groups()
                .auto_scaling_group_name(name)
                .set_target_group_arns(Some(arns))
                .send()
                .await
                .map_err(aws::error)?;
        }
        sync_tags(cx, name, &live.attrs, want).await?;
        // Before a rollout: AWS refuses PutWarmPool while an instance refresh runs.
        if asg_warm::block(want).is_some() {
            asg_warm::sync(cx, name, &live.attrs, want).await?;
        }
        asg_scaling::sync(cx, name, &live.attrs, want).await?;
        asg_step::sync(cx, &live.addr, name, &live.attrs, want).await?;
        if let Some((prefs, n)) = roll {
            asg_refresh::roll(cx, name, want, &prefs, n).await?;
        }
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        Ok(with_computed(want, [keep("arn"), keep("id")]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        asg_step::delete_alarms(cx, live).await?;
        asg_aws::delete(cx, &live.id).await
    }
}

fn int(attrs: &Attrs, k: &str) -> i32 {
    attrs.get(k).and_then(Value::as_int).and_then(|v| i32::try_from(v).ok()).unwrap_or_default()
}
