//! What IAM kinds share: policy documents in canonical form, ownership by IAM path, and the
//! set differences that drive attach/detach and put/delete calls.
//!
//! A policy document compares equal to AWS's copy only after canonicalisation: IAM returns it
//! URL-encoded, keeps or drops whitespace, and treats `"Action": "s3:Get*"` and
//! `"Action": ["s3:Get*"]` (and a lone statement object vs a list) as the same policy.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as J};

use super::retry::{self, Window};
use super::{Cx, strs};
use crate::aws::{self, AwsError};
use crate::model::{Address, Attrs, Value};

/// Statement and condition fields whose value may be a single string or a list of strings.
const LIST_FIELDS: &[&str] = &["Action", "NotAction", "Resource", "NotResource"];

/// The canonical text of a policy document; text that is not JSON is returned unchanged.
pub fn canonical_policy(text: &str) -> String {
    let decoded = if text.trim_start().starts_with('%') {
        percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
    } else {
        text.to_string()
    };
    match serde_json::from_str::<J>(&decoded) {
        Ok(doc) => normalize(doc, None).to_string(),
        Err(_) => text.to_string(),
    }
}

/// Sorts object keys and turns the string-or-list fields into sorted lists.
fn normalize(v: J, field: Option<&str>) -> J {
    match v {
        J::Object(m) => {
            let mut sorted: Vec<(String, J)> = m.into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = Map::new();
            for (k, v) in sorted {
                let v = match (k.as_str(), v, field) {
                    ("Statement", J::Object(o), _) => J::Array(vec![normalize(J::Object(o), Some("Statement"))]),
                    ("Statement", J::Array(a), _) => {
                        J::Array(a.into_iter().map(|s| normalize(s, Some("Statement"))).collect())
                    }
                    (f, v, _) if LIST_FIELDS.contains(&f) => string_list(v),
                    ("Principal" | "NotPrincipal", J::Object(o), _) => {
                        J::Object(sorted_map(o.into_iter().map(|(pk, pv)| {
                            let list = string_list(pv);
                            let list = if pk == "AWS" { account_principals(list) } else { list };
                            (pk, list)
                        })))
                    }
                    ("Condition", J::Object(ops), _) => J::Object(sorted_map(ops.into_iter().map(|(op, keys)| {
                        let keys = match keys {
                            J::Object(km) => {
                                J::Object(sorted_map(km.into_iter().map(|(ck, cv)| (ck, string_list(cv)))))
                            }
                            other => other,
                        };
                        (op, keys)
                    }))),
                    (_, v, _) => normalize(v, Some(&k)),
                };
                out.insert(k, v);
            }
            J::Object(out)
        }
        J::Array(a) => J::Array(a.into_iter().map(|x| normalize(x, field)).collect()),
        other => other,
    }
}

fn sorted_map(items: impl Iterator<Item = (String, J)>) -> Map<String, J> {
    let mut v: Vec<(String, J)> = items.collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v.into_iter().collect()
}

/// IAM stores an account id principal as the account's root ARN
/// (`arn:aws:iam::123456789012:root`); both forms mean the account, canonically its id.
fn account_principals(list: J) -> J {
    let J::Array(items) = list else { return list };
    let id = |s: &str| -> Option<String> {
        let rest = s.strip_prefix("arn:")?.split_once(":iam::")?.1;
        let (account, tail) = rest.split_once(':')?;
        (tail == "root" && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
            .then(|| account.to_string())
    };
    let set: BTreeSet<String> =
        items.into_iter().filter_map(|x| x.as_str().map(|s| id(s).unwrap_or_else(|| s.to_string()))).collect();
    J::Array(set.into_iter().map(J::String).collect())
}

/// A string, or list of strings, as a sorted de-duplicated list. Booleans and numbers become
/// strings: IAM stores condition values as strings (`true` comes back as `"true"`).
fn string_list(v: J) -> J {
    match v {
        J::String(s) => J::Array(vec![J::String(s)]),
        J::Bool(_) | J::Number(_) => J::Array(vec![J::String(v.to_string())]),
        J::Array(a) => {
            let set: BTreeSet<String> =
                a.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), String::from)).collect();
            J::Array(set.into_iter().map(J::String).collect())
        }
        other => other,
    }
}

/// Canonicalises every document of an `inline_policies` map.
pub fn canonical_inline(attrs: &mut Attrs) {
    if let Some(Value::Map(m)) = attrs.get_mut("inline_policies") {
        for v in m.values_mut() {
            if let Value::Str(s) = v {
                *s = canonical_policy(s);
            }
        }
    }
}

/// The IAM path of a stack's object: `/stackr/<stack>/<name>/`. The last segment records the
/// block name, so ownership and address survive without tags (IAM groups cannot be tagged).
pub fn path_for(stack: &str, addr: &Address) -> String {
    format!("/stackr/{stack}/{}/", addr.local())
}

/// The address an owned object's path records, or `None` when the path is not this stack's.
pub fn owned_address(stack: &str, kind: &str, path: &str) -> Option<Address> {
    let rest = path.strip_prefix(&format!("/stackr/{stack}/"))?;
    let local = rest.strip_suffix('/')?;
    if local.contains('/') {
        return None;
    }
    Address::parse_local(kind, local)
}

/// Items to add and to remove to turn `have` into `want`.
pub fn set_diff<'a>(have: &[&'a str], want: &[&'a str]) -> (Vec<&'a str>, Vec<&'a str>) {
    let add = want.iter().filter(|w| !have.contains(w)).copied().collect();
    let remove = have.iter().filter(|h| !want.contains(h)).copied().collect();
    (add, remove)
}

/// Inline policies to put (new or changed) and to delete.
pub fn inline_diff(have: &Attrs, want: &Attrs) -> (Vec<(String, String)>, Vec<String>) {
    let get = |a: &Attrs| -> BTreeMap<String, String> {
        a.get("inline_policies")
            .and_then(Value::as_map)
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default()
    };
    let (have, want) = (get(have), get(want));
    let put = want.iter().filter(|(k, v)| have.get(*k) != Some(v)).map(|(k, v)| (k.clone(), v.clone())).collect();
    let delete = have.keys().filter(|k| !want.contains_key(*k)).cloned().collect();
    (put, delete)
}

/// The IAM name of a user or group: `name`, which defaults to the block name.
pub fn default_name(addr: &Address, attrs: &mut Attrs) {
    attrs.entry("name".into()).or_insert_with(|| Value::str(addr.name_part()));
}

pub fn name_of(attrs: &Attrs) -> Option<String> {
    attrs.get("name").and_then(Value::as_str).map(String::from)
}

/// A create answered EntityAlreadyExists: the name was free at plan time (names held by others
/// are refused there), so this is the object an earlier attempt made and whose answer was
/// lost, if it carries this stack's path for the address. `Some(path)` is the found object's.
pub fn taken_by_us(e: AwsError, found_path: Option<&str>, ours: &str) -> Result<(), AwsError> {
    if e.code.as_deref() == Some("EntityAlreadyExists") && found_path == Some(ours) {
        tracing::info!("{ours}: the create's answer was lost; the object it made is used");
        Ok(())
    } else {
        Err(e)
    }
}

/// A call on something already gone counts as done.
pub fn gone_ok<T>(r: Result<T, AwsError>) -> anyhow::Result<()> {
    match r {
        Err(e) if e.code.as_deref() == Some("NoSuchEntity") => Ok(()),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

/// Whose policies: IAM has the same four calls for groups, users and roles, under different names.
#[derive(Clone, Copy)]
pub enum Principal<'a> {
    Group(&'a str),
    User(&'a str),
    Role(&'a str),
}

impl Principal<'_> {
    async fn attach(self, cx: &Cx, arn: &str) -> Result<(), AwsError> {
        let iam = &cx.aws.iam;
        match self {
            Principal::Group(g) => {
                iam.attach_group_policy().group_name(g).policy_arn(arn).send().await.map(|_| ()).map_err(aws::error)
            }
            Principal::User(u) => {
                iam.attach_user_policy().user_name(u).policy_arn(arn).send().await.map(|_| ()).map_err(aws::error)
            }
            Principal::Role(r) => {
                iam.attach_role_policy().role_name(r).policy_arn(arn).send().await.map(|_| ()).map_err(aws::error)
            }
        }
    }

    async fn detach(self, cx: &Cx, arn: &str) -> Result<(), AwsError> {
        let iam = &cx.aws.iam;
        match self {
            Principal::Group(g) => {
                iam.detach_group_policy().group_name(g).policy_arn(arn).send().await.map(|_| ()).map_err(aws::error)
            }
            Principal::User(u) => {
                iam.detach_user_policy().user_name(u).policy_arn(arn).send().await.map(|_| ()).map_err(aws::error)
            }
            Principal::Role(r) => {
                iam.detach_role_policy().role_name(r).policy_arn(arn).send().await.map(|_| ()).map_err(aws::error)
            }
        }
    }

    async fn put(self, cx: &Cx, policy: &str, doc: &str) -> Result<(), AwsError> {
        let iam = &cx.aws.iam;
        match self {
            Principal::Group(g) => {
                let call = iam.put_group_policy().group_name(g).policy_name(policy).policy_document(doc);
                call.send().await.map(|_| ()).map_err(aws::error)
            }
            Principal::User(u) => {
                let call = iam.put_user_policy().user_name(u).policy_name(policy).policy_document(doc);
                call.send().await.map(|_| ()).map_err(aws::error)
            }
            Principal::Role(r) => {
                let call = iam.put_role_policy().role_name(r).policy_name(policy).policy_document(doc);
                call.send().await.map(|_| ()).map_err(aws::error)
            }
        }
    }

    async fn delete(self, cx: &Cx, policy: &str) -> Result<(), AwsError> {
        let iam = &cx.aws.iam;
        match self {
            Principal::Group(g) => {
                iam.delete_group_policy().group_name(g).policy_name(policy).send().await.map(|_| ()).map_err(aws::error)
            }
            Principal::User(u) => {
                iam.delete_user_policy().user_name(u).policy_name(policy).send().await.map(|_| ()).map_err(aws::error)
            }
            Principal::Role(r) => {
                iam.delete_role_policy().role_name(r).policy_name(policy).send().await.map(|_| ()).map_err(aws::error)
            }
        }
    }
}

/// An IAM tag.
pub fn iam_tag(k: &str, v: &str) -> aws_sdk_iam::types::Tag {
    aws_sdk_iam::types::Tag::builder().key(k).value(v).build().expect("key and value are set")
}

/// Brings a user's or role's tags from `have` to `want` (groups cannot be tagged).
pub async fn sync_tags(cx: &Cx, who: Principal<'_>, have: &Attrs, want: &Attrs) -> anyhow::Result<()> {
    let (set, remove) = super::tag_changes(have, want);
    let set: Vec<_> = set.iter().map(|(k, v)| iam_tag(k, v)).collect();
    let iam = &cx.aws.iam;
    match who {
        Principal::User(u) => {
            if !remove.is_empty() {
                iam.untag_user().user_name(u).set_tag_keys(Some(remove)).send().await.map_err(aws::error)?;
            }
            if !set.is_empty() {
                iam.tag_user().user_name(u).set_tags(Some(set)).send().await.map_err(aws::error)?;
            }
        }
        Principal::Role(r) => {
            if !remove.is_empty() {
                iam.untag_role().role_name(r).set_tag_keys(Some(remove)).send().await.map_err(aws::error)?;
            }
            if !set.is_empty() {
                iam.tag_role().role_name(r).set_tags(Some(set)).send().await.map_err(aws::error)?;
            }
        }
        Principal::Group(_) => {}
    }
    Ok(())
}

/// Attaches/detaches managed policies and puts/deletes inline ones to go from `have` to `want`.
pub async fn sync_policies(cx: &Cx, who: Principal<'_>, have: &Attrs, want: &Attrs) -> anyhow::Result<()> {
    let (attach, detach) = set_diff(&strs(have, "managed_policies"), &strs(want, "managed_policies"));
    // An attachment can overlap another write to the principal; the provider retries it too.
    let busy = retry::IAM_BUSY;
    for arn in detach {
        gone_ok(retry::on_codes(busy, Window::Contention.get(), || who.detach(cx, arn)).await)?;
    }
    for arn in attach {
        retry::on_codes(busy, Window::Contention.get(), || who.attach(cx, arn)).await?;
    }
    let (put, delete) = inline_diff(have, want);
    for policy in delete {
        gone_ok(who.delete(cx, &policy).await)?;
    }
    for (policy, doc) in put {
        who.put(cx, &policy, &doc).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iams_rewritten_copy_equals_what_was_written() {
        // Written with an account id and JSON booleans and numbers; IAM stores the root ARN
        // and strings (the realism layer does the same, see tests/realism_services.rs).
        let written = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true},"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}]}"#;
        let stored = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}]}"#;
        assert_eq!(canonical_policy(written), canonical_policy(stored));
        let other = stored.replace("123456789012:root", "123456789012:role/x");
        assert_ne!(canonical_policy(written), canonical_policy(&other), "a role is not the account");
    }

    #[test]
    fn string_and_list_forms_are_equal() {
        let a = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
        let b = r#"{ "Statement": [ { "Resource": ["*"], "Action": ["s3:GetObject"], "Effect": "Allow" } ], "Version": "2012-10-17" }"#;
        assert_eq!(canonical_policy(a), canonical_policy(b));
    }

    #[test]
    fn url_encoded_documents_from_iam_decode() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22s3%3AList%2A%22%5D%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let plain = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:List*","Resource":"*"}]}"#;
        assert_eq!(canonical_policy(encoded), canonical_policy(plain));
    }

    #[test]
    fn action_order_and_condition_values_do_not_matter() {
        let a = r#"{"Statement":[{"Action":["b","a"],"Condition":{"StringEquals":{"k":"v"}},"Principal":{"AWS":"arn:x"}}]}"#;
        let b = r#"{"Statement":[{"Action":["a","b","a"],"Condition":{"StringEquals":{"k":["v"]}},"Principal":{"AWS":["arn:x"]}}]}"#;
        assert_eq!(canonical_policy(a), canonical_policy(b));
        assert_ne!(canonical_policy(a), canonical_policy(r#"{"Statement":[{"Action":["a"]}]}"#));
    }

    #[test]
    fn paths_record_the_stack_and_the_block_name() {
        let addr = Address::new("iam_user", "alice");
        let path = path_for("net", &addr);
        assert_eq!(path, "/stackr/net/alice/");
        assert_eq!(owned_address("net", "iam_user", &path), Some(addr));
        assert_eq!(owned_address("net2", "iam_user", &path), None);
        assert_eq!(owned_address("net", "iam_user", "/stackr/net/"), None);
        assert_eq!(owned_address("net", "iam_user", "/"), None);
    }
}
