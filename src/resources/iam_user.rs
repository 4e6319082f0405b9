//! `iam_user`: an IAM user with group memberships, policies and tags. Owned by the path
//! `/stackr/<stack>/<name>/` and tagged with the ownership tags at creation. stackr never
//! creates passwords or access keys (it would have to print or store secrets); deleting a user
//! removes whatever AWS requires gone, so a user holding credentials made outside stackr is
//! deleted only with `force_destroy`, which a tag records so that it outlives the block.

use async_trait::async_trait;
use aws_sdk_iam::types::UserDetail;

use super::adopt::{self, Described};
use super::ec2tags::{ADDRESS_TAG, STACK_TAG};
use super::iam_group::JUST_CREATED;
use super::iam_policy::{
    self, Principal, canonical_inline, gone_ok, iam_tag, owned_address, path_for, set_diff, sync_policies, sync_tags,
    taken_by_us,
};
use super::retry::{self, Window};
use super::{Cx, Found, Kind, flag, iam_read, iam_user_creds, s, strs, user_tags, with_computed};
use crate::aws;
use crate::model::*;

pub struct IamUser;

/// Records `force_destroy = true` on the user itself: no state file keeps it for a removed block.
const FORCE_TAG: &str = "stackr:force-destroy";

static SCHEMA: Schema = Schema {
    kind: "iam_user",
    doc: "An IAM user: group memberships, policies, tags. Never passwords or keys.",
    ref_attr: "name",
    singleton: false,
    attrs: &[
        attr(
            "name",
            Ty::Str,
            Presence::Optional,
            Update::InPlace,
            "User name, unique in the account (default: the block name).",
        )
        .with(super::limits::IAM_NAME_64),
        attr(
            "groups",
            Ty::Set(&Ty::Ref("iam_group")),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "Groups the user belongs to.",
        )
        .with(&[Check::Count(10)]),
        attr(
            "managed_policies",
            Ty::Set(&Ty::Str),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "ARNs of managed policies to attach directly (prefer groups).",
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
        attr("tags", Ty::Map(&Ty::Str), Presence::Default(Lit::EmptyMap), Update::InPlace, "Tags on the user.")
            .with(STRICT_TAG_CHECKS),
        attr(
            "force_destroy",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "Delete the user even when it holds credentials made outside stackr (password, access keys, MFA devices, SSH keys, signing certificates), which go with it; without it a plan that deletes such a user is refused and lists them. Recorded on the user (tag stackr:force-destroy), so it still holds once the block is removed.",
        ),
        computed("arn", "The user ARN."),
        computed("id", "The user name, as IAM calls take it."),
        computed("unique_id", "The user's unique id (AIDA…)."),
    ],
};

#[async_trait]
impl Kind for IamUser {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn validate(&self, res: &super::Resource, stack: &super::Stack, diags: &mut super::Diagnostics) {
        super::validate::iam::principal(res, stack, diags);
    }

    fn complete(&self, _stack: &str, addr: &Address, attrs: &mut Attrs) {
        iam_policy::default_name(addr, attrs);
    }

    fn canonical(&self, attrs: &mut Attrs) {
        canonical_inline(attrs);
    }

    fn delete_note(&self) -> Option<&'static str> {
        Some(
            "first removes its group memberships, policies, login profile, access keys, MFA devices, SSH keys and signing certificates",
        )
    }

    fn unique_name(&self, attrs: &Attrs) -> Option<String> {
        iam_policy::name_of(attrs)
    }

    async fn lost_on_delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<Vec<String>> {
        iam_user_creds::held(cx, &live.id).await
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let read = iam_read::users(cx).await?;
        let owned = read
            .owned
            .iter()
            .filter_map(|u| {
                let addr = owned_address(&cx.stack, "iam_user", u.path().unwrap_or_default())?;
                Some(LiveObject { addr, id: u.user_name()?.to_string(), attrs: live_attrs(u) })
            })
            .collect();
        Ok(Found { owned, foreign_names: read.foreign, unlisted: read.unlisted, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        // The user by name, with memberships and policies read as `read` reads them.
        let got = match cx.aws.iam.get_user().user_name(id).send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("NoSuchEntity") => return Ok(None),
            got => got?,
        };
        let Some(user) = got.user().cloned() else { return Ok(None) };
        let Some(u) = iam_read::user_detail(cx, user).await? else { return Ok(None) };
        let owner = adopt::iam_owner("iam_user", u.path().unwrap_or_default());
        let live = LiveObject { addr: Address::new("iam_user", id), id: id.to_string(), attrs: live_attrs(&u) };
        Ok(Some(Described { live, owner }))
    }

    async fn take_ownership(&self, cx: &Cx, addr: &Address, live: &LiveObject) -> anyhow::Result<()> {
        let iam = &cx.aws.iam;
        let path = path_for(&cx.stack, addr);
        // Another writer on the user (ConcurrentModification) passes; the SDK does not retry it.
        let call = || iam.update_user().user_name(&live.id).new_path(&path).send();
        retry::on_codes(retry::IAM_BUSY, Window::Contention.get(), || async { call().await.map_err(aws::error) })
            .await?;
        let tags = vec![iam_tag(STACK_TAG, &cx.stack), iam_tag(ADDRESS_TAG, &addr.to_string())];
        iam.tag_user().user_name(&live.id).set_tags(Some(tags)).send().await.map_err(aws::error)?;
        Ok(())
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let name = s(want, "name");
        let mut tags = vec![iam_tag(STACK_TAG, &cx.stack), iam_tag(ADDRESS_TAG, &addr.to_string())];
        tags.extend(user_tags(want).into_iter().map(|(k, v)| iam_tag(&k, &v)));
        tags.extend(flag(want, "force_destroy").then(|| iam_tag(FORCE_TAG, "true")));
        let (iam, path) = (&cx.aws.iam, path_for(&cx.stack, addr));
        let u =
            match iam.create_user().user_name(name).path(&path).set_tags(Some(tags)).send().await.map_err(aws::error) {
                Ok(out) => out.user().cloned(),
                Err(e) => {
                    let found = iam.get_user().user_name(name).send().await.ok().and_then(|o| o.user().cloned());
                    taken_by_us(e, found.as_ref().map(|u| u.path()), &path)?;
                    found
                }
            };
        let u = u.ok_or_else(|| anyhow::anyhow!("CreateUser returned no user"))?;
        sync(cx, name, &Attrs::new(), want).await?;
        Ok(with_computed(
            want,
            [("arn", Value::str(u.arn())), ("id", Value::str(name)), ("unique_id", Value::str(u.user_id()))],
        ))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let name = s(want, "name");
        if name != live.id {
            cx.aws.iam.update_user().user_name(&live.id).new_user_name(name).send().await.map_err(aws::error)?;
        }
        sync(cx, name, &live.attrs, want).await?;
        match (flag(&live.attrs, "force_destroy"), flag(want, "force_destroy")) {
            (false, true) => {
                let call = cx.aws.iam.tag_user().user_name(name).tags(iam_tag(FORCE_TAG, "true"));
                call.send().await.map_err(aws::error)?;
            }
            (true, false) => {
                cx.aws.iam.untag_user().user_name(name).tag_keys(FORCE_TAG).send().await.map_err(aws::error)?;
            }
            _ => {}
        }
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        // A rename changes the name-based id and ARN; the unique id stays.
        let arn = live.attrs.get("arn").and_then(Value::as_str).unwrap_or_default();
        let arn =
            arn.strip_suffix(live.id.as_str()).map_or_else(|| arn.to_string(), |prefix| format!("{prefix}{name}"));
        Ok(with_computed(want, [("arn", Value::str(arn)), ("id", Value::str(name)), keep("unique_id")]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        let name = live.id.as_str();
        // First with what the plan read: its memberships and policies. The plan's loss check
        // has listed the user's credentials, so without `force_destroy` there are none and
        // this is all; a user cut loose this way costs no calls beyond its own.
        release(cx, name, &live.attrs).await?;
        match cx.aws.iam.delete_user().user_name(name).send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("DeleteConflict") => {}
            other => return gone_ok(other),
        }
        // Something still holds it: credentials `force_destroy` lets go, or memberships and
        // policies added since the plan. Remove them as they are now.
        iam_user_creds::remove(cx, name).await?;
        let Some(now) = self.describe(cx, name).await? else { return Ok(()) };
        release(cx, name, &now.live.attrs).await?;
        gone_ok(cx.aws.iam.delete_user().user_name(name).send().await.map_err(aws::error))
    }
}

/// Takes the user out of its groups and drops its policies (its tags go with it).
async fn release(cx: &Cx, name: &str, attrs: &Attrs) -> anyhow::Result<()> {
    let keep_tags = Attrs::from([("tags".into(), attrs.get("tags").cloned().unwrap_or_default())]);
    sync(cx, name, attrs, &keep_tags).await
}

fn live_attrs(u: &UserDetail) -> Attrs {
    let policies = u
        .user_policy_list()
        .iter()
        .filter_map(|p| {
            Some((p.policy_name()?.to_string(), Value::str(iam_policy::canonical_policy(p.policy_document()?))))
        })
        .collect();
    let tags = u.tags().iter().filter(|t| !t.key().starts_with("stackr:")).map(|t| (t.key(), t.value()));
    let force = u.tags().iter().any(|t| t.key() == FORCE_TAG && t.value() == "true");
    Attrs::from([
        ("name".into(), Value::from(u.user_name().map(String::from))),
        ("groups".into(), str_set(u.group_list().iter().map(String::as_str))),
        ("managed_policies".into(), str_set(u.attached_managed_policies().iter().filter_map(|p| p.policy_arn()))),
        ("inline_policies".into(), Value::Map(policies)),
        ("tags".into(), str_map(tags)),
        ("force_destroy".into(), Value::Bool(force)),
        ("arn".into(), Value::from(u.arn().map(String::from))),
        ("id".into(), Value::from(u.user_name().map(String::from))),
        ("unique_id".into(), Value::from(u.user_id().map(String::from))),
    ])
}

/// Memberships, policies and tags from `have` to `want`.
async fn sync(cx: &Cx, name: &str, have: &Attrs, want: &Attrs) -> anyhow::Result<()> {
    let iam = &cx.aws.iam;
    let (join, leave) = set_diff(&strs(have, "groups"), &strs(want, "groups"));
    for g in leave {
        gone_ok(iam.remove_user_from_group().user_name(name).group_name(g).send().await.map_err(aws::error))?;
    }
    for g in join {
        retry::on_codes(JUST_CREATED, Window::IamPropagation.get(), || async {
            iam.add_user_to_group().user_name(name).group_name(g).send().await.map_err(aws::error)
        })
        .await?;
    }
    sync_policies(cx, Principal::User(name), have, want).await?;
    sync_tags(cx, Principal::User(name), have, want).await?;
    Ok(())
}
