//! `stackr show PLAN_FILE`: print a saved plan without contacting AWS.

use std::process::ExitCode;

use crate::cli::{Global, ShowArgs};

pub fn run(_global: &Global, _args: &ShowArgs) -> anyhow::Result<ExitCode> {
    Err(crate::error::user("`show` is being built in this change", "use `stackr plan`"))
}
