//! EC2 compute rules: IMDSv2 required, EBS volumes and root volumes encrypted, and no AWS
//! credentials in user data (Security Hub EC2.3, EC2.8, EC2.170; the EC2 user guide's "do not
//! store sensitive data in user data", which any process on the instance can read).

use super::{Finding, Rule, of_kind};
use crate::model::Value;
use crate::stack::Stack;
use crate::stack::diag::Severity;

pub static IMDSV1: Rule = Rule {
    id: "ec2-imdsv1",
    severity: Severity::Error,
    title: "the instance metadata service accepts IMDSv1 (no session token)",
    fix: "remove `imdsv2 = false` (stackr requires IMDSv2 by default); update software that still calls \
          IMDSv1 to use a session token",
    source: "Security Hub EC2.8 and EC2.170",
};

pub static EBS_UNENCRYPTED: Rule = Rule {
    id: "ec2-ebs-unencrypted",
    severity: Severity::Warning,
    title: "an EBS volume or an instance's root volume is not encrypted",
    fix: "set `encrypted = true` on volumes and `root_volume_encrypted = true` on instances",
    source: "Security Hub EC2.3 and EC2.7",
};

pub static USER_DATA_SECRET: Rule = Rule {
    id: "ec2-user-data-secret",
    severity: Severity::Error,
    title: "AWS access keys or secret keys in user data",
    fix: "give the instance an IAM role (role = iam_role.x) instead of keys; fetch other secrets at boot \
          from Secrets Manager or SSM Parameter Store. Rotate the exposed key.",
    source: "EC2 user guide: user data is not protected; IAM best practices: use roles for workloads",
};

pub static RULES: &[&Rule] = &[&IMDSV1, &EBS_UNENCRYPTED, &USER_DATA_SECRET];

/// Prefixes of AWS access key ids: long-term (AKIA), temporary (ASIA) and others IAM issues.
const KEY_ID_PREFIXES: &[&str] = &["AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AROA"];

pub fn check(stack: &Stack, out: &mut Vec<Finding>) {
    for res in stack.resources.iter().filter(|r| matches!(r.addr.kind.as_str(), "instance" | "launch_template")) {
        if res.attrs.get("imdsv2").and_then(Value::as_bool) == Some(false) {
            let msg = format!("{} allows IMDSv1, which any SSRF bug can use to read its role's credentials", res.addr);
            out.push(Finding::new(&IMDSV1, res, res.span_of("imdsv2"), msg));
        }
        if let Some(text) = res.attrs.get("user_data").and_then(Value::as_str) {
            for (line, what) in secrets(text) {
                let msg = format!("the user data of {} holds {what} (line {line} of the rendered text)", res.addr);
                out.push(
                    Finding::new(&USER_DATA_SECRET, res, res.span_of("user_data"), msg)
                        .label("readable by anything on the instance"),
                );
            }
        }
        if res.addr.kind == "instance" && res.attrs.get("root_volume_encrypted").and_then(Value::as_bool) != Some(true)
        {
            let msg =
                format!("the root volume of {} is not encrypted unless the account encrypts EBS by default", res.addr);
            out.push(Finding::new(&EBS_UNENCRYPTED, res, res.span_of("root_volume_encrypted"), msg));
        }
    }
    for res in of_kind(stack, "volume") {
        if res.attrs.get("encrypted").and_then(Value::as_bool) != Some(true) {
            let msg = format!("{} is not encrypted", res.addr);
            out.push(Finding::new(&EBS_UNENCRYPTED, res, res.span_of("encrypted"), msg));
        }
    }
}

/// AWS credentials written into user data: (1-based line, what was found, masked). The key
/// itself is never repeated in the finding; output may end up in CI logs.
pub(super) fn secrets(text: &str) -> Vec<(usize, String)> {
    let mut out = vec![];
    for (i, line) in text.lines().enumerate() {
        for token in line.split(|c: char| !c.is_ascii_alphanumeric()) {
            let key_id = token.len() == 20
                && KEY_ID_PREFIXES.iter().any(|p| token.starts_with(p))
                && token.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if key_id {
                out.push((i + 1, format!("an access key id ({}…)", &token[..4])));
            }
        }
        if secret_key_assignment(line) {
            out.push((i + 1, "a secret access key".to_string()));
        }
    }
    out
}

/// `aws_secret_access_key = wJalr…` / `"SecretAccessKey": "wJalr…"`: a line that names a
/// secret access key and holds a literal of 40 base64 characters (an expansion such as
/// `$SECRET` is not a literal).
fn secret_key_assignment(line: &str) -> bool {
    let name = line.to_ascii_lowercase().replace(['_', '-'], "");
    (name.contains("secretaccesskey") || name.contains("awssecretkey"))
        && line
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '+'))
            .any(|t| t.len() == 40 && t.bytes().any(|b| b.is_ascii_digit() || b == b'/' || b == b'+'))
}
