//! `template(NAME, { VAR = value, … })`: renders a file from `templates/userdata/` with HCL's
//! template syntax (`${var}`, `%{ if }`, `%{ for }`), as Terraform's `templatefile` does. The
//! file is looked up in `templates/userdata/` beside the stack file, then in each parent
//! directory's up to the repository's root, so `stacks/web.hcl` finds `templates/userdata/` at
//! the project root. A name starting with `./` or `../` is a path relative to the stack file
//! instead. Every read stays inside the stack's tree (the repository holding the stack file, or
//! its directory outside a repository), symbolic links resolved: a template can never pull a
//! file of the machine running the plan (a CI runner's credentials) into user data.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use hcl::eval::Evaluate;
use hcl_edit::expr::FuncCall;

use super::diag::{Diagnostic, Diagnostics};
use super::eval::{Env, span};
use crate::model::Value;

/// Where templates live, relative to a directory being searched.
const DIR: &str = "templates/userdata";

pub(super) fn render(env: &Env, call: &FuncCall, at: Range<usize>, diags: &mut Diagnostics) -> Option<Value> {
    let fail = |diags: &mut Diagnostics, at: Range<usize>, msg: String| {
        diags.push(Diagnostic::error(msg).at(&env.file, at));
        None
    };
    let args: Vec<_> = call.args.iter().collect();
    if args.is_empty() || args.len() > 2 {
        return fail(diags, at, "template() takes a file name and, optionally, an object of variables".into());
    }
    let name = match env.eval(args[0], diags)? {
        Value::Str(s) => s,
        _ => return fail(diags, span(args[0]), "the template name must be a string".into()),
    };
    let vars = match args.get(1).map(|a| env.eval(a, diags)) {
        None => BTreeMap::new(),
        Some(None) => return None,
        Some(Some(Value::Map(m))) => m,
        Some(Some(_)) => {
            return fail(diags, span(args[1]), "template variables must be an object: { name = value }".into());
        }
    };
    if let Some((k, _)) = vars.iter().find(|(_, v)| v.has_unknown()) {
        return fail(
            diags,
            span(args[1]),
            format!("template variable `{k}` refers to a resource; template variables must be known before apply"),
        );
    }
    let Some(dir) = &env.dir else {
        return fail(diags, at, "template() can only be used in a stack file".into());
    };
    let path = match find(dir, &name) {
        Ok(Some(path)) => path,
        Ok(None) => {
            let msg = format!("template \"{name}\" not found in {DIR}/ beside the stack file or above it");
            return fail(diags, span(args[0]), msg);
        }
        Err(why) => return fail(diags, span(args[0]), format!("template \"{name}\" {why}")),
    };
    let text = match super::diag::read_text(&path) {
        Ok(t) => t,
        Err(super::diag::Unreadable::NotUtf8(d)) => {
            diags.push(*d);
            return None;
        }
        Err(super::diag::Unreadable::Io(e)) => {
            return fail(diags, span(args[0]), format!("cannot read {}: {e}", path.display()));
        }
    };
    match evaluate(&text, &vars) {
        Ok(s) => Some(Value::Str(s)),
        Err(e) => fail(diags, at, format!("in template {}: {e}", path.display())),
    }
}

/// The template file for `name`, searching upwards from `dir`; `Err` says why a file found is
/// refused.
fn find(dir: &Path, name: &str) -> Result<Option<PathBuf>, String> {
    if Path::new(name).is_absolute() {
        return Err("is an absolute path: name a template in templates/userdata/, or a path starting with `./` or `../` inside the stack's tree".into());
    }
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let repo = repo_of(&dir);
    if name.starts_with("./") || name.starts_with("../") {
        let p = dir.join(name);
        return if p.is_file() { inside(&p, repo.as_deref().unwrap_or(&dir)).map(Some) } else { Ok(None) };
    }
    if Path::new(name).components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(format!("must be a file name inside {DIR}/ (no `..`), or a path starting with `./` or `../`"));
    }
    // Template directories are searched up to the repository's root (all the way up outside one:
    // only files inside a templates/userdata/ directory are ever read that way).
    let mut searched = dir.ancestors().take_while(|d| repo.as_ref().is_none_or(|r| d.starts_with(r)));
    match searched.find(|d| d.join(DIR).join(name).is_file()) {
        Some(d) => inside(&d.join(DIR).join(name), &d.join(DIR)).map(Some),
        None => Ok(None),
    }
}

/// The repository holding `dir` (the nearest ancestor with a `.git`), if any: with `dir`
/// itself outside one, the stack's tree that reads stay inside.
pub(in crate::stack) fn repo_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf)
}

/// `path` with symbolic links resolved, if it lies inside `root`.
pub(in crate::stack) fn inside(path: &Path, root: &Path) -> Result<PathBuf, String> {
    let real = path.canonicalize().map_err(|e| format!("cannot be read: {e}"))?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if real.starts_with(&root) {
        Ok(path.to_path_buf())
    } else {
        Err(format!(
            "resolves to {}, outside the stack's tree ({}): templates are read only from inside it",
            real.display(),
            root.display()
        ))
    }
}

/// Renders template text with `vars` as its variables and stackr's functions available.
fn evaluate(text: &str, vars: &BTreeMap<String, Value>) -> Result<String, String> {
    let mut parsed = hcl_edit::parser::parse_template(text).map_err(|e| {
        let loc = e.location();
        format!("line {}, column {}: {}", loc.line(), loc.column(), e.message())
    })?;
    super::arith::rewrite_template(&mut parsed);
    let template: hcl::Template = parsed.into();
    let mut ctx = super::funcs::context();
    for (k, v) in vars {
        ctx.declare_var(k.as_str(), super::eval::to_hcl(v).ok_or("template variables must be plain values")?);
    }
    template.evaluate(&ctx).map_err(|e| match super::arith::located(&e) {
        Some((at, msg)) => {
            let file = super::diag::SourceFile::new("", text);
            let (line, col) = file.line_col(at.start);
            format!("line {line}, column {col}: {msg}")
        }
        None => e.kind().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_interpolation_conditionals_and_loops() {
        let vars = BTreeMap::from([
            ("port".to_string(), Value::Int(8080)),
            ("tls".to_string(), Value::Bool(false)),
            ("names".to_string(), Value::List(vec![Value::str("a"), Value::str("b")])),
        ]);
        let out =
            evaluate("listen ${port}\n%{ if tls }tls on\n%{ endif }%{ for n in names }[${n}]%{ endfor }\n", &vars)
                .unwrap();
        assert_eq!(out, "listen 8080\n[a][b]\n");
    }

    #[test]
    fn arithmetic_errors_name_their_line() {
        let vars = BTreeMap::from([("n".to_string(), Value::Int(0))]);
        assert_eq!(evaluate("a\nport ${8080 / n}\n", &vars).unwrap_err(), "line 2, column 8: division by zero");
        assert_eq!(evaluate("${2 * 3}", &vars).unwrap(), "6");
    }

    #[test]
    fn fractions_render_as_their_decimal_text() {
        let vars = BTreeMap::from([("ratio".to_string(), Value::number(0.75).unwrap())]);
        assert_eq!(
            evaluate("ratio=${ratio} half=${ratio / 2} pct=${floor(ratio * 100)}", &vars).unwrap(),
            "ratio=0.75 half=0.375 pct=75"
        );
    }

    #[test]
    fn unknown_variables_are_errors() {
        let err = evaluate("${nope}", &BTreeMap::new()).unwrap_err();
        assert!(err.contains("nope"), "{err}");
    }

    #[test]
    fn templates_are_found_above_the_stack_file() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("templates/userdata")).unwrap();
        std::fs::create_dir_all(root.path().join("stacks")).unwrap();
        std::fs::write(root.path().join("templates/userdata/web.sh"), "x").unwrap();
        let real = root.path().canonicalize().unwrap();
        assert_eq!(find(&root.path().join("stacks"), "web.sh"), Ok(Some(real.join("templates/userdata/web.sh"))));
        assert_eq!(find(&root.path().join("stacks"), "missing.sh"), Ok(None));
        // Outside a repository, a relative path stays inside the stack file's directory.
        let up = find(&root.path().join("stacks"), "../templates/userdata/web.sh").unwrap_err();
        assert!(up.contains("outside the stack's tree"), "{up}");
        std::fs::create_dir(root.path().join(".git")).unwrap();
        assert!(find(&root.path().join("stacks"), "../templates/userdata/web.sh").unwrap().is_some());
    }

    #[test]
    fn reads_never_leave_the_stack_tree() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("stacks/templates/userdata")).unwrap();
        std::fs::write(root.path().join("secret"), "token").unwrap();
        let stacks = repo.join("stacks");
        let err = |name: &str| find(&stacks, name).unwrap_err();
        assert!(err("../../secret").contains("outside the stack's tree"));
        assert!(err(&root.path().join("secret").display().to_string()).contains("absolute path"));
        assert!(err("x/../../../../secret").contains("no `..`"));
        // A symbolic link inside the tree that points out of it is followed, then refused.
        std::os::unix::fs::symlink(root.path().join("secret"), stacks.join("templates/userdata/link")).unwrap();
        assert!(err("link").contains("outside the stack's tree"));
        std::os::unix::fs::symlink(root.path().join("secret"), stacks.join("link")).unwrap();
        assert!(err("./link").contains("outside the stack's tree"));
        // Template directories above the repository's root are not searched.
        std::fs::create_dir_all(root.path().join("templates/userdata")).unwrap();
        std::fs::write(root.path().join("templates/userdata/outer.sh"), "x").unwrap();
        assert_eq!(find(&stacks, "outer.sh"), Ok(None));
    }
}
