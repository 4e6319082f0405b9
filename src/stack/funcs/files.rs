//! `file(path)` and `templatefile(path, vars)`. A relative path is relative to the stack
//! file's directory (Terraform's `path.module`); every read stays inside the stack's tree
//! (the repository holding the stack file, or its directory outside one), symbolic links
//! resolved, exactly as `template()` confines its reads. The calls are resolved by
//! [`super::lazy`], which knows the directory; the functions declared here are only reached
//! where it could not resolve them.

use std::path::Path;

use hcl::Value;
use hcl::eval::{Context, Evaluate, FuncDef, ParamType};

use crate::stack::template::{inside, repo_of};

pub(super) fn declare(ctx: &mut Context) {
    let file = FuncDef::builder().param(ParamType::Any).build(|_| Err(unresolved("file")));
    let templatefile =
        FuncDef::builder().params([ParamType::Any, ParamType::Any]).build(|_| Err(unresolved("templatefile")));
    ctx.declare_func("file", file);
    ctx.declare_func("templatefile", templatefile);
}

fn unresolved(name: &str) -> String {
    format!(
        "{name}: {name}() cannot be used here: its arguments may not use a `for` variable, and it is not available in template() templates"
    )
}

/// The text of the file at `path`, relative to `dir`, if it lies inside the stack's tree.
pub(in crate::stack) fn file_at(dir: &Path, path: &str) -> Result<String, String> {
    read("file", dir, path)
}

/// The file at `path` rendered as a template with `vars` (an object) as its variables and the
/// stack's functions, `templatefile` excepted, available.
pub(in crate::stack) fn templatefile_at(dir: &Path, path: &str, vars: &Value) -> Result<String, String> {
    let Value::Object(vars) = vars else {
        return Err("templatefile: invalid vars value: must be a map".into());
    };
    let ident = |k: &str| {
        let mut c = k.chars();
        c.next().is_some_and(char::is_alphabetic) && c.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    };
    if let Some(k) = vars.keys().find(|k| !ident(k)) {
        return Err(format!(
            "templatefile: invalid template variable name {k:?}: must start with a letter, followed by zero or more letters, digits, and underscores"
        ));
    }
    let text = read("templatefile", dir, path)?;
    let mut template = hcl_edit::parser::parse_template(&text).map_err(|e| {
        let at = e.location();
        format!("templatefile: {path}:{}:{}: {}", at.line(), at.column(), e.message())
    })?;
    let mut ctx = super::context();
    for (k, v) in vars {
        ctx.declare_var(k.as_str(), by_key(v));
    }
    let eval = |e: &hcl_edit::expr::Expression| {
        let mut e = e.clone();
        crate::stack::arith::rewrite(&mut e);
        hcl::Expression::from(e).evaluate(&ctx).map_err(|e| e.to_string())
    };
    super::lazy::rewrite_template(&mut template, dir, &eval).map_err(|e| format!("templatefile: in {path}: {e}"))?;
    crate::stack::arith::rewrite_template(&mut template);
    let template: hcl::Template = template.into();
    template.evaluate(&ctx).map_err(|e| {
        let msg = match crate::stack::arith::located(&e) {
            Some((at, msg)) => {
                let (line, col) = crate::stack::diag::SourceFile::new("", &text).line_col(at.start);
                format!("line {line}, column {col}: {msg}")
            }
            None => e.kind().to_string(),
        };
        format!("templatefile: in {path}: {msg}")
    })
}

/// A value with every map's keys in lexical order, the order Terraform iterates them in.
fn by_key(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(by_key).collect()),
        Value::Object(o) => super::sorted(o.iter().map(|(k, v)| (k.clone(), by_key(v))).collect()),
        v => v.clone(),
    }
}

/// Reads `path` for function `f`, confined to the stack's tree.
fn read(f: &str, dir: &Path, path: &str) -> Result<String, String> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let full = dir.join(path);
    if !full.is_file() {
        return Err(format!(
            "{f}: no file exists at {path:?} (relative to the stack file's directory {})",
            dir.display()
        ));
    }
    let root = repo_of(&dir).unwrap_or_else(|| dir.clone());
    let full = inside(&full, &root)
        .map_err(|why| format!("{f}: {path:?} {}", why.replace("templates are read", "files are read")))?;
    let bytes = std::fs::read(&full).map_err(|e| format!("{f}: cannot read {path:?}: {e}"))?;
    String::from_utf8(bytes).map_err(|_| {
        format!("{f}: contents of {path:?} are not valid UTF-8; use base64-encoded content from a variable instead")
    })
}

#[cfg(test)]
#[path = "tests_files.rs"]
mod tests;
