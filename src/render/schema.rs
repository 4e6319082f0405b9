//! The reference for resource kinds, written from the schemas themselves: attributes, types,
//! defaults, and whether a change updates in place or forces replacement. `stackr schema`
//! prints it; the README's reference section is this output, kept in sync by a test.

use crate::model::{AttrSpec, Lit, Presence, Schema, Ty, Update};

fn ty_name(ty: &Ty) -> String {
    match ty {
        Ty::Str => "string".into(),
        Ty::Int => "number".into(),
        Ty::Number => "fractional number".into(),
        Ty::Bool => "bool".into(),
        Ty::Cidr => "cidr".into(),
        Ty::Port => "port".into(),
        Ty::Enum(opts) => opts.join(" \\| "),
        Ty::Ref(kind) => format!("{kind} ref"),
        Ty::List(t) => format!("list({})", ty_name(t)),
        Ty::Set(t) => format!("set({})", ty_name(t)),
        Ty::Map(t) => format!("map({})", ty_name(t)),
        Ty::Json => "json".into(),
        Ty::Blocks(_) => "block".into(),
    }
}

fn presence(a: &AttrSpec) -> String {
    match a.presence {
        Presence::Required => "required".into(),
        Presence::Optional => "optional".into(),
        Presence::Computed => "computed".into(),
        Presence::Default(lit) => match lit {
            Lit::Null => "none".into(),
            Lit::Bool(b) => format!("`{b}`"),
            Lit::Int(i) => format!("`{i}`"),
            Lit::Str(s) => format!("`\"{s}\"`"),
            Lit::EmptyList => "`[]`".into(),
            Lit::EmptyMap => "`{}`".into(),
        },
    }
}

fn change(a: &AttrSpec) -> &'static str {
    match (a.presence, a.update) {
        (Presence::Computed, _) => "",
        (_, Update::InPlace) => "in place",
        (_, Update::Restart) => "in place (stop/start)",
        (_, Update::ForceNew) => "**replaces**",
    }
}

/// What AWS accepts beyond the type, as the loader checks it.
fn allowed(a: &AttrSpec) -> String {
    crate::constraint::describe(a.checks).replace('|', "\\|")
}

fn table(out: &mut String, attrs: &[AttrSpec]) {
    out.push_str("| attribute | type | default | change | allowed | description |\n|---|---|---|---|---|---|\n");
    for a in attrs {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            a.name,
            ty_name(&a.ty),
            presence(a),
            change(a),
            allowed(a),
            a.doc
        ));
    }
}

/// Markdown: a section per kind, a table per kind and per nested block.
pub fn markdown(schemas: &[&Schema]) -> String {
    let mut out = String::new();
    for s in schemas {
        out.push_str(&format!(
            "#### `{}`\n\n{} Referenced as `{}.NAME` (its `{}`).\n\n",
            s.kind, s.doc, s.kind, s.ref_attr
        ));
        table(&mut out, s.attrs);
        nested_tables(&mut out, s.attrs, "");
        out.push('\n');
    }
    out
}

/// A table for each nested block, at any depth, named by its path (`listener.rule`).
fn nested_tables(out: &mut String, attrs: &[AttrSpec], prefix: &str) {
    for a in attrs {
        if let Ty::Blocks(inner) = a.ty {
            let path = format!("{prefix}{}", a.name);
            out.push_str(&format!("\n`{path}` block:\n\n"));
            table(out, inner);
            nested_tables(out, inner, &format!("{path}."));
        }
    }
}

/// Plain text for the terminal.
pub fn text(schemas: &[&Schema]) -> String {
    let mut out = String::new();
    for s in schemas {
        out.push_str(&format!("{}: {}\n", s.kind, s.doc));
        lines(&mut out, s.attrs, "  ");
        out.push('\n');
    }
    out
}

fn lines(out: &mut String, attrs: &[AttrSpec], indent: &str) {
    let rows: Vec<[String; 4]> = attrs
        .iter()
        .map(|a| {
            [
                a.name.to_string(),
                ty_name(&a.ty).replace("\\|", "|"),
                presence(a).replace('`', ""),
                change(a).replace('*', ""),
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2, w3) = (width(0), width(1), width(2), width(3));
    for (a, r) in attrs.iter().zip(&rows) {
        let limits = crate::constraint::describe(a.checks).replace('`', "");
        let doc = if limits.is_empty() { a.doc.to_string() } else { format!("{} [{limits}]", a.doc) };
        out.push_str(&format!("{indent}{:w0$}  {:w1$}  {:w2$}  {:w3$}  {doc}\n", r[0], r[1], r[2], r[3]));
        if let Ty::Blocks(inner) = a.ty {
            lines(out, inner, &format!("{indent}    "));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn readme_reference_matches_the_schemas() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let start = readme.find("<!-- schema:start -->\n").expect("README has a schema:start marker") + 22;
        let end = readme.find("<!-- schema:end -->").expect("README has a schema:end marker");
        let want = super::markdown(&crate::resources::schemas());
        assert!(
            readme[start..end] == want,
            "README's reference is out of date: regenerate it with `stackr schema --markdown`"
        );
    }
}
