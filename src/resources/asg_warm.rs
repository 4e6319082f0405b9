//! An Auto Scaling group's `warm_pool` block: pre-initialised instances beside the group
//! (PutWarmPool, DescribeWarmPool, DeleteWarmPool), as terraform-provider-aws's group does it.
//!
//! AWS deletes a warm pool asynchronously: DescribeWarmPool reports it `PendingDelete` until its
//! instances are gone, and a new PutWarmPool must wait for that, so a removal is waited out.
//! A group with a mixed instances policy cannot have one (validated before any call).

use aws_sdk_autoscaling::types::{InstanceReusePolicy, WarmPoolConfiguration, WarmPoolState, WarmPoolStatus};

use super::Cx;
use super::poll::{self, Poll};
use super::retry::{self, Window};
use crate::aws;
use crate::model::*;

pub static WARM_POOL: &[AttrSpec] = &[
    attr("min_size", Ty::Int, Presence::Default(Lit::Int(0)), Update::InPlace, "Instances kept in the pool at least.")
        .with(super::limits::NOT_NEGATIVE),
    attr(
        "max_group_prepared_capacity",
        Ty::Int,
        Presence::Optional,
        Update::InPlace,
        "Instances allowed in the pool and the group together (default: the group's max_size).",
    )
    .with(super::limits::NOT_NEGATIVE),
    attr(
        "pool_state",
        Ty::Enum(&["Stopped", "Running", "Hibernated"]),
        Presence::Default(Lit::Str("Stopped")),
        Update::InPlace,
        "State the pool's instances wait in.",
    ),
    attr(
        "reuse_on_scale_in",
        Ty::Bool,
        Presence::Default(Lit::Bool(false)),
        Update::InPlace,
        "Return instances to the pool on scale in instead of terminating them.",
    ),
];

/// The group's `warm_pool` block, if declared.
pub fn block(attrs: &Attrs) -> Option<&Attrs> {
    attrs.get("warm_pool").and_then(|v| v.as_list().first()).and_then(Value::as_map)
}

/// The group's warm pool as DescribeWarmPool reports it; `None` when it has none. A group
/// AWS no longer knows (deleted since it was listed) has none either.
pub async fn read(cx: &Cx, group: &str) -> anyhow::Result<Option<WarmPoolConfiguration>> {
    let out = cx.aws.autoscaling.describe_warm_pool().auto_scaling_group_name(group).max_records(1).send().await;
    match out.map_err(aws::error) {
        Ok(o) => Ok(o.warm_pool_configuration().cloned()),
        Err(e) if e.code.as_deref() == Some("ValidationError") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The live `warm_pool` blocks: empty without a pool, or with one AWS is deleting.
pub fn live(pool: Option<&WarmPoolConfiguration>) -> Value {
    let Some(p) = pool.filter(|p| p.status() != Some(&WarmPoolStatus::PendingDelete)) else {
        return Value::List(vec![]);
    };
    let mut b = Attrs::from([
        ("min_size".into(), Value::Int(p.min_size().unwrap_or_default().into())),
        ("pool_state".into(), Value::str(p.pool_state().map_or("Stopped", WarmPoolState::as_str))),
        (
            "reuse_on_scale_in".into(),
            Value::Bool(p.instance_reuse_policy().and_then(|r| r.reuse_on_scale_in()).unwrap_or(false)),
        ),
    ]);
    // Unset is -1 (or absent): the group's max_size.
    if let Some(n) = p.max_group_prepared_capacity().filter(|n| *n >= 0) {
        b.insert("max_group_prepared_capacity".into(), Value::Int(n.into()));
    }
    Value::List(vec![Value::Map(b)])
}

/// Makes the group's warm pool what `want` declares: PutWarmPool, or DeleteWarmPool when the
/// block is gone. Call it while no instance refresh runs (AWS refuses PutWarmPool then).
pub async fn sync(cx: &Cx, group: &str, have: &Attrs, want: &Attrs) -> anyhow::Result<()> {
    match (block(have), block(want)) {
        (have, want) if have == want => Ok(()),
        (_, Some(b)) => put(cx, group, b).await,
        (Some(_), None) => delete(cx, group).await,
        (None, None) => Ok(()),
    }
}

async fn put(cx: &Cx, group: &str, b: &Attrs) -> anyhow::Result<()> {
    // A pool still being deleted (an earlier removal) must be gone before a new one is put.
    wait_deleted(cx, group, true).await?;
    let int = |k: &str| b.get(k).and_then(Value::as_int).and_then(|v| i32::try_from(v).ok());
    let reuse =
        InstanceReusePolicy::builder().reuse_on_scale_in(b.get("reuse_on_scale_in") == Some(&Value::Bool(true)));
    let call = cx
        .aws
        .autoscaling
        .put_warm_pool()
        .auto_scaling_group_name(group)
        .set_min_size(int("min_size"))
        // -1 clears a maximum set earlier.
        .max_group_prepared_capacity(int("max_group_prepared_capacity").unwrap_or(-1))
        .pool_state(WarmPoolState::from(b.get("pool_state").and_then(Value::as_str).unwrap_or("Stopped")))
        .instance_reuse_policy(reuse.build());
    let codes = ["ResourceContention", "InstanceRefreshInProgress"];
    retry::on_codes(&codes, Window::State.get(), || async { call.clone().send().await.map_err(aws::error) }).await?;
    Ok(())
}

/// Deletes the group's warm pool with its instances (ForceDelete) and waits until AWS no
/// longer lists it. Refused while a scaling activity runs: retried until it ends.
pub async fn delete(cx: &Cx, group: &str) -> anyhow::Result<()> {
    let send = || async {
        let call = cx.aws.autoscaling.delete_warm_pool().auto_scaling_group_name(group).force_delete(true);
        call.send().await.map_err(aws::error)
    };
    let codes = ["ScalingActivityInProgress", "ResourceInUse", "ResourceContention"];
    if let Err(e) = retry::on_codes(&codes, Window::State.get(), send).await {
        // Already gone (AWS answers ValidationError for a group without a pool).
        if read(cx, group).await?.is_some() {
            return Err(e.into());
        }
    }
    wait_deleted(cx, group, false).await
}

/// Waits until the group has no warm pool; with `deleting_only`, only one AWS is deleting.
/// Polled: the SDK has waiters for groups only, none for a warm pool.
async fn wait_deleted(cx: &Cx, group: &str, deleting_only: bool) -> anyhow::Result<()> {
    poll::until(&format!("waiting for the warm pool of {group} to be deleted"), || async {
        Ok(match read(cx, group).await? {
            None => Poll::Done(()),
            Some(p) if deleting_only && p.status() != Some(&WarmPoolStatus::PendingDelete) => Poll::Done(()),
            Some(p) => Poll::Pending(p.status().map_or("listed", |s| s.as_str()).to_string()),
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_reads_back_as_its_block_and_one_being_deleted_as_none() {
        let reuse = InstanceReusePolicy::builder().reuse_on_scale_in(true).build();
        let pool = WarmPoolConfiguration::builder()
            .min_size(1)
            .max_group_prepared_capacity(4)
            .pool_state(WarmPoolState::Stopped)
            .instance_reuse_policy(reuse)
            .build();
        let Value::List(blocks) = live(Some(&pool)) else { panic!() };
        let b = blocks[0].as_map().unwrap();
        assert_eq!(b["min_size"], Value::Int(1));
        assert_eq!(b["max_group_prepared_capacity"], Value::Int(4));
        assert_eq!(b["pool_state"], Value::str("Stopped"));
        assert_eq!(b["reuse_on_scale_in"], Value::Bool(true));
        let unset = WarmPoolConfiguration::builder().max_group_prepared_capacity(-1).build();
        let Value::List(blocks) = live(Some(&unset)) else { panic!() };
        let b = blocks[0].as_map().unwrap();
        assert!(!b.contains_key("max_group_prepared_capacity"), "-1 is the group's max_size");
        assert_eq!(b["reuse_on_scale_in"], Value::Bool(false));
        let going = WarmPoolConfiguration::builder().status(WarmPoolStatus::PendingDelete).build();
        assert_eq!(live(Some(&going)), Value::List(vec![]));
        assert_eq!(live(None), Value::List(vec![]));
    }
}
