//! `stackr rebind -f FILE`: records FILE as the stack's file, for a stack file that moved or
//! was renamed (or a repository that moved). The plan from the new file is what to check
//! afterwards; nothing but the record changes.

use std::process::ExitCode;

use crate::account::{record, source};
use crate::cli::{Global, RebindArgs};

pub async fn run(global: &Global, args: &RebindArgs) -> anyhow::Result<ExitCode> {
    super::require_answerable(args.auto_approve, "rebind", "pass --auto-approve to rebind without asking")?;
    let stack = super::load_stack(&args.stack, global)?;
    let aws = super::connect_for(global, &stack).await?;
    let now = source::of(std::path::Path::new(&stack.file.path));
    let Some(rec) = record::read(&aws, &stack.name).await? else {
        println!("Stack {} has no record yet; its first apply records {now}.", stack.name);
        return Ok(ExitCode::SUCCESS);
    };
    if rec.source == record::stored(&now) {
        println!("Stack {} is already recorded as {now}; nothing to do.", stack.name);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Stack {}\n  recorded:  {}\n  this file: {now}", stack.name, rec.source);
    let detail = ["Only do this if both are the same stack: this file will then own, change and delete its objects."];
    if !args.auto_approve && !super::confirm(global, "Do you want to record this file as the stack's?", &detail)? {
        eprintln!("\nRebind cancelled: nothing was changed.");
        return Ok(ExitCode::FAILURE);
    }
    record::rebind(&aws, &rec.arn, &now).await?;
    println!("\nStack {} is now recorded as {now}. Run `stackr plan -f {}` to check it.", stack.name, stack.file.path);
    Ok(ExitCode::SUCCESS)
}
