//! `stackr graph`: the stack's dependency graph in Graphviz DOT, from the loaded stack file
//! alone (no AWS access). One node per resource, one edge from each resource to each resource
//! it depends on (the direction Terraform's graph uses), both sorted by address so the output
//! only changes when the stack does. A module instance's objects are drawn in a box labelled
//! with its path. `stackr graph | dot -Tsvg > graph.svg` draws it.

use std::fmt::Write;
use std::process::ExitCode;

use crate::cli::{Global, GraphArgs};
use crate::stack::Stack;

pub fn run(global: &Global, args: &GraphArgs) -> anyhow::Result<ExitCode> {
    let stack = super::load_stack(&args.stack, global)?;
    print!("{}", dot(&stack));
    Ok(ExitCode::SUCCESS)
}

pub fn dot(stack: &Stack) -> String {
    let mut nodes: Vec<&crate::model::Address> = stack.resources.iter().map(|r| &r.addr).collect();
    nodes.sort();
    let mut edges: Vec<(&crate::model::Address, &crate::model::Address)> =
        stack.resources.iter().flat_map(|r| r.deps.iter().map(move |d| (&r.addr, d))).collect();
    edges.sort();
    edges.dedup();
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&stack.name));
    let _ = writeln!(out, "  rankdir = \"RL\";");
    let _ = writeln!(out, "  node [shape = \"box\"];");
    // Sorted by address, so each module instance's objects are together (root's first).
    let mut module: Option<&str> = None;
    for n in nodes {
        if module != Some(n.module.as_str()) {
            if module.is_some_and(|m| !m.is_empty()) {
                out.push_str("  }\n");
            }
            if !n.module.is_empty() {
                let _ = writeln!(out, "  subgraph {} {{", quote(&format!("cluster_{}", n.module)));
                let _ = writeln!(out, "    label = {};", quote(&n.module));
            }
            module = Some(n.module.as_str());
        }
        let indent = if n.module.is_empty() { "  " } else { "    " };
        let _ = writeln!(out, "{indent}{};", quote(&n.to_string()));
    }
    if module.is_some_and(|m| !m.is_empty()) {
        out.push_str("  }\n");
    }
    for (from, to) in edges {
        let _ = writeln!(out, "  {} -> {};", quote(&from.to_string()), quote(&to.to_string()));
    }
    out.push_str("}\n");
    out
}

/// A DOT quoted identifier.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
