//! `iam_role`: an IAM role with its trust policy, managed and inline policies, and optionally an
//! instance profile of the same name kept in step with it (what EC2 instances and launch
//! templates use). Owned by the path `/stackr/<stack>/<name>/`, like users and groups.

use async_trait::async_trait;
use aws_sdk_iam::types::{InstanceProfile, RoleDetail};

use super::ec2tags::{ADDRESS_TAG, STACK_TAG};
use super::iam_policy::{
    self, Principal, canonical_inline, canonical_policy, gone_ok, iam_tag, owned_address, path_for, sync_policies,
    sync_tags, taken_by_us,
};
use super::retry::{self, Window};
use super::uncoded;
use super::{Cx, Found, Kind, flag, iam_read, s, user_tags, with_computed};
use crate::aws;
use crate::model::*;
use crate::stack::{Diagnostics, Resource, Stack};

/// The namespace of instance profile names, for [`Kind::side_claims`].
const PROFILES: &str = "instance profile";

pub struct IamRole;

static SCHEMA: Schema = Schema {
    kind: "iam_role",
    doc: "An IAM role, optionally with an instance profile of the same name.",
    ref_attr: "name",
    singleton: false,
    attrs: &[
        attr(
            "name",
            Ty::Str,
            Presence::Optional,
            Update::ForceNew,
            "Role name, unique in the account (default: the block name).",
        )
        .with(super::limits::IAM_NAME_64),
        attr(
            "assume",
            Ty::Str,
            Presence::Required,
            Update::InPlace,
            "Who may assume it: a service principal (\"ec2.amazonaws.com\") or a whole trust policy (jsonencode({...})).",
        ),
        attr("description", Ty::Str, Presence::Default(Lit::Str("")), Update::InPlace, "Role description.")
            .with(&[Check::Len(0, 1000), Check::Chars(&crate::constraint::chars::IAM_DESCRIPTION)]),
        attr(
            "max_session_duration",
            Ty::Int,
            Presence::Default(Lit::Int(3600)),
            Update::InPlace,
            "Longest session in seconds.",
        )
        .with(&[Check::Range(3600, 43200)]),
        attr(
            "managed_policies",
            Ty::Set(&Ty::Str),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "ARNs of managed policies to attach.",
        )
        .with(super::limits::MANAGED_POLICIES),
        attr(
            "inline_policies",
            Ty::Map(&Ty::Json),
            Presence::Default(Lit::EmptyMap),
            Update::InPlace,
            "Inline policies: policy name = JSON document.",
        )
        .with(super::limits::INLINE_POLICIES),
        attr(
            "instance_profile",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "Keep an instance profile of the same name holding this role.",
        ),
        attr("tags", Ty::Map(&Ty::Str), Presence::Default(Lit::EmptyMap), Update::InPlace, "Tags on the role.")
            .with(STRICT_TAG_CHECKS),
        computed("arn", "The role ARN."),
        computed("id", "The role name."),
        computed("unique_id", "The role's unique id (AROA…)."),
        computed("instance_profile_arn", "The instance profile's ARN, when there is one."),
    ],
};

#[async_trait]
impl Kind for IamRole {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn complete(&self, _stack: &str, addr: &Address, attrs: &mut Attrs) {
        iam_policy::default_name(addr, attrs);
    }

    fn canonical(&self, attrs: &mut Attrs) {
        canonical_inline(attrs);
        if let Some(Value::Str(a)) = attrs.get_mut("assume") {
            *a = trust_policy(a);
        }
    }

    fn validate(&self, res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
        super::validate::iam::role(res, stack, diags);
    }

    fn delete_note(&self) -> Option<&'static str> {
        Some("first removes its policies and its instance profile")
    }

    fn unique_name(&self, attrs: &Attrs) -> Option<String> {
        iam_policy::name_of(attrs)
    }

    fn side_claims(&self, attrs: &Attrs) -> Vec<(&'static str, String, &'static str)> {
        let name = iam_policy::name_of(attrs).filter(|_| flag(attrs, "instance_profile"));
        name.map(|n| (PROFILES, n, "instance_profile")).into_iter().collect()
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let read = iam_read::roles(cx).await?;
        // Declared profile names no owned role's profile holds: one another owner holds would
        // wedge the apply, so the plan refuses it.
        let held = read.owned.iter().flat_map(|(r, _, _)| r.instance_profile_list()).map(|p| p.instance_profile_name());
        let profiles = iam_read::foreign_profiles(cx, PROFILES, held.collect()).await?;
        let mut found =
            Found { foreign_side: profiles.into_iter().map(|p| (PROFILES, p)).collect(), ..Found::default() };
        found.foreign_names = read.foreign;
        found.unlisted = read.unlisted;
        for (r, description, duration) in &read.owned {
            let Some(addr) = owned_address(&cx.stack, "iam_role", r.path().unwrap_or_default()) else { continue };
            let name = r.role_name().unwrap_or_default().to_string();
            found.owned.push(LiveObject { addr, id: name, attrs: live_attrs(r, description.clone(), *duration) });
        }
        Ok(found)
    }

    fn move_refusal(&self) -> Option<String> {
        Some(
            "stackr records a role's address in its IAM path (/stackr/<stack>/<name>/), and IAM has no call to change \
             a role's path (nor its instance profile's). Either remove this moved block, so the plan replaces the role \
             under the new block, or keep the role's old block name"
                .into(),
        )
    }

    fn adopt_refusal(&self) -> Option<String> {
        Some(
            "stackr owns a role by its IAM path (/stackr/<stack>/<name>/), and IAM has no call to change a role's path. \
             Either let stackr create the role under another `name` and move what uses the old one over, or leave the \
             role unmanaged and remove its block"
                .into(),
        )
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let name = s(want, "name");
        let mut tags = vec![iam_tag(STACK_TAG, &cx.stack), iam_tag(ADDRESS_TAG, &addr.to_string())];
        tags.extend(user_tags(want).into_iter().map(|(k, v)| iam_tag(&k, &v)));
        let (iam, path) = (&cx.aws.iam, path_for(&cx.stack, addr));
        let create = || async {
            let call = iam
                .create_role()
                .role_name(name)
                .path(&path)
                .assume_role_policy_document(s(want, "assume"))
                .description(s(want, "description"))
                .max_session_duration(int(want, "max_session_duration", 3600))
                .set_tags(Some(tags.clone()));
            call.send().await.map_err(aws::error)
        };
        // A trust policy naming a principal IAM has only just made is refused for a while.
        let role = match retry::when(uncoded::principal_not_ready, Window::IamPropagation.get(), create).await {
            Ok(out) => out.role().cloned(),
            Err(e) => {
                let found = iam.get_role().role_name(name).send().await.ok().and_then(|o| o.role().cloned());
                taken_by_us(e, found.as_ref().map(|r| r.path()), &path)?;
                found
            }
        };
        let role = role.ok_or_else(|| anyhow::anyhow!("CreateRole returned no role"))?;
        sync_policies(cx, Principal::Role(name), &Attrs::new(), want).await?;
        let profile = sync_profile(cx, addr, name, false, flag(want, "instance_profile")).await?;
        let computed = [
            ("arn", Value::str(role.arn())),
            ("id", Value::str(name)),
            ("unique_id", Value::str(role.role_id())),
            ("instance_profile_arn", Value::from(profile)),
        ];
        Ok(with_computed(want, computed))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let iam = &cx.aws.iam;
        let name = live.id.as_str();
        if live.attrs.get("assume") != want.get("assume") {
            let call = || async {
                let call = iam.update_assume_role_policy().role_name(name).policy_document(s(want, "assume"));
                call.send().await.map_err(aws::error)
            };
            retry::when(uncoded::principal_not_ready, Window::IamPropagation.get(), call).await?;
        }
        let changed = |k: &str| live.attrs.get(k) != want.get(k);
        if changed("description") || changed("max_session_duration") {
            let call = iam.update_role().role_name(name).description(s(want, "description"));
            call.max_session_duration(int(want, "max_session_duration", 3600)).send().await.map_err(aws::error)?;
        }
        sync_policies(cx, Principal::Role(name), &live.attrs, want).await?;
        sync_tags(cx, Principal::Role(name), &live.attrs, want).await?;
        let had = flag(&live.attrs, "instance_profile");
        let profile = sync_profile(cx, &live.addr, name, had, flag(want, "instance_profile")).await?;
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        Ok(with_computed(
            want,
            [keep("arn"), keep("id"), keep("unique_id"), ("instance_profile_arn", Value::from(profile))],
        ))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        let iam = &cx.aws.iam;
        let name = live.id.as_str();
        // AWS refuses to delete a role still in an instance profile or holding policies.
        let mut profiles = match iam.list_instance_profiles_for_role().role_name(name).send().await.map_err(aws::error)
        {
            Ok(out) => out.instance_profiles().to_vec(),
            Err(e) if e.code.as_deref() == Some("NoSuchEntity") => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        // The profile stackr made for this role, found by name and path: it may have lost its
        // role (a failure between creating it and adding the role).
        if let Some(own) = own_profile(cx, &live.addr, name).await?
            && !profiles.iter().any(|p| p.instance_profile_name() == name)
        {
            profiles.push(own);
        }
        for p in profiles {
            let pname = p.instance_profile_name();
            if p.roles().iter().any(|r| r.role_name() == name) {
                let call = iam.remove_role_from_instance_profile().instance_profile_name(pname).role_name(name);
                gone_ok(call.send().await.map_err(aws::error))?;
            }
            // Only the profile stackr made for this role goes with it.
            if pname == name && p.path() == path_for(&cx.stack, &live.addr) {
                gone_ok(iam.delete_instance_profile().instance_profile_name(pname).send().await.map_err(aws::error))?;
            }
        }
        let mut have = live.attrs.clone();
        have.remove("tags");
        sync_policies(cx, Principal::Role(name), &have, &Attrs::new()).await?;
        gone_ok(iam.delete_role().role_name(name).send().await.map_err(aws::error))
    }
}

/// A bare service principal becomes the standard trust policy for it; any trust policy is
/// then canonical, so the short and the long form of the same policy compare equal.
fn trust_policy(assume: &str) -> String {
    if assume.trim_start().starts_with(['{', '%']) {
        return canonical_policy(assume);
    }
    let doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Principal": { "Service": assume }, "Action": "sts:AssumeRole" }],
    });
    canonical_policy(&doc.to_string())
}

fn live_attrs(r: &RoleDetail, description: String, duration: i32) -> Attrs {
    let policies = r
        .role_policy_list()
        .iter()
        .filter_map(|p| Some((p.policy_name()?.to_string(), Value::str(canonical_policy(p.policy_document()?)))))
        .collect();
    let name = r.role_name().unwrap_or_default();
    let profile = r.instance_profile_list().iter().find(|p| p.instance_profile_name() == name);
    let tags = r.tags().iter().filter(|t| !t.key().starts_with("stackr:")).map(|t| (t.key(), t.value()));
    Attrs::from([
        ("name".into(), Value::str(name)),
        ("assume".into(), Value::str(canonical_policy(r.assume_role_policy_document().unwrap_or_default()))),
        ("description".into(), Value::Str(description)),
        ("max_session_duration".into(), Value::Int(duration.into())),
        ("managed_policies".into(), str_set(r.attached_managed_policies().iter().filter_map(|p| p.policy_arn()))),
        ("inline_policies".into(), Value::Map(policies)),
        ("instance_profile".into(), Value::Bool(profile.is_some())),
        ("tags".into(), str_map(tags)),
        ("arn".into(), Value::from(r.arn().map(String::from))),
        ("id".into(), Value::str(name)),
        ("unique_id".into(), Value::from(r.role_id().map(String::from))),
        ("instance_profile_arn".into(), Value::from(profile.map(|p| p.arn().to_string()))),
    ])
}

/// Creates or removes the instance profile of the role's name; returns its ARN when it exists.
async fn sync_profile(cx: &Cx, addr: &Address, name: &str, had: bool, want: bool) -> anyhow::Result<Option<String>> {
    let iam = &cx.aws.iam;
    match (had, want) {
        (false, true) => {
            let path = path_for(&cx.stack, addr);
            let call = iam
                .create_instance_profile()
                .instance_profile_name(name)
                .path(&path)
                .tags(iam_tag(STACK_TAG, &cx.stack))
                .tags(iam_tag(ADDRESS_TAG, &addr.to_string()));
            let profile = match call.send().await.map_err(aws::error) {
                Ok(out) => out.instance_profile().cloned(),
                // Left by an earlier apply that failed before adding the role, or made by a
                // retried call whose first answer was lost: ours by its path either way.
                Err(e) => {
                    let found = own_profile(cx, addr, name).await?;
                    taken_by_us(e, found.as_ref().map(|p| p.path()), &path)?;
                    found
                }
            };
            let holds = profile.as_ref().is_some_and(|p| p.roles().iter().any(|r| r.role_name() == name));
            if !holds {
                add_role(cx, name).await?;
            }
            Ok(profile.map(|p| p.arn().to_string()))
        }
        (true, false) => {
            gone_ok(
                iam.remove_role_from_instance_profile()
                    .instance_profile_name(name)
                    .role_name(name)
                    .send()
                    .await
                    .map_err(aws::error),
            )?;
            gone_ok(iam.delete_instance_profile().instance_profile_name(name).send().await.map_err(aws::error))?;
            Ok(None)
        }
        (true, true) => {
            let out = iam.get_instance_profile().instance_profile_name(name).send().await.map_err(aws::error)?;
            Ok(out.instance_profile().map(|p| p.arn().to_string()))
        }
        (false, false) => Ok(None),
    }
}

/// The instance profile of the role's name, if this stack made it (its path says so).
async fn own_profile(cx: &Cx, addr: &Address, name: &str) -> anyhow::Result<Option<InstanceProfile>> {
    match cx.aws.iam.get_instance_profile().instance_profile_name(name).send().await.map_err(aws::error) {
        Ok(out) => Ok(out.instance_profile().filter(|p| p.path() == path_for(&cx.stack, addr)).cloned()),
        Err(e) if e.code.as_deref() == Some("NoSuchEntity") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Adds the role to its profile. IAM answers NoSuchEntity for a role it has only just made, and
/// LimitExceeded (one role per profile) when a retried call's first answer was lost.
async fn add_role(cx: &Cx, name: &str) -> anyhow::Result<()> {
    let iam = &cx.aws.iam;
    let call = || async {
        iam.add_role_to_instance_profile().instance_profile_name(name).role_name(name).send().await.map_err(aws::error)
    };
    match retry::on_codes(&["NoSuchEntity"], Window::IamPropagation.get(), call).await {
        Err(e) if e.code.as_deref() == Some("LimitExceeded") => {
            let out = iam.get_instance_profile().instance_profile_name(name).send().await.map_err(aws::error)?;
            let holds = out.instance_profile().is_some_and(|p| p.roles().iter().any(|r| r.role_name() == name));
            if holds { Ok(()) } else { Err(e.into()) }
        }
        other => other.map(|_| ()).map_err(Into::into),
    }
}

fn int(attrs: &Attrs, k: &str, default: i32) -> i32 {
    attrs.get(k).and_then(Value::as_int).and_then(|v| i32::try_from(v).ok()).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_principal_is_the_standard_trust_policy() {
        let long = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}"#;
        assert_eq!(trust_policy("ec2.amazonaws.com"), trust_policy(long));
        assert_ne!(trust_policy("ec2.amazonaws.com"), trust_policy("lambda.amazonaws.com"));
    }
}
