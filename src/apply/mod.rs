//! The executor: walks a plan's step graph with bounded parallelism, resolving each step's
//! references from what earlier steps produced, and reports progress through [`Reporter`]
//! (it never prints). A failed step stops only the steps that depend on it; everything else
//! goes on, so a re-run of plan/apply converges from wherever this one stopped.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use crate::model::{Address, Attrs, LiveObject, Value};
use crate::plan::resolve;
use crate::plan::{Action, Op, Plan};
use crate::resources::{Cx, Kind};

mod settle;
use settle::settle;

/// What the executor tells its caller as it goes.
#[derive(Debug, Clone)]
pub enum Event {
    Started {
        addr: Address,
        op: Op,
    },
    StillRunning {
        addr: Address,
        op: Op,
        elapsed: Duration,
        /// What the step reports of its own progress ([`status`]), if anything.
        status: Option<Status>,
    },
    Finished {
        addr: Address,
        op: Op,
        elapsed: Duration,
        id: Option<String>,
    },
    Failed {
        addr: Address,
        op: Op,
        elapsed: Duration,
        /// The error, with its causes, and what to do about it when that is known.
        error: String,
        hint: Option<String>,
    },
    /// Ctrl-C: no new steps start; running ones finish.
    Interrupted,
    /// A second Ctrl-C: the steps still running are abandoned where they are.
    Abandoned {
        running: usize,
    },
}

/// A step's own account of long work (an Auto Scaling group's rolling update): a phase that
/// replaces "Still modifying..." (`Rolling...`) and details (`50% done, 4/4 healthy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub phase: String,
    pub detail: String,
}

#[derive(Default)]
struct StatusCell {
    now: std::sync::Mutex<Option<Status>>,
    changed: tokio::sync::Notify,
    note: std::sync::Mutex<Option<String>>,
}

tokio::task_local! {
    static STATUS: std::sync::Arc<StatusCell>;
}

/// Reports the running step's progress; shown at once when it changes, and with every
/// "still running" line. Does nothing outside a step (plans, tests).
pub fn status(phase: &str, detail: String) {
    let _ = STATUS.try_with(|cell| {
        let new = Status { phase: phase.to_string(), detail };
        let mut now = cell.now.lock().unwrap_or_else(|e| e.into_inner());
        if now.as_ref() != Some(&new) {
            *now = Some(new);
            cell.changed.notify_one();
        }
    });
}

/// Records what the running step did beyond its attributes ("4 instances replaced by a rolling
/// update"), for the apply's summary ([`Outcome::notes`]).
pub fn note(text: String) {
    let _ = STATUS.try_with(|cell| *cell.note.lock().unwrap_or_else(|e| e.into_inner()) = Some(text));
}

pub trait Reporter: Send + Sync {
    fn event(&self, e: &Event);
}

/// How an apply ended.
#[derive(Debug, Default)]
pub struct Outcome {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    /// What failed, why, and what to do about it when that is known.
    pub errors: Vec<(Address, String, Option<String>)>,
    /// Steps that did not run because something they wait on failed or was interrupted.
    pub skipped: usize,
    pub interrupted: bool,
    /// Steps a second Ctrl-C abandoned while they ran: their objects may be half made.
    pub abandoned: usize,
    /// The attributes every resource of the stack has now, for outputs.
    pub states: HashMap<Address, Attrs>,
    /// What steps recorded with [`note`], finished or failed.
    pub notes: Vec<(Address, String)>,
    /// Objects the account's listings did not yet show as created (or still showed after a
    /// delete) when the apply ended: a plan right away may not see them as they are.
    pub unsettled: Vec<Address>,
}

type StepOutput = (usize, anyhow::Result<Option<Attrs>>, Duration, Option<String>);
type StepFuture<'a> = Pin<Box<dyn Future<Output = StepOutput> + Send + 'a>>;

const TICK: Duration = Duration::from_secs(10);

pub async fn run(cx: &Cx, plan: &Plan, parallelism: usize, reporter: &dyn Reporter) -> Outcome {
    let steps = &plan.steps;
    let mut out = Outcome::default();
    // Resources that stay (or are only updated) can be referenced straight away.
    for c in &plan.changes {
        if matches!(c.action, Action::NoOp | Action::Update) {
            out.states.insert(c.addr.clone(), c.after.clone().unwrap_or_default());
        }
    }
    let mut live: HashMap<usize, LiveObject> =
        plan.changes.iter().enumerate().filter_map(|(i, c)| Some((i, c.live.clone()?))).collect();
    let mut waiting: Vec<usize> = steps.iter().map(|s| s.after.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![vec![]; steps.len()];
    for (i, s) in steps.iter().enumerate() {
        s.after.iter().for_each(|&a| dependents[a].push(i));
    }
    let mut ready: Vec<usize> = (0..steps.len()).filter(|&i| waiting[i] == 0).rev().collect();
    let mut running: FuturesUnordered<StepFuture> = FuturesUnordered::new();
    let mut finished = 0;
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);

    loop {
        while !out.interrupted && running.len() < parallelism.max(1) {
            let Some(i) = ready.pop() else { break };
            running.push(launch(cx, plan, i, &out.states, &live, reporter));
        }
        if running.is_empty() {
            break;
        }
        let next = tokio::select! {
            r = running.next() => r,
            _ = &mut interrupt => {
                if out.interrupted {
                    // The second Ctrl-C stops at once, as Terraform's does.
                    out.abandoned = running.len();
                    reporter.event(&Event::Abandoned { running: out.abandoned });
                    break;
                }
                out.interrupted = true;
                reporter.event(&Event::Interrupted);
                interrupt.set(tokio::signal::ctrl_c());
                continue;
            }
        };
        let Some((i, result, elapsed, note)) = next else { break };
        finished += 1;
        let step = &steps[i];
        let change = &plan.changes[step.change];
        out.notes.extend(note.map(|n| (change.addr.clone(), n)));
        match result {
            Ok(attrs) => {
                let id = attrs.as_ref().and_then(|a| ident(change.kind(), a)).map(String::from);
                if step.op != Op::Complete || attrs.is_some() {
                    reporter.event(&Event::Finished { addr: change.addr.clone(), op: step.op, elapsed, id });
                }
                record(&mut out, &mut live, plan, i, attrs);
                for &d in &dependents[i] {
                    waiting[d] -= 1;
                    if waiting[d] == 0 {
                        ready.push(d);
                    }
                }
            }
            Err(e) => {
                let error = format!("{e:#}");
                let hint =
                    e.chain().find_map(|c| c.downcast_ref::<crate::aws::AwsError>()).and_then(|a| a.hint.clone());
                reporter.event(&Event::Failed {
                    addr: change.addr.clone(),
                    op: step.op,
                    elapsed,
                    error: error.clone(),
                    hint: hint.clone(),
                });
                out.errors.push((change.addr.clone(), error, hint));
            }
        }
    }
    out.skipped = steps.len() - finished - out.abandoned;
    if !out.interrupted {
        // A failed read here changes nothing that was done; the next plan reads again.
        out.unsettled = settle(cx, plan, &out).await.unwrap_or_default();
    }
    out
}

/// Books a finished step: counts it and records the object's new attributes.
fn record(out: &mut Outcome, live: &mut HashMap<usize, LiveObject>, plan: &Plan, i: usize, attrs: Option<Attrs>) {
    let step = &plan.steps[i];
    let change = &plan.changes[step.change];
    match step.op {
        Op::Create => out.added += 1,
        Op::Update => out.changed += 1,
        Op::Delete => out.destroyed += 1,
        Op::Release | Op::Move | Op::Complete => {}
    }
    match (step.op, attrs) {
        (Op::Release, Some(a)) => {
            if let Some(l) = live.get_mut(&step.change) {
                l.attrs = a;
            }
        }
        (Op::Create | Op::Update | Op::Complete, Some(a)) => {
            out.states.insert(change.addr.clone(), a);
        }
        (Op::Delete, _) if change.action == Action::Delete => {
            out.states.remove(&change.addr);
        }
        _ => {}
    }
}

/// Starts one step. Its inputs are computed now, from the state its predecessors left.
fn launch<'a>(
    cx: &'a Cx,
    plan: &'a Plan,
    i: usize,
    states: &HashMap<Address, Attrs>,
    live: &HashMap<usize, LiveObject>,
    reporter: &'a dyn Reporter,
) -> StepFuture<'a> {
    let step = &plan.steps[i];
    let change = &plan.changes[step.change];
    let kind = change.kind();
    let addr = &change.addr;
    let want = change.raw.as_ref().map(|raw| resolve::desired(kind, &plan.stack, addr, raw, states));
    // An expression that fails once its inputs exist fails the step, with the attribute.
    let want = want.transpose().map_err(|(attr, msg)| anyhow::anyhow!("{attr}: {msg}"));
    let current = match step.op {
        // What the create or update before it made, which `live` does not know.
        Op::Complete => made(kind, addr, states),
        _ => live.get(&step.change).cloned(),
    };
    let release = step.release.clone();
    let op = step.op;
    let partial = !step.late.is_empty();
    // A step completing an object that lacks nothing (the objects it names existed) is silent.
    let whole = op == Op::Complete && matches!((&want, &current), (Ok(Some(w)), Some(c)) if &c.attrs == w);
    if !whole {
        reporter.event(&Event::Started { addr: addr.clone(), op });
    }
    Box::pin(async move {
        let start = Instant::now();
        let work = async {
            match op {
                Op::Create => {
                    let want = known(want?, addr, partial.then_some(kind))?;
                    kind.create(cx, addr, &want).await.map(Some)
                }
                Op::Update => {
                    let want = known(want?, addr, partial.then_some(kind))?;
                    kind.update(cx, &current.expect("updates have a live object"), &want).await.map(Some)
                }
                Op::Complete if whole => Ok(None),
                Op::Complete => {
                    let want = known(want?, addr, None)?;
                    let current = current.ok_or_else(|| anyhow::anyhow!("{addr} was not made"))?;
                    kind.update(cx, &current, &want).await.map(Some)
                }
                Op::Release => {
                    let want = release.expect("release steps carry their attributes");
                    kind.update(cx, &current.expect("releases have a live object"), &want).await.map(Some)
                }
                Op::Delete => kind.delete(cx, &current.expect("deletes have a live object")).await.map(|_| None),
                Op::Move => kind.rehome(cx, &current.expect("moves have a live object"), addr).await.map(|_| None),
            }
        };
        let cell = std::sync::Arc::new(StatusCell::default());
        let work = STATUS.scope(cell.clone(), work);
        tokio::pin!(work);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + TICK, TICK);
        let still = || {
            let status = cell.now.lock().unwrap_or_else(|e| e.into_inner()).clone();
            Event::StillRunning { addr: addr.clone(), op, elapsed: start.elapsed(), status }
        };
        let result = loop {
            tokio::select! {
                r = &mut work => break r,
                _ = tick.tick() => reporter.event(&still()),
                _ = cell.changed.notified() => {
                    reporter.event(&still());
                    tick.reset();
                }
            }
        };
        let note = cell.note.lock().unwrap_or_else(|e| e.into_inner()).take();
        (i, result.map_err(|e| e.context(format!("{} {addr}", verb(op)))), start.elapsed(), note)
    })
}

/// Every reference must be resolved by the time a step runs; the graph guarantees it, but for
/// the late references of a step that does not wait for them (`partial`): the items naming
/// those are left out for its `Complete` step to add.
fn known(want: Option<Attrs>, addr: &Address, partial: Option<&dyn Kind>) -> anyhow::Result<Attrs> {
    let mut want = want.ok_or_else(|| anyhow::anyhow!("{addr} has no desired attributes"))?;
    if let Some(kind) = partial {
        want = crate::plan::late::partial(kind, want);
    }
    match want.iter().find(|(_, v)| v.has_unknown()) {
        Some((k, _)) => anyhow::bail!("{addr}.{k} is still unknown when it is needed"),
        None => Ok(want),
    }
}

/// The object as the step before a `Complete` left it.
fn made(kind: &dyn Kind, addr: &Address, states: &HashMap<Address, Attrs>) -> Option<LiveObject> {
    let attrs = states.get(addr)?.clone();
    let id = ident(kind, &attrs)?.to_string();
    Some(LiveObject { addr: addr.clone(), id, attrs })
}

/// What identifies an object: its id, or for kinds without one (load balancers), its reference
/// attribute (the ARN).
fn ident<'a>(kind: &dyn Kind, attrs: &'a Attrs) -> Option<&'a str> {
    attrs.get("id").or(attrs.get(kind.schema().ref_attr)).and_then(Value::as_str)
}

fn verb(op: Op) -> &'static str {
    match op {
        Op::Create => "creating",
        Op::Update | Op::Release | Op::Complete => "updating",
        Op::Delete => "deleting",
        Op::Move => "moving",
    }
}
