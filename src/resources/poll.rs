//! Waiting for an object to reach a state, polled quickly at first. The SDK's waiters sleep at
//! least 15 s between polls (the service models' delay), which adds up to 15 s to every
//! transition that takes AWS two (a volume attaching, an instance starting); stackr polls after
//! 1 s and backs off to 10 s, as terraform-provider-aws does (MinTimeout 3 s, Delay 10 s).

use std::future::Future;
use std::time::{Duration, Instant};

use super::retry::{self, Window};

/// What one look at the object says.
pub enum Poll<T> {
    Done(T),
    /// Not yet; the state it is in, for the message if the wait runs out.
    Pending(String),
    /// It will not get there (an instance terminated while starting).
    Failed(String),
}

/// Polls `probe` until it is done, fails, or the state window (`Window::State`) has passed.
pub async fn until<T, F, Fut>(what: &str, probe: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Poll<T>>>,
{
    until_within(what, Window::State.get(), probe).await
}

/// [`until`] with another limit, for transitions AWS takes longer over (a NAT gateway's delete).
pub async fn until_within<T, F, Fut>(what: &str, limit: Duration, mut probe: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Poll<T>>>,
{
    let start = Instant::now();
    let mut delays = retry::delays(Duration::from_secs(1), Duration::from_secs(10));
    loop {
        let delay = delays.next().unwrap_or_default();
        match probe().await? {
            Poll::Done(v) => return Ok(v),
            Poll::Failed(why) => anyhow::bail!("{what}: {why}"),
            Poll::Pending(state) if start.elapsed() + delay > limit => {
                anyhow::bail!("{what}: still {state} after {}s", start.elapsed().as_secs())
            }
            Poll::Pending(_) => tokio::time::sleep(delay).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn polls_until_done_and_stops_at_a_failure() {
        let n = AtomicU32::new(0);
        let v = until("x", || async {
            Ok(if n.fetch_add(1, Ordering::SeqCst) < 1 { Poll::Pending("pending".into()) } else { Poll::Done(5) })
        })
        .await;
        assert_eq!(v.unwrap(), 5);
        let e =
            until::<(), _, _>("instance i-1 to run", || async { Ok(Poll::Failed("it is terminated".into())) }).await;
        assert_eq!(e.unwrap_err().to_string(), "instance i-1 to run: it is terminated");
    }
}
