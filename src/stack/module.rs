//! `module "web" { source = "./modules/web-tier"  vpc_id = vpc.main.id }`: a directory of
//! stack files (its `variable`s are the arguments, its `output`s what `module.web.NAME`
//! gives) loaded as a scope of its own, once per instance with `count` / `for_each`. Its
//! objects' addresses start with the instance's path (`module.web.instance.bastion`), which
//! their ownership tags, IAM paths and default names carry. Sources are local paths; a
//! module's files are read once, when the block is collected.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};

use super::body::header;
use super::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use super::eval::{Env, span};
use super::repeat::{self, Each};
use super::scope::{ScopeIn, VarsIn};
use super::vars::{Origin, VarDef};
use super::{Resource, validation};
use crate::model::{Key, Value};

/// Attributes of a module block that are not arguments.
const META_ARGS: &[&str] = &["source", repeat::COUNT, repeat::FOR_EACH, super::meta::DEPENDS_ON];

/// How deep modules may call modules: deeper is a mistake, not a design.
const MAX_DEPTH: usize = 16;

/// A `module` block as collected.
pub(super) struct CallIn<'b> {
    pub name: String,
    pub block: &'b Block,
    /// Its files, read; `None` when they could not be (reported).
    pub source: Option<Rc<Source>>,
}

/// Module directories read so far, by path: a module called from a module with `count` or
/// `for_each` is read once, not once per instance. `None`: it could not be (reported).
pub(super) type Sources = RefCell<HashMap<PathBuf, Option<Rc<Source>>>>;

/// A module's files, read and parsed as one body.
pub(super) struct Source {
    pub file: Arc<SourceFile>,
    pub body: Body,
    pub dir: PathBuf,
    /// Whether an output says `sensitive = true`: what uses the module is masked.
    pub sensitive_outputs: bool,
}

/// What a scope's module calls made, gathered into the caller's.
#[derive(Default)]
pub(super) struct Made {
    pub resources: Vec<Resource>,
    pub refused: Diagnostics,
    pub files: Vec<Arc<SourceFile>>,
}

/// The arguments of one module instance, evaluated in the caller.
pub(super) struct Given {
    pub name: String,
    pub caller: Arc<SourceFile>,
    /// The module block's header, in the caller.
    pub call: Range<usize>,
    /// Value, and the spans of the argument's value and name.
    pub values: BTreeMap<String, (Value, Range<usize>, Range<usize>)>,
    /// Arguments whose values derive from sensitive values in the caller.
    pub sensitive: BTreeSet<String>,
    /// The module block's `depends_on`: every object in the module waits for these.
    pub depends_on: Vec<crate::model::Address>,
}

/// Collects a module block and reads its source directory.
pub(super) fn read<'b>(
    file: &Arc<SourceFile>,
    dir: Option<&Path>,
    b: &'b Block,
    name: &str,
    sources: &Sources,
    diags: &mut Diagnostics,
) -> Option<CallIn<'b>> {
    let call = |source| Some(CallIn { name: name.to_string(), block: b, source });
    let Some(attr) = b.body.get_attribute("source") else {
        let d = Diagnostic::error(format!("module \"{name}\" has no source")).at(file, header(b));
        diags.push(d.hint("name the module's directory: source = \"./modules/web\""));
        return call(None);
    };
    let at = span(&attr.value);
    let Expression::String(s) = &attr.value else {
        let d = Diagnostic::error("a module's source is a literal string").at(file, at);
        diags.push(d.label("it is read before any expression is evaluated").hint("write source = \"./modules/web\""));
        return call(None);
    };
    let rel = s.value().as_str();
    if !(rel.starts_with("./") || rel.starts_with("../")) {
        let d = Diagnostic::error(format!("module source \"{rel}\" is not a local path")).at(file, at);
        diags.push(d.label("a path starting with ./ or ../").hint(
            "stackr reads modules from local directories; share them with git submodules or by vendoring \
             (see the README's Modules section)",
        ));
        return call(None);
    }
    let path = normalise(&dir.unwrap_or(Path::new(".")).join(rel));
    if let Some(read) = sources.borrow().get(&path) {
        return call(read.clone());
    }
    let read = load_dir(file, at, &path, diags).map(Rc::new);
    sources.borrow_mut().insert(path, read.clone());
    call(read)
}

/// `a/./b/../c` as `a/c`, for messages and for telling a module that calls itself.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some_and(|n| n != "..") => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

/// Reads every `.hcl` file of a module directory, in name order, as one body.
fn load_dir(file: &Arc<SourceFile>, at: Range<usize>, dir: &Path, diags: &mut Diagnostics) -> Option<Source> {
    let shown = dir.display().to_string();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "does not exist".to_string(),
                _ if dir.is_file() => "is a file; a module is a directory of .hcl files".to_string(),
                _ => format!("cannot be read: {e}"),
            };
            diags.push(Diagnostic::error(format!("module directory {shown} {why}")).at(file, at));
            return None;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "hcl"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        diags.push(Diagnostic::error(format!("module directory {shown} has no .hcl files")).at(file, at));
        return None;
    }
    let mut files = vec![];
    let mut ok = true;
    for p in paths {
        let text = match super::diag::read_text(&p) {
            Ok(t) => t,
            Err(e) => {
                diags.push(match e {
                    super::diag::Unreadable::NotUtf8(d) => *d,
                    super::diag::Unreadable::Io(e) => {
                        Diagnostic::error(format!("cannot read {}: {e}", p.display())).at(file, at.clone())
                    }
                });
                ok = false;
                continue;
            }
        };
        let f = SourceFile::new(p.display().to_string(), text);
        if let Err(e) = hcl_edit::parser::parse_body(&f.text) {
            let offset = e.location().offset();
            let first = e.message().lines().next().unwrap_or_default().trim().to_string();
            diags.push(Diagnostic::error(format!("{} is not valid HCL: {first}", f.path)).at(&f, offset..offset));
            ok = false;
        }
        files.push(f);
    }
    let file = SourceFile::combined(shown, files);
    let body = hcl_edit::parser::parse_body(&file.text).ok().filter(|_| ok)?;
    let sensitive_outputs = body.blocks().filter(|b| b.ident.as_str() == "output").any(
        |b| matches!(b.body.get_attribute("sensitive").map(|a| &a.value), Some(Expression::Bool(v)) if *v.value()),
    );
    Some(Source { file, body, dir: dir.to_path_buf(), sensitive_outputs })
}

/// The calls with a sensitive output, for tainting what uses them.
pub(super) fn sensitive_calls(calls: &[CallIn]) -> BTreeSet<String> {
    calls.iter().filter(|c| c.source.as_ref().is_some_and(|s| s.sensitive_outputs)).map(|c| c.name.clone()).collect()
}

/// Loads every instance of a call; `module.NAME` becomes its outputs (a list or map of them
/// with count / for_each), or unknown when it failed or waits for a lookup.
pub(super) fn call(env: &mut Env, c: &CallIn, diags: &mut Diagnostics) {
    if repeat::repeat_of(c.block).is_some() {
        env.repeated_modules.insert(c.name.clone());
    }
    let v = instances(env, c, diags).unwrap_or(Value::Unknown);
    env.modules.insert(c.name.clone(), v);
}

fn instances(env: &Env, c: &CallIn, diags: &mut Diagnostics) -> Option<Value> {
    let src = c.source.as_ref()?;
    let canon = std::fs::canonicalize(&src.dir).unwrap_or_else(|_| src.dir.clone());
    if env.chain.contains(&canon) || env.chain.len() >= MAX_DEPTH {
        let at = c.block.body.get_attribute("source").map_or_else(|| header(c.block), |a| span(&a.value));
        let d =
            Diagnostic::error(format!("module \"{}\" calls itself: {} is already being loaded", c.name, src.file.path));
        diags.push(d.at(&env.file, at).hint("a module may not call itself, directly or through other modules"));
        return None;
    }
    let Some(list) = repeat::instances(env, c.block, diags)? else {
        return instance(env, c, src, &canon, None, diags);
    };
    let by_count = c.block.body.get_attribute(repeat::COUNT).is_some();
    let outs: Vec<(Key, Option<Value>)> =
        list.into_iter().map(|e| (e.key.clone(), instance(env, c, src, &canon, Some(e), diags))).collect();
    let outs: Vec<(Key, Value)> = outs.into_iter().map(|(k, v)| Some((k, v?))).collect::<Option<_>>()?;
    Some(match by_count {
        true => Value::List(outs.into_iter().map(|(_, v)| v).collect()),
        false => Value::Map(outs.into_iter().map(|(k, v)| (key_text(&k), v)).collect()),
    })
}

fn key_text(k: &Key) -> String {
    match k {
        Key::Index(i) => i.to_string(),
        Key::Str(s) => s.clone(),
    }
}

/// Loads one instance: its arguments evaluated here, its blocks under its path.
fn instance(
    env: &Env,
    c: &CallIn,
    src: &Source,
    canon: &Path,
    each: Option<Each>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let path = env.module_path(&c.name, each.as_ref().map(|e| &e.key));
    *env.each.borrow_mut() = each;
    let given = arguments(env, c, diags);
    *env.each.borrow_mut() = None;
    let given = given?;
    let mut chain = env.chain.clone();
    chain.push(canon.to_path_buf());
    let inner = super::body::collect(&src.file, Some(&src.dir), &src.body, &env.kinds, &path, &env.sources, diags);
    let declared: Vec<String> =
        inner.outputs.iter().filter_map(|b| Some(b.labels.first()?.as_str().to_string())).collect();
    let scope = ScopeIn {
        file: src.file.clone(),
        dir: Some(src.dir.clone()),
        module: path,
        chain,
        kinds: env.kinds.clone(),
        fetched: env.data.fetched.clone(),
        sources: env.sources.clone(),
        vars: VarsIn::Module(given),
    };
    let mut refused = Diagnostics::default();
    let out = super::scope::load(scope, &inner, diags, &mut refused);
    env.data.pending.borrow_mut().extend(out.data_pending);
    let mut made = env.made.borrow_mut();
    made.resources.extend(out.resources);
    made.refused.0.extend(refused.0);
    for f in std::iter::once(src.file.clone()).chain(out.files) {
        if !made.files.iter().any(|m| m.path == f.path) {
            made.files.push(f);
        }
    }
    // Outputs that failed (reported) or wait for a lookup are unknown, so their uses are silent.
    let mut outputs: BTreeMap<String, Value> = declared.into_iter().map(|n| (n, Value::Unknown)).collect();
    for o in out.outputs {
        if o.sensitive && !src.sensitive_outputs {
            let d = Diagnostic::error(format!(
                "output \"{}\" of module \"{}\" derives from a sensitive value",
                o.name, c.name
            ));
            diags.push(d.at(&src.file, o.span.clone()).hint("declare it `sensitive = true`, so every caller masks it"));
        }
        outputs.insert(o.name, o.value);
    }
    Some(Value::Map(outputs))
}

/// `module.NAME.OUTPUT`: an output the module declares, of one instance. `None`: reported.
pub(super) fn check_output(
    env: &Env,
    name: &str,
    outputs: &Value,
    ops: &[hcl_edit::Decorated<TraversalOperator>],
    diags: &mut Diagnostics,
) -> Option<()> {
    let Some(TraversalOperator::GetAttr(id)) = ops.first().map(|o| o.value()) else { return Some(()) };
    let out = id.as_str();
    if env.repeated_modules.contains(name) && !matches!(outputs, Value::Map(m) if m.contains_key(out)) {
        let d = Diagnostic::error(format!("module.{name} has count or for_each; name one instance"));
        let shape = format!("module.{name}[0].{out} or module.{name}[\"KEY\"].{out}");
        diags.push(
            d.at(&env.file, span(&ops[0])).hint(format!("write {shape}, or go over all of them with a for expression")),
        );
        return None;
    }
    let Value::Map(m) = outputs else { return Some(()) };
    if m.contains_key(out) {
        return Some(());
    }
    let mut d = Diagnostic::error(format!("module \"{name}\" has no output \"{out}\"")).at(&env.file, span(&ops[0]));
    if let Some(s) = did_you_mean(out, m.keys().map(String::as_str)) {
        d = d.label(format!("did you mean `{s}`?"));
    }
    let names: Vec<&str> = m.keys().map(String::as_str).collect();
    diags
        .push(d.hint(format!("its outputs: {}", if names.is_empty() { "none".to_string() } else { names.join(", ") })));
    None
}

/// A module instance's arguments, evaluated in the caller's scope.
fn arguments(env: &Env, c: &CallIn, diags: &mut Diagnostics) -> Option<Given> {
    let mut given = Given {
        name: c.name.clone(),
        caller: env.file.clone(),
        call: header(c.block),
        values: BTreeMap::new(),
        sensitive: BTreeSet::new(),
        depends_on: super::meta::depends_on(env, &c.block.body, diags),
    };
    let mut ok = true;
    for s in c.block.body.iter() {
        let a = match s {
            Structure::Attribute(a) => a,
            Structure::Block(b) => {
                let d = Diagnostic::error(format!("unexpected block `{}` in a module block", b.ident.as_str()));
                diags
                    .push(d.at(&env.file, header(b)).hint("a module takes arguments (NAME = VALUE), one per variable"));
                ok = false;
                continue;
            }
        };
        let name = a.key.as_str();
        if META_ARGS.contains(&name) {
            continue;
        }
        match env.eval(&a.value, diags) {
            Some(v) => {
                given.values.insert(name.to_string(), (v, span(&a.value), span(&a.key)));
            }
            None => ok = false,
        }
        if env.taint.expr(&a.value) {
            given.sensitive.insert(name.to_string());
        }
    }
    ok.then_some(given)
}

/// The module's variables from the arguments: each converted to its type, defaulted and
/// validated, with a diagnostic at the argument in the caller.
pub(super) fn resolve(
    defs: &[VarDef],
    given: Given,
    file: &Arc<SourceFile>,
    dir: Option<PathBuf>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Value> {
    for (name, (_, _, at)) in &given.values {
        if !defs.iter().any(|d| &d.name == name) {
            let mut d = Diagnostic::error(format!("module \"{}\" has no variable \"{name}\"", given.name))
                .at(&given.caller, at.clone());
            if let Some(s) = did_you_mean(name, defs.iter().map(|d| d.name.as_str())) {
                d = d.label(format!("did you mean `{s}`?"));
            }
            let names: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
            diags.push(d.hint(format!("its variables ({}): {}", file.path, names.join(", "))));
        }
    }
    let mut values = given.values;
    let mut out = BTreeMap::new();
    for def in defs {
        let arg = values.remove(&def.name).map(|(v, at, _)| (v, Origin::File(given.caller.clone(), at)));
        if arg.is_none() && def.default.is_none() {
            let (line, _) = file.line_col(def.span.start);
            let d = Diagnostic::error(format!("module \"{}\" needs an argument \"{}\"", given.name, def.name));
            let where_ = file.locate(def.span.clone()).0.path.clone();
            diags.push(d.at(&given.caller, given.call.clone()).hint(format!(
                "variable \"{}\" is declared without a default at {where_}:{line}; set {} = … in this block",
                def.name, def.name
            )));
            out.insert(def.name.clone(), Value::Unknown);
            continue;
        }
        let value = super::vars::value_of(def, arg, file, diags)
            .filter(|(v, origin)| validation::check(def, v, origin, file, dir.clone(), diags));
        out.insert(def.name.clone(), value.map_or(Value::Unknown, |(v, _)| v));
    }
    out
}
