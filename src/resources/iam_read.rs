//! Discovery of the stack's IAM users, groups and roles by their path. Each kind is listed with
//! its PathPrefix `/stackr/<stack>/`. A few objects are then read with the calls IAM has per
//! object (inline policies, attached policies, memberships, tags, instance profiles), all at
//! once: the cost follows the stack's IAM objects, not the account's. Many objects (more than
//! [`DETAILS_ABOVE`]) are read from GetAccountAuthorizationDetails instead, which pages through
//! the account's objects of the kind 1,000 at a time: a few calls, however large the stack.
//! Both take the shape of the authorization details, which the kinds read.
//!
//! Names the stack declares that no object under its path holds are looked up one by one
//! (GetUser, GetGroup, GetRole, GetInstanceProfile): NoSuchEntity means free; under the stack's
//! path it is the stack's after all (the listing lags behind a create); anywhere else, taken.

use std::collections::HashMap;

use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
use aws_sdk_iam::types::{
    EntityType, Group, GroupDetail, InstanceProfile, PolicyDetail, Role, RoleDetail, User, UserDetail,
};

use super::Cx;
use super::claims;
use super::iam_policy::owned_address;
use crate::aws::{self, AwsError};

/// Every item of a paginated IAM listing.
macro_rules! all {
    ($call:expr) => {{
        let mut pages = $call.into_paginator().items().send();
        let mut items = vec![];
        while let Some(item) = pages.next().await {
            items.push(item.map_err(aws::error)?);
        }
        items
    }};
}

/// The stack's objects of one IAM kind, in the authorization details' shape, and the declared
/// names others hold.
pub struct Read<T> {
    pub owned: Vec<T>,
    pub foreign: Vec<String>,
    /// Names of owned objects found only by their name (the listing lags behind a create).
    pub unlisted: Vec<String>,
}

/// Sorts the objects found for declared names no listed object holds; `None` is a free name.
fn sort_declared<T>(cx: &Cx, kind: &str, found: Vec<(String, Option<T>)>, path: fn(&T) -> &str) -> Read<T> {
    let mut read = Read { owned: vec![], foreign: vec![], unlisted: vec![] };
    for (name, object) in found {
        match object {
            Some(o) if owned_address(&cx.stack, kind, path(&o)).is_some() => {
                read.unlisted.push(name);
                read.owned.push(o);
            }
            Some(_) => read.foreign.push(name),
            None => {}
        }
    }
    read
}

/// `Ok(None)` for an object IAM no longer has (deleted since it was listed, or never made).
fn absent<T>(r: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match r {
        Err(e) if e.code.as_deref() == Some("NoSuchEntity") => Ok(None),
        other => other.map(Some),
    }
}

/// Runs `read` on every item, a few at a time, keeping the ones that still exist.
async fn each<I, T, F, Fut>(items: Vec<I>, read: F) -> anyhow::Result<Vec<T>>
where
    F: Fn(I) -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, AwsError>>,
{
    let out: Vec<Option<T>> = super::read_each(items.into_iter().map(read).collect()).await?;
    Ok(out.into_iter().flatten().collect())
}

/// Above this many objects of a kind under the stack's path, one paged
/// GetAccountAuthorizationDetails (up to 1,000 entities a page, whatever the stack's size)
/// replaces the per-object reads (4 calls a user or role, 2 a group): a large stack's no-op plan
/// stays at a few calls per kind. Below it, the per-object reads keep a small stack's plan
/// independent of how many IAM objects the account holds (perf/README.md).
const DETAILS_ABOVE: usize = 16;

/// The account's authorization details of one entity type under the stack's path, by name.
async fn in_details<T: Clone>(
    cx: &Cx,
    filter: EntityType,
    list: fn(&GetAccountAuthorizationDetailsOutput) -> &[T],
    name: fn(&T) -> Option<&str>,
) -> anyhow::Result<HashMap<String, T>> {
    let mut pages =
        cx.aws.iam.get_account_authorization_details().filter(filter).max_items(1000).into_paginator().send();
    let mut found = HashMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws::error)?;
        found.extend(list(&page).iter().filter_map(|d| Some((name(d)?.to_string(), d.clone()))));
    }
    Ok(found)
}

/// Splits `listed` into what `take` gives a detail for and the rest (objects the details do not
/// show yet: IAM's listings lag behind its creates), which are read one by one.
fn split<I, T>(listed: Vec<I>, mut take: impl FnMut(&I) -> Option<T>) -> (Vec<T>, Vec<I>) {
    let (mut got, mut rest) = (vec![], vec![]);
    for item in listed {
        match take(&item) {
            Some(d) => got.push(d),
            None => rest.push(item),
        }
    }
    (got, rest)
}

fn prefix(cx: &Cx) -> String {
    format!("/stackr/{}/", cx.stack)
}

/// Inline policies as the authorization details give them (documents URL-encoded).
fn policy(name: &str, document: &str) -> PolicyDetail {
    PolicyDetail::builder().policy_name(name).policy_document(document).build()
}

/// The stack's users with their inline and attached policies, groups and tags.
pub async fn users(cx: &Cx) -> anyhow::Result<Read<UserDetail>> {
    let iam = &cx.aws.iam;
    let mut listed = all!(iam.list_users().path_prefix(prefix(cx)));
    // Some implementations ignore PathPrefix: only what is under the path is read further.
    listed.retain(|o| o.path().starts_with(&prefix(cx)));
    let missing = claims::unheld(&cx.declared, "iam_user", listed.iter().map(|u| u.user_name()));
    let found = each(missing, |name| async move {
        let user = absent(iam.get_user().user_name(&name).send().await.map_err(aws::error))?;
        Ok(Some((name, user.and_then(|u| u.user().cloned()))))
    })
    .await?;
    let mut read = sort_declared(cx, "iam_user", found, |u| u.path());
    listed.append(&mut read.owned);
    let details = if listed.len() > DETAILS_ABOVE {
        let mut found = in_details(cx, EntityType::User, |p| p.user_detail_list(), |u| u.user_name()).await?;
        let (got, rest) = split(listed, |u| found.remove(u.user_name()));
        [got, each(rest, |u| user_detail(cx, u)).await?].concat()
    } else {
        each(listed, |u| user_detail(cx, u)).await?
    };
    Ok(Read { owned: details, foreign: read.foreign, unlisted: read.unlisted })
}

/// A user's inline and attached policies, groups and tags; `None` when it is gone.
pub async fn user_detail(cx: &Cx, u: User) -> Result<Option<UserDetail>, AwsError> {
    let iam = &cx.aws.iam;
    let name = u.user_name();
    let policies = async {
        let names: Vec<String> = all!(iam.list_user_policies().user_name(name));
        let gets = names.iter().map(|p| async move {
            let out = iam.get_user_policy().user_name(name).policy_name(p).send().await.map_err(aws::error)?;
            Ok::<_, AwsError>(policy(out.policy_name(), out.policy_document()))
        });
        futures::future::try_join_all(gets).await
    };
    let attached = async { Ok::<_, AwsError>(all!(iam.list_attached_user_policies().user_name(name))) };
    let groups = async { Ok::<_, AwsError>(all!(iam.list_groups_for_user().user_name(name))) };
    let tags = async { Ok::<_, AwsError>(all!(iam.list_user_tags().user_name(name))) };
    let Some((policies, attached, groups, tags)) = absent(tokio::try_join!(policies, attached, groups, tags))? else {
        return Ok(None);
    };
    let detail = UserDetail::builder()
        .path(u.path())
        .user_name(name)
        .user_id(u.user_id())
        .arn(u.arn())
        .set_user_policy_list(Some(policies))
        .set_group_list(Some(groups.iter().map(|g| g.group_name().to_string()).collect()))
        .set_attached_managed_policies(Some(attached))
        .set_tags(Some(tags));
    Ok(Some(detail.build()))
}

/// The stack's groups with their inline and attached policies.
pub async fn groups(cx: &Cx) -> anyhow::Result<Read<GroupDetail>> {
    let iam = &cx.aws.iam;
    let mut listed = all!(iam.list_groups().path_prefix(prefix(cx)));
    // Some implementations ignore PathPrefix: only what is under the path is read further.
    listed.retain(|o| o.path().starts_with(&prefix(cx)));
    let missing = claims::unheld(&cx.declared, "iam_group", listed.iter().map(|g| g.group_name()));
    let found = each(missing, |name| async move {
        // One member is enough: GetGroup also pages through the group's users.
        let group = absent(iam.get_group().group_name(&name).max_items(1).send().await.map_err(aws::error))?;
        Ok(Some((name, group.and_then(|g| g.group().cloned()))))
    })
    .await?;
    let mut read = sort_declared(cx, "iam_group", found, |g| g.path());
    listed.append(&mut read.owned);
    let details = if listed.len() > DETAILS_ABOVE {
        let mut found = in_details(cx, EntityType::Group, |p| p.group_detail_list(), |g| g.group_name()).await?;
        let (got, rest) = split(listed, |g| found.remove(g.group_name()));
        [got, each(rest, |g| group_detail(cx, g)).await?].concat()
    } else {
        each(listed, |g| group_detail(cx, g)).await?
    };
    Ok(Read { owned: details, foreign: read.foreign, unlisted: read.unlisted })
}

/// A group's inline and attached policies; `None` when it is gone.
pub async fn group_detail(cx: &Cx, g: Group) -> Result<Option<GroupDetail>, AwsError> {
    let iam = &cx.aws.iam;
    let name = g.group_name();
    let policies = async {
        let names: Vec<String> = all!(iam.list_group_policies().group_name(name));
        let gets = names.iter().map(|p| async move {
            let out = iam.get_group_policy().group_name(name).policy_name(p).send().await.map_err(aws::error)?;
            Ok::<_, AwsError>(policy(out.policy_name(), out.policy_document()))
        });
        futures::future::try_join_all(gets).await
    };
    let attached = async { Ok::<_, AwsError>(all!(iam.list_attached_group_policies().group_name(name))) };
    let Some((policies, attached)) = absent(tokio::try_join!(policies, attached))? else { return Ok(None) };
    let detail = GroupDetail::builder()
        .path(g.path())
        .group_name(name)
        .group_id(g.group_id())
        .arn(g.arn())
        .set_group_policy_list(Some(policies))
        .set_attached_managed_policies(Some(attached));
    Ok(Some(detail.build()))
}

/// The stack's roles with their policies, instance profiles and tags, each with the description
/// and session length the listing gives (the authorization details have neither).
pub async fn roles(cx: &Cx) -> anyhow::Result<Read<(RoleDetail, String, i32)>> {
    let iam = &cx.aws.iam;
    let mut listed = all!(iam.list_roles().path_prefix(prefix(cx)));
    // Some implementations ignore PathPrefix: only what is under the path is read further.
    listed.retain(|o| o.path().starts_with(&prefix(cx)));
    let missing = claims::unheld(&cx.declared, "iam_role", listed.iter().map(|r| r.role_name()));
    let found = each(missing, |name| async move {
        let role = absent(iam.get_role().role_name(&name).send().await.map_err(aws::error))?;
        Ok(Some((name, role.and_then(|r| r.role().cloned()))))
    })
    .await?;
    let mut read = sort_declared(cx, "iam_role", found, |r| r.path());
    listed.append(&mut read.owned);
    let details = if listed.len() > DETAILS_ABOVE {
        let mut found = in_details(cx, EntityType::Role, |p| p.role_detail_list(), |r| r.role_name()).await?;
        // The details lack the description and session length; the listing has them.
        let (got, rest) = split(listed, |r| {
            let d = found.remove(r.role_name())?;
            Some((d, r.description().unwrap_or_default().to_string(), r.max_session_duration().unwrap_or(3600)))
        });
        [got, each(rest, |r| role_detail(cx, r)).await?].concat()
    } else {
        each(listed, |r| role_detail(cx, r)).await?
    };
    Ok(Read { owned: details, foreign: read.foreign, unlisted: read.unlisted })
}

/// A role's policies, instance profiles and tags, with its description and session length;
/// `None` when it is gone.
async fn role_detail(cx: &Cx, r: Role) -> Result<Option<(RoleDetail, String, i32)>, AwsError> {
    let iam = &cx.aws.iam;
    let name = r.role_name();
    let policies = async {
        let names: Vec<String> = all!(iam.list_role_policies().role_name(name));
        let gets = names.iter().map(|p| async move {
            let out = iam.get_role_policy().role_name(name).policy_name(p).send().await.map_err(aws::error)?;
            Ok::<_, AwsError>(policy(out.policy_name(), out.policy_document()))
        });
        futures::future::try_join_all(gets).await
    };
    let attached = async { Ok::<_, AwsError>(all!(iam.list_attached_role_policies().role_name(name))) };
    let profiles = async { Ok::<_, AwsError>(all!(iam.list_instance_profiles_for_role().role_name(name))) };
    let tags = async { Ok::<_, AwsError>(all!(iam.list_role_tags().role_name(name))) };
    let Some((policies, attached, profiles, tags)) = absent(tokio::try_join!(policies, attached, profiles, tags))?
    else {
        return Ok(None);
    };
    let detail = RoleDetail::builder()
        .path(r.path())
        .role_name(name)
        .role_id(r.role_id())
        .arn(r.arn())
        .set_assume_role_policy_document(r.assume_role_policy_document().map(String::from))
        .set_role_policy_list(Some(policies))
        .set_attached_managed_policies(Some(attached))
        .set_instance_profile_list(Some(profiles))
        .set_tags(Some(tags));
    let description = r.description().unwrap_or_default().to_string();
    Ok(Some((detail.build(), description, r.max_session_duration().unwrap_or(3600))))
}

/// Declared instance profile names (`space`) that no owned role's profile holds and another
/// owner does.
pub async fn foreign_profiles(cx: &Cx, space: &'static str, held: Vec<&str>) -> anyhow::Result<Vec<String>> {
    let iam = &cx.aws.iam;
    let missing = claims::unheld(&cx.declared, space, held);
    let found = each(missing, |name| async move {
        let out = absent(iam.get_instance_profile().instance_profile_name(&name).send().await.map_err(aws::error))?;
        Ok(Some((name, out.and_then(|o| o.instance_profile().cloned()))))
    })
    .await?;
    // A profile under the stack's path is the stack's (one a failed apply left without its role).
    let ours = prefix(cx);
    Ok(found
        .into_iter()
        .filter(|(_, p): &(String, Option<InstanceProfile>)| p.as_ref().is_some_and(|p| !p.path().starts_with(&ours)))
        .map(|(name, _)| name)
        .collect())
}
