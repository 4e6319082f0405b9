//! stackr against the realism layer, for IAM (issue 8's points 4 and 12): instance profiles
//! found by name and path, IAM's own form of stored policies, and principals IAM has only
//! just made.

mod common;

use common::realism::{key_with, stackr_as};
use common::*;

fn write(dir: &std::path::Path, name: &str, body: &str) -> String {
    p(&stack_file(dir, "stack.hcl", &format!("stack \"{name}\" {{}}\n{body}"))).to_string()
}

fn settled(key: &str, file: &str) {
    stackr_as(key, &["apply", "-f", file, "--auto-approve"]).expect(0);
    let plan = stackr_as(key, &["plan", "-f", file, "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "plan after apply is not clean:\n{}{}", plan.stdout, plan.stderr);
}

/// 4. A profile left without its role (an apply that failed between creating it and adding
/// the role) is found by its name and path: the next apply adds the role, destroy removes it.
#[tokio::test]
async fn an_instance_profile_left_without_its_role_is_completed_and_destroyed() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let name = unique("orph");
    let key = key_with("orph", r#"{"iam_propagation": 20}"#);
    let role = format!("{name}-r");
    let file = write(
        dir.path(),
        &name,
        &format!(
            "iam_role \"r\" {{\n  name = \"{role}\"\n  assume = \"ec2.amazonaws.com\"\n  instance_profile = true\n}}\n"
        ),
    );
    let acct = account().await;
    // What the failed apply left: the role, and its profile at the stack's path without it.
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let path = format!("/stackr/{name}/r/");
    let tags = [("stackr:stack", name.as_str()), ("stackr:address", "iam_role.r")]
        .map(|(k, v)| aws_sdk_iam::types::Tag::builder().key(k).value(v).build().unwrap());
    acct.iam
        .create_role()
        .role_name(&role)
        .path(&path)
        .assume_role_policy_document(trust)
        .set_tags(Some(tags.to_vec()))
        .send()
        .await
        .unwrap();
    acct.iam.create_instance_profile().instance_profile_name(&role).path(&path).send().await.unwrap();

    settled(&key, &file);
    let profile = acct.iam.get_instance_profile().instance_profile_name(&role).send().await.unwrap();
    let roles: Vec<&str> = profile.instance_profile().unwrap().roles().iter().map(|r| r.role_name()).collect();
    assert_eq!(roles, [role.as_str()]);
    stackr_as(&key, &["destroy", "-f", &file, "--auto-approve"]).expect(0);
    assert!(acct.iam.get_instance_profile().instance_profile_name(&role).send().await.is_err(), "the profile goes too");
    assert!(acct.leftovers(&name).await.is_empty());
}

/// 12. IAM stores an account id principal as the root ARN and condition values as strings:
/// the plan after apply is still clean. A trust policy naming a role the same apply made is
/// refused by IAM for a while ("Invalid principal in policy") and retried.
#[tokio::test]
async fn iams_form_of_a_policy_is_no_change_and_new_principals_are_waited_for() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let name = unique("pol");
    let key = key_with("pol", r#"{"iam_policy_rewrite": true, "iam_propagation": 40}"#);
    let body = format!(
        "iam_role \"base\" {{\n  name = \"{name}-base\"\n  assume = \"ec2.amazonaws.com\"\n}}\n\
         iam_role \"admin\" {{\n  name = \"{name}-admin\"\n  assume = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Effect = \"Allow\"\n      Action = \"sts:AssumeRole\"\n      Principal = {{ AWS = [\"000000000000\", \"arn:aws:iam::000000000000:role/stackr/{name}/base/{name}-base\"] }}\n      Condition = {{ Bool = {{ \"aws:MultiFactorAuthPresent\" = true }}, NumericLessThan = {{ \"aws:MultiFactorAuthAge\" = 3600 }} }}\n    }}]\n  }})\n  depends_on = [iam_role.base]\n}}\n"
    );
    let file = write(dir.path(), &name, &body);
    settled(&key, &file);
    stackr_as(&key, &["destroy", "-f", &file, "--auto-approve"]).expect(0);
    assert!(account().await.leftovers(&name).await.is_empty());
}

/// A long stretch of throttling (every call refused twice before it passes) is waited out: the
/// SDK's client-side retry quota, which such a stretch drains after about 100 calls, is off.
#[tokio::test]
async fn a_long_stretch_of_throttling_is_waited_out() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let name = unique("thr");
    let key = key_with("thr", r#"{"throttle_first": 2}"#);
    let users: String =
        (0..120).map(|i| format!("iam_user \"u{i}\" {{\n  name = \"{name}-u{i}\"\n}}\n")).collect::<Vec<_>>().concat();
    let file = write(dir.path(), &name, &users);
    let plan = stackr_as(&key, &["plan", "-f", &file, "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "the plan should pass, with changes:\n{}{}", plan.stdout, plan.stderr);
    assert!(plan.stdout.contains("120 to add"), "{}", plan.stdout);
}
