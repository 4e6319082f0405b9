//! Module blocks written wrong: sources that are not local directories or not literal,
//! arguments the module does not declare, lacks, or refuses, outputs it does not have, and
//! references that do not say which instance. The module they call, `tests/invalid/modules/net`,
//! is valid; every mistake is in the case's own file, found before any AWS call.

use super::{Case, base, case};

fn module(body: &str) -> String {
    format!("module \"net\" {{\n  source = \"./modules/net\"\n{body}}}")
}

pub fn cases() -> Vec<Case> {
    let ok = "  cidr   = \"10.9.0.0/16\"\n";
    vec![
        case(
            "module-not-local",
            "a registry or git source",
            "module source \"acme/net/aws\" is not a local path",
            base().add("module \"net\" {\n  source = \"acme/net/aws\"\n}"),
        ),
        case(
            "module-missing-dir",
            "a source directory that does not exist",
            "does not exist",
            base().add("module \"net\" {\n  source = \"./modules/nowhere\"\n}"),
        ),
        case(
            "module-source-expression",
            "a source computed from a variable",
            "a module's source is a literal string",
            base().add("module \"net\" {\n  source = \"./modules/${var.secret}\"\n}"),
        ),
        case(
            "module-unknown-argument",
            "an argument the module does not declare",
            "module \"net\" has no variable \"cidr_block\"",
            base().add(&module("  cidr_block = \"10.9.0.0/16\"\n")),
        ),
        case(
            "module-missing-argument",
            "no value for a variable without a default",
            "module \"net\" needs an argument \"cidr\"",
            base().add(&module("")),
        ),
        case(
            "module-argument-type",
            "a list given for a string variable",
            "variable \"cidr\": expected a string",
            base().add(&module("  cidr = [\"10.9.0.0/16\"]\n")),
        ),
        case(
            "module-argument-validation",
            "an argument the module's validation refuses",
            "cidr must be a CIDR block such as 10.9.0.0/16.",
            base().add(&module("  cidr = \"10.9.0.0\"\n")),
        ),
        case(
            "module-unknown-output",
            "an output the module does not have",
            "module \"net\" has no output \"id\"",
            base().add(&module(ok)).add("output \"net\" {\n  value = module.net.id\n}"),
        ),
        case(
            "module-instance-unnamed",
            "an output of a module with count, without the instance",
            "module.net has count or for_each; name one instance",
            base().add(&module(&format!("  count  = 2\n{ok}"))).add("output \"net\" {\n  value = module.net.vpc_id\n}"),
        ),
        case(
            "module-depends-on-output",
            "depends_on naming a module's output",
            "depends_on names a whole module (module.db) or one instance (module.db[0])",
            base().add(&module(ok)).add("iam_user \"late\" {\n  depends_on = [module.net.vpc_id]\n}"),
        ),
        case(
            "module-undeclared",
            "a reference to a module that is not declared",
            "no module named `nett` is declared",
            base().add(&module(ok)).add("output \"net\" {\n  value = module.nett.vpc_id\n}"),
        ),
    ]
}
