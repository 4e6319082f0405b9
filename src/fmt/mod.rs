//! `stackr fmt`'s formatter: the canonical layout of stack and variable files, the one
//! `terraform fmt` gives HCL (see [`layout`]). It changes only the spaces and blank lines
//! between tokens; comments and heredocs stay as written. A file is parsed with hcl-edit
//! first, so a file that is not valid HCL gets a diagnostic with its position and is never
//! rewritten, and the result is checked to hold the same tokens before anything is written.

mod layout;
mod lex;
#[cfg(test)]
mod tests;

use crate::stack::{Diagnostic, SourceFile};

/// The formatted text of `text` (read from `path`, which is used in messages only).
pub fn format_source(path: &str, text: &str) -> Result<String, Box<Diagnostic>> {
    if let Err(e) = hcl_edit::parser::parse_body(text) {
        let file = SourceFile::new(path, text);
        let offset = e.location().offset();
        let message = e.message().lines().next().unwrap_or_default().trim().to_string();
        return Err(Box::new(
            Diagnostic::error(format!("{path} is not valid HCL: {message}")).at(&file, offset..offset).label("here"),
        ));
    }
    let out = format_valid(text);
    if hcl_edit::parser::parse_body(&out).is_err() || !same_tokens(text, &out) {
        // A bug in the formatter must never cost a user their file.
        return Err(Box::new(
            Diagnostic::error(format!("cannot format {path}: the result would not mean the same as the file"))
                .hint("this is a bug in stackr fmt; the file was left as it is"),
        ));
    }
    Ok(out)
}

/// Formats text that parses as HCL.
fn format_valid(text: &str) -> String {
    layout::format(&lex::lex(text))
}

/// Whether two texts hold the same tokens, ignoring line breaks and the trailing spaces of
/// comments: everything the formatter may change.
fn same_tokens(a: &str, b: &str) -> bool {
    let key = |s: &str| -> Vec<(lex::K, String)> {
        lex::lex(s)
            .into_iter()
            .filter(|t| t.kind != lex::K::Newline)
            .map(|t| {
                (t.kind, if t.kind == lex::K::Comment { t.text.trim_end().to_string() } else { t.text.to_string() })
            })
            .collect()
    };
    key(a) == key(b)
}
