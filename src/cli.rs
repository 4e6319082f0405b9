//! Command-line definitions. The `///` comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::stack::VarInputs;

/// Provision AWS from one declarative stack file. The live account is the state: stackr
/// finds what a stack owns by its ownership tags and IAM path, never by a state file.
#[derive(Debug, Parser)]
#[command(name = "stackr", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Named profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE or "default").
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region; overrides the stack file's `region`, which overrides AWS_REGION and the profile.
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Send every AWS call to this endpoint, e.g. http://127.0.0.1:4566 for LocalStack
    /// (default: AWS_ENDPOINT_URL, else AWS itself).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Never colour output (NO_COLOR is also respected).
    #[arg(long, global = true)]
    pub no_color: bool,

    /// Log AWS calls and timings to stderr (-v), or everything (-vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show who the current credentials belong to (STS GetCallerIdentity).
    Whoami(WhoamiArgs),
    /// Compare the stack file with the account and show what apply would change.
    Plan(PlanArgs),
    /// Plan, ask for confirmation, then make the changes.
    Apply(ApplyArgs),
    /// Delete every object the stack owns, in reverse dependency order.
    Destroy(ApplyArgs),
    /// Describe resource kinds: attributes, types, defaults, and what forces replacement.
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Only this kind (default: all).
    pub kind: Option<String>,

    /// Print Markdown (the README's reference section) instead of text.
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Debug, Args)]
pub struct StackArgs {
    /// The stack file.
    #[arg(short = 'f', long = "file", value_name = "PATH", default_value = "stack.hcl")]
    pub file: PathBuf,

    /// Set a variable: --var NAME=VALUE (repeatable; later wins).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = VarInputs::parse_flag)]
    pub vars: Vec<(String, String)>,

    /// Read variables from an HCL file of NAME = VALUE lines (repeatable; --var wins).
    #[arg(long = "var-file", value_name = "PATH")]
    pub var_files: Vec<PathBuf>,
}

impl StackArgs {
    pub fn inputs(&self) -> VarInputs {
        VarInputs { vars: self.vars.clone(), files: self.var_files.clone() }
    }
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Print the plan as JSON (Terraform's plan shape) instead of text.
    #[arg(long)]
    pub json: bool,

    /// Plan the destruction of everything the stack owns.
    #[arg(long)]
    pub destroy: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// Do not ask for confirmation. Required when stdin is not a terminal.
    #[arg(long)]
    pub auto_approve: bool,

    /// How many changes may run at once.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,
}
