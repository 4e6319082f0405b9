//! Walks the parsed file: sorts top-level blocks into the stack header, variables, locals,
//! outputs and resources, then evaluates each resource body against its kind's schema.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use hcl_edit::structure::{Attribute, Block, Body, Structure};

use super::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use super::eval::{Env, span};
use super::scope::{ScopeIn, VarsIn};
use super::sensitive::Taint;
use super::varinputs::VarInputs;
use super::vars::VarDef;
use super::{Output, Stack, graph, meta};
use crate::model::{Address, Schema, Value};

const META_BLOCKS: &[&str] = &["stack", "variable", "locals", "output", "data", "moved", "module"];

/// The name of a one-per-account resource, written without a label: `iam_password_policy.account`.
pub const SINGLETON_NAME: &str = "account";

/// A scope's top-level blocks, sorted by what they are.
pub(super) struct Collected<'b> {
    pub stack: Option<&'b Block>,
    pub vars: Vec<VarDef>,
    pub locals: Vec<&'b Attribute>,
    pub outputs: Vec<&'b Block>,
    pub moved: Vec<&'b Block>,
    pub resources: Vec<(Address, &'b Block)>,
    /// `data` blocks by `KIND.NAME`.
    pub data: Vec<(String, &'b Block)>,
    /// `module` blocks, with their source read (absent when it could not be).
    pub modules: Vec<super::module::CallIn<'b>>,
}

pub(super) fn load(
    file: &Arc<SourceFile>,
    dir: Option<std::path::PathBuf>,
    body: &Body,
    inputs: &VarInputs,
    schemas: &[&'static Schema],
    diags: &mut Diagnostics,
    refused: &mut Diagnostics,
) -> Option<Stack> {
    let kinds: HashMap<&'static str, &'static Schema> = schemas.iter().map(|s| (s.kind, *s)).collect();
    let sources = std::rc::Rc::new(super::module::Sources::default());
    let c = collect(file, dir.as_deref(), body, &kinds, "", &sources, diags);
    let scope = ScopeIn {
        file: file.clone(),
        dir,
        module: String::new(),
        chain: vec![],
        kinds,
        fetched: inputs.data.clone(),
        sources: sources.clone(),
        vars: VarsIn::Root(inputs),
    };
    let mut out = super::scope::load(scope, &c, diags, refused);
    let Header { name, region, iam_home_region } = out.header.take()?;
    meta::expand(&mut out.resources);
    graph::check_cycles(&out.resources, diags);
    Some(Stack {
        name,
        region,
        iam_home_region,
        by_addr: out.resources.iter().enumerate().map(|(i, r)| (r.addr.clone(), i)).collect(),
        resources: out.resources,
        outputs: out.outputs,
        moved: out.moved,
        file: file.clone(),
        modules: out.files,
        warnings: vec![],
        variables: out.variables,
        sensitive_vars: out.sensitive_vars,
        data_pending: out.data_pending,
    })
}

/// The `lifecycle` and `silence` blocks of a resource.
pub(super) fn meta_blocks(
    env: &Env,
    block: &Block,
    schema: &Schema,
    diags: &mut Diagnostics,
) -> (meta::Lifecycle, Vec<meta::Silence>) {
    let mut lifecycle: Option<meta::Lifecycle> = None;
    let mut silenced = vec![];
    for b in block.body.blocks() {
        match b.ident.as_str() {
            "lifecycle" if lifecycle.is_some() => {
                diags.push(Diagnostic::error("a resource has at most one lifecycle block").at(&env.file, header(b)))
            }
            "lifecycle" => lifecycle = Some(meta::lifecycle(env, b, schema, diags)),
            "silence" => silenced.extend(meta::silence(env, b, diags)),
            _ => {}
        }
    }
    (lifecycle.unwrap_or_default(), silenced)
}

/// The span of a block's identifier and labels: what a diagnostic about the block underlines.
pub(super) fn header(b: &Block) -> Range<usize> {
    let start = span(&b.ident).start;
    let end = b.labels.last().map_or(span(&b.ident).end, |l| span(l).end);
    start..end
}

/// Sorts a scope's blocks; `module` is the module instance's path (empty at the root), where
/// `stack` and `moved` blocks have no place.
pub(super) fn collect<'b>(
    file: &Arc<SourceFile>,
    dir: Option<&std::path::Path>,
    body: &'b Body,
    kinds: &HashMap<&'static str, &'static Schema>,
    module: &str,
    sources: &super::module::Sources,
    diags: &mut Diagnostics,
) -> Collected<'b> {
    let data_kinds = super::data::kinds();
    let data_kinds = &data_kinds;
    let mut c = Collected {
        stack: None,
        vars: vec![],
        locals: vec![],
        outputs: vec![],
        moved: vec![],
        resources: vec![],
        data: vec![],
        modules: vec![],
    };
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    for s in body.iter() {
        let b = match s {
            Structure::Block(b) => b,
            Structure::Attribute(a) => {
                diags.push(
                    Diagnostic::error(format!("unexpected attribute `{}` at the top level", a.key.as_str()))
                        .at(file, span(&a.key))
                        .hint("attributes belong inside a block, such as `stack`, `locals` or a resource"),
                );
                continue;
            }
        };
        let ident = b.ident.as_str();
        if ident == "data" {
            collect_data(file, b, data_kinds, &mut seen, &mut c, diags);
            continue;
        }
        let singleton = kinds.get(ident).is_some_and(|s| s.singleton);
        let unlabelled = matches!(ident, "locals" | "moved");
        let want_labels = if unlabelled || singleton { 0 } else { 1 };
        if let Some(hint) = terraform_spelling(b).filter(|_| !kinds.contains_key(ident)) {
            diags.push(
                Diagnostic::error(format!("`{ident}` is Terraform's spelling"))
                    .at(file, header(b))
                    .label(hint)
                    .hint("stackr's blocks are `KIND \"NAME\" { … }`; `stackr schema KIND` lists a kind's attributes"),
            );
            continue;
        }
        if b.labels.len() != want_labels {
            let shape =
                if want_labels == 0 { format!("{ident} {{ … }}") } else { format!("{ident} \"NAME\" {{ … }}") };
            diags.push(
                Diagnostic::error(format!("a {ident} block takes {want_labels} label(s)"))
                    .at(file, header(b))
                    .hint(format!("write it as {shape}")),
            );
            continue;
        }
        let label = match b.labels.first() {
            Some(l) => l.as_str().to_string(),
            None if singleton => SINGLETON_NAME.to_string(),
            None => String::new(),
        };
        if want_labels == 1 && !valid_name(&label) {
            diags.push(
                Diagnostic::error(format!("\"{label}\" is not a valid name"))
                    .at(file, span(&b.labels[0]))
                    .label("names start with a letter or underscore and contain only letters, digits, `_` and `-`"),
            );
            continue;
        }
        let key = format!("{ident}.{label}");
        if !unlabelled {
            if let Some(first) = seen.get(&key) {
                let (line, _) = file.line_col(first.start);
                diags.push(
                    Diagnostic::error(format!("duplicate {ident} \"{label}\""))
                        .at(file, header(b))
                        .label(format!("first declared on line {line}")),
                );
                continue;
            }
            seen.insert(key, header(b));
        }
        match ident {
            "stack" | "moved" if !module.is_empty() => diags.push(
                Diagnostic::error(format!("a module has no {ident} block")).at(file, header(b)).hint(match ident {
                    "stack" => "the stack file that calls the module names the stack and its region",
                    _ => "write moved blocks in the root stack file, with full addresses (module.NAME.KIND.NAME)",
                }),
            ),
            "stack" if c.stack.is_some() => {
                diags.push(Diagnostic::error("a stack file has exactly one stack block").at(file, header(b)))
            }
            "stack" => c.stack = Some(b),
            "variable" => c.vars.extend(super::vars::declare(file, b, &label, diags)),
            "locals" => c.locals.extend(b.body.attributes()),
            "output" => c.outputs.push(b),
            "moved" => c.moved.push(b),
            "module" => c.modules.extend(super::module::read(file, dir, b, &label, sources, diags)),
            kind if kinds.contains_key(kind) => c.resources.push((Address::new(kind, label).in_module(module), b)),
            other => {
                let names = META_BLOCKS.iter().copied().chain(kinds.keys().copied());
                let label = match did_you_mean(other, names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "not a resource kind or a stack-file block".to_string(),
                };
                let mut all: Vec<&str> = kinds.keys().copied().collect();
                all.sort();
                diags.push(
                    Diagnostic::error(format!("unknown block kind `{other}`"))
                        .at(file, span(&b.ident))
                        .label(label)
                        .hint(format!("resource kinds: {}", all.join(", "))),
                );
            }
        }
    }
    c
}

/// What a Terraform user wrote (`resource "aws_vpc" "main"`, or `aws_vpc "main"`) in
/// stackr's spelling (`vpc "main"`).
fn terraform_spelling(b: &Block) -> Option<String> {
    let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
    let (tf_type, name) = match (b.ident.as_str(), labels.as_slice()) {
        ("resource", [t, n]) => (*t, *n),
        (t, [n]) => (t, *n),
        _ => return None,
    };
    let kind = crate::render::tftypes::kind_for(tf_type)?;
    Some(format!("stackr writes Terraform's `{tf_type}` as `{kind} \"{name}\" {{ … }}`"))
}

fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The attributes of a simple block (variable, output, stack) that allows only `allowed`, and
/// no blocks but those named in `blocks` (left to the caller).
pub(super) fn simple_attrs<'b>(
    file: &Arc<SourceFile>,
    b: &'b Block,
    allowed: &[&str],
    blocks: &[&str],
    diags: &mut Diagnostics,
) -> HashMap<&'b str, &'b Attribute> {
    let mut out = HashMap::new();
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) if allowed.contains(&a.key.as_str()) => {
                out.insert(a.key.as_str(), a);
            }
            Structure::Attribute(a) => {
                let mut d = Diagnostic::error(format!(
                    "unknown attribute `{}` in a {} block",
                    a.key.as_str(),
                    b.ident.as_str()
                ))
                .at(file, span(&a.key));
                if let Some(s) = did_you_mean(a.key.as_str(), allowed.iter().copied()) {
                    d = d.label(format!("did you mean `{s}`?"));
                }
                diags.push(d.hint(format!("allowed here: {}", allowed.join(", "))));
            }
            Structure::Block(inner) if blocks.contains(&inner.ident.as_str()) => {}
            Structure::Block(inner) => diags.push(
                Diagnostic::error(format!(
                    "unexpected block `{}` in a {} block",
                    inner.ident.as_str(),
                    b.ident.as_str()
                ))
                .at(file, header(inner)),
            ),
        }
    }
    out
}

/// A `data "KIND" "NAME"` block: two labels, a kind that exists, a name declared once.
fn collect_data<'b>(
    file: &Arc<SourceFile>,
    b: &'b Block,
    data_kinds: &HashMap<&'static str, &'static Schema>,
    seen: &mut HashMap<String, Range<usize>>,
    c: &mut Collected<'b>,
    diags: &mut Diagnostics,
) {
    if b.labels.len() != 2 {
        let d = Diagnostic::error("a data block takes 2 labels").at(file, header(b));
        diags.push(d.hint("write it as data \"KIND\" \"NAME\" { … }, e.g. data \"ami\" \"linux\" { … }"));
        return;
    }
    let Some(key) = super::data::key_of(data_kinds, b, diags, file) else { return };
    if let Some(first) = seen.get(&format!("data.{key}")) {
        let (line, _) = file.line_col(first.start);
        let d = Diagnostic::error(format!("duplicate data block data.{key}")).at(file, header(b));
        diags.push(d.label(format!("first declared on line {line}")));
        return;
    }
    seen.insert(format!("data.{key}"), header(b));
    c.data.push((key, b));
}

/// The stack block: the stack's name and where it is deployed.
pub(super) struct Header {
    name: String,
    region: Option<String>,
    iam_home_region: Option<String>,
}

/// Stack names go into IAM paths and policy names, tags and default object names.
const MAX_STACK_NAME: usize = 64;

pub(super) fn stack_header(
    file: &Arc<SourceFile>,
    block: Option<&Block>,
    env: &Env,
    diags: &mut Diagnostics,
) -> Option<Header> {
    let Some(b) = block else {
        diags.push(
            Diagnostic::error(format!("{} has no stack block", file.path))
                .at(file, 0..0)
                .label("a stack file starts by naming its stack")
                .hint("every stack file names its stack, e.g. `stack \"network\" { region = \"us-east-1\" }`"),
        );
        return None;
    };
    let name = b.labels[0].as_str().to_string();
    if name.len() > MAX_STACK_NAME {
        diags.push(
            Diagnostic::error(format!(
                "the stack name is {} characters long; at most {MAX_STACK_NAME} fit",
                name.len()
            ))
            .at(file, span(&b.labels[0])),
        );
    }
    let attrs = simple_attrs(file, b, &["region", "iam_home_region"], &[], diags);
    let region = |key: &str, diags: &mut Diagnostics| -> Option<String> {
        let a = attrs.get(key)?;
        match env.eval(&a.value, diags)? {
            Value::Str(s) if !s.is_empty() => {
                if let Some(why) = crate::constraint::formats::region_problem(&s) {
                    diags.push(Diagnostic::error(format!("{key} \"{s}\" {why}")).at(file, span(&a.value)));
                }
                Some(s)
            }
            _ => {
                diags.push(
                    Diagnostic::error(format!("{key} must be a non-empty string such as \"us-east-1\""))
                        .at(file, span(&a.value)),
                );
                None
            }
        }
    };
    let region_value = region("region", diags);
    let iam_home_region = region("iam_home_region", diags);
    Some(Header { name, region: region_value, iam_home_region })
}

pub(super) fn eval_output(
    file: &Arc<SourceFile>,
    b: &Block,
    env: &Env,
    taint: &Taint,
    diags: &mut Diagnostics,
) -> Option<Output> {
    let attrs = simple_attrs(file, b, &["value", "description", "sensitive"], &[], diags);
    let Some(value) = attrs.get("value") else {
        diags.push(Diagnostic::error("missing required attribute `value` in this output").at(file, header(b)));
        return None;
    };
    // The description is checked like any expression; it is documentation only.
    if let Some(d) = attrs.get("description") {
        env.eval(&d.value, diags)?;
    }
    // A value derived from a sensitive variable is masked even without `sensitive = true`:
    // forgetting the flag must not print a secret.
    let declared = match attrs.get("sensitive") {
        Some(a) => matches!(env.eval(&a.value, diags), Some(Value::Bool(true))),
        None => false,
    };
    let sensitive = declared || taint.expr(&value.value);
    let span = span(&value.value);
    Some(Output { name: b.labels[0].as_str().to_string(), value: env.eval(&value.value, diags)?, sensitive, span })
}
