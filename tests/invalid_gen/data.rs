//! Mistakes in `data` blocks and in references to them. Each is found in the stack file alone:
//! the lookups are never sent.

use super::{Case, base, case};

const AMI: &str = "data \"ami\" \"linux\" {\n  ssm_parameter = \"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\"\n}";

pub fn cases() -> Vec<Case> {
    vec![
        case(
            "data-unknown-kind",
            "a data kind that does not exist",
            "there is no data kind `amis`",
            base().add(&AMI.replace("\"ami\"", "\"amis\"")),
        ),
        case(
            "data-one-label",
            "a data block with one label",
            "a data block takes 2 labels",
            base().add("data \"linux\" {\n  name = \"x\"\n}"),
        ),
        case(
            "data-unknown-argument",
            "a misspelt argument",
            "unknown attribute `ssm_paramter`",
            base().add(&AMI.replace("ssm_parameter", "ssm_paramter")),
        ),
        case(
            "data-result-written",
            "a result written as an argument",
            "`id` is set by AWS and cannot be written",
            base().add(&AMI.replace("  ssm_parameter", "  id = \"ami-0abcdef1234567890\"\n  ssm_parameter")),
        ),
        case(
            "data-argument-uses-resource",
            "a lookup argument that uses a resource's attribute",
            "`ssm_parameter` must be known when planning",
            base().add(&AMI.replace(
                "\"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\"",
                "\"/x/${vpc.main.id}\"",
            )),
        ),
        case(
            "data-undeclared-reference",
            "a reference to a data block that is not declared",
            "reference to undeclared data.ami.linx",
            base().add(AMI).set("launch_template \"web\"", "ami", "data.ami.linx.id"),
        ),
        case(
            "data-unknown-result",
            "a result the kind does not have",
            "data.ami has no attribute `image_id`",
            base().add(AMI).set("launch_template \"web\"", "ami", "data.ami.linux.image_id"),
        ),
        case(
            "data-duplicate",
            "two data blocks of one kind and name",
            "duplicate data block data.ami.linux",
            base().add(AMI).add(AMI),
        ),
        case(
            "data-cycle",
            "two lookups that use each other",
            "depends on itself through other locals, data or modules",
            base()
                .add("data \"vpc\" \"a\" {\n  id = data.vpc.b.id\n}")
                .add("data \"vpc\" \"b\" {\n  id = data.vpc.a.id\n}"),
        ),
    ]
}
