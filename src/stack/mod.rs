//! The stack file: parse HCL (keeping source spans), evaluate variables, locals and references,
//! and check every resource block against its kind's schema. The result is a [`Stack`] of typed
//! desired resources, or diagnostics that point at file:line:col. Nothing here talks to AWS.

mod arith;
mod body;
mod data;
mod deferred;
pub mod diag;
mod dynamic;
mod eval;
mod funcs;
mod graph;
mod hclvalue;
mod meta;
mod module;
pub mod moved;
mod refs;
mod repeat;
mod resource;
mod scope;
mod sensitive;
mod template;
mod typecheck;
mod validation;
mod values;
mod varinputs;
mod vars;
mod vartypes;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

pub use deferred::evaluate as evaluate_deferred;
pub use diag::{Diagnostic, Diagnostics, SourceFile};
pub use meta::{Lifecycle, Silence};
pub use moved::Moved;
pub use typecheck::describe_value;
pub use varinputs::VarInputs;

use crate::model::{Address, Attrs, Schema, Value};

/// The schemas of every resource kind; supplied by the resource table.
pub type SchemaLookup<'a> = &'a [&'static Schema];

/// A stack file, evaluated and checked.
#[derive(Debug)]
pub struct Stack {
    pub name: String,
    pub region: Option<String>,
    /// The region whose deployment manages the stack's IAM objects, when the file says.
    pub iam_home_region: Option<String>,
    /// Its blocks' objects. Loading fixes their order: [`Stack::resource`] indexes it.
    pub resources: Vec<Resource>,
    by_addr: std::collections::HashMap<Address, usize>,
    pub outputs: Vec<Output>,
    /// `moved` blocks: objects that changed address without being recreated.
    pub moved: Vec<Moved>,
    pub file: Arc<SourceFile>,
    /// The modules' files, each directory's as one (see [`SourceFile::combined`]).
    pub modules: Vec<Arc<SourceFile>>,
    /// Non-fatal findings (unused variables in var files, …).
    pub warnings: Vec<Diagnostic>,
    /// Every variable's value, as given or defaulted.
    pub variables: BTreeMap<String, Value>,
    /// Variables declared `sensitive = true`.
    pub sensitive_vars: std::collections::BTreeSet<String>,
    /// Data lookups whose results the loader lacked: what uses them was left out, and the
    /// stack must be loaded again once they are read.
    pub data_pending: Vec<crate::data::Request>,
}

impl Stack {
    /// The object at `addr`: looked up by every reference the checks and the plan resolve, so
    /// by index, not by a scan per reference (quadratic in the stack's size).
    pub fn resource(&self, addr: &Address) -> Option<&Resource> {
        self.by_addr.get(addr).map(|&i| &self.resources[i]).filter(|r| &r.addr == addr)
    }
}

/// One resource block.
#[derive(Debug, Clone)]
pub struct Resource {
    pub addr: Address,
    /// The file its block is in (the stack file, or a module's files): what its spans index.
    pub file: Arc<SourceFile>,
    /// Typed attribute values; references to other resources are still `Value::Ref`.
    pub attrs: Attrs,
    /// Span of each attribute's expression, by path (`cidr`, `ingress[1].port`).
    pub spans: BTreeMap<String, Range<usize>>,
    /// Span of the block header (`vpc "main"`).
    pub span: Range<usize>,
    /// Resources this one references.
    pub deps: Vec<Address>,
    /// Those of `deps` named only in attributes settled late (security-group rules): they may
    /// wait until after this resource is made, so they never close a cycle.
    pub soft_deps: Vec<Address>,
    /// How stackr treats it: `lifecycle { … }`.
    pub lifecycle: Lifecycle,
    /// Safety-check findings accepted for it: `silence "RULE" { reason = … }`.
    pub silenced: Vec<Silence>,
    /// Top-level attributes and blocks whose values derive from sensitive variables.
    pub sensitive: Vec<String>,
}

impl Resource {
    /// The dependencies that must exist before this resource is made.
    pub fn firm_deps(&self) -> impl Iterator<Item = &Address> {
        self.deps.iter().filter(|d| !self.soft_deps.contains(d))
    }

    /// The span of an attribute, falling back to the block header.
    pub fn span_of(&self, path: &str) -> Range<usize> {
        self.spans.get(path).cloned().unwrap_or_else(|| self.span.clone())
    }
}

#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub value: Value,
    /// Declared `sensitive = true` or derived from a sensitive variable: printed masked.
    pub sensitive: bool,
    /// Span of the value's expression.
    pub span: Range<usize>,
}

/// Checks a caller runs on a stack that loaded, before it counts as valid (each kind's
/// cross-resource checks). Their errors are reported together with the values the loader
/// found AWS would refuse, so one run shows every mistake that does not prevent loading.
pub type Post<'a> = &'a mut dyn FnMut(&mut Stack) -> Diagnostics;

/// Reads and loads a stack file from disk. A missing or unreadable file is a one-line error.
#[cfg(test)]
pub fn load_file(path: &Path, inputs: &VarInputs, schemas: SchemaLookup) -> Result<Stack, Diagnostics> {
    load_file_with(path, inputs, schemas, &mut |_| Diagnostics::default())
}

/// [`load_file`], then `post`; warnings from both end up in the stack's `warnings`.
pub fn load_file_with(
    path: &Path,
    inputs: &VarInputs,
    schemas: SchemaLookup,
    post: Post,
) -> Result<Stack, Diagnostics> {
    let text = diag::read_text(path).map_err(|e| {
        let mut d = Diagnostics::default();
        let msg = match e {
            diag::Unreadable::NotUtf8(not_utf8) => {
                d.push(*not_utf8);
                return d;
            }
            diag::Unreadable::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                format!("stack file {} does not exist", path.display())
            }
            diag::Unreadable::Io(e) => format!("cannot read stack file {}: {e}", path.display()),
        };
        d.push(
            Diagnostic::error(msg).hint("pass the stack file with -f/--file, e.g. `stackr plan -f stacks/network.hcl`"),
        );
        d
    })?;
    load_str_with(&path.display().to_string(), &text, inputs, schemas, post)
}

/// Loads a stack from text; `path` is only used in messages.
#[cfg(test)]
pub fn load_str(path: &str, text: &str, inputs: &VarInputs, schemas: SchemaLookup) -> Result<Stack, Diagnostics> {
    load_str_with(path, text, inputs, schemas, &mut |_| Diagnostics::default())
}

/// [`load_str`], then `post` when nothing but values AWS would refuse stood in the way.
pub fn load_str_with(
    path: &str,
    text: &str,
    inputs: &VarInputs,
    schemas: SchemaLookup,
    post: Post,
) -> Result<Stack, Diagnostics> {
    let file = SourceFile::new(path, text);
    let mut diags = Diagnostics::default();
    let parsed = match hcl_edit::parser::parse_body(text) {
        Ok(b) => b,
        Err(e) => {
            let loc = e.location();
            let offset = loc.offset();
            diags.push(
                Diagnostic::error(format!("{path} is not valid HCL: {}", first_line(e.message())))
                    .at(&file, offset..offset)
                    .label("here"),
            );
            return Err(diags);
        }
    };
    let dir = Path::new(path)
        .parent()
        .map(|d| if d.as_os_str().is_empty() { Path::new(".").to_path_buf() } else { d.to_path_buf() });
    // Values that type-check but that AWS would refuse leave the stack whole, so the
    // cross-resource checks still run and their findings come in the same report.
    let mut refused = Diagnostics::default();
    let stack = body::load(&file, dir, &parsed, inputs, schemas, &mut diags, &mut refused);
    let mut stack = match stack {
        Some(s) if !diags.has_errors() => s,
        _ => {
            diags.0.extend(refused.0);
            return Err(diags.deduplicated());
        }
    };
    // With data lookups not read yet, what uses them is missing: the cross-resource checks
    // wait for the load that has them.
    if stack.data_pending.is_empty() {
        refused.0.extend(post(&mut stack).0);
    }
    diags.0.extend(refused.0);
    if diags.has_errors() {
        return Err(diags.deduplicated());
    }
    Ok(Stack { warnings: diags.deduplicated().0, ..stack })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_data;
#[cfg(test)]
mod tests_dynamic;
#[cfg(test)]
mod tests_lang;
#[cfg(test)]
mod tests_modules;
#[cfg(test)]
mod tests_numbers;
#[cfg(test)]
mod tests_vars;
