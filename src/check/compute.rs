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
                let msg = format!("the user data of {} holds {what} on line {line}", res.addr);
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

#[cfg(test)]
mod tests {
    use super::super::tests::{found, hit, stack_with};

    /// An instance (with an encrypted root volume unless `extra` says otherwise) and `extra`.
    fn instance(extra: &str) -> String {
        stack_with(&format!(
            "instance \"i\" {{\n  ami = \"ami-12345678\"\n  type = \"t3.micro\"\n  subnet = \"subnet-1\"\n{extra}}}\n"
        ))
    }

    const ENCRYPTED: &str = "  root_volume_encrypted = true\n";

    #[test]
    fn imdsv1_is_an_error_on_instances_and_launch_templates() {
        let s = instance(&format!("{ENCRYPTED}  imdsv2 = false\n"));
        assert_eq!(found(&s), [hit("ec2-imdsv1", &s, "false")]);
        let s = stack_with(
            "launch_template \"t\" {\n  ami = \"ami-12345678\"\n  type = \"t3.micro\"\n  imdsv2 = false\n}\n",
        );
        assert_eq!(found(&s), [hit("ec2-imdsv1", &s, "false")]);
    }

    #[test]
    fn imdsv2_by_default_passes() {
        assert_eq!(found(&instance(ENCRYPTED)), []);
        assert_eq!(found(&instance(&format!("{ENCRYPTED}  imdsv2 = true\n"))), []);
    }

    #[test]
    fn unencrypted_root_volumes_and_volumes_are_warnings() {
        let s = instance("");
        assert_eq!(found(&s), [hit("ec2-ebs-unencrypted", &s, "instance \"i\"")], "unset: at the block");
        let s = instance("  root_volume_encrypted = false\n");
        assert_eq!(found(&s), [hit("ec2-ebs-unencrypted", &s, "false")]);
        let s = stack_with("volume \"v\" {\n  az = \"us-east-1a\"\n  size = 8\n}\n");
        assert_eq!(found(&s), [hit("ec2-ebs-unencrypted", &s, "volume \"v\"")]);
    }

    #[test]
    fn encrypted_volumes_pass() {
        assert_eq!(
            found(&stack_with("volume \"v\" {\n  az = \"us-east-1a\"\n  size = 8\n  encrypted = true\n}\n")),
            []
        );
    }

    #[test]
    fn keys_in_user_data_are_errors_at_the_user_data() {
        let key = "  user_data = \"#!/bin/sh\\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\\n\"\n";
        let s = instance(&format!("{ENCRYPTED}{key}"));
        assert_eq!(found(&s), [hit("ec2-user-data-secret", &s, "\"#!/bin/sh")]);
        let r = super::super::tests::report(&s);
        assert!(r.findings[0].message.contains("an access key id (AKIA…) on line 2"), "{}", r.findings[0].message);
        assert!(!r.findings[0].message.contains("IOSFODNN7"), "the key is never repeated");
        let secret = "  user_data = \"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n";
        let s = instance(&format!("{ENCRYPTED}{secret}"));
        assert_eq!(found(&s), [hit("ec2-user-data-secret", &s, "\"aws_secret")]);
    }

    #[test]
    fn user_data_without_keys_passes() {
        let benign = "  user_data = \"export AWS_REGION=us-east-1\\nexport AWS_SECRET_ACCESS_KEY=$(fetch-secret)\\necho AKIA\\n\"\n";
        assert_eq!(found(&instance(&format!("{ENCRYPTED}{benign}"))), []);
        assert!(super::secrets("sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709").is_empty());
        assert_eq!(super::secrets("x\nAWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A").len(), 1);
    }
}
