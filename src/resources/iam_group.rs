//! `iam_group`: an IAM group with managed policy attachments and inline policies. Groups cannot
//! be tagged, so ownership is the path `/stackr/<stack>/<name>/`. Other kinds refer to a group
//! by its name.

use async_trait::async_trait;
use aws_sdk_iam::types::GroupDetail;

use super::adopt::{self, Described};
use super::iam_policy::{
    self, Principal, canonical_inline, gone_ok, owned_address, path_for, sync_policies, taken_by_us,
};
use super::retry::{self, Window};
use super::{Cx, Found, Kind, iam_read, s, with_computed};
use crate::aws;
use crate::model::*;

pub struct IamGroup;

static SCHEMA: Schema = Schema {
    kind: "iam_group",
    doc: "An IAM group and its policies.",
    ref_attr: "name",
    singleton: false,
    attrs: &[
        attr(
            "name",
            Ty::Str,
            Presence::Optional,
            Update::ForceNew,
            "Group name, unique in the account (default: the block name).",
        )
        .with(super::limits::IAM_NAME_128),
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
            "Inline policies: policy name = JSON document (or jsonencode({...})).",
        )
        .with(super::limits::INLINE_POLICIES),
        computed("arn", "The group ARN."),
        computed("id", "The group name, as IAM calls take it."),
        computed("unique_id", "The group's unique id (AGPA…)."),
    ],
};

/// A group created by an earlier step may take a moment to be visible to membership calls.
/// Kept short: a group that truly does not exist should fail fast.
pub(super) const JUST_CREATED: &[&str] = &["NoSuchEntity"];

#[async_trait]
impl Kind for IamGroup {
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
        Some("first removes its members and policies")
    }

    fn unique_name(&self, attrs: &Attrs) -> Option<String> {
        iam_policy::name_of(attrs)
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let read = iam_read::groups(cx).await?;
        let owned = read
            .owned
            .iter()
            .filter_map(|g| {
                let addr = owned_address(&cx.stack, "iam_group", g.path().unwrap_or_default())?;
                Some(LiveObject { addr, id: g.group_name()?.to_string(), attrs: live_attrs(g) })
            })
            .collect();
        Ok(Found { owned, foreign_names: read.foreign, unlisted: read.unlisted, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        // The group by name (one member: GetGroup pages through its users), policies as `read`
        // reads them.
        let got = match cx.aws.iam.get_group().group_name(id).max_items(1).send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("NoSuchEntity") => return Ok(None),
            got => got?,
        };
        let Some(group) = got.group().cloned() else { return Ok(None) };
        let Some(g) = iam_read::group_detail(cx, group).await? else { return Ok(None) };
        let owner = adopt::iam_owner("iam_group", g.path().unwrap_or_default());
        let live = LiveObject { addr: Address::new("iam_group", id), id: id.to_string(), attrs: live_attrs(&g) };
        Ok(Some(Described { live, owner }))
    }

    async fn take_ownership(&self, cx: &Cx, addr: &Address, live: &LiveObject) -> anyhow::Result<()> {
        // Groups cannot be tagged: the path alone is the ownership mark.
        let path = path_for(&cx.stack, addr);
        // Another writer on the group (ConcurrentModification) passes; the SDK does not retry it.
        let call = || cx.aws.iam.update_group().group_name(&live.id).new_path(&path).send();
        retry::on_codes(retry::IAM_BUSY, Window::Contention.get(), || async { call().await.map_err(aws::error) })
            .await?;
        Ok(())
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let name = s(want, "name");
        let (iam, path) = (&cx.aws.iam, path_for(&cx.stack, addr));
        let g = match iam.create_group().group_name(name).path(&path).send().await.map_err(aws::error) {
            Ok(out) => out.group().cloned(),
            Err(e) => {
                let found = iam.get_group().group_name(name).send().await.ok().and_then(|o| o.group().cloned());
                taken_by_us(e, found.as_ref().map(|g| g.path()), &path)?;
                found
            }
        };
        let g = g.ok_or_else(|| anyhow::anyhow!("CreateGroup returned no group"))?;
        let empty = Attrs::new();
        sync_policies(cx, Principal::Group(name), &empty, want).await?;
        Ok(with_computed(
            want,
            [("arn", Value::str(g.arn())), ("id", Value::str(name)), ("unique_id", Value::str(g.group_id()))],
        ))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        sync_policies(cx, Principal::Group(&live.id), &live.attrs, want).await?;
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        Ok(with_computed(want, [keep("arn"), keep("id"), keep("unique_id")]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        let iam = &cx.aws.iam;
        let name = live.id.as_str();
        // AWS refuses to delete a group that still has members or policies.
        let members = match iam.get_group().group_name(name).send().await.map_err(aws::error) {
            Ok(out) => out.users().iter().map(|u| u.user_name().to_string()).collect::<Vec<_>>(),
            Err(e) if e.code.as_deref() == Some("NoSuchEntity") => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        for user in members {
            gone_ok(iam.remove_user_from_group().group_name(name).user_name(user).send().await.map_err(aws::error))?;
        }
        sync_policies(cx, Principal::Group(name), &live.attrs, &Attrs::new()).await?;
        gone_ok(iam.delete_group().group_name(name).send().await.map_err(aws::error))
    }
}

fn live_attrs(g: &GroupDetail) -> Attrs {
    let policies = g
        .group_policy_list()
        .iter()
        .filter_map(|p| {
            Some((p.policy_name()?.to_string(), Value::str(iam_policy::canonical_policy(p.policy_document()?))))
        })
        .collect();
    Attrs::from([
        ("name".into(), Value::from(g.group_name().map(String::from))),
        ("managed_policies".into(), str_set(g.attached_managed_policies().iter().filter_map(|p| p.policy_arn()))),
        ("inline_policies".into(), Value::Map(policies)),
        ("arn".into(), Value::from(g.arn().map(String::from))),
        ("id".into(), Value::from(g.group_name().map(String::from))),
        ("unique_id".into(), Value::from(g.group_id().map(String::from))),
    ])
}
