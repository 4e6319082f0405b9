//! One file per command, each a short wrapper over the modules. Shared steps live here:
//! loading and checking the stack file, connecting, and planning.

mod adopt;
mod apply;
mod apply_json;
mod check;
mod completions;
mod creates;
mod fmt;
mod graph;
mod losses;
mod output;
mod plan;
mod rebind;
mod saved;
mod session;
mod show;
mod unlock;
mod whoami;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use crate::aws::{Aws, AwsOptions};
use crate::cli::{Cli, Command, Global, PlanOptions, StackArgs};
use crate::plan::Plan;
use crate::render::{self, Style};
use crate::resources::{self, Cx};
use crate::stack::{self, Stack};

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Whoami(a) => whoami::run(&cli.global, a).await,
        Command::Plan(a) => plan::run(&cli.global, a).await,
        Command::Apply(a) => apply::run(&cli.global, a, false).await,
        Command::Destroy(a) => apply::run(&cli.global, a, true).await,
        Command::Schema(a) => schema(a),
        Command::Show(a) => show::run(&cli.global, a),
        Command::Check(a) => check::run(&cli.global, a),
        Command::Adopt(a) => adopt::run(&cli.global, a).await,
        Command::Unlock(a) => unlock::run(&cli.global, a).await,
        Command::Rebind(a) => rebind::run(&cli.global, a).await,
        Command::Fmt(a) => fmt::run(&cli.global, a),
        Command::Graph(a) => graph::run(&cli.global, a),
        Command::Output(a) => output::run(&cli.global, a).await,
        Command::Completions(a) => completions::completions(a),
        Command::Man(a) => completions::man(a),
    }
}

fn schema(args: &crate::cli::SchemaArgs) -> anyhow::Result<ExitCode> {
    let all = resources::schemas();
    let chosen: Vec<_> = match &args.kind {
        None => all,
        // Terraform's name for a kind shows stackr's (`aws_instance` is `instance`).
        Some(k) => match all.iter().find(|s| s.kind == k || Some(s.kind) == render::tftypes::kind_for(k)) {
            Some(s) => vec![*s],
            None => {
                let names: Vec<&str> = all.iter().map(|s| s.kind).collect();
                return Err(crate::error::user(
                    format!("no resource kind named `{k}`"),
                    format!("kinds: {}", names.join(", ")),
                ));
            }
        },
    };
    print!("{}", if args.markdown { render::schema::markdown(&chosen) } else { render::schema::text(&chosen) });
    Ok(ExitCode::SUCCESS)
}

/// Loads the stack file and runs every kind's cross-resource checks. Diagnostics come back
/// as the error, before anything is sent to AWS.
/// `data` blocks are not read: what uses them is left out (`Stack::data_pending` says what);
/// commands that talk to AWS use [`load_stack_read`].
pub fn load_stack(args: &StackArgs, global: &Global) -> anyhow::Result<Stack> {
    let stack = load_quiet(args, &args.inputs())?;
    render::warnings(&stack.warnings, Style::stderr(global.no_color));
    Ok(stack)
}

fn load_quiet(args: &StackArgs, inputs: &stack::VarInputs) -> anyhow::Result<Stack> {
    let schemas = resources::schemas();
    let mut post = |stack: &mut Stack| {
        let mut diags = resources::check(stack);
        diags.0.extend(crate::check::unknown_silences(stack));
        diags
    };
    Ok(stack::load_file_with(&args.path(), inputs, &schemas, &mut post)?)
}

/// A data lookup whose arguments use another's result waits for it: one read per level.
const DATA_ROUNDS: usize = 8;

/// Loads the stack file and reads what its `data` blocks look up. The file is loaded without
/// them first, so a mistake in it is reported before any AWS call; then the lookups are read
/// and the file loaded again with their results (again while a lookup's arguments come from
/// another's result).
pub async fn load_stack_read(args: &StackArgs, global: &Global) -> anyhow::Result<Stack> {
    let mut stack = load_stack(args, global)?;
    if stack.data_pending.is_empty() {
        return Ok(stack);
    }
    let aws = connect_for(global, &stack).await?;
    let mut inputs = args.inputs();
    for _ in 0..DATA_ROUNDS {
        crate::data::fetch(&aws, &stack.data_pending, &mut inputs.data).await;
        stack = load_quiet(args, &inputs)?;
        if stack.data_pending.is_empty() {
            return Ok(stack);
        }
    }
    anyhow::bail!("data lookups that depend on each other more than {DATA_ROUNDS} levels deep are not supported")
}

pub async fn connect(global: &Global, stack_region: Option<&str>) -> anyhow::Result<Aws> {
    let opts = AwsOptions {
        profile: global.profile.clone(),
        region: global.region.clone(),
        endpoint_url: global.endpoint_url.clone(),
    };
    Ok(Aws::connect(&opts, stack_region).await?)
}

/// Connects for `stack`, with its credentials resolved.
pub async fn connect_for(global: &Global, stack: &Stack) -> anyhow::Result<Aws> {
    let aws = connect(global, stack.region.as_deref()).await?;
    // Resolving credentials first turns "no credentials" into one clear error instead of one
    // per concurrent discovery call.
    aws.credential_source().await?;
    Ok(aws)
}

/// Connects for `stack` and reads everything it owns (and the names others hold).
pub async fn read_account(global: &Global, stack: &Stack) -> anyhow::Result<(Cx, crate::live::LiveState)> {
    read_with(connect_for(global, stack).await?, stack).await
}

/// Reads the account for `stack` and checks that the stack's record names this stack file.
pub async fn read_with(aws: Aws, stack: &Stack) -> anyhow::Result<(Cx, crate::live::LiveState)> {
    let declared = Arc::new(crate::resources::claims::declared(stack));
    let mut cx = Cx { aws, stack: Arc::from(stack.name.as_str()), known: Arc::default(), record: None, declared };
    let live = crate::live::read(&cx, stack.iam_home_region.as_deref()).await?;
    let source = crate::account::source::of(std::path::Path::new(&stack.file.path));
    crate::account::identity::check_source(&stack.name, &stack.file.path, live.record.as_ref(), &source)?;
    cx.known = Arc::new(live.objects.iter().map(|o| o.id.clone()).collect());
    cx.record = live.record.as_ref().map(|r| Arc::from(r.arn.as_str()));
    Ok((cx, live))
}

/// Refuses, before any AWS call, a command that would have to ask but cannot: a job that
/// cannot answer must say so, not hang or guess.
pub fn require_answerable(auto_approve: bool, verb: &str, hint: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if auto_approve || std::io::stdin().is_terminal() {
        return Ok(());
    }
    Err(crate::error::user(
        format!("refusing to {verb} without confirmation: stdin is not a terminal"),
        hint.to_string(),
    ))
}

/// Asks `question` on stderr, with `detail` lines under it, and reads the answer: only `yes`
/// approves.
pub fn confirm(global: &Global, question: &str, detail: &[&str]) -> anyhow::Result<bool> {
    confirm_with(global.no_color, question, detail)
}

pub fn confirm_with(no_color: bool, question: &str, detail: &[&str]) -> anyhow::Result<bool> {
    use std::io::{BufRead, Write};
    let s = Style::stderr(no_color);
    let mut err = anstream::stderr().lock();
    writeln!(err, "\n{}", s.bold(question))?;
    for line in detail {
        writeln!(err, "  {line}")?;
    }
    writeln!(err, "  Only 'yes' will be accepted to approve.\n")?;
    write!(err, "  {} ", s.bold("Enter a value:"))?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

/// Everything up to a plan: load, connect, read the account, diff.
pub async fn prepare(
    global: &Global,
    args: &StackArgs,
    opts: &PlanOptions,
    destroy: bool,
) -> anyhow::Result<(Stack, Cx, Plan)> {
    let stack = load_stack_read(args, global).await?;
    let (cx, live) = read_account(global, &stack).await?;
    let plan = plan_fresh(global, &stack, &cx, &live, opts, destroy).await?;
    Ok((stack, cx, plan))
}

/// Diffs a loaded stack against the account as read, with the checks every plan gets.
pub async fn plan_fresh(
    global: &Global,
    stack: &Stack,
    cx: &Cx,
    live: &crate::live::LiveState,
    opts: &PlanOptions,
    destroy: bool,
) -> anyhow::Result<Plan> {
    if !destroy {
        // Safety findings inform a plan but never stop it; `stackr check` is the gate.
        render::warnings(&crate::check::output::warnings(&crate::check::run(stack)), Style::stderr(global.no_color));
    }
    let opts = crate::plan::Options { destroy, replace: opts.replace.clone(), target: opts.target.clone() };
    let plan =
        crate::plan::plan_with(stack, live, &opts).map_err(anyhow::Error::from).context("the plan cannot be made")?;
    render::warnings(&plan.warnings, Style::stderr(global.no_color));
    losses::refuse(cx, stack, &plan).await?;
    creates::refuse(cx, stack, &plan).await?;
    if !opts.target.is_empty() {
        render::targeting_warning(Style::stderr(global.no_color));
    }
    Ok(plan)
}
