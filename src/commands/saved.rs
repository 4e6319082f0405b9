//! Applying a saved plan: read and verify the file, load the stack it was made from with the
//! same variables, read the account, plan again with the same options, and go ahead only if
//! the result is the reviewed plan. Shared by `apply PLAN_FILE`; `show` reads files here too.

use std::path::Path;

use anyhow::Context;

use crate::cli::{ApplyArgs, Global};
use crate::live::LiveState;
use crate::plan::saved::{Saved, SavedVar};
use crate::plan::{Plan, stale};
use crate::resources::Cx;
use crate::stack::Stack;

/// Reads a plan file; every way it can be unusable is a one-line error with a hint.
pub fn read(path: &Path) -> anyhow::Result<Saved> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the plan file {}", path.display()))?;
    Saved::from_bytes(&path.display().to_string(), &bytes).map_err(|e| {
        crate::error::user(
            e.to_string(),
            "make the plan again with `stackr plan --out FILE`, review it, and apply that file",
        )
    })
}

/// The saved plan and the stack it was made from, loaded with the same variables.
pub async fn load(global: &Global, args: &ApplyArgs, path: &Path) -> anyhow::Result<(Saved, Stack)> {
    if !args.options.replace.is_empty() || !args.options.target.is_empty() {
        return Err(crate::error::user(
            "-replace and -target cannot be combined with a plan file",
            "the plan file already says what to replace and target; make a new plan to change that",
        ));
    }
    let saved = read(path)?;
    let mut stack_args = args.stack.clone();
    if stack_args.file.is_none() {
        stack_args.file = Some(saved.stack_file.clone().into());
    }
    stack_args.recorded = saved
        .variables
        .iter()
        .filter_map(|(k, v)| match v {
            SavedVar::Value(v) => Some((k.clone(), v.clone())),
            SavedVar::Sensitive { .. } => None,
        })
        .collect();
    let secret_vars: Vec<&str> = saved
        .variables
        .iter()
        .filter(|(_, v)| matches!(v, SavedVar::Sensitive { .. }))
        .map(|(k, _)| k.as_str())
        .collect();
    match super::load_stack_read(&stack_args, global).await {
        Ok(stack) => Ok((saved, stack)),
        Err(e) => {
            // Diagnostics print on their own; this says what a plan file cannot supply.
            if !secret_vars.is_empty() {
                eprintln!(
                    "note: plan files keep only digests of sensitive variables, so give {} again (STACKR_VAR_<name>, --var or --var-file)\n",
                    secret_vars.join(", ")
                );
            }
            Err(e)
        }
    }
}

/// The plan to execute for `apply PLAN_FILE`: the fresh plan, once it is shown to be the saved one.
pub async fn verified(saved: &Saved, stack: &Stack, cx: &Cx, live: &LiveState, path: &Path) -> anyhow::Result<Plan> {
    let fresh = crate::plan::plan_with(stack, live, &saved.options())
        .map_err(anyhow::Error::from)
        .context("the plan cannot be made again")?;
    super::losses::refuse(cx, stack, &fresh).await?;
    super::creates::refuse(cx, stack, &fresh).await?;
    let reasons = stale::check(saved, stack, &cx.aws.region, &fresh);
    if !reasons.is_empty() {
        let list: String = reasons.iter().map(|r| format!("\n  - {r}")).collect();
        return Err(crate::error::user(
            format!("the saved plan {} is stale; nothing was changed:{list}", path.display()),
            "run `stackr plan --out FILE` again, review the new plan, and apply that file",
        ));
    }
    eprintln!("The saved plan {} still matches the account and the stack file; applying it.\n", path.display());
    Ok(fresh)
}
