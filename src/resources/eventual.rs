//! Living with AWS's eventual consistency and lost responses, in one place
//! (docs/aws-behaviour.md). A call naming an EC2 object created moments ago may answer
//! `*.NotFound`: [`visible`] retries it while EC2 catches up. A create whose API takes no
//! client token (CreateVpc, CreateSubnet, CreateInternetGateway, CreateSecurityGroup,
//! AllocateAddress) must never be retried blindly: a lost response would make a second object.
//! [`create_once`] sends it without the SDK's retries and, when the answer may have been lost,
//! looks for the object by its ownership tags before sending it again.

use std::collections::HashSet;
use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_ec2::types::Filter;

use super::Cx;
use super::ec2tags::{ADDRESS_TAG, owner_filter};
use super::retry::{self, Window};
use crate::aws::{AwsError, Transient};
use crate::model::Address;

/// The codes EC2 answers for an id it does not know (yet).
pub const EC2_NOT_FOUND: &[&str] = &[
    "InvalidVpcID.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidGroup.NotFound",
    "InvalidInstanceID.NotFound",
    "InvalidInternetGatewayID.NotFound",
    "InvalidRouteTableID.NotFound",
    "InvalidAllocationID.NotFound",
    "InvalidVolume.NotFound",
    "InvalidLaunchTemplateId.NotFound",
    "InvalidNetworkInterfaceID.NotFound",
    "InvalidAssociationID.NotFound",
    "NatGatewayNotFound",
    "InvalidNatGatewayID.NotFound",
];

/// Runs `op`, a call naming objects that may have been created moments ago, until EC2 knows
/// them (or the propagation window has passed).
pub async fn visible<T, F, Fut>(op: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    retry::on_codes(EC2_NOT_FOUND, Window::Ec2Propagation.get(), op).await
}

/// A create with no client token: `create` must send its request without SDK retries (see
/// [`no_retry`]); `lookup` lists the objects carrying the address's ownership tags, with their
/// ids. Only one the account did not hold when it was read (`known`) can be the lost create's.
pub async fn create_once<T, C, CF, L, LF>(
    what: &Address,
    known: &HashSet<String>,
    mut create: C,
    mut lookup: L,
) -> anyhow::Result<T>
where
    C: FnMut() -> CF,
    CF: Future<Output = Result<T, AwsError>>,
    L: FnMut() -> LF,
    LF: Future<Output = anyhow::Result<Vec<(String, T)>>>,
{
    let start = Instant::now();
    let mut delays = retry::delays(Duration::from_millis(300), Duration::from_secs(20));
    loop {
        let err = match create().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let again = start.elapsed() < Window::Ec2Propagation.get();
        match err.transient {
            Transient::Throttled if again => {}
            Transient::Unknown => {
                // The object may exist: a listing shows it once EC2 has caught up.
                let until = Instant::now() + Window::Listing.get();
                loop {
                    if let Some((_, found)) = lookup().await?.into_iter().find(|(id, _)| !known.contains(id)) {
                        tracing::info!("{what}: the create's answer was lost; found the object it made");
                        return Ok(found);
                    }
                    if Instant::now() >= until {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                if !again {
                    return Err(err.into());
                }
            }
            _ => return Err(err.into()),
        }
        tokio::time::sleep(delays.next().unwrap_or_default()).await;
    }
}

/// Per-call configuration that turns the SDK's retries off, for [`create_once`].
pub fn no_retry() -> aws_sdk_ec2::config::Builder {
    aws_sdk_ec2::config::Builder::default().retry_config(aws_config::retry::RetryConfig::disabled())
}

/// The filters that find the object at `addr` of this stack.
pub fn addressed(cx: &Cx, addr: &Address) -> [Filter; 2] {
    let value = literal(&addr.to_string());
    [owner_filter(cx), Filter::builder().name(format!("tag:{ADDRESS_TAG}")).values(value).build()]
}

/// A filter value matching `s` exactly: EC2 reads `*` and `?` as wildcards (a `for_each` key
/// may hold them), `\` escapes.
fn literal(s: &str) -> String {
    s.chars().fold(String::with_capacity(s.len()), |mut out, c| {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn lost() -> AwsError {
        let mut e = AwsError::new(Some("InternalError".into()), "We encountered an internal error");
        e.transient = Transient::Unknown;
        e
    }

    #[test]
    fn addresses_are_matched_literally() {
        assert_eq!(literal(r#"subnet.public["a*b?\\"]"#), r#"subnet.public["a\*b\?\\\\"]"#);
        assert_eq!(literal("vpc.main"), "vpc.main");
    }

    #[tokio::test]
    async fn a_lost_answer_is_found_by_its_tags_instead_of_made_twice() {
        let creates = AtomicU32::new(0);
        let made = AtomicU32::new(0);
        // The object being replaced carries the same tags: never taken for the new one.
        let known = HashSet::from(["vpc-old".to_string()]);
        let r = create_once(
            &Address::new("vpc", "main"),
            &known,
            || async {
                creates.fetch_add(1, Ordering::SeqCst);
                made.fetch_add(1, Ordering::SeqCst);
                Err::<u32, _>(lost())
            },
            || async {
                let mut found = vec![("vpc-old".to_string(), 1)];
                if made.load(Ordering::SeqCst) > 0 {
                    found.push(("vpc-new".to_string(), 7));
                }
                Ok(found)
            },
        )
        .await;
        assert_eq!(r.unwrap(), 7);
        assert_eq!(creates.load(Ordering::SeqCst), 1, "never sent twice when the first one worked");
    }

    #[tokio::test]
    async fn throttling_is_retried_and_definite_errors_are_not() {
        let n = AtomicU32::new(0);
        let r = create_once(
            &Address::new("vpc", "main"),
            &HashSet::new(),
            || async {
                if n.fetch_add(1, Ordering::SeqCst) == 0 {
                    let mut e = AwsError::new(Some("RequestLimitExceeded".into()), "slow down");
                    e.transient = Transient::Throttled;
                    Err(e)
                } else {
                    Ok(3)
                }
            },
            || async { Ok(vec![]) },
        )
        .await;
        assert_eq!(r.unwrap(), 3);
        let r: anyhow::Result<u32> = create_once(
            &Address::new("vpc", "main"),
            &HashSet::new(),
            || async { Err(AwsError::new(Some("VpcLimitExceeded".into()), "too many")) },
            || async { Ok(vec![]) },
        )
        .await;
        let err = r.unwrap_err();
        assert_eq!(err.downcast_ref::<AwsError>().and_then(|e| e.code.as_deref()), Some("VpcLimitExceeded"));
    }
}
