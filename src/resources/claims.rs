//! Names the stack claims, and whether someone else holds them. Discovery lists only the
//! stack's own objects (by tag or IAM path), so it costs the same in an empty and in a busy
//! account; a create that would take a name AWS makes unique is found by looking up exactly the
//! names the stack declares that none of its objects hold, never by listing the account. In a
//! plan that changes nothing every declared name is held by an owned object: no lookup at all.

use std::collections::{HashMap, HashSet};

use futures::future::BoxFuture;

use super::{kind, stackwide};
use crate::aws::AwsError;
use crate::stack::Stack;

/// Account-unique names the stack's blocks would claim, by namespace: a kind (`iam_user`), or a
/// kind's side namespace (`instance profile`, see [`super::Kind::side_claims`]).
pub type Declared = HashMap<&'static str, Vec<String>>;

/// The names every block of `stack` claims, with the defaults stackr fills in.
pub fn declared(stack: &Stack) -> Declared {
    let mut out = Declared::new();
    for res in &stack.resources {
        let Some(k) = kind(&res.addr.kind) else { continue };
        let attrs = stackwide::completed(res, stack);
        if let Some(name) = k.unique_name(&attrs).filter(|n| !n.is_empty()) {
            out.entry(k.schema().kind).or_default().push(name);
        }
        for (space, name, _) in k.side_claims(&attrs) {
            out.entry(space).or_default().push(name);
        }
    }
    for names in out.values_mut() {
        names.sort();
        names.dedup();
    }
    out
}

/// The declared names of `space` that none of `held` (names of owned objects) is; IAM names
/// compare without regard to case, as IAM does.
pub fn unheld<'a>(declared: &Declared, space: &str, held: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let fold =
        |n: &str| if space.starts_with("iam_") || space == "instance profile" { n.to_lowercase() } else { n.into() };
    let held: HashSet<String> = held.into_iter().map(fold).collect();
    declared.get(space).into_iter().flatten().filter(|n| !held.contains(&fold(n))).cloned().collect()
}

/// Looks up `batch` with one call; when AWS refuses the whole batch because one name or ARN in
/// it does not exist (`absent` codes: ELBv2's Describe calls do), splits it in halves and asks
/// again, so only what is missing drops out. Implementations that skip missing items answer
/// the whole batch at once.
pub fn halving<'a, T: Send + 'a>(
    batch: Vec<String>,
    absent: &'a [&'a str],
    call: &'a (dyn Fn(Vec<String>) -> BoxFuture<'a, Result<Vec<T>, AwsError>> + Send + Sync),
) -> BoxFuture<'a, anyhow::Result<Vec<T>>> {
    Box::pin(async move {
        if batch.is_empty() {
            return Ok(vec![]);
        }
        match call(batch.clone()).await {
            Ok(found) => Ok(found),
            Err(e) if e.code.as_deref().is_some_and(|c| absent.contains(&c)) => {
                if batch.len() == 1 {
                    return Ok(vec![]);
                }
                let (a, b) = batch.split_at(batch.len() / 2);
                let (a, b) = tokio::try_join!(halving(a.to_vec(), absent, call), halving(b.to_vec(), absent, call))?;
                Ok(a.into_iter().chain(b).collect())
            }
            Err(e) => Err(e.into()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unheld_names_fold_case_for_iam_only() {
        let declared = Declared::from([
            ("iam_user", vec!["Alice".to_string(), "bob".to_string()]),
            ("load_balancer", vec!["Web".to_string(), "api".to_string()]),
        ]);
        assert_eq!(unheld(&declared, "iam_user", ["alice"]), vec!["bob".to_string()]);
        assert_eq!(unheld(&declared, "load_balancer", ["web"]), vec!["Web".to_string(), "api".to_string()]);
        assert!(unheld(&declared, "iam_group", ["x"]).is_empty());
    }

    #[tokio::test]
    async fn halving_drops_only_the_missing_items() {
        let call = |batch: Vec<String>| -> BoxFuture<'_, Result<Vec<String>, AwsError>> {
            Box::pin(async move {
                if batch.iter().any(|b| b.starts_with("gone")) {
                    return Err(AwsError::new(Some("LoadBalancerNotFound".into()), "gone"));
                }
                Ok(batch)
            })
        };
        let batch: Vec<String> = ["a", "gone1", "b", "c", "gone2"].iter().map(|s| s.to_string()).collect();
        let mut got = halving(batch, &["LoadBalancerNotFound"], &call).await.unwrap();
        got.sort();
        assert_eq!(got, vec!["a", "b", "c"]);
    }
}
