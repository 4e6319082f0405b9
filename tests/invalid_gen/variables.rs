//! Mistakes in variable declarations and their values: object and tuple types, optional
//! attributes, `nullable = false` and `validation` blocks. Every value here is a default, so
//! each mistake has a place in the stack file.

use super::{Case, base, case, secret_case};

const SERVICE: &str = "variable \"service\" {\n  type = object({\n    name = string\n    port = number\n    tags = optional(map(string), {})\n  })\n  default = DEFAULT\n}";

fn service(default: &str) -> String {
    SERVICE.replace("DEFAULT", default)
}

fn port(condition: &str) -> String {
    format!(
        "variable \"port\" {{\n  type    = number\n  default = 0\n  validation {{\n    condition     = {condition}\n    error_message = \"The port must be between 1 and 65535.\"\n  }}\n}}"
    )
}

pub fn cases() -> Vec<Case> {
    vec![
        case(
            "var-object-attribute-type",
            "an object attribute of the wrong type",
            "attribute \"port\": \"eighty\" is not a number",
            base().add(&service("{ name = \"web\", port = \"eighty\" }")),
        ),
        case(
            "var-object-missing-attribute",
            "an object without a required attribute",
            "attribute \"port\" is required",
            base().add(&service("{ name = \"web\" }")),
        ),
        case(
            "var-object-not-an-object",
            "a string where an object goes",
            "expected an object with attributes name, port, tags, found the string \"web\"",
            base().add(&service("\"web\"")),
        ),
        case(
            "var-list-of-objects-element",
            "one element of a list of objects is missing an attribute",
            "element 1: attribute \"port\" is required",
            base().add("variable \"ports\" {\n  type    = list(object({ port = number }))\n  default = [{ port = 80 }, { protocol = \"tcp\" }]\n}"),
        ),
        case(
            "var-tuple-length",
            "a tuple default with too few elements",
            "expected a tuple of 2 elements, found a list of 1 element",
            base().add("variable \"pair\" {\n  type    = tuple([string, number])\n  default = [\"a\"]\n}"),
        ),
        case(
            "var-optional-outside-object",
            "optional() as a variable's own type",
            "optional(…) marks an attribute of an object type",
            base().add("variable \"name\" {\n  type = optional(string)\n}"),
        ),
        case(
            "var-optional-bad-default",
            "an optional attribute's default of the wrong type",
            "invalid default for an optional attribute: \"many\" is not a number",
            base().add("variable \"cfg\" {\n  type = object({ n = optional(number, \"many\") })\n}"),
        ),
        case(
            "var-nullable-null-default",
            "a null default for a variable declared nullable = false",
            "a null default is not valid when nullable = false",
            base().add("variable \"name\" {\n  type     = string\n  default  = null\n  nullable = false\n}"),
        ),
        case(
            "var-validation-fails",
            "a default that its validation refuses",
            "variable \"port\": The port must be between 1 and 65535.",
            base().add(&port("var.port > 0 && var.port < 65536")),
        ),
        case(
            "var-validation-not-bool",
            "a validation condition that is a number",
            "a validation condition must be true or false, not the number 0",
            base().add(&port("var.port")),
        ),
        case(
            "var-validation-other-variable",
            "a validation condition about another variable",
            "may refer only to var.port, not var.secret",
            base().add(&port("var.secret != \"\"")),
        ),
        case(
            "var-validation-cannot-evaluate",
            "a validation condition calling a function with the wrong arguments",
            "substr",
            base().add(&port("substr(var.port) != \"\"")),
        ),
        secret_case(
            "var-validation-secret-message",
            "a failed validation whose message would show a sensitive value",
            "the error message includes the sensitive value, so it is not shown",
            "hunter 2!",
            base().inside(
                "variable \"secret\"",
                "  validation {\n    condition     = length(var.secret) >= 12\n    error_message = \"\\\"${var.secret}\\\" is too short\"\n  }\n",
            ),
        ),
    ]
}
