//! `stackr apply` and `stackr destroy`: plan, confirm, execute, report.

use std::process::ExitCode;

use anstream::{eprintln, print, println};

use crate::apply::{self, Outcome};
use crate::cli::{ApplyArgs, Global};
use crate::live::LiveState;
use crate::model::Value;
use crate::plan::{Plan, resolve};
use crate::render::{self, Progress, Style};
use crate::resources::Cx;

use super::session::Session;

pub async fn run(global: &Global, args: &ApplyArgs, destroy: bool) -> anyhow::Result<ExitCode> {
    if args.json {
        return super::apply_json::run(global, args, destroy).await;
    }
    let verb = if destroy { "destroy" } else { "apply" };
    // A saved plan was the review, so it needs no confirmation.
    let reviewed = args.plan_file.is_some();
    // Refuse before touching AWS: a job that cannot answer must say so up front.
    let hint = format!("pass --auto-approve to {verb} without asking (as in CI), or apply a saved plan file");
    super::require_answerable(args.auto_approve || reviewed, verb, &hint)?;
    let session = open(global, args, destroy).await?;
    session.guarded(body(global, args, destroy, &session)).await
}

async fn body(global: &Global, args: &ApplyArgs, destroy: bool, session: &Session) -> anyhow::Result<ExitCode> {
    let (mut cx, live, plan) = plan_to_run(global, args, destroy, session).await?;
    let out = Style::stdout(global.no_color);
    print!("{}", render::human_plan(&plan.shown(args.options.show_sensitive), out));
    if !plan.has_changes() {
        if destroy {
            super::session::record_after_destroy(&cx).await?;
        }
        print_outputs(&plan, &initial_states(&plan), out);
        return Ok(ExitCode::SUCCESS);
    }
    let reviewed = args.plan_file.is_some();
    if !args.auto_approve && !reviewed && !confirm(&plan, destroy, global).await? {
        eprintln!("\n{} cancelled: nothing was changed.", if destroy { "Destroy" } else { "Apply" });
        return Ok(ExitCode::FAILURE);
    }
    println!();
    if !destroy {
        super::session::record_before_changes(&mut cx, &session.stack, &live).await?;
    }
    session.changes_start();
    let outcome = apply::run(&cx, &plan, usize::from(args.parallelism), &Progress { style: out }).await;
    report(&plan, &outcome, destroy, global);
    let done = outcome.errors.is_empty() && !outcome.interrupted;
    if destroy && done {
        super::session::record_after_destroy(&cx).await?;
    }
    Ok(if done { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Loads the stack (from its file, or the one a plan file was made from), connects, and takes
/// the stack's lock.
pub(super) async fn open(global: &Global, args: &ApplyArgs, destroy: bool) -> anyhow::Result<Session> {
    let verb = if destroy { "destroy" } else { "apply" };
    match &args.plan_file {
        Some(path) if destroy => Err(crate::error::user(
            format!("destroy does not take a plan file ({})", path.display()),
            "a destroy plan saved with `stackr plan --destroy --out FILE` is applied with `stackr apply FILE`",
        )),
        Some(path) => {
            let (saved, stack) = super::saved::load(global, args, path).await?;
            let command = format!("stackr apply {} (stack file {})", path.display(), stack.file.path);
            Session::open(global, stack, Some((path.clone(), saved)), &args.lock, &command).await
        }
        None => {
            let stack = super::load_stack_read(&args.stack, global).await?;
            let command = format!("stackr {verb} -f {}", stack.file.path);
            Session::open(global, stack, None, &args.lock, &command).await
        }
    }
}

/// The plan an apply or destroy executes: the saved plan file, once verified, or a fresh plan.
pub(super) async fn plan_to_run(
    global: &Global,
    args: &ApplyArgs,
    destroy: bool,
    session: &Session,
) -> anyhow::Result<(Cx, LiveState, Plan)> {
    let (cx, live) = super::read_with(session.aws.clone(), &session.stack).await?;
    let plan = match &session.saved {
        Some((path, saved)) => super::saved::verified(saved, &session.stack, &cx, &live, path).await?,
        None => super::plan_fresh(global, &session.stack, &cx, &live, &args.options, destroy).await?,
    };
    Ok((cx, live, plan))
}

/// Asks on a blocking thread, so a Ctrl-C at the prompt is seen at once.
async fn confirm(plan: &Plan, destroy: bool, global: &Global) -> anyhow::Result<bool> {
    let (question, detail) = if destroy {
        (
            format!("Do you really want to destroy everything stack \"{}\" owns?", plan.stack),
            "stackr will delete the objects listed above. There is no undo.",
        )
    } else {
        ("Do you want to perform these actions?".to_string(), "stackr will perform the actions described above.")
    };
    let no_color = global.no_color;
    tokio::task::spawn_blocking(move || super::confirm_with(no_color, &question, &[detail])).await?
}

fn report(plan: &Plan, o: &Outcome, destroy: bool, global: &Global) {
    let out = Style::stdout(global.no_color);
    let err = Style::stderr(global.no_color);
    if !o.unsettled.is_empty() {
        let names: Vec<String> = o.unsettled.iter().map(ToString::to_string).collect();
        eprintln!(
            "\n{} AWS's listings do not show the latest state of {} yet; a plan made in the next seconds may not either",
            err.bold("warning:"),
            names.join(", ")
        );
    }
    render::outcome::step_summary(o, destroy);
    if !o.notes.is_empty() {
        println!();
    }
    for (addr, note) in &o.notes {
        println!("{}: {note}", out.bold(&addr.to_string()));
    }
    for (addr, e, hint) in &o.errors {
        eprintln!("\n{} {addr}: {e}", err.red(&err.bold("error:")));
        if let Some(h) = hint {
            eprintln!("{} {h}", err.bold("hint:"));
        }
    }
    if !o.errors.is_empty() || o.interrupted {
        let why = if o.interrupted { "was interrupted" } else { "failed" };
        if o.abandoned > 0 {
            eprintln!("\n{} {} change(s) were abandoned while running.", err.bold("warning:"), o.abandoned);
        }
        eprintln!(
            "\n{} {why}: {} added, {} changed, {} destroyed; {} change(s) not attempted.",
            if destroy { "Destroy" } else { "Apply" },
            o.added,
            o.changed,
            o.destroyed,
            o.skipped
        );
        eprintln!(
            "{} what succeeded is in place; run `stackr plan` to see what remains, then apply again.",
            err.bold("hint:")
        );
        return;
    }
    if destroy {
        println!("\n{} Resources: {} destroyed.", out.green(&out.bold("Destroy complete!")), o.destroyed);
    } else {
        println!(
            "\n{} Resources: {} added, {} changed, {} destroyed.",
            out.green(&out.bold("Apply complete!")),
            o.added,
            o.changed,
            o.destroyed
        );
        print_outputs(plan, &o.states, out);
    }
}

pub(super) fn initial_states(plan: &Plan) -> std::collections::HashMap<crate::model::Address, crate::model::Attrs> {
    plan.changes.iter().filter_map(|c| Some((c.addr.clone(), c.after.clone()?))).collect()
}

fn print_outputs(
    plan: &Plan,
    states: &std::collections::HashMap<crate::model::Address, crate::model::Attrs>,
    out: Style,
) {
    if plan.outputs.is_empty() {
        return;
    }
    println!("\n{}\n", out.green(&out.bold("Outputs:")));
    let pad = plan.outputs.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, v) in output_values(plan, states) {
        if plan.sensitive_outputs.contains(&name) {
            println!("{name:pad$} = <sensitive>");
            continue;
        }
        println!("{name:pad$} = {}", render::output_value(&v));
    }
}

/// The stack's outputs, resolved against the objects' attributes after apply.
pub(super) fn output_values(
    plan: &Plan,
    states: &std::collections::HashMap<crate::model::Address, crate::model::Attrs>,
) -> Vec<(String, Value)> {
    let lookup = |addr: &crate::model::Address, attr: Option<&str>| resolve::in_states(states, addr, attr);
    plan.outputs
        .iter()
        .map(|(name, value)| {
            let v = if plan.sensitive_outputs.contains(name) {
                Value::str(crate::plan::MASK)
            } else {
                resolve::resolve_value(value, &lookup).unwrap_or(Value::Unknown)
            };
            (name.clone(), v)
        })
        .collect()
}
