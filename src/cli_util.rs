//! The arguments of stackr's utility commands (fmt, graph, output, completions, man), kept
//! apart from the commands that plan and change the account; `cli` re-exports them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::StackArgs;

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files and directories to format: a directory means its .hcl files; a file is
    /// formatted whatever its name. `-` reads stdin and writes stdout. [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write nothing; list the files that are not formatted and exit 3 if there are any.
    #[arg(long)]
    pub check: bool,

    /// Print a unified diff of each change (the files are still written unless --check).
    #[arg(long)]
    pub diff: bool,

    /// Also format the .hcl files of subdirectories (hidden ones are skipped).
    #[arg(short, long)]
    pub recursive: bool,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// One output to print; all of them when left out.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// Print JSON: one value, or every output as {"NAME": {"sensitive": …, "value": …}}.
    #[arg(long, conflicts_with = "raw")]
    pub json: bool,

    /// Print one output's string, number or bool as it is, without quotes (for scripts).
    #[arg(long, requires = "name")]
    pub raw: bool,

    #[command(flatten)]
    pub stack: StackArgs,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub stack: StackArgs,
}

/// A shell that `stackr completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write stackr.1 and a stackr-COMMAND.1 page for each command into this directory,
    /// instead of printing stackr.1.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}
