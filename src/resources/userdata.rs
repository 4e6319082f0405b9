//! User data and launch idempotency, shared by `instance` and `launch_template`.
//!
//! EC2 never returns an instance's user data in DescribeInstances, and comparing whole scripts
//! in a plan would print them (they may hold secrets). So the compared and shown attribute is a
//! digest, `sha256:<hex>`, and the rendered text travels to create in the private attribute
//! `_user_data` (see [`crate::model::is_private`]). Instances record the digest in a tag at
//! launch; launch templates are read back and digested.
//!
//! RunInstances takes a client token: a retry with the same token returns the instance the
//! first attempt started instead of starting another. The token is derived from the stack,
//! the address and the desired attributes, so it is the same for every retry of one launch and
//! different for a launch of anything else.
//!
//! An instance profile (an `iam_role` with `instance_profile = true`) is not usable by EC2
//! for up to about two minutes after IAM created it; launches and associations that name it
//! are retried through that window ([`profile_retry`]).

use std::future::Future;

use base64::Engine;
use sha2::{Digest, Sha256};

use aws_sdk_ec2::types::{Filter, IamInstanceProfileSpecification};

use super::Cx;
use super::retry::{self, Window};
use super::uncoded;
use crate::aws::{self, AwsError};
use crate::model::{Address, Attrs, Value, is_private};

/// The tag that records, at launch, the digest of an instance's user data.
pub const DIGEST_TAG: &str = "stackr:user-data-sha256";

const PREFIX: &str = "sha256:";

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The shown form of user data: `sha256:<hex>`.
pub fn digest(text: &str) -> String {
    format!("{PREFIX}{}", sha256_hex(text.as_bytes()))
}

/// True for a value already in digest form (what live objects hold).
pub fn is_digest(s: &str) -> bool {
    s.strip_prefix(PREFIX).is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Moves the text of `user_data` into `_user_data` and leaves its digest in `user_data`. Live
/// attributes already hold a digest and are left alone, so applying this twice is harmless.
/// Empty user data is no user data, as EC2 treats it.
pub fn canonical(attrs: &mut Attrs) {
    let text = match attrs.get("user_data") {
        Some(Value::Str(s)) if s.is_empty() => {
            attrs.insert("user_data".into(), Value::Null);
            return;
        }
        Some(Value::Str(s)) if !is_digest(s) => s.clone(),
        _ => return,
    };
    attrs.insert("user_data".into(), Value::Str(digest(&text)));
    attrs.insert("_user_data".into(), Value::Str(text));
}

/// The user data to send, base64-encoded as EC2 wants it.
pub fn encoded(attrs: &Attrs) -> Option<String> {
    let text = attrs.get("_user_data")?.as_str()?;
    Some(base64::engine::general_purpose::STANDARD.encode(text))
}

/// The digest of user data EC2 returned base64-encoded (launch template versions).
pub fn digest_of_encoded(b64: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    Some(format!("{PREFIX}{}", sha256_hex(&bytes)))
}

/// The text of user data EC2 returned base64-encoded, when it is UTF-8: kept as the live
/// `_user_data`, so `--show-sensitive` diffs a launch template's old text line by line (private
/// attributes never reach a saved plan or the JSON plan, and are never compared).
pub fn text_of_encoded(b64: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

/// The client token for launching `addr` with `want`: the stack, the address and every
/// compared attribute (user data by its digest). At most 64 ASCII characters, as EC2 requires.
pub fn client_token(stack: &str, addr: &Address, want: &Attrs) -> String {
    let public: serde_json::Map<String, serde_json::Value> =
        want.iter().filter(|(k, _)| !is_private(k)).map(|(k, v)| (k.clone(), v.to_json())).collect();
    let text = format!("{stack}\0{addr}\0{}", serde_json::Value::Object(public));
    format!("stackr-{}", &sha256_hex(text.as_bytes())[..48])
}

/// The token for launching again after `token` returned an instance that has since been
/// terminated (EC2 remembers tokens for a while after termination, and would hand back the
/// dead instance). Chained on the dead instance's id, so it is still deterministic.
pub fn next_token(token: &str, terminated_id: &str) -> String {
    format!("stackr-{}", &sha256_hex(format!("{token}\0{terminated_id}").as_bytes())[..48])
}

/// The instance profile name in an instance profile ARN
/// (`arn:aws:iam::1:instance-profile/path/name`).
pub fn profile_name(arn: &str) -> Option<&str> {
    arn.split_once(":instance-profile/").map(|(_, rest)| rest.rsplit('/').next().unwrap_or(rest))
}

/// Gives the instance the role's instance profile (or none), through its association.
pub async fn set_role(cx: &Cx, id: &str, role: Option<&str>) -> anyhow::Result<()> {
    let ec2 = &cx.aws.ec2;
    let filter = Filter::builder().name("instance-id").values(id).build();
    let out = ec2.describe_iam_instance_profile_associations().filters(filter).send().await.map_err(aws::error)?;
    let current = out
        .iam_instance_profile_associations()
        .iter()
        .find(|a| a.state().is_some_and(|s| s.as_str() == "associated"))
        .and_then(|a| a.association_id());
    let spec = |name: &str| IamInstanceProfileSpecification::builder().name(name).build();
    match (current, role) {
        (Some(assoc), Some(name)) => {
            let call =
                ec2.replace_iam_instance_profile_association().association_id(assoc).iam_instance_profile(spec(name));
            profile_retry(|| async { call.clone().send().await.map_err(aws::error) }).await?;
        }
        (None, Some(name)) => {
            let call = ec2.associate_iam_instance_profile().instance_id(id).iam_instance_profile(spec(name));
            profile_retry(|| async { call.clone().send().await.map_err(aws::error) }).await?;
        }
        (Some(assoc), None) => {
            ec2.disassociate_iam_instance_profile().association_id(assoc).send().await.map_err(aws::error)?;
        }
        (None, None) => {}
    }
    Ok(())
}

/// Runs `op`, retrying while EC2 or Auto Scaling says the instance profile it names is invalid.
pub async fn profile_retry<T, F, Fut>(op: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    retry::when(uncoded::profile_not_ready, Window::IamPropagation.get(), op).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, Value)]) -> Attrs {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn digest_is_sha256_hex_with_a_prefix() {
        assert_eq!(digest(""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert!(is_digest(&digest("#!/bin/sh\n")));
        assert!(!is_digest("sha256:xyz"));
        assert!(!is_digest("#!/bin/sh"));
    }

    #[test]
    fn canonical_keeps_the_text_private_and_is_idempotent() {
        let mut a = attrs(&[("user_data", Value::str("echo hi\n"))]);
        canonical(&mut a);
        assert_eq!(a["user_data"], Value::Str(digest("echo hi\n")));
        assert_eq!(a["_user_data"], Value::str("echo hi\n"));
        let once = a.clone();
        canonical(&mut a);
        assert_eq!(a, once);
        assert_eq!(encoded(&a).as_deref(), Some("ZWNobyBoaQo="));
        assert_eq!(digest_of_encoded("ZWNobyBoaQo=").as_deref(), Some(digest("echo hi\n").as_str()));
        assert_eq!(digest_of_encoded("not base64!"), None);
    }

    #[test]
    fn encoded_text_reads_back_and_binary_does_not() {
        let b64 = base64::engine::general_purpose::STANDARD.encode("#!/bin/sh\necho hi\n");
        assert_eq!(text_of_encoded(&b64).as_deref(), Some("#!/bin/sh\necho hi\n"));
        assert_eq!(digest_of_encoded(&b64), Some(digest("#!/bin/sh\necho hi\n")));
        let gzip = base64::engine::general_purpose::STANDARD.encode([0x1f, 0x8b, 0xff, 0x00]);
        assert_eq!(text_of_encoded(&gzip), None);
    }

    #[test]
    fn empty_user_data_is_none() {
        let mut a = attrs(&[("user_data", Value::str(""))]);
        canonical(&mut a);
        assert_eq!(a["user_data"], Value::Null);
        assert!(!a.contains_key("_user_data"));
        assert_eq!(encoded(&a), None);
    }

    #[test]
    fn tokens_are_deterministic_short_and_depend_on_what_is_launched() {
        let addr = Address::new("instance", "web");
        let a = attrs(&[("ami", Value::str("ami-1")), ("_user_data", Value::str("x"))]);
        let t = client_token("s", &addr, &a);
        assert_eq!(t, client_token("s", &addr, &a));
        assert!(t.len() <= 64 && t.is_ascii(), "{t}");
        // The private text does not enter the token; its digest does, through `user_data`.
        let mut b = a.clone();
        b.insert("_user_data".into(), Value::str("y"));
        assert_eq!(client_token("s", &addr, &b), t);
        b.insert("ami".into(), Value::str("ami-2"));
        assert_ne!(client_token("s", &addr, &b), t);
        assert_ne!(client_token("other", &addr, &a), t);
        assert_ne!(client_token("s", &Address::new("instance", "api"), &a), t);
        let n = next_token(&t, "i-1");
        assert_ne!(n, t);
        assert_eq!(n, next_token(&t, "i-1"));
        assert!(n.len() <= 64);
    }

    #[tokio::test]
    async fn profile_retry_waits_for_the_profile_then_gives_other_errors_back() {
        let n = std::sync::atomic::AtomicU32::new(0);
        let r = profile_retry(|| async {
            if n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                Err(AwsError::new(Some("InvalidParameterValue".into()), "Invalid IAM Instance Profile name"))
            } else {
                Err::<(), _>(AwsError::new(Some("InvalidAMIID.NotFound".into()), "no such AMI"))
            }
        })
        .await;
        assert_eq!(r.unwrap_err().code.as_deref(), Some("InvalidAMIID.NotFound"));
        assert_eq!(n.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[test]
    fn profile_names_come_from_arns_with_or_without_a_path() {
        assert_eq!(profile_name("arn:aws:iam::1:instance-profile/stackr/s/web/web"), Some("web"));
        assert_eq!(profile_name("arn:aws:iam::1:instance-profile/web"), Some("web"));
        assert_eq!(profile_name("arn:aws:iam::1:role/web"), None);
    }
}
