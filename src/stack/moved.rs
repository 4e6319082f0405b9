//! `moved { from = vpc.old  to = vpc.main }`: an object the stack owns changes address without
//! being recreated, as Terraform's `moved` blocks do. Both ends are address traversals of one
//! kind. Two keyless ends move a whole block (every instance key follows); otherwise the move
//! is of one instance, and a keyless end is the block's only instance (`instance.web` to
//! `instance.web[0]` when `count` is added). Moves chain (`a` to `b`, `b` to `c`), as in
//! Terraform; the plan follows each chain to its end.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;

use super::Resource;
use super::body::{header, simple_attrs};
use super::diag::{Diagnostic, Diagnostics, SourceFile};
use super::eval::span;
use crate::model::Address;

/// One `moved` block.
#[derive(Debug, Clone)]
pub struct Moved {
    pub from: Address,
    pub to: Address,
    /// The block header, and each end's expression, for diagnostics.
    pub span: Range<usize>,
    pub from_span: Range<usize>,
    pub to_span: Range<usize>,
}

impl Moved {
    /// Where this block sends an object found at `addr`, if it names it: its `to`, or for a
    /// whole-block move the same key under the new block.
    pub fn target(&self, addr: &Address) -> Option<Address> {
        if &self.from == addr {
            return Some(self.to.clone());
        }
        let whole = self.from.key.is_none() && self.to.key.is_none();
        let key = addr.key.clone().filter(|_| whole && self.from.covers(addr))?;
        Some(self.to.with_key(key))
    }
}

/// Where a chain of moves takes an object found at `addr` (itself when no block names it), and
/// the first block that moved it. `Err` holds the addresses of a cycle.
pub fn follow<'m>(moved: &'m [Moved], addr: &Address) -> Result<(Address, Option<&'m Moved>), Vec<Address>> {
    let mut at = addr.clone();
    let mut first = None;
    let mut seen = vec![at.clone()];
    while let Some((m, next)) = moved.iter().find_map(|m| Some((m, m.target(&at)?))) {
        first.get_or_insert(m);
        if seen.contains(&next) {
            seen.push(next);
            return Err(seen);
        }
        seen.push(next.clone());
        at = next;
    }
    Ok((at, first))
}

/// Reads one `moved` block.
pub(super) fn parse(file: &Arc<SourceFile>, b: &Block, kinds: &[&str], diags: &mut Diagnostics) -> Option<Moved> {
    let attrs = simple_attrs(file, b, &["from", "to"], &[], diags);
    let end = |name: &str, diags: &mut Diagnostics| -> Option<(Address, Range<usize>)> {
        let Some(a) = attrs.get(name) else {
            diags.push(
                Diagnostic::error(format!("missing required attribute `{name}` in this moved block"))
                    .at(file, header(b))
                    .hint("write moved { from = vpc.old  to = vpc.main }"),
            );
            return None;
        };
        let at = span(&a.value);
        match address(&a.value) {
            Ok(addr) if kinds.contains(&addr.kind.as_str()) => Some((addr, at)),
            Ok(addr) => {
                diags.push(Diagnostic::error(format!("`{}` is not a resource kind", addr.kind)).at(file, at));
                None
            }
            Err(msg) => {
                diags.push(Diagnostic::error(msg).at(file, at));
                None
            }
        }
    };
    let (from, from_span) = end("from", diags)?;
    let (to, to_span) = end("to", diags)?;
    if from.kind != to.kind {
        diags.push(
            Diagnostic::error(format!("{from} cannot move to {to}: an object keeps its kind"))
                .at(file, to_span)
                .label(format!("a {} here, a {} in `from`", to.kind, from.kind))
                .hint("a moved block renames a block or re-keys an instance; a different kind is a new object"),
        );
        return None;
    }
    Some(Moved { from, to, span: header(b), from_span, to_span })
}

/// `kind.name`, `kind.name[0]` or `kind.name["key"]`, optionally inside modules
/// (`module.net.vpc.main`), written as a traversal, not a string.
fn address(e: &Expression) -> Result<Address, String> {
    const SHAPE: &str = "expected a resource address such as vpc.main, instance.web[0], subnet.public[\"a\"] \
                         or module.net.vpc.main";
    match e {
        Expression::Traversal(_) => {}
        Expression::String(s) => return Err(format!("{SHAPE}, not a string: write {} without quotes", s.value())),
        _ => return Err(SHAPE.into()),
    }
    let text: String = e.to_string().split_whitespace().collect();
    Address::parse(&text).filter(|a| !a.is_module()).ok_or_else(|| SHAPE.to_string())
}

/// Checks the moves against each other and the loaded blocks: each `from` named once and no
/// longer declared, no cycles, and every chain ending at something declared.
pub(super) fn check(
    file: &Arc<SourceFile>,
    moved: &[Moved],
    declared: &HashMap<Address, Range<usize>>,
    resources: &[Resource],
    diags: &mut Diagnostics,
) {
    let exists = |a: &Address| resources.iter().any(|r| &r.addr == a);
    for (i, m) in moved.iter().enumerate() {
        let whole = m.from.key.is_none() && m.to.key.is_none();
        if let Some(first) = moved[..i].iter().find(|o| o.from == m.from) {
            let (line, _) = file.line_col(first.span.start);
            diags.push(
                Diagnostic::error(format!("{} is moved twice", m.from))
                    .at(file, m.from_span.clone())
                    .label(format!("also moved on line {line}"))
                    .hint("an object moves to one address: keep one of the moved blocks"),
            );
            continue;
        }
        let still = if whole { declared.get(&m.from).cloned() } else { exists(&m.from).then(|| m.from_span.clone()) };
        if let Some(at) = still {
            let (line, _) = file.line_col(at.start);
            diags.push(
                Diagnostic::error(format!("moved object still exists: {} is still declared", m.from))
                    .at(file, m.from_span.clone())
                    .label(format!("declared on line {line}"))
                    .hint(format!("rename the block to {}, or remove this moved block", m.to)),
            );
            continue;
        }
        if m.from == m.to {
            diags.push(Diagnostic::error(format!("{} is moved to itself", m.from)).at(file, m.to_span.clone()));
            continue;
        }
        match follow(moved, &m.from) {
            // Reported once, at the first block of the cycle.
            Err(cycle) if moved[..i].iter().any(|o| cycle.contains(&o.from)) => {}
            Err(cycle) => {
                let path: Vec<String> = cycle.iter().map(ToString::to_string).collect();
                diags.push(
                    Diagnostic::error(format!("moved blocks form a cycle: {}", path.join(" → ")))
                        .at(file, m.span.clone())
                        .hint("each address may appear once as `from`; a chain of moves must end at a declared block"),
                );
            }
            Ok((end, _)) if !(if end.key.is_some() || !whole { exists(&end) } else { declared.contains_key(&end) }) => {
                let via = if end == m.to { String::new() } else { format!(" (where the moves from {} end)", m.to) };
                diags.push(
                    Diagnostic::error(format!("{} is moved to {end}{via}, which the stack does not declare", m.from))
                        .at(file, m.to_span.clone())
                        .hint(format!("declare {end}, or correct `to`")),
                );
            }
            Ok(_) => {}
        }
    }
}
