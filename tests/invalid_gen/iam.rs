//! IAM: names, policy ARNs and documents, quotas, tags, trust, the password policy, and names
//! claimed twice.

use super::{Case, base, case, secret_case};

const USER: &str = "iam_user \"alice\"";
const GROUP: &str = "iam_group \"devs\"";
const ROLE: &str = "iam_role \"web\"";
const POLICY: &str = "iam_password_policy";

/// An inline policy document as jsonencode writes it, with `statement` inside.
fn doc(statement: &str) -> String {
    format!("{{ p = jsonencode({{ Version = \"2012-10-17\", Statement = [{statement}] }}) }}")
}

pub fn cases() -> Vec<Case> {
    let mut out = password_policy();
    out.extend(names());
    out.extend(policies());
    out.extend(roles());
    out.extend(tags());
    out
}

fn password_policy() -> Vec<Case> {
    [
        ("minimum_length", "5", "6-128"),
        ("minimum_length", "129", "6-128"),
        ("max_age_days", "0", "1-1095"),
        ("max_age_days", "1096", "1-1095"),
        ("reuse_prevention", "0", "1-24"),
        ("reuse_prevention", "25", "1-24"),
    ]
    .iter()
    .map(|(attr, v, range)| {
        case(
            &format!("iam-password-{}-{v}", attr.replace('_', "-")),
            &format!("password policy {attr} {v}"),
            &format!("{attr} {v} is out of range ({range})"),
            base().set(POLICY, attr, v),
        )
    })
    .collect()
}

fn names() -> Vec<Case> {
    let long = |n: usize| format!("\"{}\"", "u".repeat(n));
    vec![
        case(
            "iam-user-name-too-long",
            "a user name of 65 characters",
            "is 65 characters long; at most 64",
            base().set(USER, "name", &long(65)),
        ),
        case(
            "iam-user-name-space",
            "a user name with a space",
            "contains a space, which is not allowed",
            base().set(USER, "name", "\"alice smith\""),
        ),
        case(
            "iam-user-name-slash",
            "a user name with a slash",
            "contains `/`, which is not allowed",
            base().set(USER, "name", "\"ops/alice\""),
        ),
        case("iam-user-name-empty", "an empty user name", "must not be empty", base().set(USER, "name", "\"\"")),
        case(
            "iam-user-name-unicode",
            "a user name with an accent",
            "contains `é`",
            base().set(USER, "name", "\"josé\""),
        ),
        case(
            "iam-user-default-name-too-long",
            "a block name of 65 characters, which is the user's name",
            "the default name",
            base().add(&format!("iam_user \"{}\" {{\n}}", "u".repeat(65))),
        ),
        case(
            "iam-group-name-too-long",
            "a group name of 129 characters",
            "is 129 characters long; at most 128",
            base().set(GROUP, "name", &long(129)),
        ),
        case("iam-group-name-char", "a group name with `#`", "contains `#`", base().set(GROUP, "name", "\"devs#1\"")),
        case(
            "iam-role-name-too-long",
            "a role name of 65 characters",
            "is 65 characters long; at most 64",
            base().set(ROLE, "name", &long(65)),
        ),
        case("iam-role-name-char", "a role name with `*`", "contains `*`", base().set(ROLE, "name", "\"web*\"")),
        secret_case(
            "iam-user-name-secret",
            "a user name from a sensitive variable, with a space",
            "name (sensitive value) contains a character that is not allowed",
            "hunter",
            base().set(USER, "name", "var.secret"),
        ),
        case(
            "iam-duplicate-users",
            "two users with one name",
            "would both be the iam user named \"bob\"",
            base().set(USER, "name", "\"bob\"").add("iam_user \"bob\" {\n}"),
        ),
        case(
            "iam-duplicate-users-case",
            "two users whose names differ only in case",
            "would both be the iam user named",
            base().set(USER, "name", "\"Bob\"").add("iam_user \"bob\" {\n}"),
        ),
        case(
            "iam-duplicate-groups",
            "two groups with one name",
            "would both be the iam group named \"devs\"",
            base().add("iam_group \"more\" {\n  name = \"devs\"\n}"),
        ),
        case(
            "iam-duplicate-roles",
            "two roles with one name",
            "would both be the iam role named \"web\"",
            base().add("iam_role \"other\" {\n  name   = \"web\"\n  assume = \"lambda.amazonaws.com\"\n}"),
        ),
        case("iam-user-eleven-groups", "a user in 11 groups", "has 11 items; at most 10", {
            let mut s = base();
            let mut refs = vec![];
            for i in 0..11 {
                s = s.add(&format!("iam_group \"g{i}\" {{\n}}"));
                refs.push(format!("iam_group.g{i}"));
            }
            s.set(USER, "groups", &format!("[{}]", refs.join(", ")))
        }),
    ]
}

fn policies() -> Vec<Case> {
    let arn = |a: &str| format!("[\"{a}\"]");
    let many: Vec<String> = (0..21).map(|i| format!("\"arn:aws:iam::123456789012:policy/p{i}\"")).collect();
    let allow = "{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"*\" }";
    let big: Vec<String> = (0..130).map(|i| format!("\"s3:GetObject{i:03}\"")).collect();
    vec![
        case("iam-policy-arn-name-only", "a managed policy by name, not ARN", "is not a managed policy ARN", base().set(GROUP, "managed_policies", &arn("ReadOnlyAccess"))),
        case("iam-policy-arn-other-service", "an S3 ARN as a managed policy", "is not a managed policy ARN", base().set(GROUP, "managed_policies", &arn("arn:aws:s3:::my-bucket-name-here"))),
        case("iam-policy-arn-bad-account", "a policy ARN with a 5-digit account", "is not a managed policy ARN", base().set(GROUP, "managed_policies", &arn("arn:aws:iam::12345:policy/ops"))),
        case("iam-policy-arn-role", "a role ARN as a managed policy", "is not a managed policy ARN", base().set(GROUP, "managed_policies", &arn("arn:aws:iam::aws:role/ReadOnlyAccess"))),
        case("iam-policy-arn-user", "a malformed ARN attached to a user", "is not a managed policy ARN", base().set(USER, "managed_policies", &arn("arn:aws:iam:aws:policy/ReadOnlyAccess"))),
        case("iam-policy-arn-role-attached", "a name attached to a role", "is not a managed policy ARN", base().set(ROLE, "managed_policies", &arn("AmazonSSMManagedInstanceCore"))),
        case("iam-policy-21-managed", "21 managed policies on a group", "has 21 items; at most 20", base().set(GROUP, "managed_policies", &format!("[{}]", many.join(", ")))),
        case("iam-inline-name-char", "an inline policy name with a space", "key \"read all\" contains a space", base().set(GROUP, "inline_policies", &doc(allow).replace("{ p =", "{ \"read all\" ="))),
        case("iam-inline-not-json", "an inline policy that is not JSON", "invalid JSON", base().set(GROUP, "inline_policies", "{ p = \"{not json\" }")),
        case("iam-inline-no-statement", "an inline policy without statements", "needs a Statement", base().set(GROUP, "inline_policies", "{ p = jsonencode({ Version = \"2012-10-17\" }) }")),
        case("iam-inline-effect", "a statement with Effect Permit", "needs \"Effect\": \"Allow\" or \"Deny\"", base().set(GROUP, "inline_policies", &doc("{ Effect = \"Permit\", Action = \"s3:*\", Resource = \"*\" }"))),
        case("iam-inline-no-action", "a statement without Action", "needs Action", base().set(USER, "inline_policies", &doc("{ Effect = \"Allow\", Resource = \"*\" }"))),
        case("iam-inline-no-resource", "an identity statement without Resource", "needs Resource", base().set(ROLE, "inline_policies", &doc("{ Effect = \"Allow\", Action = \"s3:GetObject\" }"))),
        case("iam-inline-principal", "an identity statement naming a Principal", "names a Principal", base().set(GROUP, "inline_policies", &doc("{ Effect = \"Allow\", Principal = \"*\", Action = \"s3:GetObject\", Resource = \"*\" }"))),
        case("iam-inline-version", "a policy with an unknown Version", "has Version", base().set(GROUP, "inline_policies", "{ p = jsonencode({ Version = \"2020-01-01\", Statement = [{ Effect = \"Allow\", Action = \"s3:*\", Resource = \"*\" }] }) }")),
        case("iam-inline-user-quota", "a user's inline policies over 2048 characters", "IAM allows 2048 for one user", base().set(USER, "inline_policies", &doc(&format!("{{ Effect = \"Allow\", Action = [{}], Resource = \"*\" }}", big.join(", "))))),
    ]
}

fn roles() -> Vec<Case> {
    vec![
        case("iam-role-assume-bare", "a trust that is neither a service nor JSON", "is neither a service principal nor a JSON trust policy", base().set(ROLE, "assume", "\"ec2\"")),
        case("iam-role-assume-domain", "a service principal of another domain", "is neither a service principal", base().set(ROLE, "assume", "\"ec2.amazon.com\"")),
        case("iam-role-trust-no-principal", "a trust policy without a Principal", "needs a Principal", base().set(ROLE, "assume", "jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\" }] })")),
        case("iam-role-trust-resource", "a trust policy naming a Resource", "names a Resource", base().set(ROLE, "assume", "jsonencode({ Statement = [{ Effect = \"Allow\", Principal = { Service = \"ec2.amazonaws.com\" }, Action = \"sts:AssumeRole\", Resource = \"*\" }] })")),
        case("iam-role-trust-not-json", "a trust policy that is broken JSON", "the trust policy is not a JSON object", base().set(ROLE, "assume", "\"{ Statement\"")),
        case("iam-role-session-short", "max_session_duration under an hour", "max_session_duration 3599 is out of range (3600-43200)", base().set(ROLE, "max_session_duration", "3599")),
        case("iam-role-session-long", "max_session_duration over 12 hours", "max_session_duration 43201 is out of range", base().set(ROLE, "max_session_duration", "43201")),
        case("iam-role-description-long", "a description of 1001 characters", "is 1001 characters long; at most 1000", base().set(ROLE, "description", &format!("\"{}\"", "d".repeat(1001)))),
        case("iam-role-description-emoji", "a description with an emoji", "which is not allowed (allowed: printable ASCII and Latin-1)", base().set(ROLE, "description", "\"web servers \u{1F680}\"")),
    ]
}

fn tags() -> Vec<Case> {
    let many: Vec<String> = (0..49).map(|i| format!("k{i} = \"v\"")).collect();
    vec![
        case(
            "iam-tags-aws-prefix",
            "a user tag key starting with aws:",
            "must not start with \"aws:\"",
            base().set(USER, "tags", "{ \"aws:team\" = \"ops\" }"),
        ),
        case(
            "iam-tags-stackr-prefix",
            "a role tag key starting with stackr:",
            "must not start with \"stackr:\"",
            base().set(ROLE, "tags", "{ \"stackr:stack\" = \"other\" }"),
        ),
        case(
            "iam-tags-key-long",
            "a tag key of 129 characters",
            "is 129 characters long; at most 128",
            base().set(USER, "tags", &format!("{{ {} = \"v\" }}", "k".repeat(129))),
        ),
        case(
            "iam-tags-value-long",
            "a tag value of 257 characters",
            "is 257 characters long; at most 256",
            base().set(USER, "tags", &format!("{{ team = \"{}\" }}", "v".repeat(257))),
        ),
        case(
            "iam-tags-value-char",
            "a tag value with `#`, which IAM refuses",
            "contains `#`",
            base().set(ROLE, "tags", "{ team = \"ops#1\" }"),
        ),
        case(
            "iam-tags-too-many",
            "49 tags on a user",
            "has 49 items; at most 48",
            base().set(USER, "tags", &format!("{{ {} }}", many.join(", "))),
        ),
    ]
}
