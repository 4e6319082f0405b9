//! `stackr plan`: show what apply would change, and optionally save it for `apply PLAN_FILE`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anstream::{eprint, print, println};
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
/// under the final name (the temporary file goes with the process if writing fails). The file
/// is readable by its owner only, as the plan of an account is nobody else's business.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".stackr-plan-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map(|_| ()).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_file_is_written_whole_for_its_owner_and_nothing_is_left_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web.plan");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["web.plan"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(write_atomically(&dir.path().join("no/such/dir/x.plan"), b"x").is_err());
    }
}
