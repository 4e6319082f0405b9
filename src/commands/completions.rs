//! `stackr completions SHELL` and `stackr man`: shell completion scripts and manual pages,
//! generated from the same command-line definitions as `--help`, so they never drift.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs, Shell};

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    };
    clap_complete::generate(shell, &mut Cli::command(), "stackr", &mut std::io::stdout().lock());
    Ok(ExitCode::SUCCESS)
}

pub fn man(args: &ManArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    // Gives each command its full name (`stackr plan`) for its page's synopsis.
    cmd.build();
    let source = format!("stackr {}", env!("CARGO_PKG_VERSION"));
    let Some(dir) = &args.out_dir else {
        clap_mangen::Man::new(cmd).source(source).render(&mut std::io::stdout().lock())?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| crate::error::user(format!("cannot create {}: {e}", dir.display()), "check the path"))?;
    let mut pages = vec![("stackr.1".to_string(), cmd.clone())];
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("stackr-{}", sub.get_name());
        pages.push((format!("{name}.1"), sub.clone().display_name(name)));
    }
    for (file, page) in pages {
        let mut text = vec![];
        clap_mangen::Man::new(page).source(source.clone()).render(&mut text)?;
        let path = dir.join(&file);
        std::fs::write(&path, text)
            .map_err(|e| crate::error::user(format!("cannot write {}: {e}", path.display()), "check the directory"))?;
        writeln!(std::io::stdout().lock(), "{}", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}
