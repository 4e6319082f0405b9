//! Retrying AWS calls that fail for reasons that pass on their own: eventual consistency
//! (a just-created IAM object not yet visible, a dependency still being released). The SDK
//! already retries throttling and transient network errors; this covers error codes that only
//! the caller knows to be temporary in its situation.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::aws::AwsError;

/// Runs `op` until it succeeds, fails with a code not in `codes`, or `limit` has passed.
pub async fn on_codes<T, F, Fut>(codes: &[&str], limit: Duration, mut op: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let start = Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        match op().await {
            Err(e) if e.code.as_deref().is_some_and(|c| codes.contains(&c)) && start.elapsed() + delay < limit => {
                tokio::time::sleep(jitter(delay)).await;
                delay = (delay * 2).min(Duration::from_secs(8));
            }
            other => return other,
        }
    }
}

/// Between half and all of `d`, so concurrent retries spread out.
fn jitter(d: Duration) -> Duration {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |t| t.subsec_nanos());
    d / 2 + d.mul_f64(f64::from(nanos % 1000) / 2000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn retries_listed_codes_then_succeeds() {
        let n = AtomicU32::new(0);
        let r = on_codes(&["DependencyViolation"], Duration::from_secs(5), || async {
            if n.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(AwsError::new(Some("DependencyViolation".into()), "busy"))
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(r.unwrap(), 7);
        assert_eq!(n.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn other_codes_fail_at_once() {
        let n = AtomicU32::new(0);
        let r: Result<(), _> = on_codes(&["DependencyViolation"], Duration::from_secs(5), || async {
            n.fetch_add(1, Ordering::SeqCst);
            Err(AwsError::new(Some("InvalidParameterValue".into()), "bad"))
        })
        .await;
        assert_eq!(r.unwrap_err().code.as_deref(), Some("InvalidParameterValue"));
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }
}
