//! Command-line definitions. The `///` comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::cli_util::*;
use crate::model::Address;
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
    /// Plan, ask for confirmation, then make the changes; or apply a saved plan exactly.
    Apply(ApplyArgs),
    /// Delete every object the stack owns, in reverse dependency order.
    Destroy(ApplyArgs),
    /// Show a saved plan file (from `plan --out`) without contacting AWS.
    Show(ShowArgs),
    /// Run the built-in safety checks on a stack file (no AWS access).
    Check(CheckArgs),
    /// Take ownership of existing objects that match blocks of the stack: ADDR=ID ...
    Adopt(AdoptArgs),
    /// Describe resource kinds: attributes, types, defaults, and what forces replacement.
    Schema(SchemaArgs),
    /// Break the apply lock a killed apply left behind (Terraform's force-unlock).
    Unlock(UnlockArgs),
    /// Record this file as the stack's file, after moving or renaming it.
    Rebind(RebindArgs),
    /// Rewrite stack and variable files in the canonical layout (terraform fmt's).
    Fmt(FmtArgs),
    /// Print the stack's dependency graph in Graphviz DOT (no AWS access).
    Graph(GraphArgs),
    /// Print the stack's outputs, computed from the stack file and the account as it is now.
    Output(OutputArgs),
    /// Print a shell completion script: bash, zsh, fish or powershell.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a directory.
    Man(ManArgs),
}

/// The apply lock, for commands that change the account.
#[derive(Debug, Args, Clone)]
pub struct LockArgs {
    /// Take the stack's apply lock (--lock=false only in emergencies: two applies at once
    /// can create objects twice).
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub lock: bool,

    /// How long to wait for another apply's lock, e.g. 30s or 5m (default: fail at once).
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    pub lock_timeout: std::time::Duration,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e}: write a duration such as 0s, 30s, 5m or 1h"))
}

#[derive(Debug, Args)]
pub struct UnlockArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// The lock's id, as the refused apply printed it.
    #[arg(value_name = "LOCK_ID")]
    pub lock_id: String,

    /// Do not ask for confirmation (also -force, as Terraform's force-unlock).
    #[arg(long, alias = "force")]
    pub auto_approve: bool,
}

#[derive(Debug, Args)]
pub struct RebindArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
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

#[derive(Debug, Args, Clone)]
pub struct StackArgs {
    /// The stack file [default: stack.hcl; with a plan file, the one the plan was made from].
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Set a variable: --var NAME=VALUE (repeatable; later wins).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = VarInputs::parse_flag)]
    pub vars: Vec<(String, String)>,

    /// Read variables from an HCL file of NAME = VALUE lines (repeatable; --var wins).
    #[arg(long = "var-file", value_name = "PATH")]
    pub var_files: Vec<PathBuf>,

    /// Variable values recorded in a plan file (lowest precedence after defaults).
    #[arg(skip)]
    pub recorded: Vec<(String, crate::model::Value)>,
}

impl StackArgs {
    pub fn path(&self) -> PathBuf {
        self.file.clone().unwrap_or_else(|| PathBuf::from("stack.hcl"))
    }

    pub fn inputs(&self) -> VarInputs {
        VarInputs {
            vars: self.vars.clone(),
            files: self.var_files.clone(),
            values: self.recorded.clone(),
            data: Default::default(),
        }
    }
}

/// How a plan is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Terraform-style text.
    Text,
    /// Terraform's plan JSON shape, for policy tools.
    Json,
    /// A summary table and collapsible detail, for a pull-request comment.
    Markdown,
}

/// Options that shape which changes a plan holds (plan and apply).
#[derive(Debug, Args, Clone, Default)]
pub struct PlanOptions {
    /// Replace this object even if nothing about it changed (repeatable; also -replace=ADDR).
    #[arg(long, value_name = "ADDR", value_parser = parse_address)]
    pub replace: Vec<Address>,

    /// Plan only this object and what it depends on (repeatable; also -target=ADDR).
    #[arg(long, value_name = "ADDR", value_parser = parse_address)]
    pub target: Vec<Address>,

    /// Print sensitive values (user data, `sensitive` variables) in clear. Never affects
    /// plan files, which hold only digests.
    #[arg(long)]
    pub show_sensitive: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    #[command(flatten)]
    pub options: PlanOptions,

    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Print the plan as JSON (Terraform's plan shape); the same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// How to print the plan.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<PlanFormat>,

    /// Plan the destruction of everything the stack owns.
    #[arg(long)]
    pub destroy: bool,

    /// Also save the plan to this file, for `stackr apply PATH` (also -out=PATH).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

impl PlanArgs {
    pub fn format(&self) -> PlanFormat {
        if self.json { PlanFormat::Json } else { self.format.unwrap_or(PlanFormat::Text) }
    }
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    #[command(flatten)]
    pub options: PlanOptions,

    /// A plan saved by `stackr plan --out`: apply exactly it, refusing if the account or the
    /// stack changed since. No confirmation is asked; the plan was the review.
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: Option<PathBuf>,

    /// Do not ask for confirmation. Required when stdin is not a terminal.
    #[arg(long)]
    pub auto_approve: bool,

    /// How many changes may run at once.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,

    /// Stream one JSON event per line to stdout instead of text (implies no prompt: pass
    /// --auto-approve or a plan file).
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The plan file.
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: PathBuf,

    /// Print Terraform's plan JSON shape instead of text.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// How to print the plan.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<PlanFormat>,
}

impl ShowArgs {
    pub fn format(&self) -> PlanFormat {
        if self.json { PlanFormat::Json } else { self.format.unwrap_or(PlanFormat::Text) }
    }
}

/// How `check` prints findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

/// The least severity that makes `check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyLevel {
    Warning,
    Error,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// How to print findings.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text, value_name = "FORMAT")]
    pub format: CheckFormat,

    /// Exit 1 when a finding of this severity or worse remains (default: error).
    #[arg(long, value_enum, default_value_t = DenyLevel::Error, value_name = "LEVEL")]
    pub deny: DenyLevel,
}

#[derive(Debug, Args)]
pub struct AdoptArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// What to adopt: the block's address and the object's AWS id, e.g. vpc.main=vpc-0abc.
    #[arg(value_name = "ADDR=ID", required = true, value_parser = parse_adoption)]
    pub objects: Vec<(Address, String)>,

    /// Do not ask for confirmation. Required when stdin is not a terminal.
    #[arg(long)]
    pub auto_approve: bool,

    #[command(flatten)]
    pub lock: LockArgs,
}

fn parse_address(s: &str) -> Result<Address, String> {
    Address::parse(s).ok_or_else(|| {
        format!("expected an address KIND.NAME or KIND.NAME[KEY] such as vpc.main or subnet.public[\"a\"], found `{s}`")
    })
}

fn parse_adoption(s: &str) -> Result<(Address, String), String> {
    match s.rsplit_once('=') {
        Some((a, id)) if !id.trim().is_empty() => Ok((parse_address(a.trim())?, id.trim().to_string())),
        _ => Err(format!("expected ADDR=ID such as vpc.main=vpc-0abc, found `{s}`")),
    }
}

/// Terraform users type `-replace=ADDR`, `-target=ADDR`, `-out=PATH`; clap wants two dashes.
/// Rewrites those single-dash long options (and `-auto-approve`, `-json`, `-destroy`) so both
/// spellings work.
pub fn normalize_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    const LONG: &[&str] = &[
        "replace",
        "target",
        "out",
        "var",
        "var-file",
        "auto-approve",
        "json",
        "destroy",
        "detailed-exitcode",
        "lock",
        "lock-timeout",
        "force",
    ];
    args.into_iter()
        .map(|a| {
            let Some(s) = a.to_str() else { return a };
            let Some(rest) = s.strip_prefix('-').filter(|r| !r.starts_with('-')) else { return a };
            let name = rest.split_once('=').map_or(rest, |(n, _)| n);
            if LONG.contains(&name) { format!("-{s}").into() } else { a }
        })
        .collect()
}
