//! What apply, destroy and adopt share around their work: the stack loaded (from its file or
//! a saved plan), a connection, the stack's apply lock held for the whole command and released
//! on every way out, a Ctrl-C before the first change stopping at once (during changes the
//! executor owns Ctrl-C), and the stack's record kept up to date: made before the first change,
//! left by a finished destroy.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::account::{identity, lock, record, source};
use crate::aws::Aws;
use crate::cli::{Global, LockArgs};
use crate::live::LiveState;
use crate::plan::saved::Saved;
use crate::resources::Cx;
use crate::stack::Stack;

pub struct Session {
    pub stack: Stack,
    /// The plan file being applied, when there is one.
    pub saved: Option<(PathBuf, Saved)>,
    pub aws: Aws,
    held: Option<lock::Held>,
    /// Set once changes start: from then on Ctrl-C belongs to the executor.
    pub executing: AtomicBool,
    interrupts: tokio::sync::Mutex<Interrupts>,
}

impl Session {
    /// Connects for `stack` and takes its lock unless `--lock=false`.
    pub async fn open(
        global: &Global,
        stack: Stack,
        saved: Option<(PathBuf, Saved)>,
        args: &LockArgs,
        command: &str,
    ) -> anyhow::Result<Session> {
        // Listening before the lock is taken: a Ctrl-C must never kill the process holding it.
        let mut interrupts = Interrupts::new()?;
        let aws = super::connect_for(global, &stack).await?;
        let held = if args.lock {
            let (arn, me) = lock::me(&aws, &stack.name, command).await?;
            tokio::select! {
                held = lock::acquire(&aws, &stack.name, &arn, &me, args.lock_timeout) => Some(held?),
                () = interrupts.next() => {
                    // Taken, perhaps, with the answer not yet in.
                    let _ = lock::release(&aws, &lock::would_hold(&arn, &me)).await;
                    return Err(crate::error::user(
                        "interrupted while taking the apply lock: nothing was changed",
                        "run the command again",
                    ));
                }
            }
        } else {
            eprintln!(
                "warning: running without the apply lock (--lock=false): another apply of this stack may run at once"
            );
            None
        };
        let interrupts = tokio::sync::Mutex::new(interrupts);
        Ok(Session { stack, saved, aws, held, executing: AtomicBool::new(false), interrupts })
    }

    /// Runs `work`, then releases the lock however it ended. A Ctrl-C before changes start
    /// drops `work` at once: nothing has been changed yet.
    pub async fn guarded<F>(&self, work: F) -> anyhow::Result<ExitCode>
    where
        F: Future<Output = anyhow::Result<ExitCode>>,
    {
        let result = tokio::select! {
            r = work => r,
            () = self.interrupted_before_changes() => {
                eprintln!("\nInterrupted: nothing was changed.");
                Ok(ExitCode::from(130))
            }
        };
        self.release().await;
        result
    }

    async fn release(&self) {
        let Some(held) = &self.held else { return };
        if let Err(e) = lock::release(&self.aws, held).await {
            eprintln!(
                "warning: the apply lock of stack {} was not released: {e:#}\nhint: once no apply runs, `stackr unlock {}` breaks it",
                self.stack.name, held.id
            );
        }
    }

    /// Ctrl-C belongs to the executor from now on.
    pub fn changes_start(&self) {
        self.executing.store(true, Ordering::SeqCst);
    }
}

impl Session {
    async fn interrupted_before_changes(&self) {
        let mut interrupts = self.interrupts.lock().await;
        loop {
            interrupts.next().await;
            if !self.executing.load(Ordering::SeqCst) {
                return;
            }
        }
    }
}

/// Ctrl-C, listened for from the moment this is made (tokio's `ctrl_c()` only listens once
/// polled). The executor's own listener hears the same signals.
struct Interrupts(#[cfg(unix)] tokio::signal::unix::Signal, #[cfg(windows)] tokio::signal::windows::CtrlC);

impl Interrupts {
    fn new() -> anyhow::Result<Interrupts> {
        #[cfg(unix)]
        let s = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        #[cfg(windows)]
        let s = tokio::signal::windows::ctrl_c()?;
        Ok(Interrupts(s))
    }

    async fn next(&mut self) {
        if self.0.recv().await.is_none() {
            std::future::pending::<()>().await;
        }
    }
}

/// Makes or updates the stack's record before the first change, and refuses if another stack
/// file made it first (two first applies at once).
pub async fn record_before_changes(cx: &mut Cx, stack: &Stack, live: &LiveState) -> anyhow::Result<()> {
    let source = source::of(std::path::Path::new(&stack.file.path));
    let want = record::Want { source: &source, iam_home: &live.iam_home, region: &cx.aws.region };
    let rec = record::ensure(&cx.aws, &stack.name, live.record.clone(), &want).await?;
    identity::check_source(&stack.name, &stack.file.path, Some(&rec), &source)?;
    cx.record = Some(Arc::from(rec.arn.as_str()));
    Ok(())
}

/// After a destroy that finished: this region no longer holds the stack.
pub async fn record_after_destroy(cx: &Cx) -> anyhow::Result<()> {
    match record::read(&cx.aws, &cx.stack).await? {
        Some(r) => record::leave(&cx.aws, &r, &cx.aws.region).await,
        None => Ok(()),
    }
}
