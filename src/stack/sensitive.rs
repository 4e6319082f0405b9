//! Which values are secret. A variable declared `sensitive = true` taints every local,
//! resource attribute and output whose expression mentions it (directly or through locals),
//! so the plan can mask those values in every output and keep them out of plan files.
//! Tainting is by expression, as in Terraform: `length(var.password)` is sensitive too.

use std::collections::BTreeSet;

use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Structure};
use hcl_edit::visit::{Visit, visit_block, visit_traversal};

/// The sensitive variables and the locals derived from them.
#[derive(Debug, Default)]
pub(super) struct Taint {
    pub vars: BTreeSet<String>,
    pub locals: BTreeSet<String>,
    /// Module calls with a sensitive output: whatever uses them is masked.
    pub modules: BTreeSet<String>,
}

/// `var.X` and `local.Y` names an expression or block mentions.
#[derive(Default)]
pub(super) struct Mentions {
    pub vars: Vec<String>,
    pub locals: Vec<String>,
    pub modules: Vec<String>,
}

impl Mentions {
    pub fn of(e: &Expression) -> Mentions {
        let mut m = Mentions::default();
        m.visit_expr(e);
        m
    }
}

impl Visit for Mentions {
    fn visit_traversal(&mut self, t: &Traversal) {
        if let (Expression::Variable(root), Some(op)) = (&t.expr, t.operators.first())
            && let TraversalOperator::GetAttr(id) = op.value()
        {
            match root.as_str() {
                "var" => self.vars.push(id.as_str().to_string()),
                "local" => self.locals.push(id.as_str().to_string()),
                "module" => self.modules.push(id.as_str().to_string()),
                _ => {}
            }
        }
        visit_traversal(self, t);
    }
}

impl Taint {
    fn hit(&self, m: &Mentions) -> bool {
        m.vars.iter().any(|v| self.vars.contains(v))
            || m.locals.iter().any(|l| self.locals.contains(l))
            || m.modules.iter().any(|c| self.modules.contains(c))
    }

    /// Whether an expression's value derives from a sensitive variable.
    pub fn expr(&self, e: &Expression) -> bool {
        let mut m = Mentions::default();
        m.visit_expr(e);
        self.hit(&m)
    }

    fn block(&self, b: &Block) -> bool {
        let mut m = Mentions::default();
        visit_block(&mut m, b);
        self.hit(&m)
    }

    /// Marks locals derived from sensitive variables or from other such locals.
    pub fn add_locals(&mut self, locals: &[&Attribute]) {
        if self.vars.is_empty() && self.modules.is_empty() {
            return;
        }
        // Taint flows from a local to the locals that use it: a walk over those edges, so a
        // long chain of locals costs one visit each.
        let mut users: std::collections::HashMap<String, Vec<&str>> = std::collections::HashMap::new();
        let mut tainted: Vec<&str> = vec![];
        for a in locals {
            let m = Mentions::of(&a.value);
            if m.vars.iter().any(|v| self.vars.contains(v)) || m.modules.iter().any(|c| self.modules.contains(c)) {
                tainted.push(a.key.as_str());
            }
            m.locals.into_iter().for_each(|l| users.entry(l).or_default().push(a.key.as_str()));
        }
        while let Some(name) = tainted.pop() {
            if self.locals.insert(name.to_string()) {
                tainted.extend(users.get(name).into_iter().flatten().copied());
            }
        }
    }

    /// The top-level attributes and nested blocks of a resource whose values are sensitive.
    pub fn resource(&self, b: &Block) -> Vec<String> {
        if self.vars.is_empty() && self.modules.is_empty() {
            return vec![];
        }
        let mut out: Vec<String> = b
            .body
            .iter()
            .filter_map(|s| match s {
                Structure::Attribute(a) if self.expr(&a.value) => Some(a.key.as_str().to_string()),
                // A dynamic block's secret is in the blocks it makes, named by its label.
                Structure::Block(nb) if nb.ident.as_str() == super::dynamic::DYNAMIC && self.block(nb) => {
                    nb.labels.first().map(|l| l.as_str().to_string())
                }
                Structure::Block(nb) if !super::meta::META.contains(&nb.ident.as_str()) && self.block(nb) => {
                    Some(nb.ident.as_str().to_string())
                }
                _ => None,
            })
            .collect();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(src: &str) -> hcl_edit::structure::Body {
        hcl_edit::parser::parse_body(src).unwrap()
    }

    #[test]
    fn taint_flows_through_locals_and_function_calls_into_attributes_and_blocks() {
        let b = body(
            "locals {\n a = var.secret\n b = \"x-${local.a}\"\n c = var.plain\n}\nthing \"t\" {\n  one = local.b\n  two = local.c\n  three = length(var.secret)\n  nested {\n    x = local.a\n  }\n  other {\n    y = 1\n  }\n  dynamic \"made\" {\n    for_each = var.secret\n    content {}\n  }\n}\n",
        );
        let locals: Vec<&Attribute> = body_block(&b, "locals").body.attributes().collect();
        let mut t = Taint { vars: ["secret".to_string()].into(), ..Taint::default() };
        t.add_locals(&locals);
        assert_eq!(t.locals.iter().cloned().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(t.resource(body_block(&b, "thing")), ["one", "three", "nested", "made"]);
    }

    #[test]
    fn nothing_is_tainted_without_sensitive_variables() {
        let b = body("thing \"t\" {\n  one = var.secret\n}\n");
        assert!(Taint::default().resource(body_block(&b, "thing")).is_empty());
    }

    fn body_block<'a>(b: &'a hcl_edit::structure::Body, ident: &str) -> &'a Block {
        b.blocks().find(|x| x.ident.as_str() == ident).unwrap()
    }
}
