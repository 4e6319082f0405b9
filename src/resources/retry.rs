//! Retrying AWS calls that fail for reasons that pass on their own: eventual consistency
//! (a just-created IAM object not yet visible, a dependency still being released). The SDK
//! already retries throttling and transient network errors; this covers error codes that only
//! the caller knows to be temporary in its situation.
//!
//! Every window is AWS's real timing (the ones terraform-provider-aws allows, see
//! docs/aws-behaviour.md) times `STACKR_WAIT_SCALE` (default 1), so tests can shorten them.
//! The backoff is backon's, jittered exponential, also for the loops that poll ([`delays`]).

use std::future::Future;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBuilder, Retryable};

use crate::aws::AwsError;

/// How long stackr waits for each kind of thing that passes on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// A new EC2 object becoming visible to every call (AWS allows minutes; usually seconds).
    Ec2Propagation,
    /// A new IAM object becoming usable by EC2, Auto Scaling and other IAM calls.
    IamPropagation,
    /// Network interfaces of deleted load balancers and instances letting go of subnets,
    /// security groups and public addresses.
    Dependency,
    /// An instance, volume or load balancer reaching a steady state.
    State,
    /// How long a listing may lag behind a create whose response was lost.
    Listing,
    /// Another writer's change to the same IAM object finishing (`ConcurrentModification`).
    Contention,
}

impl Window {
    fn real(self) -> Duration {
        Duration::from_secs(match self {
            Window::Ec2Propagation => 300,
            Window::IamPropagation => 120,
            Window::Dependency => 1200,
            Window::State => 600,
            Window::Listing => 15,
            Window::Contention => 30,
        })
    }

    /// The window for this run: AWS's timing times `STACKR_WAIT_SCALE`.
    pub fn get(self) -> Duration {
        static SCALE: OnceLock<f64> = OnceLock::new();
        let scale = *SCALE.get_or_init(|| {
            std::env::var("STACKR_WAIT_SCALE")
                .ok()
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|f| *f > 0.0)
                .unwrap_or(1.0)
        });
        self.real().mul_f64(scale)
    }
}

/// IAM's answer to a write that overlaps another on the same object; the SDK does not retry it.
pub const IAM_BUSY: &[&str] = &["ConcurrentModification"];

/// Runs `op` until it succeeds, fails with a code not in `codes`, or `limit` has passed.
pub async fn on_codes<T, F, Fut>(codes: &[&str], limit: Duration, op: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    when(|e| e.code.as_deref().is_some_and(|c| codes.contains(&c)), limit, op).await
}

/// Runs `op` until it succeeds, fails with an error `retry` does not accept, or `limit` has
/// passed (in time, the calls included); backing off from 250 ms to 8 s.
pub async fn when<T, F, Fut>(retry: impl Fn(&AwsError) -> bool, limit: Duration, op: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let start = Instant::now();
    let backoff = ExponentialBuilder::new().with_total_delay(Some(limit));
    let backoff = jittered(backoff, Duration::from_millis(250), Duration::from_secs(8));
    op.retry(backoff).sleep(tokio::time::sleep).when(|e| retry(e) && start.elapsed() < limit).await
}

/// Delays for a loop that polls: doubling from `first` to `cap`, without end.
pub fn delays(first: Duration, cap: Duration) -> impl Iterator<Item = Duration> {
    jittered(ExponentialBuilder::new(), first, cap).build()
}

/// Each delay between half and all of the doubling one, so concurrent retries spread out
/// (backon's jitter adds up to the delay again, hence the halves).
fn jittered(b: ExponentialBuilder, first: Duration, cap: Duration) -> ExponentialBuilder {
    b.with_jitter().with_min_delay(first / 2).with_max_delay(cap / 2).without_max_times()
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

    #[tokio::test]
    async fn gives_up_when_the_window_has_passed() {
        let n = AtomicU32::new(0);
        let r: Result<(), _> = on_codes(&["DependencyViolation"], Duration::from_millis(600), || async {
            n.fetch_add(1, Ordering::SeqCst);
            Err(AwsError::new(Some("DependencyViolation".into()), "busy"))
        })
        .await;
        assert_eq!(r.unwrap_err().code.as_deref(), Some("DependencyViolation"));
        let tries = n.load(Ordering::SeqCst);
        assert!((2..=5).contains(&tries), "{tries} tries in 600 ms");
    }

    #[test]
    fn delays_double_to_the_cap_with_jitter() {
        let d: Vec<Duration> = delays(Duration::from_secs(1), Duration::from_secs(10)).take(8).collect();
        assert!(d[0] >= Duration::from_millis(500) && d[0] <= Duration::from_secs(1), "{d:?}");
        assert!(d[1] >= Duration::from_secs(1) && d[1] <= Duration::from_secs(2), "{d:?}");
        assert!(d[7] >= Duration::from_secs(5) && d[7] <= Duration::from_secs(10), "{d:?}");
    }
}
