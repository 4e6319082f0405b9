//! `apply --json` and `destroy --json`: the same plan and executor as the text commands, with
//! every step reported as one JSON event per line on stdout (render::JsonEvents). It never
//! prompts: without --auto-approve or a plan file it refuses with an error event and exit 1.

use std::process::ExitCode;

use crate::apply::{self, Outcome};
use crate::cli::{ApplyArgs, Global};
use crate::plan::Plan;
use crate::render::JsonEvents;
use crate::resources::Cx;

pub async fn run(global: &Global, args: &ApplyArgs, destroy: bool) -> anyhow::Result<ExitCode> {
    let events = JsonEvents;
    events.version();
    let verb = if destroy { "destroy" } else { "apply" };
    // A bot reading the stream cannot answer a prompt; refuse before any AWS call.
    if !args.auto_approve && args.plan_file.is_none() {
        events.error(&crate::error::user(
            format!("refusing to {verb} with --json without --auto-approve: --json never asks for confirmation"),
            format!(
                "pass --auto-approve, or apply a plan saved with `stackr plan --out` (stackr {verb} --json PLAN_FILE)"
            ),
        ));
        return Ok(ExitCode::FAILURE);
    }
    let session = match super::apply::open(global, args, destroy).await {
        Ok(s) => s,
        Err(e) => {
            events.error(&e);
            return Ok(ExitCode::FAILURE);
        }
    };
    let work = async {
        let (mut cx, live, plan) = super::apply::plan_to_run(global, args, destroy, &session).await?;
        if !destroy && plan.has_changes() {
            super::session::record_before_changes(&mut cx, &session.stack, &live).await?;
        }
        session.changes_start();
        let code = execute(&cx, &plan, args.parallelism, destroy, &events).await;
        if destroy && code == ExitCode::SUCCESS {
            super::session::record_after_destroy(&cx).await?;
        }
        Ok(code)
    };
    match session.guarded(work).await {
        Ok(code) => Ok(code),
        Err(e) => {
            events.error(&e);
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Reports the planned changes, runs them, then reports failures, the summary and outputs.
pub async fn execute(cx: &Cx, plan: &Plan, parallelism: u16, destroy: bool, events: &JsonEvents) -> ExitCode {
    for c in plan.changes.iter().filter(|c| c.acts()) {
        events.planned_change(c);
    }
    let outcome = if plan.has_changes() {
        apply::run(cx, plan, usize::from(parallelism), events).await
    } else {
        let states = super::apply::initial_states(plan);
        Outcome { states, ..Outcome::default() }
    };
    for (addr, e, hint) in &outcome.errors {
        let mut d = crate::stack::Diagnostic::error(format!("{addr}: {e}"));
        d.hints.extend(hint.clone());
        events.diagnostic(&d);
    }
    events.change_summary(&outcome, destroy);
    crate::render::outcome::step_summary(&outcome, destroy);
    if !destroy && outcome.errors.is_empty() && !outcome.interrupted {
        events.outputs(&super::apply::output_values(plan, &outcome.states), &plan.sensitive_outputs);
    }
    if outcome.errors.is_empty() && !outcome.interrupted { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
