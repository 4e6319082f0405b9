//! IAM: policy documents IAM would call malformed, the size IAM allows a principal's inline
//! policies together, trust policies and service principals, and the length of the path that
//! records ownership.

use serde_json::Value as J;

use super::error;
use crate::model::Value;
use crate::stack::{Diagnostics, Resource, Stack};

/// What a policy document is for: identity policies name resources, trust policies principals.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Identity,
    Trust,
}

/// The combined size of a principal's inline policies, in characters without whitespace (IAM
/// quotas; not adjustable).
fn inline_quota(kind: &str) -> usize {
    match kind {
        "iam_user" => 2048,
        "iam_group" => 5120,
        _ => 10_240,
    }
}

/// Checks shared by users, groups and roles.
pub fn principal(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    let policies = res.attrs.get("inline_policies").and_then(Value::as_map);
    let mut total = 0;
    for (name, doc) in policies.into_iter().flatten() {
        let Some(text) = doc.as_str() else { continue };
        total += text.chars().filter(|c| !c.is_whitespace()).count();
        if let Some(msg) = policy_problem(text, Doc::Identity) {
            diags.push(error(res, "inline_policies", format!("inline policy \"{name}\": {msg}")));
        }
    }
    let quota = inline_quota(&res.addr.kind);
    if total > quota {
        diags.push(error(res,
            "inline_policies",
            format!("the inline policies come to {total} characters (without whitespace); IAM allows {quota} for one {}", res.addr.kind.trim_start_matches("iam_")),
        ).hint("move statements into a managed policy, or split them across groups"));
    }
    // The ownership path `/stackr/<stack>/<name>/` is at most 512 characters.
    let path = 10 + stack.name.len() + res.addr.local().len();
    if path > 512 {
        diags.push(
            error(
                res,
                "name",
                format!(
                    "the IAM path /stackr/{}/{}/ is {path} characters; IAM allows 512",
                    stack.name,
                    res.addr.local()
                ),
            )
            .hint("use a shorter block or stack name"),
        );
    }
}

/// A role's trust: a service principal, or a trust policy.
pub fn role(res: &Resource, stack: &Stack, diags: &mut Diagnostics) {
    principal(res, stack, diags);
    let Some(a) = res.attrs.get("assume").and_then(Value::as_str) else { return };
    let problem = if a.trim_start().starts_with('{') {
        policy_problem(a, Doc::Trust).map(|m| format!("the trust policy {m}"))
    } else if !service_principal(a) {
        Some(format!("\"{a}\" is neither a service principal nor a JSON trust policy"))
    } else {
        None
    };
    if let Some(msg) = problem {
        diags.push(
            error(res, "assume", msg)
                .label("e.g. \"ec2.amazonaws.com\", or jsonencode({ Version = \"2012-10-17\", Statement = [...] })"),
        );
    }
}

/// `ec2.amazonaws.com`, `ecs-tasks.amazonaws.com`, `states.us-east-1.amazonaws.com`.
fn service_principal(s: &str) -> bool {
    let host = s.strip_suffix(".amazonaws.com").or_else(|| s.strip_suffix(".amazonaws.com.cn"));
    host.is_some_and(|h| {
        !h.is_empty()
            && h.split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    })
}

/// What IAM would find malformed in a policy document.
pub fn policy_problem(text: &str, doc: Doc) -> Option<String> {
    let Ok(J::Object(top)) = serde_json::from_str::<J>(text) else {
        return Some("is not a JSON object".into());
    };
    if let Some(v) = top.get("Version").filter(|v| !matches!(v.as_str(), Some("2012-10-17" | "2008-10-17"))) {
        return Some(format!("has Version {v}; IAM knows \"2012-10-17\" (and \"2008-10-17\")"));
    }
    let statements = match top.get("Statement") {
        Some(J::Array(a)) if !a.is_empty() => a.iter().collect::<Vec<_>>(),
        Some(o @ J::Object(_)) => vec![o],
        _ => return Some("needs a Statement (a statement object or a list of them)".into()),
    };
    statements
        .iter()
        .enumerate()
        .find_map(|(i, s)| statement_problem(s, doc).map(|m| format!("statement {}: {m}", i + 1)))
}

fn statement_problem(s: &J, doc: Doc) -> Option<String> {
    let J::Object(m) = s else { return Some("is not an object".into()) };
    let has = |k: &str| m.contains_key(k);
    if !matches!(m.get("Effect").and_then(J::as_str), Some("Allow" | "Deny")) {
        return Some("needs \"Effect\": \"Allow\" or \"Deny\"".into());
    }
    if !has("Action") && !has("NotAction") {
        return Some("needs Action (or NotAction)".into());
    }
    match doc {
        Doc::Identity if has("Principal") || has("NotPrincipal") => {
            Some("names a Principal, which only trust and resource policies do".into())
        }
        Doc::Identity if !has("Resource") && !has("NotResource") => Some("needs Resource (or NotResource)".into()),
        Doc::Trust if !has("Principal") && !has("NotPrincipal") => {
            Some("needs a Principal: who may assume the role".into())
        }
        Doc::Trust if has("Resource") || has("NotResource") => {
            Some("names a Resource, which a trust policy cannot".into())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_iam_calls_malformed() {
        let ok = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        assert_eq!(policy_problem(ok, Doc::Identity), None);
        assert!(policy_problem("[]", Doc::Identity).is_some());
        assert!(policy_problem(r#"{"Statement":[]}"#, Doc::Identity).is_some());
        assert!(
            policy_problem(r#"{"Statement":{"Effect":"Permit","Action":"*","Resource":"*"}}"#, Doc::Identity)
                .unwrap()
                .contains("Effect")
        );
        assert!(
            policy_problem(r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#, Doc::Identity)
                .unwrap()
                .contains("Resource")
        );
        assert!(
            policy_problem(
                r#"{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
                Doc::Identity
            )
            .is_some()
        );
        let trust = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        assert_eq!(policy_problem(trust, Doc::Trust), None);
        assert!(policy_problem(trust, Doc::Identity).unwrap().contains("Principal"));
    }

    #[test]
    fn service_principals() {
        assert!(service_principal("ec2.amazonaws.com"));
        assert!(service_principal("states.us-east-1.amazonaws.com"));
        assert!(!service_principal("ec2"));
        assert!(!service_principal("ec2.amazon.com"));
        assert!(!service_principal(".amazonaws.com"));
    }
}
