//! `key_pair`: an EC2 key pair imported from a public key (`public_key = file("id_ed25519.pub")`).
//! stackr never makes or handles private keys: CreateKeyPair would return one, which would then
//! live in plans and logs. The key is compared without its comment (AWS may keep or drop it);
//! another key replaces the pair, which instances keep using until they are replaced themselves.

use async_trait::async_trait;
use aws_sdk_ec2::primitives::Blob;
use aws_sdk_ec2::types::{KeyPairInfo, ResourceType};
use base64::Engine;

use super::adopt::{self, Described};
use super::{Cx, Found, Kind, ec2tags, eventual, s, with_computed};
use crate::aws;
use crate::model::*;
use crate::stack::{Diagnostics, Resource, Stack};

pub struct KeyPair;

static SCHEMA: Schema = Schema {
    kind: "key_pair",
    doc: "An EC2 key pair imported from an SSH public key; instances and launch templates name it in `key_name`.",
    ref_attr: "name",
    singleton: false,
    attrs: &[
        attr(
            "name",
            Ty::Str,
            Presence::Optional,
            Update::ForceNew,
            "Key pair name, unique in the region (default: `<stack>-<name>-key`).",
        )
        .with(super::limits::KEY_NAME),
        attr(
            "public_key",
            Ty::Str,
            Presence::Required,
            Update::ForceNew,
            "The OpenSSH public key (ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp*), e.g. `file(\"id_ed25519.pub\")`; its comment is ignored.",
        ),
        TAGS,
        computed("id", "The key pair id (key-…)."),
        computed("fingerprint", "AWS's fingerprint of the key (SHA-256 base64 for ed25519, MD5 hex for RSA)."),
        computed("key_type", "`ed25519` or `rsa`."),
    ],
};

/// The key types ImportKeyPair takes.
const TYPES: &[&str] = &["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

#[async_trait]
impl Kind for KeyPair {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn complete(&self, stack: &str, addr: &Address, attrs: &mut Attrs) {
        super::names::default_name_and_tag(stack, addr, attrs);
    }

    fn canonical(&self, attrs: &mut Attrs) {
        if let Some(Value::Str(key)) = attrs.get_mut("public_key") {
            *key = canonical_key(key);
        }
    }

    fn validate(&self, res: &Resource, _stack: &Stack, diags: &mut Diagnostics) {
        let Some(key) = res.attrs.get("public_key").and_then(Value::as_str) else { return };
        if let Err(why) = check_key(key) {
            diags.push(super::validate::error(res, "public_key", why).hint(
                "give the contents of a .pub file, e.g. `file(\"id_ed25519.pub\")` (ssh-keygen -t ed25519 makes one); never a private key",
            ));
        }
    }

    fn unique_name(&self, attrs: &Attrs) -> Option<String> {
        attrs.get("name").and_then(Value::as_str).map(String::from)
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        // DescribeKeyPairs is not paginated.
        let call = cx.aws.ec2.describe_key_pairs().filters(ec2tags::owner_filter(cx)).include_public_key(true);
        let out = call.send().await.map_err(aws::error)?;
        Ok(Found { owned: out.key_pairs().iter().filter_map(live_object).collect(), ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let call = cx.aws.ec2.describe_key_pairs().key_pair_ids(id).include_public_key(true).send().await;
        let Some(k) = adopt::absent(call.map_err(aws::error))?.and_then(|o| o.key_pairs().first().cloned()) else {
            return Ok(None);
        };
        Ok(adopt::ec2(id, k.tags(), live_object(&k)))
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let ec2 = &cx.aws.ec2;
        // ImportKeyPair takes no client token, and a retry whose first answer was lost would
        // meet InvalidKeyPair.Duplicate: sent once, then looked for by its tags.
        let found = eventual::create_once(
            addr,
            &cx.known,
            || async {
                let call = ec2
                    .import_key_pair()
                    .key_name(s(want, "name"))
                    .public_key_material(Blob::new(s(want, "public_key").as_bytes()))
                    .tag_specifications(ec2tags::spec(ResourceType::KeyPair, cx, addr, want));
                let out = call.customize().config_override(eventual::no_retry()).send().await.map_err(aws::error)?;
                Ok(out.key_pair_id().map(String::from))
            },
            || async {
                let call = ec2.describe_key_pairs().set_filters(Some(eventual::addressed(cx, addr).to_vec()));
                let out = call.send().await.map_err(aws::error)?;
                Ok(out
                    .key_pairs()
                    .iter()
                    .filter_map(|k| k.key_pair_id())
                    .map(|id| (id.to_string(), Some(id.to_string())))
                    .collect())
            },
        )
        .await?;
        let id = found.unwrap_or_default();
        let out =
            eventual::visible(|| async { ec2.describe_key_pairs().key_pair_ids(&id).send().await.map_err(aws::error) })
                .await?;
        let k = out.key_pairs().first().cloned().unwrap_or_else(|| KeyPairInfo::builder().key_pair_id(&id).build());
        Ok(with_computed(want, computed_of(&k)))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        ec2tags::sync(cx, live, want).await?;
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        Ok(with_computed(want, [keep("id"), keep("fingerprint"), keep("key_type")]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        // By name, as terraform-provider-aws does (moto ignores KeyPairId); the name is the
        // stack's while the pair is. DeleteKeyPair answers success for a pair already gone.
        cx.aws.ec2.delete_key_pair().key_name(s(&live.attrs, "name")).send().await.map_err(aws::error)?;
        Ok(())
    }
}

fn computed_of(k: &KeyPairInfo) -> [(&'static str, Value); 3] {
    [
        ("id", Value::from(k.key_pair_id().map(String::from))),
        ("fingerprint", Value::from(k.key_fingerprint().map(String::from))),
        ("key_type", Value::from(k.key_type().map(|t| t.as_str().to_string()))),
    ]
}

fn live_object(k: &KeyPairInfo) -> Option<LiveObject> {
    let id = k.key_pair_id().unwrap_or_default().to_string();
    let (addr, tags) = ec2tags::split("key_pair", &id, k.tags())?;
    let mut attrs: Attrs = computed_of(k).into_iter().map(|(n, v)| (n.to_string(), v)).collect();
    attrs.insert("name".into(), Value::from(k.key_name().map(String::from)));
    attrs.insert("public_key".into(), Value::from(k.public_key().map(canonical_key)));
    attrs.insert("tags".into(), tags);
    Some(LiveObject { addr, id, attrs })
}

/// The key's type and base64 body, without its comment or surrounding whitespace.
fn canonical_key(key: &str) -> String {
    key.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

/// Why `key` is not an OpenSSH public key ImportKeyPair takes, if it is not.
fn check_key(key: &str) -> Result<(), String> {
    if key.contains("PRIVATE KEY") {
        return Err("this is a private key; key_pair takes only the public half (the .pub file)".into());
    }
    let mut parts = key.split_whitespace();
    let (Some(kind), Some(body)) = (parts.next(), parts.next()) else {
        return Err("not an OpenSSH public key: expected `TYPE BASE64 [comment]`".into());
    };
    if !TYPES.contains(&kind) {
        return Err(format!("key type `{kind}` is not one EC2 imports ({})", TYPES.join(", ")));
    }
    let blob = base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| "the key's body is not base64")?;
    // The blob starts with its own type as a length-prefixed string.
    let inner = blob.get(4..).and_then(|rest| rest.get(..kind.len()));
    if blob.len() < 4 + kind.len() || inner != Some(kind.as_bytes()) {
        return Err(format!("the key's body is not a {kind} key"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJuxQQzgDl+2a4qLNRlWjSFSQFtfINMMU39AKtEWxBxA alice@laptop";

    #[test]
    fn the_comment_and_whitespace_never_make_a_difference() {
        assert_eq!(canonical_key(&format!("  {ED}\n")), canonical_key(ED.rsplit_once(' ').unwrap().0));
        assert!(!canonical_key(ED).contains("alice"));
    }

    #[test]
    fn only_public_keys_ec2_imports_are_taken() {
        assert_eq!(check_key(ED), Ok(()));
        assert!(check_key("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n").unwrap_err().contains("private key"));
        assert!(check_key("ssh-dss AAAAB3NzaC1kc3M=").unwrap_err().contains("not one EC2 imports"));
        assert!(check_key("ssh-ed25519 !!!").unwrap_err().contains("not base64"));
        assert!(
            check_key("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ==").unwrap_err().contains("not a ssh-ed25519 key")
        );
        assert!(check_key("just words").is_err());
    }
}
