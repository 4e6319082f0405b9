//! `stackr plan`: show what apply would change, and optionally save it for `apply PLAN_FILE`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{Global, PlanArgs, PlanFormat};
use crate::plan::saved::Saved;
use crate::render::{self, Style};

pub async fn run(global: &Global, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let (stack, cx, plan) = super::prepare(global, &args.stack, &args.options, args.destroy).await?;
    let shown = plan.shown(args.options.show_sensitive);
    let format = args.format();
    match format {
        PlanFormat::Json => println!("{}", serde_json::to_string_pretty(&render::json_plan(&shown))?),
        PlanFormat::Text => print!("{}", render::human_plan(&shown, Style::stdout(global.no_color))),
        PlanFormat::Markdown => print!("{}", render::markdown_plan(&shown)),
    }
    render::step_summary(&shown, Style::stderr(global.no_color));
    if let Some(out) = &args.out {
        let opts = crate::plan::Options {
            destroy: args.destroy,
            replace: args.options.replace.clone(),
            target: args.options.target.clone(),
        };
        let saved = Saved::new(&plan, &stack, &cx.aws.region, &opts);
        write_atomically(out, &saved.to_bytes())
            .with_context(|| format!("cannot write the plan to {}", out.display()))?;
        let note = format!(
            "\nSaved the plan to: {0}\n\nTo perform exactly these actions, run:\n    stackr apply {0}\n",
            out.display()
        );
        // Machine-readable stdout stays clean.
        if format == PlanFormat::Text { print!("{note}") } else { eprint!("{note}") }
    }
    Ok(if args.detailed_exitcode && plan.has_changes() { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// Writes through a temporary file in the same directory, so a crash never leaves half a plan
/// under the final name.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile_in(dir)?;
    tmp.1.write_all(bytes)?;
    tmp.1.sync_all()?;
    std::fs::rename(&tmp.0, path)
}

fn tempfile_in(dir: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let name = dir.join(format!(".stackr-plan-{}.tmp", std::process::id()));
    Ok((name.clone(), std::fs::File::create(name)?))
}
