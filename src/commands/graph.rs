//! `stackr graph`: the stack's dependency graph in Graphviz DOT, from the loaded stack file
//! alone (no AWS access). One node per resource, one edge from each resource to each resource
//! it depends on (the direction Terraform's graph uses), both sorted by address so the output
//! only changes when the stack does. `stackr graph | dot -Tsvg > graph.svg` draws it.

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
    for n in nodes {
        let _ = writeln!(out, "  {};", quote(&n.to_string()));
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
