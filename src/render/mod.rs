//! All user-facing output: plans (human and JSON), apply progress, outputs, errors and
//! diagnostics. Data goes to stdout; prompts, diagnostics and errors go to stderr. Colour is
//! decided by [`color_enabled`] (the flag, NO_COLOR, CLICOLOR, CLICOLOR_FORCE, a terminal) and
//! written through anstream, which strips it where it must not go and makes it work on Windows
//! consoles.

mod docdiff;
mod events;
pub mod github;
mod human;
mod json;
pub mod markdown;
pub mod outcome;
mod progress;
pub mod schema;
pub(crate) mod tftypes;
mod value;

use std::io::{IsTerminal, Write};

use anstyle::AnsiColor;

pub use events::JsonEvents;
pub use human::plan as human_plan;
pub use json::plan as json_plan;
pub use markdown::plan as markdown_plan;
pub use progress::Progress;

use crate::aws::AwsError;
use crate::error::UserError;
use crate::stack::{Diagnostic, Diagnostics};

/// Colour settings for one stream.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Colour as [`color_enabled`] decides it for this process's environment.
    pub fn detect(stream_is_tty: bool, no_color_flag: bool) -> Style {
        Style { color: color_enabled(no_color_flag, &ColorEnv::from_process(), stream_is_tty) }
    }

    pub fn stdout(no_color_flag: bool) -> Style {
        Style::detect(std::io::stdout().is_terminal(), no_color_flag)
    }

    pub fn stderr(no_color_flag: bool) -> Style {
        Style::detect(std::io::stderr().is_terminal(), no_color_flag)
    }

    fn paint(&self, style: anstyle::Style, s: &str) -> String {
        if self.color { format!("{style}{s}{style:#}") } else { s.to_string() }
    }

    pub fn green(&self, s: &str) -> String {
        self.paint(AnsiColor::Green.on_default(), s)
    }

    pub fn yellow(&self, s: &str) -> String {
        self.paint(AnsiColor::Yellow.on_default(), s)
    }

    pub fn red(&self, s: &str) -> String {
        self.paint(AnsiColor::Red.on_default(), s)
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint(anstyle::Style::new().bold(), s)
    }
}

/// What the environment says about colour, read once, so that the decision is a pure
/// function of it ([`color_enabled`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColorEnv {
    /// `NO_COLOR` is set and not empty (no-color.org).
    pub no_color: bool,
    /// `CLICOLOR`: `Some(false)` for `0`, `Some(true)` for anything else.
    pub clicolor: Option<bool>,
    /// `CLICOLOR_FORCE` is set, not empty and not `0`.
    pub clicolor_force: bool,
    /// `TERM` can show colour: set and not `dumb` (unset counts as able on Windows only).
    pub term_color: bool,
    /// `CI` is set: CI log viewers show colour.
    pub ci: bool,
}

impl ColorEnv {
    pub fn from_process() -> ColorEnv {
        let var = |name: &str| std::env::var_os(name);
        ColorEnv {
            no_color: var("NO_COLOR").is_some_and(|v| !v.is_empty()),
            clicolor: var("CLICOLOR").map(|v| v != "0"),
            clicolor_force: var("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0"),
            term_color: var("TERM").map_or(cfg!(windows), |t| t != "dumb"),
            ci: var("CI").is_some(),
        }
    }
}

/// Whether to colour a stream: never with `--no-color` or `NO_COLOR`; always with
/// `CLICOLOR_FORCE` (even into a pipe); never with `CLICOLOR=0`; otherwise only on a terminal
/// that shows colour. These are anstream's rules, in its order, so whatever stackr colours the
/// anstream stream it is written through lets pass (and on an old Windows console translates).
pub fn color_enabled(no_color_flag: bool, env: &ColorEnv, is_terminal: bool) -> bool {
    if no_color_flag || env.no_color {
        return false;
    }
    if env.clicolor_force {
        return true;
    }
    if env.clicolor == Some(false) {
        return false;
    }
    is_terminal && (env.term_color || env.clicolor == Some(true) || env.ci)
}

/// Makes `--no-color` anstream's choice too: output is written through anstream's streams,
/// which then strip escapes (from stackr or annotate-snippets) instead of passing them.
pub fn init_color(no_color_flag: bool) {
    let choice = if no_color_flag { anstream::ColorChoice::Never } else { anstream::ColorChoice::Auto };
    choice.write_global();
}

/// Prints diagnostics to stderr.
pub fn diagnostics(d: &Diagnostics, style: Style) {
    let mut err = anstream::stderr().lock();
    for diag in d.iter() {
        let _ = writeln!(err, "{}", diag.render(style.color));
        let _ = writeln!(err);
    }
    github::annotate(d.iter());
    let n = d.error_count();
    if n > 1 {
        let _ = writeln!(err, "{}", style.red(&format!("error: {n} errors; nothing was changed in the account")));
    }
}

/// Prints warnings (non-fatal diagnostics) to stderr.
pub fn warnings(w: &[Diagnostic], style: Style) {
    let mut err = anstream::stderr().lock();
    for d in w {
        let _ = writeln!(err, "{}\n", d.render(style.color));
    }
    github::annotate(w);
}

/// In a GitHub Actions job, appends the Markdown plan to the step summary; a failure to write
/// it is a warning, not a failed plan.
pub fn step_summary(plan: &crate::plan::Plan, style: Style) {
    if !github::enabled() {
        return;
    }
    if let Err(e) = github::append_step_summary(&markdown::plan(plan)) {
        let mut err = anstream::stderr().lock();
        let _ = writeln!(err, "{} cannot append the plan to GITHUB_STEP_SUMMARY: {e}", style.yellow("warning:"));
    }
}

/// Terraform's warning for `-target`: a partial plan is for exceptional cases, not routine use.
pub fn targeting_warning(style: Style) {
    let mut err = anstream::stderr().lock();
    let _ =
        writeln!(err, "{} {}", style.yellow(&style.bold("warning:")), style.bold("Resource targeting is in effect"));
    let _ = writeln!(
        err,
        "  This plan covers only the targeted objects and what they depend on, so it may not show every change\n  the stack file asks for. Use -target for exceptional situations, such as recovering from a mistake,\n  not as part of routine operation.\n"
    );
}

/// Prints an error as `error: …` on one line, then `hint: …` when one is known.
pub fn error(e: &anyhow::Error, style: Style) {
    let hint = e.chain().find_map(|c| {
        c.downcast_ref::<AwsError>()
            .and_then(|a| a.hint.clone())
            .or_else(|| c.downcast_ref::<UserError>().and_then(|u| u.hint.clone()))
    });
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{} {e:#}", style.red(&style.bold("error:")));
    if let Some(h) = &hint {
        let _ = writeln!(err, "{} {h}", style.bold("hint:"));
    }
    if github::enabled() {
        let _ = writeln!(err, "{}", github::error_annotation(&format!("{e:#}"), hint.as_deref()));
    }
}

/// Formats an elapsed time the way Terraform does: `3s`, `1m5s`.
pub fn elapsed(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 60 { format!("{}m{}s", s / 60, s % 60) } else { format!("{s}s") }
}

/// An output value: one line when it fits, else indented JSON.
pub fn output_value(v: &crate::model::Value) -> String {
    value::inline(v).unwrap_or_else(|| serde_json::to_string_pretty(&v.to_json()).unwrap_or_default())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod document_tests;
