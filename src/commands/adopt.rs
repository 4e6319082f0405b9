//! `stackr adopt ADDR=ID ...`: take ownership of existing objects that match stack blocks.

use std::process::ExitCode;

use crate::cli::{AdoptArgs, Global};

pub async fn run(_global: &Global, _args: &AdoptArgs) -> anyhow::Result<ExitCode> {
    Err(crate::error::user("`adopt` is being built in this change", "use `stackr plan`"))
}
