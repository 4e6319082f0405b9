//! Rolling updates of an Auto Scaling group: when what its instances launch from changes, apply
//! replaces them through an instance refresh (StartInstanceRefresh with the new launch template
//! version as the desired configuration) and waits until it ends, reporting progress and the
//! health of the new instances in the group's target groups. A failed refresh fails the apply
//! with AWS's reason; with `auto_rollback` AWS first restores the old instances.
//!
//! AWS rolls back only to a numbered template version, so a group with rolling updates is
//! pinned to its template's default (or latest) version number ([`pin_versions`]): a change of
//! the template then shows as a change of the group, and the plan says what it replaces.

use std::time::Duration;

use aws_sdk_autoscaling::types::{InstanceRefresh, InstanceRefreshStatus, RefreshPreferences};

use super::Cx;
use super::retry::Window;
use crate::aws;
use crate::model::*;
use crate::stack::Stack;

pub static ROLLING_UPDATE: &[AttrSpec] = &[
    attr(
        "enabled",
        Ty::Bool,
        Presence::Default(Lit::Bool(true)),
        Update::InPlace,
        "Replace the instances when what they launch from changes (false: only new instances get it).",
    ),
    attr(
        "min_healthy_percentage",
        Ty::Int,
        Presence::Default(Lit::Int(90)),
        Update::InPlace,
        "Share of the group kept in service during the update.",
    )
    .with(&[Check::Range(0, 100)]),
    attr(
        "max_healthy_percentage",
        Ty::Int,
        Presence::Default(Lit::Int(110)),
        Update::InPlace,
        "Share of the group it may grow to: above 100 launches new instances before terminating old ones.",
    )
    .with(&[Check::Range(100, 200)]),
    attr(
        "instance_warmup",
        Ty::Int,
        Presence::Optional,
        Update::InPlace,
        "Seconds a new instance needs before it counts as in service (default: the group's health_check_grace_period).",
    )
    .with(super::limits::NOT_NEGATIVE),
    attr(
        "checkpoints",
        Ty::Set(&Ty::Int),
        Presence::Default(Lit::EmptyList),
        Update::InPlace,
        "Percentages of the group replaced at which the update pauses for checkpoint_delay (100 is added).",
    ),
    attr("checkpoint_delay", Ty::Int, Presence::Default(Lit::Int(300)), Update::InPlace, "Seconds of each pause.")
        .with(&[Check::Range(0, 172_800)]),
    attr(
        "auto_rollback",
        Ty::Bool,
        Presence::Default(Lit::Bool(true)),
        Update::InPlace,
        "When the update fails (new instances unhealthy), AWS puts the old instances back.",
    ),
    attr(
        "skip_matching",
        Ty::Bool,
        Presence::Default(Lit::Bool(true)),
        Update::InPlace,
        "Leave instances that already run the new version alone.",
    ),
];

/// The group's `rolling_update` settings, `None` when rolling updates are off. Without a block
/// they are on, with the defaults.
pub fn settings(attrs: &Attrs) -> Option<Attrs> {
    let block = attrs.get("rolling_update").and_then(|v| v.as_list().first().cloned());
    let mut m = match block {
        Some(Value::Map(m)) => m,
        _ => Attrs::new(),
    };
    for spec in ROLLING_UPDATE {
        if let (false, Presence::Default(lit)) = (m.contains_key(spec.name), spec.presence) {
            m.insert(spec.name.to_string(), lit.value());
        }
    }
    (m.get("enabled") != Some(&Value::Bool(false))).then_some(m)
}

/// Points every rolling group's symbolic template version (`$Default`, `$Latest`) at the
/// number of its template in the stack: AWS rolls back only to a numbered version, and a new
/// template version must show as a change of the group.
pub fn pin_versions(stack: &mut Stack) {
    for res in stack.resources.iter_mut().filter(|r| r.addr.kind == "autoscaling_group") {
        if settings(&res.attrs).is_none() {
            continue;
        }
        let Some(Value::Ref(lt)) = res.attrs.get("launch_template") else { continue };
        let attr = match res.attrs.get("launch_template_version").and_then(Value::as_str) {
            Some("$Default") => "default_version",
            Some("$Latest") => "latest_version",
            _ => continue,
        };
        let pinned = Ref { attr: Some(attr.to_string()), ..lt.clone() };
        res.attrs.insert("launch_template_version".into(), Value::Ref(pinned));
    }
}

/// Instances of the group not on `version` of its template, as the live group lists them
/// (`_versions`: each instance's template id and version); all of them when it is not known.
pub fn outdated(live: &Attrs, template: Option<&str>, version: Option<&str>) -> usize {
    let versions = live.get("_versions").map(Value::as_list).unwrap_or_default();
    let current = |v: &Value| {
        let (Some(t), Some(n)) = (template, version) else { return false };
        v.as_str() == Some(&format!("{t}:{n}"))
    };
    versions.iter().filter(|v| !current(v)).count()
}

/// What the update of `live` to `want` rolls out: the settings and how many instances it
/// replaces, when its launch template or version changes and instances run something else.
pub fn rollout(live: &Attrs, want: &Attrs, changed: &[String]) -> Option<(Attrs, usize)> {
    let prefs = settings(want)?;
    if !changed.iter().any(|c| c == "launch_template" || c == "launch_template_version") {
        return None;
    }
    let known = |k: &str| want.get(k).and_then(Value::as_str);
    let n = match prefs.get("skip_matching") == Some(&Value::Bool(false)) {
        true => live.get("_versions").map(|v| v.as_list().len()).unwrap_or_default(),
        false => outdated(live, known("launch_template"), known("launch_template_version")),
    };
    (n > 0).then_some((prefs, n))
}

fn int(prefs: &Attrs, k: &str) -> Option<i32> {
    prefs.get(k).and_then(Value::as_int).and_then(|v| i32::try_from(v).ok())
}

fn preferences(prefs: &Attrs) -> RefreshPreferences {
    let mut checkpoints: Vec<i32> = prefs
        .get("checkpoints")
        .map(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_int())
        .map(|v| v as i32)
        .collect();
    checkpoints.sort_unstable();
    // AWS replaces the whole group only when the last checkpoint is 100.
    if !checkpoints.is_empty() && checkpoints.last() != Some(&100) {
        checkpoints.push(100);
    }
    let yes = |k: &str| prefs.get(k) == Some(&Value::Bool(true));
    RefreshPreferences::builder()
        .set_min_healthy_percentage(int(prefs, "min_healthy_percentage"))
        .set_max_healthy_percentage(int(prefs, "max_healthy_percentage"))
        .set_instance_warmup(int(prefs, "instance_warmup"))
        .set_checkpoint_percentages((!checkpoints.is_empty()).then_some(checkpoints.clone()))
        .set_checkpoint_delay((!checkpoints.is_empty()).then(|| int(prefs, "checkpoint_delay")).flatten())
        .skip_matching(yes("skip_matching"))
        .auto_rollback(yes("auto_rollback"))
        .build()
}

/// Starts the rolling update of `group` to `want`'s launch template and waits for its end.
pub async fn roll(cx: &Cx, group: &str, want: &Attrs, prefs: &Attrs, count: usize) -> anyhow::Result<()> {
    let call = cx
        .aws
        .autoscaling
        .start_instance_refresh()
        .auto_scaling_group_name(group)
        // A mixed group's policy, with the new version: AWS sets it on the group when done.
        .desired_configuration(super::asg_mixed::desired(want))
        .preferences(preferences(prefs));
    let since = std::time::Instant::now();
    let mut delays = super::retry::delays(Duration::from_secs(2), Duration::from_secs(2));
    let started = loop {
        match call.clone().send().await.map_err(aws::error) {
            // One left running by an earlier apply, or started by someone else: let it end
            // first (its outcome is not this rollout's). Not listed yet or already ended: the
            // listing lags, so pause before asking again, within the rollout's own limit.
            Err(e) if e.code.as_deref() == Some("InstanceRefreshInProgress") && since.elapsed() < limit() => {
                match active(cx, group).await? {
                    Some(r) => {
                        let _ = wait(cx, group, r.instance_refresh_id().unwrap_or_default(), &[]).await;
                    }
                    None => tokio::time::sleep(delays.next().unwrap_or_default()).await,
                }
            }
            other => break other?,
        }
    };
    let id = started.instance_refresh_id().unwrap_or_default().to_string();
    crate::apply::status("Rolling...", format!("{count} instance(s) to replace, refresh {id}"));
    let tgs: Vec<String> = want
        .get("target_groups")
        .map(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    super::asg_wait::finish(cx, group, &id, &tgs, count).await
}

/// The group's refresh that is still running, if any.
pub async fn active(cx: &Cx, group: &str) -> anyhow::Result<Option<InstanceRefresh>> {
    let out = cx
        .aws
        .autoscaling
        .describe_instance_refreshes()
        .auto_scaling_group_name(group)
        .max_records(5)
        .send()
        .await
        .map_err(aws::error)?;
    Ok(out.instance_refreshes().iter().find(|r| r.status().is_some_and(is_active)).cloned())
}

pub fn is_active(s: &InstanceRefreshStatus) -> bool {
    matches!(
        s,
        InstanceRefreshStatus::Pending
            | InstanceRefreshStatus::InProgress
            | InstanceRefreshStatus::Cancelling
            | InstanceRefreshStatus::RollbackInProgress
            | InstanceRefreshStatus::Baking
    )
}

/// Waits for a refresh started earlier (an interrupted apply's) to end, whatever its outcome.
pub async fn wait(cx: &Cx, group: &str, id: &str, tgs: &[String]) -> anyhow::Result<()> {
    super::asg_wait::finish(cx, group, id, tgs, 0).await
}

/// How long a rolling update may take before stackr stops waiting (it goes on in AWS).
pub fn limit() -> Duration {
    Window::State.get() * 12
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, Value)]) -> Attrs {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    fn block(pairs: &[(&str, Value)]) -> Value {
        Value::List(vec![Value::Map(attrs(pairs))])
    }

    fn live() -> Attrs {
        let v = |s: &str| Value::str(s);
        attrs(&[("_versions", Value::List(vec![v("lt-1:1"), v("lt-1:1"), v("lt-1:2")]))])
    }

    #[test]
    fn rolling_updates_are_on_with_defaults_unless_disabled() {
        let on = settings(&Attrs::new()).expect("on without a block");
        assert_eq!(on["min_healthy_percentage"], Value::Int(90));
        assert_eq!(on["max_healthy_percentage"], Value::Int(110));
        assert_eq!(on["auto_rollback"], Value::Bool(true));
        assert!(!on.contains_key("instance_warmup"), "left to the group's grace period");
        let off = attrs(&[("rolling_update", block(&[("enabled", Value::Bool(false))]))]);
        assert!(settings(&off).is_none());
    }

    #[test]
    fn a_rollout_counts_the_instances_not_on_the_new_version() {
        let changed = vec!["launch_template_version".to_string()];
        let want = |v: Value| attrs(&[("launch_template", Value::str("lt-1")), ("launch_template_version", v)]);
        assert_eq!(rollout(&live(), &want(Value::str("2")), &changed).map(|r| r.1), Some(2));
        // Not known until the template's new version exists: every instance.
        assert_eq!(rollout(&live(), &want(Value::Unknown), &changed).map(|r| r.1), Some(3));
        assert!(rollout(&live(), &want(Value::str("2")), &["min_size".to_string()]).is_none(), "no launch change");
        let mut all_on_2 = live();
        all_on_2.insert("_versions".into(), Value::List(vec![Value::str("lt-1:2")]));
        assert!(rollout(&all_on_2, &want(Value::str("2")), &changed).is_none(), "nothing to replace");
        let mut off = want(Value::str("2"));
        off.insert("rolling_update".into(), block(&[("enabled", Value::Bool(false))]));
        assert!(rollout(&live(), &off, &changed).is_none());
        let mut every = want(Value::str("2"));
        every.insert("rolling_update".into(), block(&[("skip_matching", Value::Bool(false))]));
        assert_eq!(rollout(&live(), &every, &changed).map(|r| r.1), Some(3), "without skip_matching");
    }

    #[test]
    fn checkpoints_end_at_100_and_bring_their_delay() {
        let prefs = settings(&attrs(&[(
            "rolling_update",
            block(&[("checkpoints", Value::List(vec![Value::Int(50), Value::Int(20)]))]),
        )]))
        .unwrap();
        let p = preferences(&prefs);
        assert_eq!(p.checkpoint_percentages(), &[20, 50, 100]);
        assert_eq!(p.checkpoint_delay(), Some(300));
        assert_eq!(p.skip_matching(), Some(true));
        let none = preferences(&settings(&Attrs::new()).unwrap());
        assert!(none.checkpoint_percentages().is_empty());
        assert_eq!(none.checkpoint_delay(), None);
        assert_eq!(none.instance_warmup(), None);
    }
}
