//! Mistakes in the stack language itself: syntax, blocks, names, types, references,
//! variables, expressions that cannot be computed (division by zero, overflow), silences.

use super::{Case, base, case, secret_case};

pub fn cases() -> Vec<Case> {
    let mut out = vec![
        case(
            "lang-region-malformed",
            "the stack's region is not a region",
            "is not an AWS region",
            base().sub("stack \"inv\"", "\"us-east-1\"", "\"us-east\""),
        ),
        case(
            "lang-region-uppercase",
            "the stack's region is in capitals",
            "is not an AWS region",
            base().sub("stack \"inv\"", "\"us-east-1\"", "\"US-EAST-1\""),
        ),
        case(
            "lang-region-underscores",
            "the stack's region uses underscores",
            "is not an AWS region",
            base().sub("stack \"inv\"", "\"us-east-1\"", "\"us_east_1\""),
        ),
        case(
            "lang-region-empty",
            "the stack's region is empty",
            "region must be a non-empty string",
            base().sub("stack \"inv\"", "\"us-east-1\"", "\"\""),
        ),
        case("lang-no-stack-block", "no stack block", "has no stack block", base().without("stack \"inv\"")),
        case("lang-two-stack-blocks", "two stack blocks", "duplicate stack", base().add("stack \"inv\" {\n}")),
        case(
            "lang-unknown-block",
            "a misspelt kind",
            "unknown block kind `subnett`",
            base().add("subnett \"c\" {\n  vpc = vpc.main\n}"),
        ),
        case(
            "lang-unknown-attribute",
            "a misspelt attribute",
            "unknown attribute `cidr_block`",
            base().set("vpc \"main\"", "cidr_block", "\"10.0.0.0/16\""),
        ),
        case(
            "lang-missing-attribute",
            "a required attribute missing",
            "missing required attribute `cidr`",
            base().unset("vpc \"main\"", "cidr"),
        ),
        case(
            "lang-wrong-type",
            "a string where a bool goes",
            "expected true or false",
            base().set("vpc \"main\"", "enable_dns_support", "\"yes\""),
        ),
        case(
            "lang-computed-written",
            "an attribute AWS sets, written",
            "is set by AWS and cannot be written",
            base().set("vpc \"main\"", "id", "\"vpc-12345678\""),
        ),
        case(
            "lang-set-twice",
            "one attribute twice",
            "expected unique attribute key",
            base().inside("vpc \"main\"", "  cidr = \"10.0.0.0/16\"\n"),
        ),
        case(
            "lang-block-as-attribute",
            "a nested block written as an attribute",
            "is written as a block",
            base().set("security_group \"web\"", "egress", "[]"),
        ),
        case(
            "lang-attribute-as-block",
            "an attribute written as a block",
            "is an attribute, not a block",
            base().inside("vpc \"main\"", "  tags {\n  }\n"),
        ),
        case(
            "lang-duplicate-block",
            "two blocks with one address",
            "duplicate vpc \"main\"",
            base().add("vpc \"main\" {\n  cidr = \"10.5.0.0/16\"\n}"),
        ),
        case(
            "lang-bad-label",
            "a block name with a dot",
            "is not a valid name",
            base().add("vpc \"my.vpc\" {\n  cidr = \"10.5.0.0/16\"\n}"),
        ),
        case(
            "lang-missing-label",
            "a resource without a name",
            "takes 1 label(s)",
            base().add("vpc {\n  cidr = \"10.5.0.0/16\"\n}"),
        ),
        case(
            "lang-singleton-label",
            "the password policy with a name",
            "takes 0 label(s)",
            base().sub("iam_password_policy", "iam_password_policy {", "iam_password_policy \"x\" {"),
        ),
        case(
            "lang-top-level-attribute",
            "an attribute outside any block",
            "unexpected attribute `cidr` at the top level",
            base().add("cidr = \"10.0.0.0/16\""),
        ),
        case(
            "lang-syntax-error",
            "an attribute without a value",
            "is not valid HCL",
            base().sub("vpc \"main\"", "\"10.0.0.0/16\"", ""),
        ),
        case(
            "lang-unclosed-string",
            "a string that never ends",
            "is not valid HCL",
            base().sub("vpc \"main\"", "\"10.0.0.0/16\"", "\"10.0.0.0/16"),
        ),
        case(
            "lang-dangling-reference",
            "a reference to a block that does not exist",
            "reference to undeclared resource vpc.mian",
            base().sub("subnet \"a\"", "vpc.main", "vpc.mian"),
        ),
        case(
            "lang-wrong-kind-reference",
            "a subnet where a VPC goes",
            "expected a reference to a vpc",
            base().sub("subnet \"a\"", "vpc.main", "subnet.b"),
        ),
        case(
            "lang-unknown-ref-attribute",
            "a reference to an attribute the kind lacks",
            "vpc has no attribute `cidr_block`",
            base().add("output \"x\" {\n  value = vpc.main.cidr_block\n}"),
        ),
        case(
            "lang-ref-in-string",
            "a reference inside a string to a resource that does not exist",
            "reference to undeclared resource subnet.c",
            base().set("vpc \"main\"", "tags", "{ Name = \"x-${subnet.c.id}\" }"),
        ),
        case(
            "lang-ref-in-string-cycle",
            "a reference inside a string that closes a cycle",
            "reference cycle: vpc.main -> subnet.a",
            base().set("vpc \"main\"", "tags", "{ Name = \"x-${subnet.a.id}\" }"),
        ),
        case(
            "lang-ref-in-function-attribute",
            "an attribute the kind does not have, inside a function call",
            "vpc has no attribute `cidr_blok`",
            base().set("subnet \"a\"", "tags", "{ Name = upper(vpc.main.cidr_blok) }"),
        ),
        case(
            "lang-reference-cycle",
            "two groups whose descriptions name each other (rules may; other attributes may not)",
            "reference cycle: security_group.alb -> security_group.web",
            base().set("security_group \"alb\"", "description", "\"in front of ${security_group.web.name}\"").set(
                "security_group \"web\"",
                "description",
                "\"behind ${security_group.alb.name}\"",
            ),
        ),
        case(
            "lang-unknown-variable",
            "var. of an undeclared variable",
            "no variable named `regoin` is declared",
            base().set("vpc \"main\"", "tags", "{ r = var.regoin }"),
        ),
        case(
            "lang-variable-without-value",
            "a variable with no default and no --var",
            "variable \"token\" has no value",
            base().add("variable \"token\" {\n}").set("vpc \"main\"", "tags", "{ t = var.token }"),
        ),
        case(
            "lang-variable-type",
            "a variable default of the wrong type",
            "\"many\" is not a number",
            base().add("variable \"n\" {\n  type    = number\n  default = \"many\"\n}"),
        ),
        case(
            "lang-unknown-local",
            "local. of an undeclared local",
            "no local value named `prefx` is declared",
            base().add("locals {\n  prefix = \"x\"\n}").set("vpc \"main\"", "tags", "{ p = local.prefx }"),
        ),
        case(
            "lang-local-cycle",
            "locals that depend on each other",
            "depends on itself",
            base().add("locals {\n  a = \"${local.b}\"\n  b = \"${local.a}\"\n}"),
        ),
        case(
            "lang-index-out-of-range",
            "an index past the end of a list",
            "index 5 is out of range",
            base().add("locals {\n  azs = [\"us-east-1a\"]\n}").sub("subnet \"a\"", "\"us-east-1a\"", "local.azs[5]"),
        ),
        case(
            "lang-no-such-key",
            "a map key that is not there",
            "no key `c` in this map",
            base().add("locals {\n  m = { a = \"x\" }\n}").set("vpc \"main\"", "tags", "{ x = local.m.c }"),
        ),
        case(
            "lang-fraction",
            "a fraction where AWS takes a whole number",
            "expected a whole number, found the number 10.5",
            base().sub("volume \"data\"", "= 10\n", "= 10.5\n"),
        ),
        case(
            "lang-unknown-function",
            "a function stackr does not have",
            "undefined function",
            base().set("vpc \"main\"", "cidr", "timestamp()"),
        ),
        case(
            "lang-enum",
            "a value outside an enumeration",
            "is not one of \"default\", \"dedicated\"",
            base().set("vpc \"main\"", "instance_tenancy", "\"host\""),
        ),
        case(
            "lang-lifecycle-unknown",
            "a lifecycle setting that does not exist",
            "unknown lifecycle setting `prevent_destory`",
            base().inside("vpc \"main\"", "  lifecycle {\n    prevent_destory = true\n  }\n"),
        ),
        case(
            "lang-ignore-unknown",
            "ignore_changes naming no attribute",
            "has no attribute `cidr_block` to ignore",
            base().inside("vpc \"main\"", "  lifecycle {\n    ignore_changes = [cidr_block]\n  }\n"),
        ),
        case(
            "lang-silence-unknown-rule",
            "a silence naming a rule that does not exist",
            "silences unknown rule `sg-wrld-open`",
            base().inside("security_group \"alb\"", "  silence \"sg-wrld-open\" {\n    reason = \"public\"\n  }\n"),
        ),
        case(
            "lang-silence-silence-rule",
            "a silence of a rule about silences",
            "silences unknown rule `silence-unused`",
            base().inside("security_group \"alb\"", "  silence \"silence-unused\" {\n    reason = \"no\"\n  }\n"),
        ),
        case(
            "lang-silence-no-reason",
            "a silence without its reason",
            "needs a reason",
            base().inside("security_group \"alb\"", "  silence \"sg-world-open\" {\n  }\n"),
        ),
        case(
            "lang-output-without-value",
            "an output without a value",
            "missing required attribute `value`",
            base().add("output \"x\" {\n  description = \"nothing\"\n}"),
        ),
        case(
            "lang-splat",
            "a splat expression",
            "splat expressions are not supported",
            base().add("locals {\n  l = [{ a = 1 }]\n}").set("vpc \"main\"", "tags", "{ x = local.l[*].a }"),
        ),
        secret_case(
            "lang-secret-wrong-type",
            "a sensitive variable where a number goes",
            "found a (sensitive value)",
            "hunter 2!",
            base().set("volume \"data\"", "size", "var.secret"),
        ),
        secret_case(
            "lang-secret-cidr",
            "a sensitive variable where a CIDR goes",
            "(sensitive value) is not a valid IPv4 CIDR block",
            "hunter 2!",
            base().set("vpc \"main\"", "cidr", "var.secret"),
        ),
        secret_case(
            "lang-secret-enum",
            "a sensitive variable where an enumeration goes",
            "(sensitive value) is not one of",
            "hunter 2!",
            base().set("vpc \"main\"", "instance_tenancy", "var.secret"),
        ),
        secret_case(
            "lang-secret-zone",
            "a zone of another region from a sensitive variable",
            "availability zone (sensitive value) is in eu-west-1",
            "eu-west-1a",
            base().add("variable \"zone\" {\n  default   = \"eu-west-1a\"\n  sensitive = true\n}").set(
                "subnet \"b\"",
                "az",
                "var.zone",
            ),
        ),
        secret_case(
            "lang-secret-duplicate-name",
            "two users named by one sensitive variable",
            "would both be the iam user named \"(sensitive value)\"",
            "bobby",
            base()
                .add("variable \"uname\" {\n  default   = \"bobby\"\n  sensitive = true\n}")
                .set("iam_user \"alice\"", "name", "var.uname")
                .add("iam_user \"bob\" {\n  name = var.uname\n}"),
        ),
    ];
    out.extend(arithmetic());
    out
}

/// Expressions whose value cannot be computed: each used to panic or wrap around.
fn arithmetic() -> Vec<Case> {
    let tag = |expr: &str| base().set("vpc \"main\"", "tags", &format!("{{ n = {expr} }}"));
    vec![
        case("arith-division-by-zero", "division by zero", "division by zero", tag("10 / 0")),
        case("arith-modulo-by-zero", "modulo by zero", "modulo by zero", tag("10 % 0")),
        case(
            "arith-add-overflow",
            "an addition past 64 bits",
            "does not fit in 64 bits",
            tag("9223372036854775000 + 1000"),
        ),
        case(
            "arith-sub-overflow",
            "a subtraction past 64 bits",
            "does not fit in 64 bits",
            tag("-9223372036854775000 - 1000"),
        ),
        case(
            "arith-mul-overflow",
            "a multiplication past 64 bits",
            "does not fit in 64 bits",
            tag("4611686018427387904 * 4"),
        ),
        case(
            "arith-division-overflow",
            "the one division that overflows",
            "does not fit in 64 bits",
            base().add("variable \"min\" {\n  default = -9223372036854775807\n}").set(
                "vpc \"main\"",
                "tags",
                "{ n = (var.min - 1) / -1 }",
            ),
        ),
        case(
            "arith-division-by-variable",
            "division by a variable that is zero",
            "division by zero",
            base().add("variable \"n\" {\n  default = 0\n}").set("volume \"data\"", "size", "100 / var.n"),
        ),
        case(
            "arith-modulo-in-local",
            "modulo by zero in a local",
            "modulo by zero",
            base().add("locals {\n  m = 7 % 0\n}").set("vpc \"main\"", "tags", "{ m = local.m }"),
        ),
        case(
            "arith-in-template",
            "division by zero in a string template",
            "division by zero",
            base().set("vpc \"main\"", "tags", "{ n = \"x-${1 / 0}\" }"),
        ),
        case(
            "arith-in-for",
            "modulo by zero inside a for expression",
            "modulo by zero",
            base().set("vpc \"main\"", "tags", "{ for k in [\"a\"] : k => 5 % 0 }"),
        ),
        case(
            "arith-in-conditional",
            "division by zero in a conditional",
            "division by zero",
            base().set("volume \"data\"", "size", "true ? 10 / 0 : 10"),
        ),
        case(
            "arith-in-function-args",
            "division by zero in a function argument",
            "division by zero",
            base().set("subnet \"a\"", "cidr", "cidrsubnet(\"10.0.0.0/16\", 8, 1 / 0)"),
        ),
        case(
            "arith-fraction-result",
            "a division that leaves a fraction where AWS takes a whole number",
            "expected a whole number, found the number 2.5",
            base().set("volume \"data\"", "size", "10 / 4"),
        ),
        case(
            "arith-cidrsubnet-huge-newbits",
            "cidrsubnet with an enormous newbits",
            "must be a whole number",
            base().set("subnet \"a\"", "cidr", "cidrsubnet(\"10.0.0.0/16\", 18446744073709551615, 1)"),
        ),
        case(
            "arith-cidrsubnet-negative",
            "cidrsubnet with a negative newbits",
            "newbits must not be negative",
            base().set("subnet \"a\"", "cidr", "cidrsubnet(\"10.0.0.0/16\", -8, 1)"),
        ),
        case(
            "arith-cidrsubnet-netnum",
            "cidrsubnet with a netnum too large",
            "does not accommodate a subnet numbered 256",
            base().set("subnet \"a\"", "cidr", "cidrsubnet(\"10.0.0.0/16\", 8, 256)"),
        ),
        case(
            "arith-cidrsubnet-bad-prefix",
            "cidrsubnet of something that is not a CIDR",
            "cidrsubnet: invalid CIDR",
            base().set("subnet \"a\"", "cidr", "cidrsubnet(\"10.0.0/16\", 8, 1)"),
        ),
    ]
}
