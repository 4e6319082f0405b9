//! Discovery of the stack's load balancers and target groups. ELBv2's Describe calls cannot
//! filter by tag, and listing the region's objects to read all their tags costs a call per 20
//! objects of everybody's. Instead the Resource Groups Tagging API finds the ARNs that carry
//! this stack's ownership tag (GetResources, filtered by tag and resource type: one call per
//! 100 owned objects, whatever else the account holds); DescribeTags then confirms each and
//! reads its current tags, since the tagging API lags behind creates and tag changes and keeps
//! listing deleted objects for a while; then they are described by ARN. Names the stack
//! declares that no owned object holds are looked up by name, 20 at a time.

use std::collections::HashMap;

use aws_sdk_elasticloadbalancingv2::types::{LoadBalancer, TargetGroup};
use aws_sdk_resourcegroupstagging::types::TagFilter;
use futures::future::BoxFuture;

use super::claims::{self, halving};
use super::ec2tags::STACK_TAG;
use super::{Cx, elbtags};
use crate::aws::{self, AwsError};
use crate::model::{Address, Value};

/// ELBv2 Describe calls take at most 20 ARNs or names.
const BATCH: usize = 20;

/// A Describe call by ARNs or by names; it fails with the kind's NotFound code when one is gone.
type Describe<'a, T> = dyn Fn(Vec<String>) -> BoxFuture<'a, Result<Vec<T>, AwsError>> + Send + Sync + 'a;

/// How discovery reads one ELB kind.
struct Calls<'a, T> {
    kind: &'static str,
    /// The tagging API's resource type (`elasticloadbalancing:loadbalancer`).
    resource_type: &'static str,
    /// The code ELB answers when an ARN or name in the batch does not exist.
    not_found: &'static [&'static str],
    by_arns: &'a Describe<'a, T>,
    by_names: &'a Describe<'a, T>,
    arn: fn(&T) -> Option<&str>,
    name: fn(&T) -> Option<&str>,
}

/// What [`find`] gives.
pub struct Found<T> {
    /// The stack's objects, each with its address and user tags.
    pub mine: Vec<(T, Address, Value)>,
    /// Declared names others hold.
    pub taken: Vec<String>,
    /// ARNs of the stack's objects found only by their names (the tagging API lags).
    pub unlisted: Vec<String>,
}

/// The stack's load balancers, and the declared load balancer names others hold.
pub async fn balancers(cx: &Cx) -> anyhow::Result<Found<LoadBalancer>> {
    let elb = &cx.aws.elb;
    let by_arns = |arns: Vec<String>| -> BoxFuture<'_, Result<Vec<LoadBalancer>, AwsError>> {
        let call = elb.describe_load_balancers().set_load_balancer_arns(Some(arns));
        Box::pin(async move { Ok(call.send().await.map_err(aws::error)?.load_balancers().to_vec()) })
    };
    let by_names = |names: Vec<String>| -> BoxFuture<'_, Result<Vec<LoadBalancer>, AwsError>> {
        let call = elb.describe_load_balancers().set_names(Some(names));
        Box::pin(async move { Ok(call.send().await.map_err(aws::error)?.load_balancers().to_vec()) })
    };
    let calls = Calls {
        kind: "load_balancer",
        resource_type: "elasticloadbalancing:loadbalancer",
        not_found: &["LoadBalancerNotFound"],
        by_arns: &by_arns,
        by_names: &by_names,
        arn: LoadBalancer::load_balancer_arn,
        name: LoadBalancer::load_balancer_name,
    };
    find(cx, &calls).await
}

/// The stack's target groups, and the declared target group names others hold.
pub async fn target_groups(cx: &Cx) -> anyhow::Result<Found<TargetGroup>> {
    let elb = &cx.aws.elb;
    let by_arns = |arns: Vec<String>| -> BoxFuture<'_, Result<Vec<TargetGroup>, AwsError>> {
        let call = elb.describe_target_groups().set_target_group_arns(Some(arns));
        Box::pin(async move { Ok(call.send().await.map_err(aws::error)?.target_groups().to_vec()) })
    };
    let by_names = |names: Vec<String>| -> BoxFuture<'_, Result<Vec<TargetGroup>, AwsError>> {
        let call = elb.describe_target_groups().set_names(Some(names));
        Box::pin(async move { Ok(call.send().await.map_err(aws::error)?.target_groups().to_vec()) })
    };
    let calls = Calls {
        kind: "target_group",
        resource_type: "elasticloadbalancing:targetgroup",
        not_found: &["TargetGroupNotFound"],
        by_arns: &by_arns,
        by_names: &by_names,
        arn: TargetGroup::target_group_arn,
        name: TargetGroup::target_group_name,
    };
    find(cx, &calls).await
}

/// The stack's objects of one ELB kind, and the declared names others hold.
async fn find<'a, T: Send + 'a>(cx: &'a Cx, calls: &'a Calls<'a, T>) -> anyhow::Result<Found<T>> {
    let arns = tagged(cx, calls.resource_type).await?;
    let tags = elbtags::owned(cx, &arns).await?;
    let mut confirmed: Vec<String> = arns.into_iter().filter(|a| tags.contains_key(a)).collect();
    confirmed.sort();
    let mut mine = vec![];
    let reads = confirmed.chunks(BATCH).map(|c| halving(c.to_vec(), calls.not_found, calls.by_arns));
    for o in super::read_each(reads.collect()).await?.into_iter().flatten() {
        let owner = (calls.arn)(&o).and_then(|a| elbtags::split(calls.kind, a, tags.get(a)?));
        mine.extend(owner.map(|(addr, user)| (o, addr, user)));
    }
    let missing = claims::unheld(&cx.declared, calls.kind, mine.iter().filter_map(|(o, _, _)| (calls.name)(o)));
    let reads = missing.chunks(BATCH).map(|c| halving(c.to_vec(), calls.not_found, calls.by_names));
    let named: Vec<T> = super::read_each(reads.collect()).await?.into_iter().flatten().collect();
    let (more, taken) = sort_named(cx, calls, named).await?;
    let unlisted = more.iter().filter_map(|(o, _, _)| (calls.arn)(o).map(String::from)).collect();
    mine.extend(more);
    Ok(Found { mine, taken, unlisted })
}

/// Objects found by a declared name: this stack's after all (the tagging API has not caught up
/// with a new one yet), or another owner's, whose name is then taken.
async fn sort_named<'a, T>(
    cx: &Cx,
    calls: &Calls<'a, T>,
    named: Vec<T>,
) -> anyhow::Result<(Vec<(T, Address, Value)>, Vec<String>)> {
    let arns: Vec<String> = named.iter().filter_map(|o| (calls.arn)(o).map(String::from)).collect();
    let tags: HashMap<String, _> = if arns.is_empty() { HashMap::new() } else { elbtags::owned(cx, &arns).await? };
    let (mut mine, mut taken) = (vec![], vec![]);
    for o in named {
        match (calls.arn)(&o).and_then(|a| elbtags::split(calls.kind, a, tags.get(a)?)) {
            Some((addr, user)) => mine.push((o, addr, user)),
            None => taken.extend((calls.name)(&o).map(String::from)),
        }
    }
    Ok((mine, taken))
}

/// The ARNs of `resource_type` the tagging API lists with this stack's ownership tag, all pages.
async fn tagged(cx: &Cx, resource_type: &str) -> anyhow::Result<Vec<String>> {
    let filter = TagFilter::builder().key(STACK_TAG).values(cx.stack.as_ref()).build();
    let call = cx.aws.tagging.get_resources().tag_filters(filter).resource_type_filters(resource_type);
    let mut pages = call.into_paginator().send();
    let mut arns = vec![];
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            let e = aws::error(e);
            match e.code.as_deref() {
                Some("AccessDeniedException" | "AccessDenied") => e.with_hint(
                    "stackr finds load balancers and target groups by tag with the Resource Groups Tagging API: \
                     allow tag:GetResources",
                ),
                _ => e,
            }
        })?;
        // ELBv2 objects only: a Classic Load Balancer someone tagged so is not ELBv2's to describe.
        let v2 = |arn: &&str| arn.contains(":targetgroup/") || arn.contains(":loadbalancer/app/");
        arns.extend(
            page.resource_tag_mapping_list().iter().filter_map(|m| m.resource_arn()).filter(v2).map(String::from),
        );
    }
    arns.sort();
    arns.dedup();
    Ok(arns)
}
