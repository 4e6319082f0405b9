//! `stackr fmt`: rewrite stack and variable files in the canonical layout, as `terraform fmt`
//! does. Every file is formatted in memory first: if any is not valid HCL, its diagnostics are
//! printed and no file is written. Changed files are listed on stdout (or their diffs, with
//! `--diff`); `--check` writes nothing and exits 3 when a file would change.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{FmtArgs, Global};
use crate::render::{self, Style};

/// The exit code of `--check` when some file is not formatted (terraform fmt's).
const NOT_FORMATTED: u8 = 3;

pub fn run(global: &Global, args: &FmtArgs) -> anyhow::Result<ExitCode> {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            return Err(crate::error::user(
                "`-` (stdin) cannot be formatted together with files",
                "run `stackr fmt -` on its own",
            ));
        }
        return stdin(global, args);
    }
    let files = collect(args)?;
    let mut changed = vec![];
    let mut invalid = vec![];
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| crate::error::user(format!("cannot read {}: {e}", file.display()), "check the path"))?;
        match crate::fmt::format_source(&file.display().to_string(), &text) {
            Ok(out) if out != text => changed.push((file, text, out)),
            Ok(_) => {}
            Err(d) => invalid.push(*d),
        }
    }
    if !invalid.is_empty() {
        render::warnings(&invalid, Style::stderr(global.no_color));
        let what = if invalid.len() == 1 { "a file is".to_string() } else { format!("{} files are", invalid.len()) };
        return Err(crate::error::user(
            format!("{what} not valid HCL; no file was formatted"),
            "fix the syntax errors shown above and run stackr fmt again",
        ));
    }
    let style = Style::stdout(global.no_color);
    let mut stdout = anstream::stdout().lock();
    for (file, before, after) in &changed {
        let name = file.display().to_string();
        if args.diff {
            write!(stdout, "{}", diff(&name, before, after, style))?;
        } else {
            writeln!(stdout, "{name}")?;
        }
        if !args.check {
            std::fs::write(file, after)
                .map_err(|e| crate::error::user(format!("cannot write {name}: {e}"), "check the file's permissions"))?;
        }
    }
    Ok(if args.check && !changed.is_empty() { ExitCode::from(NOT_FORMATTED) } else { ExitCode::SUCCESS })
}

/// `stackr fmt -`: stdin to stdout.
fn stdin(global: &Global, args: &FmtArgs) -> anyhow::Result<ExitCode> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let out = match crate::fmt::format_source("<stdin>", &text) {
        Ok(out) => out,
        Err(d) => {
            render::warnings(&[*d], Style::stderr(global.no_color));
            return Err(crate::error::user("stdin is not valid HCL", "fix the syntax error shown above"));
        }
    };
    if args.diff {
        if out != text {
            write!(anstream::stdout().lock(), "{}", diff("<stdin>", &text, &out, Style::stdout(global.no_color)))?;
        }
    } else if !args.check {
        // The formatted file itself: data, written as is (anstream would strip escapes in it).
        std::io::stdout().lock().write_all(out.as_bytes())?;
    }
    Ok(if args.check && out != text { ExitCode::from(NOT_FORMATTED) } else { ExitCode::SUCCESS })
}

/// A unified diff with three lines of context, `-` lines red and `+` lines green on a terminal.
fn diff(name: &str, before: &str, after: &str, style: Style) -> String {
    let text = similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    if !style.color {
        return text;
    }
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let painted = match body.as_bytes().first() {
            Some(b'+') if !body.starts_with("+++") => style.green(body),
            Some(b'-') if !body.starts_with("---") => style.red(body),
            Some(b'@') => style.bold(body),
            _ => body.to_string(),
        };
        out.push_str(&painted);
        out.push('\n');
    }
    out
}

/// The files to format, sorted within each directory: named files as given, the `.hcl` files
/// of named directories (and their subdirectories with `-r`), the current directory's by default.
fn collect(args: &FmtArgs) -> anyhow::Result<Vec<PathBuf>> {
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut files = vec![];
    for path in &paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            crate::error::user(format!("cannot format {}: {e}", path.display()), "give existing files or directories")
        })?;
        if meta.is_dir() {
            walk(path, args.recursive, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    Ok(files)
}

fn walk(dir: &Path, recursive: bool, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| crate::error::user(format!("cannot read directory {}: {e}", dir.display()), "check the path"))?;
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    let mut subdirs = vec![];
    for path in entries {
        // `./network.hcl` prints as `network.hcl`, as terraform fmt prints it.
        let path = path.strip_prefix(".").map(Path::to_path_buf).unwrap_or(path);
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if path.is_dir() {
            if recursive && !hidden {
                subdirs.push(path);
            }
        } else if path.extension().is_some_and(|x| x == "hcl") && !hidden {
            files.push(path);
        }
    }
    for sub in subdirs {
        walk(&sub, recursive, files)?;
    }
    Ok(())
}
