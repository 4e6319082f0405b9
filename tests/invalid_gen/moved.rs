//! `moved` blocks written wrong: ends of different kinds, a `to` the stack does not declare, a
//! `from` still declared, one `from` moved twice, and moves that chain into a cycle. All are
//! found when the stack loads, before the account is read.

use super::{Case, base, case};

fn moved(from: &str, to: &str) -> String {
    format!("moved {{\n  from = {from}\n  to   = {to}\n}}")
}

pub fn cases() -> Vec<Case> {
    vec![
        case(
            "moved-kinds-differ",
            "a vpc moved to a subnet",
            "vpc.old cannot move to subnet.a: an object keeps its kind",
            base().add(&moved("vpc.old", "subnet.a")),
        ),
        case(
            "moved-to-undeclared",
            "a move to a block the stack does not declare",
            "vpc.old is moved to vpc.core, which the stack does not declare",
            base().add(&moved("vpc.old", "vpc.core")),
        ),
        case(
            "moved-from-declared",
            "a move from a block that is still declared",
            "moved object still exists: subnet.b is still declared",
            base().add(&moved("subnet.b", "subnet.a")),
        ),
        case(
            "moved-twice",
            "the same object moved to two addresses",
            "vpc.old is moved twice",
            base().add(&moved("vpc.old", "vpc.main")).add(&moved("vpc.old", "vpc.main")),
        ),
        case(
            "moved-cycle",
            "moves that chain back to where they started",
            "moved blocks form a cycle: vpc.x → vpc.y → vpc.x",
            base().add(&moved("vpc.x", "vpc.y")).add(&moved("vpc.y", "vpc.x")),
        ),
        case(
            "moved-string",
            "an address written as a string",
            "not a string: write vpc.old without quotes",
            base().add(&moved("\"vpc.old\"", "vpc.main")),
        ),
    ]
}
