//! Ownership, tags and names for Elastic Load Balancing objects: which ARNs this stack owns by
//! their tags (DescribeTags, 20 ARNs a call; discovery finds the candidates in elb_find.rs).
//! Ownership tags go on in the create call itself. Names are unique per account and region and
//! at most 32 characters.

use std::collections::HashMap;

use aws_sdk_elasticloadbalancingv2::types::{Tag, TagDescription};
use sha2::{Digest, Sha256};

use super::ec2tags::{ADDRESS_TAG, STACK_TAG};
use super::{Cx, tag_changes, user_tags};
use crate::aws;
use crate::model::{Address, Attrs, LiveObject, Value};

/// AWS's limit for load balancer and target group names.
pub const NAME_MAX: usize = 32;
/// DescribeTags accepts at most this many ARNs a call.
const TAG_BATCH: usize = 20;

/// Ownership tags plus the user's tags, for a create call.
pub fn create_tags(cx: &Cx, addr: &Address, want: &Attrs) -> Vec<Tag> {
    let mut tags = vec![
        Tag::builder().key(STACK_TAG).value(cx.stack.as_ref()).build(),
        Tag::builder().key(ADDRESS_TAG).value(addr.to_string()).build(),
    ];
    tags.extend(user_tags(want).into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()));
    tags
}

/// DescribeTags calls in flight at once: a busy account has many batches, and ELB throttles.
const TAG_CONCURRENCY: usize = 4;

/// The tags of each ARN this stack owns, read in batches, a few at a time; ARNs of other stacks
/// or of nobody are left out.
pub async fn owned(cx: &Cx, arns: &[String]) -> anyhow::Result<HashMap<String, Vec<Tag>>> {
    use futures::StreamExt;
    let mut calls = vec![];
    for batch in arns.chunks(TAG_BATCH) {
        calls.push(tags_of(cx, batch.to_vec()));
    }
    let mut results = futures::stream::iter(calls).buffer_unordered(TAG_CONCURRENCY);
    let mut owned = HashMap::new();
    while let Some(descriptions) = results.next().await {
        for d in descriptions? {
            let mine = d.tags().iter().any(|t| t.key() == Some(STACK_TAG) && t.value() == Some(cx.stack.as_ref()));
            if let (true, Some(arn)) = (mine, d.resource_arn()) {
                owned.insert(arn.to_string(), d.tags().to_vec());
            }
        }
    }
    Ok(owned)
}

/// One batch's tags. DescribeTags fails the whole batch when one ARN is gone (deleted since
/// the listing): the batch is split in halves and each retried, so only the vanished ARN drops.
fn tags_of(cx: &Cx, batch: Vec<String>) -> futures::future::BoxFuture<'_, anyhow::Result<Vec<TagDescription>>> {
    Box::pin(async move {
        match cx.aws.elb.describe_tags().set_resource_arns(Some(batch.clone())).send().await.map_err(aws::error) {
            Ok(out) => Ok(out.tag_descriptions().to_vec()),
            Err(e) if matches!(e.code.as_deref(), Some("LoadBalancerNotFound" | "TargetGroupNotFound")) => {
                if batch.len() == 1 {
                    return Ok(vec![]);
                }
                let (a, b) = batch.split_at(batch.len() / 2);
                let (a, b) = tokio::try_join!(tags_of(cx, a.to_vec()), tags_of(cx, b.to_vec()))?;
                Ok(a.into_iter().chain(b).collect())
            }
            Err(e) => Err(e.into()),
        }
    })
}

/// Whether this stack owns the ELB object `arn` at `addr`, by its tags.
pub async fn owned_at(cx: &Cx, addr: &Address, arn: &str) -> anyhow::Result<bool> {
    let tags = owned(cx, &[arn.to_string()]).await?;
    Ok(tags.get(arn).and_then(|t| split(&addr.kind, arn, t)).is_some_and(|(a, _)| &a == addr))
}

/// The owner address and user tags, as [`super::ec2tags::split`] reads them for EC2 objects.
pub fn split(kind: &str, id: &str, tags: &[Tag]) -> Option<(Address, Value)> {
    let ec2: Vec<aws_sdk_ec2::types::Tag> = tags
        .iter()
        .map(|t| {
            aws_sdk_ec2::types::Tag::builder()
                .set_key(t.key().map(String::from))
                .set_value(t.value().map(String::from))
                .build()
        })
        .collect();
    super::ec2tags::split(kind, id, &ec2)
}

/// Brings the user tags of `live` (whose id is its ARN) to `want` with AddTags/RemoveTags.
pub async fn sync(cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<()> {
    let (set, remove) = tag_changes(&live.attrs, want);
    let set: Vec<Tag> = set.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
    let elb = &cx.aws.elb;
    if !set.is_empty() {
        elb.add_tags().resource_arns(&live.id).set_tags(Some(set)).send().await.map_err(aws::error)?;
    }
    if !remove.is_empty() {
        elb.remove_tags().resource_arns(&live.id).set_tag_keys(Some(remove)).send().await.map_err(aws::error)?;
    }
    Ok(())
}

/// The owner and user tags of one ARN, whoever owns it (for adoption).
pub async fn describe_tags(cx: &Cx, arn: &str) -> anyhow::Result<(Option<super::adopt::Owner>, Value)> {
    let out = cx.aws.elb.describe_tags().resource_arns(arn).send().await.map_err(aws::error)?;
    let tags = out.tag_descriptions().first().map(|d| d.tags()).unwrap_or_default();
    let pairs = || tags.iter().filter_map(|t| Some((t.key()?, t.value().unwrap_or_default())));
    Ok((super::adopt::tag_owner(pairs()), super::adopt::user_tags(pairs())))
}

/// Adds the ownership tags a create sets, for adoption.
pub async fn take(cx: &Cx, addr: &Address, arn: &str) -> anyhow::Result<()> {
    let tags = create_tags(cx, addr, &Attrs::new());
    cx.aws.elb.add_tags().resource_arns(arn).set_tags(Some(tags)).send().await.map_err(aws::error)?;
    Ok(())
}

/// A default name (names.rs) made valid for ELB: characters other than letters, digits and `-`
/// become `-`, runs of `-` collapse, and no `-` at either end. A name longer than 32
/// characters keeps its first 25 and gains `-` and 6 hex digits of a hash of the whole, so it
/// stays unique to the stack and resource and is the same on every run.
pub fn valid_name(raw: &str) -> String {
    let raw: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let mut clean = String::with_capacity(raw.len());
    for c in raw.chars() {
        if !(c == '-' && (clean.is_empty() || clean.ends_with('-'))) {
            clean.push(c);
        }
    }
    let clean = clean.trim_end_matches('-').to_string();
    if clean.len() <= NAME_MAX {
        return clean;
    }
    let digest = Sha256::digest(clean.as_bytes());
    let hash: String = digest.iter().take(3).map(|b| format!("{b:02x}")).collect();
    format!("{}-{hash}", clean[..NAME_MAX - 7].trim_end_matches('-'))
}

/// Why AWS would refuse `name` for a load balancer or target group, if it would.
pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > NAME_MAX {
        return Some(format!("\"{name}\" must be 1 to {NAME_MAX} characters long (it has {})", name.len()));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Some(format!("\"{name}\" may contain only letters, digits and hyphens"));
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Some(format!("\"{name}\" must not begin or end with a hyphen or contain two in a row"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_kept_and_made_valid() {
        assert_eq!(valid_name("web-main"), "web-main");
        assert_eq!(valid_name("my_stack-api__v2"), "my-stack-api-v2");
        assert_eq!(valid_name("web-x_"), "web-x");
    }

    #[test]
    fn long_names_are_cut_with_a_stable_hash() {
        let a = valid_name("a-very-long-stack-name-for-testing-frontend");
        let b = valid_name("a-very-long-stack-name-for-testing-backend");
        assert_eq!(a.len(), NAME_MAX);
        assert!(a.starts_with("a-very-long-stack-name-fo-"), "{a}");
        assert_ne!(a, b, "different resources keep different names");
        assert_eq!(a, valid_name("a-very-long-stack-name-for-testing-frontend"));
        assert_eq!(name_problem(&a), None);
    }

    #[test]
    fn invalid_names_are_explained() {
        assert!(name_problem("ok-name").is_none());
        assert!(name_problem(&"x".repeat(33)).unwrap().contains("1 to 32"));
        assert!(name_problem("under_score").unwrap().contains("only letters"));
        assert!(name_problem("-lead").unwrap().contains("hyphen"));
        assert!(name_problem("a--b").unwrap().contains("hyphen"));
    }
}
