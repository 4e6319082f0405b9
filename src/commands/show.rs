//! `stackr show PLAN_FILE`: print a saved plan without contacting AWS. The file holds the
//! redacted plan, so this never shows a secret.

use std::process::ExitCode;

use anstream::{print, println};

use crate::cli::{Global, PlanFormat, ShowArgs};
use crate::render::{self, Style};

pub fn run(global: &Global, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let saved = super::saved::read(&args.plan_file)?;
    let plan = saved.to_plan();
    match args.format() {
        PlanFormat::Json => println!("{}", serde_json::to_string_pretty(&render::json_plan(&plan))?),
        PlanFormat::Text => print!("{}", render::human_plan(&plan, Style::stdout(global.no_color))),
        PlanFormat::Markdown => print!("{}", render::markdown_plan(&plan)),
    }
    Ok(ExitCode::SUCCESS)
}
