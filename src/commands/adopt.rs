//! `stackr adopt -f stack.hcl ADDR=ID ...`: takes ownership of existing objects that match
//! blocks of the stack. Every pair is checked first (the block exists and has no object yet,
//! the object exists, no stack owns it, nothing about it forces a replacement), so bad input
//! changes nothing; then the plan each object will have is shown and confirmed, and each gets
//! the marks a create would have given it (ownership tags, or the stack's IAM path).

use std::collections::HashSet;
use std::process::ExitCode;

use anstream::{eprintln, print, println};
use anyhow::Context;

use crate::cli::{AdoptArgs, Global};
use crate::live::LiveState;
use crate::model::{Address, LiveObject};
use crate::plan::{Action, Plan};
use crate::render::{self, Style};
use crate::resources::{self, Cx, adopt};
use crate::stack::Stack;

use super::session::Session;

/// One object to adopt, once every check has passed.
struct Adoption {
    addr: Address,
    live: LiveObject,
}

pub async fn run(global: &Global, args: &AdoptArgs) -> anyhow::Result<ExitCode> {
    super::require_answerable(args.auto_approve, "adopt", "pass --auto-approve to adopt without asking (as in CI)")?;
    let stack = super::load_stack_read(&args.stack, global).await?;
    refuse(check_pairs(&stack, &args.objects))?;
    let command = format!("stackr adopt -f {}", stack.file.path);
    let session = Session::open(global, stack, None, &args.lock, &command).await?;
    session.guarded(adopt(global, args, &session)).await
}

async fn adopt(global: &Global, args: &AdoptArgs, session: &Session) -> anyhow::Result<ExitCode> {
    let stack = &session.stack;
    let (mut cx, live) = super::read_with(session.aws.clone(), stack).await?;
    let adoptions = describe_all(&cx, stack, &live, &args.objects).await?;
    let plan = plan_after(stack, &live, &adoptions)?;

    let out = Style::stdout(global.no_color);
    print!("{}", preview(&adoptions, &plan, out));
    let detail = ["stackr will mark them as this stack's; `stackr destroy` will then delete them."];
    if !args.auto_approve && !super::confirm(global, "Do you want to adopt these objects?", &detail)? {
        eprintln!("\nAdopt cancelled: nothing was changed.");
        return Ok(ExitCode::FAILURE);
    }
    println!();
    // The record says which singletons the stack owns; an adopted password policy is marked there.
    super::session::record_before_changes(&mut cx, stack, &live).await?;
    session.changes_start();
    let mut failed = 0;
    for a in &adoptions {
        let kind = resources::kind(&a.addr.kind).expect("checked above");
        println!("{}: Adopting... [id={}]", a.addr, a.live.id);
        match kind.take_ownership(&cx, &a.addr, &a.live).await {
            Ok(()) => println!("{}: Adoption complete", a.addr),
            Err(e) => {
                failed += 1;
                let err = Style::stderr(global.no_color);
                eprintln!("{} {}: {e:#}", err.red(&err.bold("error:")), a.addr);
            }
        }
    }
    let done = adoptions.len() - failed;
    let path = args.stack.path();
    let file = path.display();
    if failed > 0 {
        eprintln!("\nAdopt failed: {done} adopted, {failed} not. Run `stackr adopt` again for those that failed.");
        return Ok(ExitCode::FAILURE);
    }
    println!("\n{} {done} adopted.", out.green(&out.bold("Adopt complete!")));
    println!("Run `stackr plan -f {file}` to see the changes that would bring them in line with the stack file.");
    Ok(ExitCode::SUCCESS)
}

/// Checks that need no AWS call: each address names a block, nothing is named twice, and
/// the kind can be adopted with an id of the right form. Returns every problem found.
fn check_pairs(stack: &Stack, pairs: &[(Address, String)]) -> Vec<String> {
    let mut problems = vec![];
    let (mut addrs, mut ids) = (HashSet::new(), HashSet::new());
    for (addr, id) in pairs {
        let at = format!("{addr}={id}");
        if stack.resource(addr).is_none() {
            let known: Vec<String> = stack.resources.iter().map(|r| r.addr.to_string()).collect();
            problems.push(format!("{at}: the stack has no block `{addr}` (its blocks: {})", known.join(", ")));
            continue;
        }
        if !addrs.insert(addr) {
            problems.push(format!("{at}: `{addr}` is given more than once"));
        }
        if !ids.insert((&addr.kind, id)) {
            problems.push(format!("{at}: `{id}` is given for more than one block"));
        }
        let kind = resources::kind(&addr.kind).expect("stack kinds are checked at load");
        if let Some(why) = kind.adopt_refusal() {
            problems.push(format!("{at}: `{}` objects cannot be adopted: {why}", addr.kind));
        } else if let Some(why) = adopt::id_problem(&addr.kind, id) {
            problems.push(format!("{at}: {why}"));
        }
    }
    problems
}

/// Looks up every object and checks it may be adopted; every problem is reported at once.
async fn describe_all(
    cx: &Cx,
    stack: &Stack,
    live: &LiveState,
    pairs: &[(Address, String)],
) -> anyhow::Result<Vec<Adoption>> {
    let lookups = pairs.iter().map(|(addr, id)| async move {
        let kind = resources::kind(&addr.kind).expect("checked above");
        (addr, id, kind.describe(cx, id).await)
    });
    let mut problems = vec![];
    let mut adoptions = vec![];
    for (addr, id, found) in futures::future::join_all(lookups).await {
        let at = format!("{addr}={id}");
        if let Some(obj) = live.objects.iter().find(|o| &o.addr == addr) {
            problems
                .push(format!("{at}: `{addr}` is already this stack's object {}; there is nothing to adopt", obj.id));
            continue;
        }
        match found {
            Err(e) => problems.push(format!("{at}: {e:#}")),
            Ok(None) => {
                // IAM is global: its objects are the account's, not a region's.
                let place =
                    if addr.kind.starts_with("iam_") { "the account".to_string() } else { cx.aws.region.clone() };
                problems.push(format!("{at}: there is no {} `{id}` in {place}", addr.kind));
            }
            Ok(Some(d)) => match d.owner {
                Some(o) if o.stack == stack.name => problems.push(format!(
                    "{at}: `{id}` is already owned by this stack, as {}; there is nothing to adopt",
                    o.addr
                )),
                Some(o) => problems.push(format!(
                    "{at}: `{id}` is owned by stack \"{}\" (as {}); stackr never takes objects from another stack",
                    o.stack, o.addr
                )),
                None => {
                    let live = LiveObject { addr: addr.clone(), ..d.live };
                    adoptions.push(Adoption { addr: addr.clone(), live });
                }
            },
        }
    }
    refuse(problems)?;
    Ok(adoptions)
}

/// The plan the adopted objects will have once they are the stack's, limited to them and
/// what they depend on. Refuses when a difference would force replacing one: adopting it
/// would only mean the next apply deletes it.
fn plan_after(stack: &Stack, live: &LiveState, adoptions: &[Adoption]) -> anyhow::Result<Plan> {
    // Names held by the objects being adopted are no conflict once they are the stack's, and
    // conflicts elsewhere in the stack are the plan's to report, not adopt's.
    let mut after = LiveState { objects: live.objects.clone(), foreign: Default::default(), ..live.clone() };
    after.objects.extend(adoptions.iter().map(|a| a.live.clone()));
    let targets: Vec<Address> = adoptions.iter().map(|a| a.addr.clone()).collect();
    let opts = crate::plan::Options { destroy: false, replace: vec![], target: targets.clone() };
    let mut plan = crate::plan::plan_with(stack, &after, &opts)
        .map_err(anyhow::Error::from)
        .context("the plan after adoption cannot be made")?;
    let mut problems = vec![];
    for c in plan.changes.iter().filter(|c| c.action == Action::Replace && targets.contains(&c.addr)) {
        let id = c.live.as_ref().map_or("", |l| l.id.as_str());
        for attr in &c.forces {
            let have = c.before().and_then(|b| b.get(attr)).cloned().unwrap_or_default();
            let want = c.after.as_ref().and_then(|a| a.get(attr)).cloned().unwrap_or_default();
            problems.push(if want.has_unknown() {
                format!(
                    "{}={id}: `{attr}` refers to an object the stack does not have yet, so it would be replaced; \
                     adopt that object too, in the same command",
                    c.addr
                )
            } else if c.sensitive.contains(attr) {
                format!("{}={id}: `{attr}` (sensitive) differs from the stack file, and a change of it forces replacement", c.addr)
            } else {
                format!(
                    "{}={id}: `{attr}` is {} in AWS but {} in the stack file, and a change of `{attr}` forces replacement",
                    c.addr,
                    render::output_value(&have),
                    render::output_value(&want),
                )
            });
        }
    }
    refuse(problems)?;
    plan.changes.retain(|c| targets.contains(&c.addr));
    plan.steps.clear();
    plan.outputs.clear();
    Ok(plan)
}

fn refuse(problems: Vec<String>) -> anyhow::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems.iter().map(|p| format!("\n  {p}")).collect();
    Err(crate::error::user(
        format!("nothing was adopted: {} problem(s){}", problems.len(), list.concat()),
        "fix the pairs above (ADDR=ID, the block's address and the object's AWS id or name) and run adopt again",
    ))
}

/// What will be adopted, and the plan each object will have afterwards.
fn preview(adoptions: &[Adoption], plan: &Plan, out: Style) -> String {
    let mut s = format!("{}\n\n", out.bold("stackr will adopt these objects:"));
    let pad = adoptions.iter().map(|a| a.addr.to_string().len()).max().unwrap_or(0);
    for a in adoptions {
        s.push_str(&format!("  {:pad$}  {}\n", a.addr.to_string(), a.live.id));
    }
    s.push('\n');
    if plan.has_changes() {
        s.push_str("Once adopted, the next apply will change them as follows:\n\n");
        s.push_str(&render::human_plan(&plan.redacted(), out));
    } else {
        s.push_str("They match the stack file: once adopted, the plan shows no changes for them.\n");
    }
    s
}
