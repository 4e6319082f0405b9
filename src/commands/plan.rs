//! `stackr plan`: show what apply would change.

use std::process::ExitCode;

use crate::cli::{Global, PlanArgs};
use crate::render::{self, Style};

pub async fn run(global: &Global, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let (_stack, _cx, plan) = super::prepare(global, &args.stack, args.destroy).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&render::json_plan(&plan))?);
    } else {
        print!("{}", render::human_plan(&plan, Style::stdout(global.no_color)));
    }
    Ok(if args.detailed_exitcode && plan.has_changes() { ExitCode::from(2) } else { ExitCode::SUCCESS })
}
