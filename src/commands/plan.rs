//! `stackr plan`: show what apply would change.

use std::process::ExitCode;

use crate::cli::{Global, PlanArgs, PlanFormat};
use crate::render::{self, Style};

pub async fn run(global: &Global, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let (_stack, _cx, plan) = super::prepare(global, &args.stack, &args.options, args.destroy).await?;
    match args.format() {
        PlanFormat::Json => println!("{}", serde_json::to_string_pretty(&render::json_plan(&plan))?),
        PlanFormat::Text => print!("{}", render::human_plan(&plan, Style::stdout(global.no_color))),
        PlanFormat::Markdown => print!("{}", render::markdown_plan(&plan)),
    }
    render::step_summary(&plan, Style::stderr(global.no_color));
    Ok(if args.detailed_exitcode && plan.has_changes() { ExitCode::from(2) } else { ExitCode::SUCCESS })
}
