//! stackr: provision AWS from one declarative stack file. `main` parses arguments, runs the
//! command, and maps failures to exit codes (1 for errors; `plan --detailed-exitcode` uses 2
//! for "changes present").

mod account;
mod address;
mod apply;
mod aws;
mod calllog;
mod check;
mod cli;
mod cli_util;
mod commands;
mod constraint;
mod data;
mod error;
mod fmt;
mod live;
mod model;
mod number;
mod plan;
mod render;
mod resources;
mod schema;
mod stack;

use std::process::ExitCode;

use clap::Parser;

use crate::render::Style;
use crate::stack::Diagnostics;

fn main() -> ExitCode {
    let cli = cli::Cli::parse_from(cli::normalize_args(std::env::args_os()));
    init_logging(cli.global.verbose);
    let no_color = cli.global.no_color;
    render::init_color(no_color);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(commands::run(cli));
    // A prompt interrupted by Ctrl-C leaves a thread blocked reading stdin: do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(e) => {
            let style = Style::stderr(no_color);
            match e.downcast_ref::<Diagnostics>() {
                Some(d) => render::diagnostics(d, style),
                None => match e.chain().find_map(|c| c.downcast_ref::<Diagnostics>()) {
                    Some(d) => render::diagnostics(d, style),
                    None => render::error(&e, style),
                },
            }
            ExitCode::FAILURE
        }
    }
}

/// `-v` shows each AWS call with its status and time; `-vv` everything. RUST_LOG overrides.
fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "off",
        1 => "warn,stackr=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}
