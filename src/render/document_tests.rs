//! JSON documents and multi-line text in plans, as reviewers read them: snapshots of policy
//! changes and creates, user data under `--show-sensitive` and redacted, in the text plan and
//! the Markdown plan.

use super::*;
use crate::live::LiveState;
use crate::model::{Value, str_map, str_set};
use crate::plan::{Plan, plan};
use crate::resources::{live, schemas};
use crate::stack::{VarInputs, load_str};

const TRUST: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"}}],"Version":"2012-10-17"}"#;

/// A role whose inline policy `s3` has two statements; `actions` are the first one's.
fn role_src(actions: &str) -> String {
    format!(
        r#"stack "t" {{}}
iam_role "app" {{
  assume = "ec2.amazonaws.com"
  inline_policies = {{
    s3 = jsonencode({{
      Version = "2012-10-17"
      Statement = [
        {{ Effect = "Allow", Action = [{actions}], Resource = "arn:aws:s3:::bucket/*" }},
        {{ Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*",
           Condition = {{ Bool = {{ "aws:SecureTransport" = "false" }} }} }},
      ]
    }})
  }}
}}
"#
    )
}

/// The plan of `src` against a live role holding `live_policy` as its `s3` policy.
fn role_plan(src: &str, live_policy: Option<&str>) -> Plan {
    let stack = load_str("t.hcl", src, &VarInputs::default(), &schemas()).unwrap();
    let objects = match live_policy {
        None => vec![],
        Some(text) => {
            // As the role's read gives it: canonical.
            let mut read = crate::model::Attrs::from([(
                "inline_policies".to_string(),
                Value::Map([("s3".to_string(), Value::str(text))].into()),
            )]);
            crate::resources::kind("iam_role").unwrap().canonical(&mut read);
            vec![live(
                "iam_role.app",
                "app",
                &[
                    ("name", Value::str("app")),
                    ("assume", Value::str(TRUST)),
                    ("description", Value::str("")),
                    ("max_session_duration", Value::Int(3600)),
                    ("managed_policies", str_set([] as [&str; 0])),
                    ("inline_policies", read["inline_policies"].clone()),
                    ("instance_profile", Value::Bool(false)),
                    ("tags", str_map([] as [(&str, &str); 0])),
                    ("arn", Value::str("arn:aws:iam::000000000000:role/stackr/t/app/app")),
                    ("id", Value::str("app")),
                    ("unique_id", Value::str("AROA1")),
                    ("instance_profile_arn", Value::Null),
                ],
            )]
        }
    };
    plan(&stack, &LiveState { objects, ..Default::default() }, false).unwrap().redacted()
}

/// The live policy: the plan's own with the first statement's actions `actions`.
fn live_policy(actions: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{actions}],"Resource":"arn:aws:s3:::bucket/*"}},{{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*","Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}]}}"#
    )
}

#[test]
fn a_policy_change_is_a_line_diff_of_the_document() {
    let src = role_src(r#""s3:ListBucket", "s3:GetObject""#);
    let p = role_plan(&src, Some(&live_policy(r#""s3:ListBucket""#)));
    let text = human_plan(&p, Style { color: false });
    assert!(text.contains("+ \"s3:GetObject\",\n"), "{text}");
    assert!(!text.contains("\\\""), "no escaped string: {text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_changed_value_in_a_policy_is_one_changed_line() {
    let src = role_src(r#""s3:GetObject""#).replace(r#"Effect = "Deny""#, r#"Effect = "Allow""#);
    let p = role_plan(&src, Some(&live_policy(r#""s3:GetObject""#)));
    let text = human_plan(&p, Style { color: false });
    assert!(text.contains("~ Effect    = \"Deny\" -> \"Allow\"\n"), "{text}");
}

#[test]
fn a_policy_create_shows_the_whole_document_added() {
    let p = role_plan(&role_src(r#""s3:GetObject""#), None);
    insta::assert_snapshot!(human_plan(&p, Style { color: false }));
}

#[test]
fn the_markdown_plan_shows_the_document_diff_with_symbols_in_column_0() {
    let src = role_src(r#""s3:ListBucket", "s3:GetObject""#);
    let md = markdown_plan(&role_plan(&src, Some(&live_policy(r#""s3:ListBucket""#))));
    assert!(md.contains("\n+                               \"s3:GetObject\",\n"), "{md}");
    assert!(md.contains("\n!       inline_policies = {\n"), "{md}");
}

#[test]
fn the_json_plan_keeps_documents_as_strings() {
    let src = role_src(r#""s3:ListBucket", "s3:GetObject""#);
    let doc = json_plan(&role_plan(&src, Some(&live_policy(r#""s3:ListBucket""#))));
    let after = &doc["resource_changes"][0]["change"]["after"];
    let policy = after["inline_policy"][0]["policy"].as_str().unwrap();
    assert!(policy.starts_with(r#"{"Statement":[{"Action":["s3:GetObject","s3:ListBucket"]"#), "{policy}");
}

const TEMPLATE: &str = r##"stack "t" {}
launch_template "web" {
  ami       = "ami-12345678"
  type      = "t3.micro"
  user_data = "#cloud-config\nruncmd:\n  - echo one\n  - echo two\n  - systemctl start web\n"
}
"##;

/// A live template whose user data was `old` (its text read back as `_user_data` when `known`).
fn template_plan(old: &str, known: bool, reveal: bool) -> Plan {
    let stack = load_str("t.hcl", TEMPLATE, &VarInputs::default(), &schemas()).unwrap();
    let mut attrs = vec![
        ("name", Value::str("t-web-lt")),
        ("ami", Value::str("ami-12345678")),
        ("type", Value::str("t3.micro")),
        ("security_groups", str_set([] as [&str; 0])),
        ("key_name", Value::Null),
        ("role", Value::Null),
        ("user_data", Value::str(crate::resources::userdata::digest(old))),
        ("imdsv2", Value::Bool(true)),
        ("instance_tags", str_map([] as [(&str, &str); 0])),
        ("tags", str_map([("Name", "t-web-lt")])),
        ("id", Value::str("lt-1")),
        ("latest_version", Value::Int(1)),
        ("default_version", Value::Int(1)),
    ];
    if known {
        attrs.push(("_user_data", Value::str(old)));
    }
    let objects = vec![live("launch_template.web", "lt-1", &attrs)];
    plan(&stack, &LiveState { objects, ..Default::default() }, false).unwrap().shown(reveal)
}

const OLD_USER_DATA: &str = "#cloud-config\nruncmd:\n  - echo one\n  - systemctl start web\n";

#[test]
fn user_data_under_show_sensitive_is_a_line_diff_of_the_text() {
    let text = human_plan(&template_plan(OLD_USER_DATA, true, true), Style { color: false });
    assert!(text.contains("\n          +   - echo two\n"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn user_data_known_only_by_digest_shows_the_new_text_whole() {
    let text = human_plan(&template_plan(OLD_USER_DATA, false, true), Style { color: false });
    insta::assert_snapshot!(text);
}

#[test]
fn user_data_without_show_sensitive_stays_redacted() {
    let text = human_plan(&template_plan(OLD_USER_DATA, true, false), Style { color: false });
    assert!(!text.contains("echo"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_text_line_that_starts_like_a_symbol_stays_put_in_markdown() {
    let md = markdown_plan(&template_plan(OLD_USER_DATA, true, true));
    // An unchanged `  - echo one` of the script is not taken for a removal.
    assert!(md.contains("\n              - echo one\n"), "{md}");
    assert!(md.contains("\n+             - echo two\n"), "{md}");
}

#[test]
fn only_json_objects_arrays_and_multi_line_text_are_documents() {
    use super::docdiff::Layout;
    assert!(Layout::of("ec2.amazonaws.com").is_none());
    assert!(Layout::of("[not json").is_none());
    assert!(Layout::of("42").is_none(), "a JSON scalar stays a string");
    assert!(matches!(Layout::of(r#"{"a":1}"#), Some(Layout::Json(_))));
    assert!(matches!(Layout::of("[1, 2]"), Some(Layout::Json(_))));
    assert!(matches!(Layout::of("one\ntwo"), Some(Layout::Text(_))));
}

#[test]
fn keys_that_are_not_identifiers_are_quoted_and_equals_signs_aligned() {
    use super::docdiff::Layout;
    let layout = Layout::of(r#"{"Condition":{"aws:SourceIp":"10.0.0.0/8","Bool":"x"}}"#).unwrap();
    let shown: Vec<String> = layout.lines().iter().map(|l| l.show()).collect();
    assert_eq!(shown, ["{", "Condition = {", "\"aws:SourceIp\" = \"10.0.0.0/8\"", "Bool           = \"x\"", "}", "}"]);
}

#[test]
fn long_unchanged_runs_fold_to_the_context_around_changes() {
    use super::docdiff::{Layout, Row, diff};
    let old: Vec<String> = (0..20).map(|i| format!("line {i}")).collect();
    let mut new = old.clone();
    new[10] = "changed".into();
    let (a, b) = (Layout::of(&old.join("\n")).unwrap(), Layout::of(&new.join("\n")).unwrap());
    let rows = diff(a.lines(), b.lines());
    let kinds: Vec<String> = rows
        .iter()
        .map(|r| match r {
            Row::Same(l) => l.show(),
            Row::Del(l) => format!("-{}", l.show()),
            Row::Add(l) => format!("+{}", l.show()),
            Row::Chg(..) => "~".into(),
            Row::Hidden(n, _) => format!("({n})"),
        })
        .collect();
    let want = ["(7)", "line 7", "line 8", "line 9", "-line 10", "+changed", "line 11", "line 12", "line 13", "(6)"];
    assert_eq!(kinds, want);
}
