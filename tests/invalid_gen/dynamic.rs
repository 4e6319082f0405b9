//! `dynamic` blocks: a dynamic block written wrong (no content, `labels`, a label that names
//! no nested block, a `for_each` only known after apply, the iterator used outside), and blocks
//! made by a valid dynamic block that AWS would refuse, reported inside `content`.

use super::{Case, base, case};

const SG: &str = "security_group \"alb\"";
const LB: &str = "load_balancer \"web\"";

/// A dynamic block added to the `alb` security group.
fn dynamic(label: &str, lines: &str) -> super::Stack {
    base().inside(SG, &format!("  dynamic \"{label}\" {{\n{lines}  }}\n"))
}

pub fn cases() -> Vec<Case> {
    let content = "    content {\n      port = ingress.value\n      cidr = \"10.0.0.0/16\"\n    }\n";
    vec![
        case(
            "dyn-no-content",
            "a dynamic block without content",
            "this dynamic block has no content block",
            dynamic("ingress", "    for_each = [80, 8080]\n"),
        ),
        case(
            "dyn-labels",
            "a dynamic block with Terraform's labels argument",
            "`labels` is not supported: stackr's nested blocks take no labels",
            dynamic("ingress", &format!("    for_each = [80]\n    labels   = [\"web\"]\n{content}")),
        ),
        case(
            "dyn-unknown-block",
            "a dynamic block whose label is misspelt",
            "unknown nested block `ingres`",
            dynamic("ingres", &format!("    for_each = [80]\n{content}")),
        ),
        case(
            "dyn-for-each-resource",
            "for_each over resources, known only after apply",
            "for_each must be known before apply",
            dynamic("ingress", &format!("    for_each = [subnet.a, subnet.b]\n{content}")),
        ),
        case(
            "dyn-iterator-outside",
            "the iterator used outside its content",
            "unknown name `ingress`",
            dynamic("ingress", &format!("    for_each = [80]\n{content}")).set(SG, "description", "ingress.key"),
        ),
        case(
            "dyn-port-out-of-range",
            "a dynamic block making a rule on port 70000",
            "port 70000 is out of range (0-65535)",
            dynamic("ingress", &format!("    for_each = [80, 70000]\n{content}")),
        ),
        case(
            "dyn-rule-priority-duplicate",
            "a dynamic rule inside a listener whose second block repeats a written rule's priority",
            "priority 10 is used by another rule",
            base().sub(
                LB,
                "      }\n    }\n",
                "      }\n    }\n    dynamic \"rule\" {\n      for_each = [\"/a\", \"/b\"]\n      content {\n        priority = 9 + index([\"/a\", \"/b\"], rule.value)\n        path     = [rule.value]\n        forward  = target_group.web\n      }\n    }\n",
            ),
        ),
    ]
}
