//! `stackr check`: the built-in safety checks on a stack file, with no AWS access. Findings go
//! to stdout (text, JSON or SARIF); in text the summary line follows them, otherwise it goes to
//! stderr so stdout stays one document. Exit 1 when a finding at or above `--deny` remains,
//! or when the stack file does not load.

use std::process::ExitCode;

use anstream::{eprintln, print, println};

use crate::check::{self, output, sarif};
use crate::cli::{CheckArgs, CheckFormat, DenyLevel, Global};
use crate::render::Style;
use crate::stack::diag::Severity;

pub fn run(global: &Global, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let stack = super::load_stack(&args.stack, global)?;
    if !stack.data_pending.is_empty() {
        // check reads nothing from AWS, so what a lookup feeds is not there to check.
        eprintln!(
            "note: check does not read data lookups; settings that come from them (and blocks repeated over them) are checked by plan"
        );
    }
    let report = check::run(&stack);
    match args.format {
        CheckFormat::Text => {
            print!("{}", output::text(&report, Style::stdout(global.no_color).color));
            println!("{}", output::summary(&report));
        }
        CheckFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&output::json(&report))?);
            eprintln!("{}", output::summary(&report));
        }
        CheckFormat::Sarif => {
            println!("{}", serde_json::to_string_pretty(&sarif::sarif(&report))?);
            eprintln!("{}", output::summary(&report));
        }
    }
    // In a GitHub Actions job the findings also show on the pull request's diff.
    crate::render::github::annotate(&output::diagnostics(&report));
    let deny = match args.deny {
        DenyLevel::Warning => Severity::Warning,
        DenyLevel::Error => Severity::Error,
    };
    Ok(if report.fails(deny) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
