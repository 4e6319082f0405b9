//! IAM rules: no full-administrator policies, no write actions on every resource, no policies
//! on users (groups carry them), and a strong account password policy (Security Hub IAM.1,
//! IAM.2, IAM.7 and CIS's password settings: 14 characters, all four character classes,
//! 24 remembered passwords, expiry within 90 days).

use serde_json::Value as Json;

use super::{Finding, Rule, of_kind};
use crate::model::Value;
use crate::stack::diag::Severity;
use crate::stack::{Resource, Stack};

pub static ACTION_WILDCARD: Rule = Rule {
    id: "iam-action-wildcard",
    severity: Severity::Error,
    title: "a policy allows \"Action\": \"*\" (every action of every service)",
    fix: "list the actions the principal needs (\"ec2:DescribeInstances\", \"s3:GetObject\"), or attach a narrower \
          AWS managed policy than AdministratorAccess",
    source: "Security Hub IAM.1",
};

pub static RESOURCE_WILDCARD: Rule = Rule {
    id: "iam-resource-wildcard",
    severity: Severity::Warning,
    title: "a policy allows write actions on \"Resource\": \"*\"",
    fix: "name the resources the write actions apply to (ARNs, or ARN patterns such as \
          arn:aws:ec2:*:*:instance/*) or add a Condition on a tag",
    source: "IAM best practices: grant least privilege",
};

pub static USER_POLICY: Rule = Rule {
    id: "iam-user-policy",
    severity: Severity::Warning,
    title: "policies attached directly to a user instead of a group",
    fix: "move the policies to an iam_group and add the user to it (groups = [iam_group.x])",
    source: "Security Hub IAM.2",
};

pub static WEAK_PASSWORDS: Rule = Rule {
    id: "iam-password-policy-weak",
    severity: Severity::Warning,
    title: "a password policy weaker than 14 characters, all four character classes, 24 remembered, 90 days",
    fix: "set minimum_length = 14, require_uppercase/lowercase/numbers/symbols = true, reuse_prevention = 24 \
          and max_age_days = 90 (or less)",
    source: "Security Hub IAM.7, IAM.15, IAM.16; CIS AWS Foundations 1.8-1.9",
};

pub static RULES: &[&Rule] = &[&ACTION_WILDCARD, &RESOURCE_WILDCARD, &USER_POLICY, &WEAK_PASSWORDS];

const ADMIN_POLICY: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// Verbs of actions that only read; anything else may change something.
const READ_VERBS: &[&str] =
    &["Get", "List", "Describe", "BatchGet", "Head", "Lookup", "Search", "Query", "Scan", "Select", "View"];

pub fn check(stack: &Stack, out: &mut Vec<Finding>) {
    for res in stack.resources.iter().filter(|r| matches!(r.addr.kind.as_str(), "iam_group" | "iam_user" | "iam_role"))
    {
        policies(res, out);
        if res.addr.kind == "iam_user" {
            user_policies(res, out);
        }
    }
    for res in of_kind(stack, "iam_password_policy") {
        password_policy(res, out);
    }
}

fn policies(res: &Resource, out: &mut Vec<Finding>) {
    let managed = res.attrs.get("managed_policies").map(Value::as_list).unwrap_or_default();
    if managed.iter().any(|p| p.as_str() == Some(ADMIN_POLICY)) {
        let f = Finding::new(
            &ACTION_WILDCARD,
            res,
            res.span_of("managed_policies"),
            format!("{} has AdministratorAccess", res.addr),
        );
        out.push(f.label("allows every action on every resource"));
    }
    let inline = res.attrs.get("inline_policies").and_then(Value::as_map).into_iter().flatten();
    for (name, doc) in inline {
        let Some(doc) = doc.as_str().and_then(|d| serde_json::from_str::<Json>(d).ok()) else { continue };
        for (i, stmt) in statements(&doc).enumerate() {
            if stmt.get("Effect").and_then(Json::as_str) != Some("Allow") {
                continue;
            }
            let actions = strings(stmt.get("Action"));
            let at = res.span_of("inline_policies");
            let label = format!("policy \"{name}\", statement {}", i + 1);
            if actions.contains(&"*") {
                let msg = format!("inline policy \"{name}\" of {} allows \"Action\": \"*\"", res.addr);
                out.push(Finding::new(&ACTION_WILDCARD, res, at, msg).label(label));
                continue;
            }
            let writes: Vec<&str> = actions.iter().copied().filter(|a| !is_read_only(a)).collect();
            if !writes.is_empty() && strings(stmt.get("Resource")).contains(&"*") && !tag_scoped(stmt) {
                let msg = format!(
                    "inline policy \"{name}\" of {} allows {} on \"Resource\": \"*\"",
                    res.addr,
                    writes.join(", ")
                );
                out.push(Finding::new(&RESOURCE_WILDCARD, res, at, msg).label(label));
            }
        }
    }
}

fn statements(doc: &Json) -> impl Iterator<Item = &Json> {
    match doc.get("Statement") {
        Some(Json::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(one) => vec![one],
        None => vec![],
    }
    .into_iter()
}

/// True when a Condition limits the statement to resources carrying a tag
/// (`aws:ResourceTag/…`, `ec2:ResourceTag/…`): that scopes `"Resource": "*"` as an ARN would.
fn tag_scoped(stmt: &Json) -> bool {
    let Some(Json::Object(ops)) = stmt.get("Condition") else { return false };
    ops.values().filter_map(Json::as_object).flat_map(|m| m.keys()).any(|k| k.contains("ResourceTag/"))
}

/// A policy element that is one string or a list of them.
fn strings(v: Option<&Json>) -> Vec<&str> {
    match v {
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(l)) => l.iter().filter_map(Json::as_str).collect(),
        _ => vec![],
    }
}

/// `ec2:DescribeInstances` and `s3:Get*` only read; `s3:*`, `ec2:RunInstances` may write.
pub(super) fn is_read_only(action: &str) -> bool {
    let verb = action.split_once(':').map_or(action, |(_, v)| v);
    READ_VERBS.iter().any(|r| verb.starts_with(r))
}

fn user_policies(res: &Resource, out: &mut Vec<Finding>) {
    for attr in ["managed_policies", "inline_policies"] {
        let n = match res.attrs.get(attr) {
            Some(Value::List(l)) => l.len(),
            Some(Value::Map(m)) => m.len(),
            _ => 0,
        };
        if n > 0 {
            let msg = format!("{} has {n} {} attached directly", res.addr, attr.replace('_', " "));
            out.push(Finding::new(&USER_POLICY, res, res.span_of(attr), msg).label("attach these to a group instead"));
        }
    }
}

fn password_policy(res: &Resource, out: &mut Vec<Finding>) {
    let int = |k: &str| res.attrs.get(k).and_then(Value::as_int);
    let mut weak = |attr: &str, msg: String| out.push(Finding::new(&WEAK_PASSWORDS, res, res.span_of(attr), msg));
    match int("minimum_length") {
        Some(n) if n >= 14 => {}
        n => weak("minimum_length", format!("passwords may be {} characters; require at least 14", n.unwrap_or(6))),
    }
    for (attr, class) in [
        ("require_uppercase", "an uppercase letter"),
        ("require_lowercase", "a lowercase letter"),
        ("require_numbers", "a number"),
        ("require_symbols", "a symbol"),
    ] {
        if res.attrs.get(attr).and_then(Value::as_bool) != Some(true) {
            weak(attr, format!("passwords need not contain {class}; set {attr} = true"));
        }
    }
    match int("reuse_prevention") {
        Some(n) if n >= 24 => {}
        Some(n) => weak("reuse_prevention", format!("only {n} previous passwords are remembered; remember 24")),
        None => weak("reuse_prevention", "old passwords may be reused; set reuse_prevention = 24".into()),
    }
    match int("max_age_days") {
        Some(n) if n <= 90 => {}
        Some(n) => weak("max_age_days", format!("passwords expire after {n} days; expire them within 90")),
        None => weak("max_age_days", "passwords never expire; set max_age_days = 90".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{found, hit, stack_with};

    fn group_policy(statement: &str) -> String {
        stack_with(&format!(
            "iam_group \"g\" {{\n  inline_policies = {{\n    p = jsonencode({{\n      Version = \"2012-10-17\"\n      Statement = [{statement}]\n    }})\n  }}\n}}\n"
        ))
    }

    #[test]
    fn every_action_is_an_error_at_the_policies() {
        let s = group_policy("{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }");
        assert_eq!(found(&s), [hit("iam-action-wildcard", &s, "{\n    p =")]);
        let s = stack_with(
            "iam_role \"r\" {\n  assume = \"ec2.amazonaws.com\"\n  managed_policies = [\"arn:aws:iam::aws:policy/AdministratorAccess\"]\n}\n",
        );
        assert_eq!(found(&s), [hit("iam-action-wildcard", &s, "[\"arn")]);
    }

    #[test]
    fn writes_on_every_resource_are_a_warning() {
        let s = group_policy(
            "{ Effect = \"Allow\", Action = [\"ec2:Describe*\", \"ec2:RebootInstances\"], Resource = \"*\" }",
        );
        assert_eq!(found(&s), [hit("iam-resource-wildcard", &s, "{\n    p =")]);
        let r = super::super::tests::report(&s);
        assert!(r.findings[0].message.contains("allows ec2:RebootInstances on"), "{}", r.findings[0].message);
    }

    #[test]
    fn reads_on_every_resource_scoped_writes_and_denies_pass() {
        let reads = "{ Effect = \"Allow\", Action = [\"ec2:Describe*\", \"s3:GetObject\", \"s3:ListBucket\"], Resource = \"*\" }";
        let scoped = "{ Effect = \"Allow\", Action = \"s3:PutObject\", Resource = \"arn:aws:s3:::logs/*\" }";
        let deny = "{ Effect = \"Deny\", Action = \"*\", Resource = \"*\" }";
        let tagged = "{ Effect = \"Allow\", Action = \"ec2:RebootInstances\", Resource = \"*\", \
                      Condition = { StringEquals = { \"aws:ResourceTag/stackr:stack\" = \"web\" } } }";
        assert_eq!(found(&group_policy(&[reads, scoped, deny, tagged].join(", "))), []);
        let by_ip = tagged.replace("aws:ResourceTag/stackr:stack", "aws:SourceIp");
        let s = group_policy(&by_ip);
        assert_eq!(found(&s), [hit("iam-resource-wildcard", &s, "{\n    p =")], "an IP condition scopes no resource");
        let s = stack_with(
            "iam_role \"r\" {\n  assume = \"ec2.amazonaws.com\"\n  managed_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n}\n",
        );
        assert_eq!(found(&s), []);
    }

    #[test]
    fn read_only_actions() {
        assert!(super::is_read_only("ec2:DescribeInstances") && super::is_read_only("s3:Get*"));
        assert!(!super::is_read_only("s3:*") && !super::is_read_only("ec2:RunInstances"));
    }

    #[test]
    fn policies_on_a_user_are_a_warning_each() {
        let s = stack_with(
            "iam_user \"u\" {\n  managed_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n  inline_policies = {\n    p = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"*\" }] })\n  }\n}\n",
        );
        assert_eq!(found(&s), [hit("iam-user-policy", &s, "[\"arn"), hit("iam-user-policy", &s, "{\n    p =")]);
    }

    #[test]
    fn a_user_in_groups_passes() {
        let s = stack_with(
            "iam_group \"g\" {\n  managed_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n}\n\niam_user \"u\" {\n  groups = [iam_group.g]\n}\n",
        );
        assert_eq!(found(&s), []);
    }

    const STRONG: &str = "iam_password_policy {\n  minimum_length = 14\n  require_uppercase = true\n  require_lowercase = true\n  require_numbers = true\n  require_symbols = true\n  reuse_prevention = 24\n  max_age_days = 90\n}\n";

    #[test]
    fn a_strong_password_policy_passes() {
        assert_eq!(found(&stack_with(STRONG)), []);
    }

    #[test]
    fn each_weak_password_setting_is_a_warning_where_it_is_set() {
        let s = stack_with(&STRONG.replace("= 14", "= 8").replace("= 24", "= 5").replace("= 90", "= 180"));
        assert_eq!(
            found(&s),
            [
                hit("iam-password-policy-weak", &s, "8\n"),
                hit("iam-password-policy-weak", &s, "5\n"),
                hit("iam-password-policy-weak", &s, "180\n"),
            ]
        );
        // Unset settings are reported at the block, one finding each.
        let s = stack_with("iam_password_policy {\n  minimum_length = 14\n}\n");
        let at = hit("iam-password-policy-weak", &s, "iam_password_policy");
        assert_eq!(found(&s), [at; 6]);
    }
}
