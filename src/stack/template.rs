//! `template(NAME, { VAR = value, … })`: renders a file from `templates/userdata/` with HCL's
//! template syntax (`${var}`, `%{ if }`, `%{ for }`), as Terraform's `templatefile` does. The
//! file is looked up in `templates/userdata/` beside the stack file, then in each parent
//! directory's, so `stacks/web.hcl` finds `templates/userdata/` at the project root. A name
//! starting with `./` or `../` is a path relative to the stack file instead.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

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
    let Some(path) = find(dir, &name) else {
        return fail(
            diags,
            span(args[0]),
            format!("template \"{name}\" not found in {DIR}/ beside the stack file or above it"),
        );
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => return fail(diags, span(args[0]), format!("cannot read {}: {e}", path.display())),
    };
    match evaluate(&text, &vars) {
        Ok(s) => Some(Value::Str(s)),
        Err(e) => fail(diags, at, format!("in template {}: {e}", path.display())),
    }
}

/// The template file for `name`, searching upwards from `dir`.
fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    if name.starts_with("./") || name.starts_with("../") {
        let p = dir.join(name);
        return p.is_file().then_some(p);
    }
    dir.ancestors().map(|d| d.join(DIR).join(name)).find(|p| p.is_file())
}

/// Renders template text with `vars` as its variables and stackr's functions available.
fn evaluate(text: &str, vars: &BTreeMap<String, Value>) -> Result<String, String> {
    let mut parsed = hcl_edit::parser::parse_template(text).map_err(|e| {
        let loc = e.location();
        format!("line {}, column {}: {}", loc.line(), loc.column(), e.message())
    })?;
    super::arith::rewrite_template(&mut parsed);
    let template: hcl::Template = parsed.into();
    let mut ctx = hcl::eval::Context::new();
    for (k, v) in vars {
        ctx.declare_var(k.as_str(), super::eval::to_hcl(v).ok_or("template variables must be plain values")?);
    }
    super::funcs::declare(&mut ctx);
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
        assert_eq!(find(&root.path().join("stacks"), "web.sh"), Some(root.path().join("templates/userdata/web.sh")));
        assert!(find(&root.path().join("stacks"), "missing.sh").is_none());
        assert!(find(&root.path().join("stacks"), "../templates/userdata/web.sh").is_some());
    }
}
