//! `stackr unlock LOCK_ID`: breaks the apply lock a killed apply left behind (Terraform's
//! `force-unlock`). Only the lock with that id, and only after confirmation: breaking a lock
//! an apply still holds lets two applies run at once.

use std::process::ExitCode;

use crate::account::lock;
use crate::cli::{Global, UnlockArgs};

pub async fn run(global: &Global, args: &UnlockArgs) -> anyhow::Result<ExitCode> {
    super::require_answerable(
        args.auto_approve,
        "unlock",
        "pass --force (or --auto-approve) to break the lock without asking",
    )?;
    let stack = super::load_stack(&args.stack, global)?;
    let aws = super::connect_for(global, &stack).await?;
    let Some((arn, holder)) = lock::holder(&aws, &stack.name).await? else {
        println!("Stack {} in {} is not locked; nothing to do.", stack.name, aws.region);
        return Ok(ExitCode::SUCCESS);
    };
    if holder.id != args.lock_id {
        return Err(crate::error::user(
            format!("stack {} in {} is locked, but not by lock {}:\n  {holder}", stack.name, aws.region, args.lock_id),
            "the lock was taken again since; make sure its apply is gone before breaking it, with its id",
        ));
    }
    println!("Stack {} in {}:\n  {holder}", stack.name, aws.region);
    let detail = ["Breaking a lock an apply still holds lets two applies change the stack at once."];
    if !args.auto_approve && !super::confirm(global, "Do you really want to break this lock?", &detail)? {
        eprintln!("\nUnlock cancelled: the lock is still held.");
        return Ok(ExitCode::FAILURE);
    }
    lock::delete(&aws, &arn).await?;
    println!("\nLock {} broken: stack {} in {} can be applied again.", holder.id, stack.name, aws.region);
    Ok(ExitCode::SUCCESS)
}
