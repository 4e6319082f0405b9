//! Following an instance refresh to its end: its progress and the health of the group's
//! instances in its target groups as status lines, and when it fails, AWS's reason with what
//! the load balancer said of the new instances and the scaling activities that failed.

use std::time::{Duration, Instant, SystemTime};

use aws_sdk_autoscaling::types::{InstanceRefresh, InstanceRefreshStatus as S, ScalingActivityStatusCode};

use super::Cx;
use super::asg_refresh::{is_active, limit};
use crate::apply::{note, status};
use crate::aws;

/// Waits for refresh `id` of `group`; `count` instances were to be replaced (0: a refresh
/// started earlier, only waited for). Ok only when it succeeded. Polled, not an SDK waiter:
/// there is none for instance refreshes, and each poll also reports progress and health.
pub async fn finish(cx: &Cx, group: &str, id: &str, tgs: &[String], count: usize) -> anyhow::Result<()> {
    let start = Instant::now();
    let since = aws_smithy_types::DateTime::from(SystemTime::now() - Duration::from_secs(60));
    let mut delays = super::retry::delays(Duration::from_secs(1), Duration::from_secs(15));
    let mut sick: Vec<String> = vec![];
    loop {
        let r = describe(cx, group, id).await?;
        let st = r.status().cloned().unwrap_or(S::Pending);
        if !is_active(&st) {
            return ended(cx, group, &r, &st, &sick, &since, start.elapsed(), count).await;
        }
        let (health, unhealthy) = health(cx, group, tgs).await?;
        if !unhealthy.is_empty() {
            sick = unhealthy;
        }
        let phase = if st == S::RollbackInProgress { "Rolling back..." } else { "Rolling..." };
        let mut detail = format!("{}% done", r.percentage_complete().unwrap_or_default());
        if let Some(why) = r.status_reason().filter(|_| st != S::RollbackInProgress) {
            detail.push_str(&format!(", {why}"));
        }
        detail.push_str(&health);
        status(phase, detail);
        anyhow::ensure!(
            start.elapsed() < limit(),
            "the rolling update {id} is still {} after {}s; it goes on in AWS, and the next plan shows it (apply waits for it)",
            st.as_str(),
            start.elapsed().as_secs()
        );
        tokio::time::sleep(delays.next().unwrap_or_default()).await;
    }
}

async fn describe(cx: &Cx, group: &str, id: &str) -> anyhow::Result<InstanceRefresh> {
    let call = cx.aws.autoscaling.describe_instance_refreshes().auto_scaling_group_name(group).instance_refresh_ids(id);
    let out = call.send().await.map_err(aws::error)?;
    let r = out.instance_refreshes().first().cloned();
    r.ok_or_else(|| anyhow::anyhow!("the rolling update {id} of {group} is not listed any more"))
}

#[allow(clippy::too_many_arguments)]
async fn ended(
    cx: &Cx,
    group: &str,
    r: &InstanceRefresh,
    st: &S,
    sick: &[String],
    since: &aws_smithy_types::DateTime,
    took: Duration,
    count: usize,
) -> anyhow::Result<()> {
    let took = crate::render::elapsed(took);
    let reason = r.status_reason().unwrap_or("AWS gave no reason");
    let outcome = match st {
        S::Successful if count == 0 => {
            note("an earlier rolling update finished".into());
            return Ok(());
        }
        S::Successful => {
            note(format!("{count} instance(s) replaced by a rolling update in {took}"));
            return Ok(());
        }
        S::RollbackSuccessful => "failed, and AWS rolled the group back to its previous launch template version",
        S::RollbackFailed => "failed, and so did AWS's rollback: the group runs a mix of versions",
        S::Cancelled => "was cancelled",
        _ => "failed",
    };
    let mut msg =
        format!("the rolling update {} {outcome} after {took}: {reason}", r.instance_refresh_id().unwrap_or_default());
    if !sick.is_empty() {
        msg.push_str(&format!("; unhealthy in the target groups: {}", sick.join(", ")));
    }
    for a in failed_activities(cx, group, since).await.unwrap_or_default() {
        msg.push_str(&format!("; scaling activity: {a}"));
    }
    note(format!("rolling update {outcome}"));
    anyhow::bail!(msg)
}

async fn failed_activities(cx: &Cx, group: &str, since: &aws_smithy_types::DateTime) -> anyhow::Result<Vec<String>> {
    let out = cx.aws.autoscaling.describe_scaling_activities().auto_scaling_group_name(group).send().await;
    let out = out.map_err(aws::error)?;
    Ok(out
        .activities()
        .iter()
        .filter(|a| a.start_time() >= Some(since) && a.status_code() == Some(&ScalingActivityStatusCode::Failed))
        .map(|a| a.status_message().or(a.description()).unwrap_or("no reason given").to_string())
        .take(5)
        .collect())
}

/// `, 4/4 healthy in web-tg` for each target group, and the group's instances that are
/// unhealthy in one (`i-… in web-tg: Target.FailedHealthChecks`).
async fn health(cx: &Cx, group: &str, tgs: &[String]) -> anyhow::Result<(String, Vec<String>)> {
    if tgs.is_empty() {
        return Ok((String::new(), vec![]));
    }
    let Some(g) = super::asg_aws::describe(cx, group).await? else { return Ok((String::new(), vec![])) };
    let ids: Vec<&str> = g.instances().iter().filter_map(|i| i.instance_id()).collect();
    let (mut line, mut sick) = (String::new(), vec![]);
    for arn in tgs {
        let out = cx.aws.elb.describe_target_health().target_group_arn(arn).send().await.map_err(aws::error)?;
        let name = arn.split('/').nth(1).unwrap_or(arn);
        let mine: Vec<_> = out
            .target_health_descriptions()
            .iter()
            .filter(|d| d.target().and_then(|t| t.id()).is_some_and(|id| ids.contains(&id)))
            .collect();
        let state = |d: &&aws_sdk_elasticloadbalancingv2::types::TargetHealthDescription| {
            d.target_health().and_then(|h| h.state()).map(|s| s.as_str().to_string()).unwrap_or_default()
        };
        let healthy = mine.iter().filter(|d| state(d) == "healthy").count();
        line.push_str(&format!(", {healthy}/{} healthy in {name}", ids.len()));
        for d in mine.iter().filter(|d| state(d) == "unhealthy") {
            let id = d.target().and_then(|t| t.id()).unwrap_or_default();
            let why = d.target_health().and_then(|h| h.reason()).map(|r| r.as_str().to_string()).unwrap_or_default();
            sick.push(format!("{id} in {name} ({why})"));
        }
    }
    Ok((line, sick))
}
