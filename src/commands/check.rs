//! `stackr check`: the built-in safety checks.

use std::process::ExitCode;

use crate::cli::{CheckArgs, Global};

pub fn run(_global: &Global, _args: &CheckArgs) -> anyhow::Result<ExitCode> {
    Err(crate::error::user("`check` is being built in this change", "use `stackr plan`"))
}
