//! The apply lock: an IAM customer managed policy `stackr-lock-<stack>-<region>` at the stack's
//! IAM path. IAM creates a policy name once per account, atomically, so of two applies only one
//! creates it; its description says who holds it, from where, since when and for which command.
//! One lock per stack and region: deployments in two regions run at once, one deployment never
//! twice. `plan` never locks.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::aws::{self, Aws};

/// Who holds a lock, as its description records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Holder {
    pub id: String,
    pub who: String,
    pub host: String,
    #[serde(rename = "where")]
    pub place: String,
    pub when: String,
    pub command: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "lock {}\n  held by {} on {}\n  where   {}\n  since   {}\n  command {}",
            self.id, self.who, self.host, self.place, self.when, self.command
        )
    }
}

/// A lock this process holds.
#[derive(Debug)]
pub struct Held {
    arn: String,
    pub id: String,
}

pub fn name(stack: &str, region: &str) -> String {
    format!("stackr-lock-{stack}-{region}")
}

/// The lock's ARN: policies are named per account, so the caller's account and partition give it.
async fn arn(aws: &Aws, stack: &str) -> anyhow::Result<(String, String)> {
    let me = aws.sts.get_caller_identity().send().await.map_err(aws::error)?;
    let caller = me.arn().unwrap_or_default().to_string();
    let partition = caller.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws");
    let account = me.account().unwrap_or_default();
    let path = super::record::path(stack);
    Ok((format!("arn:{partition}:iam::{account}:policy{path}{}", name(stack, &aws.region)), caller))
}

/// Who this process is, as a lock would record it, and the lock's ARN.
pub async fn me(aws: &Aws, stack: &str, command: &str) -> anyhow::Result<(String, Holder)> {
    let (arn, who) = arn(aws, stack).await?;
    let me = Holder {
        id: uuid::Uuid::new_v4().to_string(),
        who,
        host: gethostname::gethostname().to_string_lossy().into_owned(),
        place: place(),
        when: super::now(),
        command: command.to_string(),
    };
    Ok((arn, me))
}

/// The lock `me` would hold, for releasing it if taking it was interrupted.
pub fn would_hold(arn: &str, me: &Holder) -> Held {
    Held { arn: arn.to_string(), id: me.id.clone() }
}

/// Takes the lock, waiting up to `timeout` for its holder to release it.
pub async fn acquire(aws: &Aws, stack: &str, arn: &str, me: &Holder, timeout: Duration) -> anyhow::Result<Held> {
    let start = Instant::now();
    loop {
        let call = aws
            .iam
            .create_policy()
            .policy_name(name(stack, &aws.region))
            .path(super::record::path(stack))
            .description(latin1(&serde_json::to_string(me)?))
            .policy_document(super::GRANTS_NOTHING);
        let err = match call.send().await.map_err(aws::error) {
            Ok(_) => return Ok(would_hold(arn, me)),
            Err(e) if e.code.as_deref() == Some("EntityAlreadyExists") => e,
            Err(e) => return Err(anyhow::Error::from(e).context("taking the apply lock")),
        };
        let holder = read(aws, arn).await?;
        // Our own create, whose answer was lost and which the SDK sent again.
        if holder.as_ref().is_some_and(|h| h.id == me.id) {
            return Ok(would_hold(arn, me));
        }
        if start.elapsed() >= timeout {
            return Err(busy(stack, &aws.region, holder, &err));
        }
        tokio::time::sleep(Duration::from_secs(2).min(timeout.saturating_sub(start.elapsed()))).await;
    }
}

fn busy(stack: &str, region: &str, holder: Option<Holder>, err: &crate::aws::AwsError) -> anyhow::Error {
    let (what, id) = match &holder {
        Some(h) => (h.to_string(), h.id.as_str()),
        // IAM's reads lag behind its creates: the lock was taken a moment ago.
        None => {
            (format!("lock {} (taken moments ago; IAM does not show its holder yet)", name(stack, region)), "LOCK_ID")
        }
    };
    tracing::debug!("lock create refused: {err}");
    crate::error::user(
        format!("stack {stack} in {region} is locked by another apply:\n  {what}"),
        format!(
            "wait for it to finish (or pass --lock-timeout, e.g. --lock-timeout 5m); if that process is gone, \
             `stackr unlock {id}` breaks the lock"
        ),
    )
}

/// Releases a lock this process holds, unless someone broke it and another apply took it since.
pub async fn release(aws: &Aws, held: &Held) -> anyhow::Result<()> {
    match read(aws, &held.arn).await? {
        Some(h) if h.id == held.id => delete(aws, &held.arn).await,
        _ => Ok(()),
    }
}

/// Who holds the lock of `stack` in this region, if anyone.
pub async fn holder(aws: &Aws, stack: &str) -> anyhow::Result<Option<(String, Holder)>> {
    let (arn, _) = arn(aws, stack).await?;
    Ok(read(aws, &arn).await?.map(|h| (arn, h)))
}

pub async fn delete(aws: &Aws, arn: &str) -> anyhow::Result<()> {
    match aws.iam.delete_policy().policy_arn(arn).send().await.map_err(aws::error) {
        Ok(_) => Ok(()),
        Err(e) if e.code.as_deref() == Some("NoSuchEntity") => Ok(()),
        Err(e) => Err(anyhow::Error::from(e).context("releasing the apply lock")),
    }
}

async fn read(aws: &Aws, arn: &str) -> anyhow::Result<Option<Holder>> {
    match aws.iam.get_policy().policy_arn(arn).send().await.map_err(aws::error) {
        Ok(out) => {
            let text = out.policy.and_then(|p| p.description).unwrap_or_default();
            Ok(Some(serde_json::from_str(&text).unwrap_or_else(|_| unreadable(&text))))
        }
        Err(e) if e.code.as_deref() == Some("NoSuchEntity") => Ok(None),
        Err(e) => Err(anyhow::Error::from(e).context("reading the apply lock")),
    }
}

/// A lock policy whose description is not stackr's (edited by hand): still a lock.
fn unreadable(text: &str) -> Holder {
    let unknown = || "(unknown)".to_string();
    Holder {
        id: unknown(),
        who: unknown(),
        host: unknown(),
        place: text.to_string(),
        when: unknown(),
        command: unknown(),
    }
}

/// Where the apply runs: the GitHub Actions run, else the working directory.
fn place() -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let (Some(server), Some(repo), Some(run)) =
        (env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY"), env("GITHUB_RUN_ID"))
    {
        return format!("{server}/{repo}/actions/runs/{run}");
    }
    std::env::current_dir().map_or_else(|_| "(unknown directory)".into(), |d| d.display().to_string())
}

/// IAM descriptions hold Latin-1 only.
fn latin1(text: &str) -> String {
    text.chars().map(|c| if (c as u32) < 0x100 && (c >= ' ' || c == '\t') { c } else { '?' }).collect()
}
