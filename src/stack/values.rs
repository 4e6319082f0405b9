//! The values a stack file declares, in dependency order: locals, `data` blocks and the keys
//! of blocks with `count` or `for_each`. Each is evaluated after the ones it uses (Kahn's
//! order, the earliest declared first among those ready), so loading stays linear in their
//! number and any of them may use the others: a local may list every instance of a block
//! (`subnet.public[*].id`), a `for_each` may use a local or a lookup's result.

use std::collections::{BTreeSet, HashMap};

use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::{Attribute, Block};
use hcl_edit::visit::{Visit, visit_traversal};

use super::body::header;
use super::diag::{Diagnostic, Diagnostics};
use super::eval::{Env, span};
use super::module::CallIn;
use super::repeat::{self, Each};
use crate::model::{Address, Value};

enum Node<'b> {
    Local(&'b Attribute),
    Data(&'b str, &'b Block),
    Module(&'b CallIn<'b>),
    Keys(&'b Address, &'b Block),
}

/// Evaluates every local into `env.locals`, every data block into `env.data`, and every
/// repeated block's keys into `env.repeats`; returns each repeated block's instances (absent
/// when its meta-argument failed, waits for a lookup, or is in a cycle).
pub(super) fn evaluate(
    env: &mut Env,
    locals: &[&Attribute],
    data: &[(String, &Block)],
    modules: &[CallIn],
    repeated: &[(&Address, &Block)],
    diags: &mut Diagnostics,
) -> HashMap<Address, Option<Vec<Each>>> {
    let mut nodes: Vec<Node> = locals.iter().map(|a| Node::Local(a)).collect();
    nodes.extend(data.iter().map(|(k, b)| Node::Data(k.as_str(), b)));
    nodes.extend(modules.iter().map(Node::Module));
    nodes.extend(repeated.iter().map(|(a, b)| Node::Keys(a, b)));
    let index: HashMap<String, usize> = nodes.iter().enumerate().map(|(i, n)| (name(n), i)).collect();
    let mut dependents: Vec<Vec<usize>> = vec![vec![]; nodes.len()];
    let mut waiting: Vec<usize> = vec![0; nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        let mut uses: Vec<usize> = uses(env, node).iter().filter_map(|n| index.get(n).copied()).collect();
        uses.sort_unstable();
        uses.dedup();
        waiting[i] = uses.len();
        uses.into_iter().for_each(|u| dependents[u].push(i));
    }
    let mut instances = HashMap::new();
    let mut ready: BTreeSet<usize> = (0..nodes.len()).filter(|&i| waiting[i] == 0).collect();
    while let Some(i) = ready.pop_first() {
        run(env, &nodes[i], &mut instances, diags);
        for &d in &dependents[i] {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.insert(d);
            }
        }
    }
    for (i, node) in nodes.iter().enumerate().filter(|(i, _)| waiting[*i] > 0) {
        let (what, at) = match node {
            Node::Local(a) => (name(node), span(&a.key)),
            Node::Data(_, b) => (name(node), header(b)),
            Node::Module(c) => (name(node), header(c.block)),
            Node::Keys(a, b) => (format!("the count or for_each of {a}"), header(b)),
        };
        let _ = i;
        diags.push(
            Diagnostic::error(format!("{what} depends on itself through other locals, data or modules"))
                .at(&env.file, at),
        );
    }
    instances
}

fn name(node: &Node) -> String {
    match node {
        Node::Local(a) => format!("local.{}", a.key.as_str()),
        Node::Data(k, _) => format!("data.{k}"),
        Node::Module(c) => format!("module.{}", c.name),
        Node::Keys(a, _) => a.to_string(),
    }
}

/// The nodes a node's expressions name.
fn uses(env: &Env, node: &Node) -> Vec<String> {
    let mut names = vec![];
    let mut add = |e: &Expression, blocks: bool| {
        names.extend(super::eval::names_used(e, "local").into_iter().map(|l| format!("local.{l}")));
        names.extend(super::eval::names_used(e, "module").into_iter().map(|m| format!("module.{m}")));
        names.extend(super::data::used(e).into_iter().map(|d| format!("data.{d}")));
        if blocks {
            names.extend(blocks_used(env, e).into_iter().map(|a| a.to_string()));
        }
    };
    match node {
        Node::Local(a) => add(&a.value, true),
        Node::Data(_, b) => b.body.attributes().for_each(|a| add(&a.value, false)),
        Node::Module(c) => c.block.body.attributes().for_each(|a| add(&a.value, true)),
        Node::Keys(_, b) => {
            for meta in [repeat::COUNT, repeat::FOR_EACH] {
                b.body.get_attribute(meta).into_iter().for_each(|a| add(&a.value, false));
            }
        }
    }
    names
}

fn run(env: &mut Env, node: &Node, instances: &mut HashMap<Address, Option<Vec<Each>>>, diags: &mut Diagnostics) {
    match node {
        // A failed local is marked unknown, so its uses do not each report it again.
        Node::Local(a) => {
            let v = env.eval(&a.value, diags).unwrap_or(Value::Unknown);
            env.locals.insert(a.key.as_str().to_string(), v);
        }
        Node::Data(key, block) => {
            let v = super::data::evaluate(env, key, block, diags);
            env.data.values.insert(key.to_string(), v);
        }
        Node::Module(c) => super::module::call(env, c, diags),
        Node::Keys(addr, block) => {
            let errors = diags.error_count();
            let found = repeat::instances(env, block, diags);
            let Some(rep) = env.repeats.get_mut(addr) else { return };
            match found {
                Some(list) => {
                    rep.keys = list.as_ref().map(|l| l.iter().map(|e| e.key.clone()).collect());
                    instances.insert((*addr).clone(), list);
                }
                // Silent: it waits for a lookup, and the stack is loaded again once it is read.
                None => rep.pending = diags.error_count() == errors,
            }
        }
    }
}

/// The repeated blocks an expression names (`subnet.public`, `subnet.public[*].id`).
fn blocks_used(env: &Env, expr: &Expression) -> Vec<Address> {
    struct Blocks<'e, 'a>(&'e Env<'a>, Vec<Address>);
    impl Visit for Blocks<'_, '_> {
        fn visit_traversal(&mut self, t: &Traversal) {
            if let Expression::Variable(root) = &t.expr
                && self.0.kinds.contains_key(root.as_str())
                && let Some(TraversalOperator::GetAttr(name)) = t.operators.first().map(|o| o.value())
            {
                let addr = self.0.address(root.as_str(), name.as_str());
                if self.0.repeats.contains_key(&addr) {
                    self.1.push(addr);
                }
            }
            visit_traversal(self, t);
        }
    }
    let mut b = Blocks(env, vec![]);
    b.visit_expr(expr);
    b.1
}
