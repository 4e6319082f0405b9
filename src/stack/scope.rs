//! One scope loaded: the root stack file, or one instance of a module. Variables get their
//! values (from the command line at the root, from the `module` block's arguments in a
//! module), locals, data, module calls and repeated blocks' keys are evaluated in dependency
//! order, then each resource block is loaded and the outputs evaluated. A module's objects
//! carry its path in their addresses; what its calls made is gathered into the caller's.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use hcl_edit::structure::Block;

use super::body::{Collected, Header, eval_output, header, stack_header};
use super::diag::{Diagnostics, SourceFile};
use super::eval::Env;
use super::resource::{BlockIn, load_block};
use super::sensitive::Taint;
use super::varinputs::VarInputs;
use super::{Output, Resource, moved, repeat, vars};
use crate::data::{Fetched, Request};
use crate::model::{Address, Schema, Value};

/// What a scope is loaded with.
pub(super) struct ScopeIn<'a> {
    pub file: Arc<SourceFile>,
    pub dir: Option<PathBuf>,
    /// The module instance's path (`module.web["a"]`), empty at the root.
    pub module: String,
    /// The module directories being loaded, outermost first: a module that calls itself,
    /// directly or not, would never end.
    pub chain: Vec<PathBuf>,
    pub kinds: HashMap<&'static str, &'static Schema>,
    pub fetched: Fetched,
    /// Module directories read so far, shared by every scope of the stack.
    pub sources: std::rc::Rc<super::module::Sources>,
    pub vars: VarsIn<'a>,
}

/// Where variables get their values.
pub(super) enum VarsIn<'a> {
    Root(&'a VarInputs),
    Module(super::module::Given),
}

/// A loaded scope, with everything its module calls made.
pub(super) struct Scoped {
    /// The stack block's values; only at the root.
    pub header: Option<Header>,
    pub resources: Vec<Resource>,
    pub outputs: Vec<Output>,
    pub moved: Vec<moved::Moved>,
    pub variables: BTreeMap<String, Value>,
    pub sensitive_vars: BTreeSet<String>,
    pub data_pending: Vec<Request>,
    /// The module files read under this scope.
    pub files: Vec<Arc<SourceFile>>,
}

pub(super) fn load(sc: ScopeIn, c: &Collected, diags: &mut Diagnostics, refused: &mut Diagnostics) -> Scoped {
    let declared: HashMap<Address, Range<usize>> = c.resources.iter().map(|(a, b)| (a.clone(), header(b))).collect();
    let mut env = Env::new(sc.file.clone(), sc.dir.clone(), sc.kinds, &declared);
    env.module = sc.module;
    env.chain = sc.chain;
    env.sources = sc.sources;
    env.data = super::data::DataEnv::new(sc.fetched);
    env.data.declared = c.data.iter().map(|(k, b)| (k.clone(), header(b))).collect();
    env.repeats = c.resources.iter().filter_map(|(a, b)| Some((a.clone(), repeat::repeat_of(b)?))).collect();
    let waits_for = variables(&mut env, c, sc.vars, diags);
    // Locals, data, module calls and the keys of repeated blocks, each after what it uses: a
    // local may list every instance of a block (`subnet.public[*].id`), a `for_each` may use
    // a local, a module's arguments may use another module's outputs.
    let repeated: Vec<(&Address, &Block)> =
        c.resources.iter().filter(|(a, _)| env.repeats.contains_key(a)).map(|(a, b)| (a, *b)).collect();
    let mut keyed = super::values::evaluate(&mut env, &c.locals, &c.data, &c.modules, &repeated, diags);
    let stack = if env.module.is_empty() { stack_header(&sc.file, c.stack, &env, diags) } else { None };
    let mut resources = Vec::new();
    for (addr, block) in &c.resources {
        let instances = match env.repeats.contains_key(addr) {
            // Not evaluated: its meta-argument failed, waits for a lookup, or is in a cycle.
            true => match keyed.remove(addr) {
                Some(list) => list,
                None => continue,
            },
            false => None,
        };
        let b = BlockIn { addr, block, header: header(block), taint: &env.taint };
        match instances {
            None => resources.extend(load_block(&env, &b, None, refused, diags)),
            Some(list) => {
                list.into_iter().for_each(|each| resources.extend(load_block(&env, &b, Some(each), refused, diags)))
            }
        }
    }
    let made = env.made.take();
    refused.0.extend(made.refused.0);
    resources.extend(made.resources);
    // The module block's depends_on: everything in the module waits for it.
    for r in resources.iter_mut().filter(|_| !waits_for.is_empty()) {
        r.deps.extend(waits_for.iter().cloned());
        r.deps.sort();
        r.deps.dedup();
    }
    let moved = root_moved(&env, c, &declared, &resources, diags);
    let outputs = c.outputs.iter().filter_map(|b| eval_output(&sc.file, b, &env, &env.taint, diags)).collect();
    Scoped {
        header: stack,
        resources,
        outputs,
        moved,
        variables: env.vars.clone(),
        sensitive_vars: env.taint.vars.clone(),
        data_pending: env.data.pending.take(),
        files: made.files,
    }
}

/// Gives the variables their values and sets up what is sensitive; returns what a module
/// block's `depends_on` makes the module's objects wait for.
fn variables(env: &mut Env, c: &Collected, vars: VarsIn, diags: &mut Diagnostics) -> Vec<Address> {
    let mut sensitive: BTreeSet<String> = c.vars.iter().filter(|v| v.sensitive).map(|v| v.name.clone()).collect();
    let mut waits_for = vec![];
    env.vars = match vars {
        VarsIn::Root(inputs) => vars::resolve(&c.vars, inputs, &env.file, env.dir.clone(), diags),
        VarsIn::Module(mut given) => {
            sensitive.extend(given.sensitive.iter().cloned());
            waits_for = std::mem::take(&mut given.depends_on);
            super::module::resolve(&c.vars, given, &env.file, env.dir.clone(), diags)
        }
    };
    let mut taint = Taint { vars: sensitive, modules: super::module::sensitive_calls(&c.modules), ..Taint::default() };
    taint.add_locals(&c.locals);
    env.taint = taint;
    waits_for
}

/// The root's `moved` blocks, checked against its blocks once nothing waits for a lookup.
fn root_moved(
    env: &Env,
    c: &Collected,
    declared: &HashMap<Address, Range<usize>>,
    resources: &[Resource],
    diags: &mut Diagnostics,
) -> Vec<moved::Moved> {
    let names: Vec<&str> = env.kinds.keys().copied().collect();
    let moved: Vec<moved::Moved> = c.moved.iter().filter_map(|b| moved::parse(&env.file, b, &names, diags)).collect();
    if env.data.pending.borrow().is_empty() && !moved.is_empty() {
        // A move may end in a module (`module.net.vpc.main`): its blocks count as declared.
        let mut blocks = declared.clone();
        for r in resources.iter().filter(|r| !r.addr.module.is_empty()) {
            blocks.entry(Address { key: None, ..r.addr.clone() }).or_insert_with(|| r.span.clone());
        }
        moved::check(&env.file, &moved, &blocks, resources, diags);
    }
    moved
}
