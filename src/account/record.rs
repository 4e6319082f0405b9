//! The stack record: one IAM customer managed policy per stack name, `stackr-stack-<stack>` at
//! the stack's IAM path, that grants nothing and carries in its tags what the account cannot
//! otherwise say about the stack: the stack file it is applied from, the region that manages
//! its IAM objects (IAM is global, the rest regional), the regions it is deployed in, and
//! whether it owns the account's password policy (a singleton that cannot be tagged). IAM holds
//! it because IAM, like a stack's name, is account-wide.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_iam::types::{PolicyScopeType, Tag};
use aws_smithy_runtime_api::http::Response as HttpResponse;

use crate::aws::{self, Aws};
use crate::resources::retry::{self, Window};

const SOURCE: &str = "stackr:source";
const IAM_HOME: &str = "stackr:iam-home";
const DEPLOYED: &str = "stackr:deployed:";
const PASSWORD_POLICY: &str = "stackr:password-policy";
const SINCE: &str = "stackr:since";

/// What the record says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub arn: String,
    /// The stack file's identity ([`super::source`]), in its stored form.
    pub source: String,
    pub iam_home: String,
    /// Regions where an apply of the stack ran and no destroy has finished since.
    pub regions: BTreeSet<String>,
    pub password_policy: bool,
    /// When the record was made (RFC 3339).
    pub since: String,
}

/// What an apply records.
pub struct Want<'a> {
    pub source: &'a str,
    pub iam_home: &'a str,
    pub region: &'a str,
}

pub fn name(stack: &str) -> String {
    format!("stackr-stack-{stack}")
}

pub fn path(stack: &str) -> String {
    format!("/stackr/{stack}/")
}

/// Reads the record, if the stack has one: one listing under the stack's path, then its tags.
pub async fn read(aws: &Aws, stack: &str) -> anyhow::Result<Option<Record>> {
    let Some(arn) = super::find_policy(aws, &path(stack), &name(stack)).await? else { return Ok(None) };
    let tags = match aws.iam.list_policy_tags().policy_arn(&arn).send().await.map_err(aws::error) {
        Ok(out) => out.tags,
        // Deleted between the two calls (a destroy finishing elsewhere): no record.
        Err(e) if e.code.as_deref() == Some("NoSuchEntity") => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(Some(from_tags(arn, &tags)))
}

fn from_tags(arn: String, tags: &[Tag]) -> Record {
    let mut r = Record { arn, ..Record::default() };
    for t in tags {
        match t.key() {
            SOURCE => r.source = t.value().to_string(),
            IAM_HOME => r.iam_home = t.value().to_string(),
            PASSWORD_POLICY => r.password_policy = t.value() == "owned",
            SINCE => r.since = t.value().to_string(),
            k => {
                if let Some(region) = k.strip_prefix(DEPLOYED) {
                    r.regions.insert(region.to_string());
                }
            }
        }
    }
    r
}

/// Makes sure the record exists and says what `want` says about this region. Returns the
/// record as it is now; its source may differ from `want` only when another file made it
/// first, which the caller refuses.
pub async fn ensure(aws: &Aws, stack: &str, have: Option<Record>, want: &Want<'_>) -> anyhow::Result<Record> {
    let mut record = match have {
        Some(r) => r,
        None => match create(aws, stack, want).await? {
            Some(r) => return Ok(r),
            // Another apply (another region, or a lost answer of ours) made it first.
            None => read_until_listed(aws, stack).await?,
        },
    };
    if record.source != stored(want.source) {
        return Ok(record);
    }
    let mut tags = vec![];
    if !record.regions.contains(want.region) {
        tags.push(tag(&format!("{DEPLOYED}{}", want.region), &super::now()));
    }
    if record.iam_home != want.iam_home {
        tags.push(tag(IAM_HOME, want.iam_home));
    }
    if !tags.is_empty() {
        write(|| aws.iam.tag_policy().policy_arn(&record.arn).set_tags(Some(tags.clone())).send()).await?;
        record.regions.insert(want.region.to_string());
        record.iam_home = want.iam_home.to_string();
    }
    Ok(record)
}

/// Creates the record; `None` when one already exists.
async fn create(aws: &Aws, stack: &str, want: &Want<'_>) -> anyhow::Result<Option<Record>> {
    let now = super::now();
    let tags = vec![
        tag("stackr:stack", stack),
        tag(SOURCE, want.source),
        tag(IAM_HOME, want.iam_home),
        tag(&format!("{DEPLOYED}{}", want.region), &now),
        tag(SINCE, &now),
    ];
    let call = aws
        .iam
        .create_policy()
        .policy_name(name(stack))
        .path(path(stack))
        .description(format!(
            "stackr's record of stack {stack}: the stack file it is applied from and the region that manages its IAM \
             objects, in its tags. Grants nothing. Deleted when the stack's last deployment is destroyed."
        ))
        .policy_document(super::GRANTS_NOTHING)
        .set_tags(Some(tags.clone()));
    match call.send().await.map_err(aws::error) {
        Ok(out) => {
            let arn = out.policy.and_then(|p| p.arn).unwrap_or_default();
            Ok(Some(from_tags(arn, &tags)))
        }
        Err(e) if e.code.as_deref() == Some("EntityAlreadyExists") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// IAM's listings lag behind its creates by seconds: a record just made elsewhere may not be
/// listed yet.
async fn read_until_listed(aws: &Aws, stack: &str) -> anyhow::Result<Record> {
    for _ in 0..20 {
        if let Some(r) = read(aws, stack).await? {
            return Ok(r);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    anyhow::bail!("stack {stack}'s record ({}) exists but IAM does not list it", name(stack))
}

/// Records whether the stack owns the account's password policy.
pub async fn own_password_policy(aws: &Aws, arn: &str, owned: bool) -> anyhow::Result<()> {
    if owned {
        write(|| aws.iam.tag_policy().policy_arn(arn).tags(tag(PASSWORD_POLICY, "owned")).send()).await?;
    } else {
        write(|| aws.iam.untag_policy().policy_arn(arn).tag_keys(PASSWORD_POLICY).send()).await?;
    }
    Ok(())
}

/// The stack whose record says it owns the account's password policy, if one does. Reads every
/// stack's record: only `stackr adopt` asks.
pub async fn password_policy_owner(aws: &Aws) -> anyhow::Result<Option<String>> {
    let mut pages =
        aws.iam.list_policies().scope(PolicyScopeType::Local).path_prefix("/stackr/").into_paginator().items().send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(aws::error)?;
        let (Some(stack), Some(arn)) = (p.policy_name().and_then(|n| n.strip_prefix("stackr-stack-")), p.arn()) else {
            continue;
        };
        // A record listed a moment ago may be gone now: its stack was destroyed meanwhile.
        let tags = match aws.iam.list_policy_tags().policy_arn(arn).send().await.map_err(aws::error) {
            Ok(t) => t,
            Err(e) if e.code.as_deref() == Some("NoSuchEntity") => continue,
            Err(e) => return Err(e.into()),
        };
        if from_tags(arn.to_string(), &tags.tags).password_policy {
            return Ok(Some(stack.to_string()));
        }
    }
    Ok(None)
}

/// Records that `source` is the stack's file from now on (`stackr rebind`).
pub async fn rebind(aws: &Aws, arn: &str, source: &str) -> anyhow::Result<()> {
    write(|| aws.iam.tag_policy().policy_arn(arn).tags(tag(SOURCE, source)).send()).await?;
    Ok(())
}

/// After a finished destroy: the region no longer holds the stack; the record goes with the
/// last deployment.
pub async fn leave(aws: &Aws, record: &Record, region: &str) -> anyhow::Result<()> {
    let others = record.regions.iter().any(|r| r != region);
    let call = if others {
        let key = format!("{DEPLOYED}{region}");
        write(|| aws.iam.untag_policy().policy_arn(&record.arn).tag_keys(&key).send()).await.map(|_| ())
    } else {
        aws.iam.delete_policy().policy_arn(&record.arn).send().await.map(|_| ()).map_err(aws::error)
    };
    match call {
        Ok(()) => Ok(()),
        Err(e) if e.code.as_deref() == Some("NoSuchEntity") => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Sends one tag change to the record. IAM refuses a write that overlaps another on the same
/// policy (`ConcurrentModification`: two regions' first applies, an adopt beside an apply); the
/// SDK does not retry that code, so this does.
async fn write<T, E, F, Fut>(op: F) -> Result<T, aws::AwsError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + aws_sdk_iam::operation::RequestId + std::error::Error + Send + Sync + 'static,
{
    retry::on_codes(retry::IAM_BUSY, Window::Contention.get(), || async { op().await.map_err(aws::error) }).await
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(stored(value)).build().expect("key and value are set")
}

/// A value as an IAM tag can hold it: letters, digits, spaces and `_ . : / = + - @`, at most
/// 256 characters (the end of a long path is what tells files apart).
pub fn stored(value: &str) -> String {
    let ok = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    let clean: String = value.chars().map(|c| if ok(c) { c } else { '_' }).collect();
    let n = clean.chars().count();
    if n <= 256 { clean } else { clean.chars().skip(n - 256).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_read_back_into_the_record() {
        let tags = [
            tag(SOURCE, "github.com/acme/infra//stacks/web.hcl"),
            tag(IAM_HOME, "us-east-1"),
            tag(&format!("{DEPLOYED}us-east-1"), "2026-11-30T00:00:00Z"),
            tag(&format!("{DEPLOYED}eu-west-1"), "2026-11-30T00:00:00Z"),
            tag(PASSWORD_POLICY, "owned"),
        ];
        let r = from_tags("arn".into(), &tags);
        assert_eq!(r.source, "github.com/acme/infra//stacks/web.hcl");
        assert_eq!(r.regions.iter().collect::<Vec<_>>(), ["eu-west-1", "us-east-1"]);
        assert!(r.password_policy);
    }

    #[test]
    fn stored_values_fit_a_tag() {
        assert_eq!(stored("C:\\stacks\\web (prod).hcl"), "C:_stacks_web _prod_.hcl");
        let long = format!("{}/web.hcl", "a".repeat(300));
        assert!(stored(&long).ends_with("/web.hcl") && stored(&long).chars().count() == 256);
    }
}
