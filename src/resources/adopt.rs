//! What kinds share to adopt objects stackr did not create (`stackr adopt`): finding who owns
//! an object, reading "not found" as an answer rather than a failure, and adding the marks a
//! create would have set. Kinds implement [`super::Kind::describe`] and
//! [`super::Kind::take_ownership`] with these; the command decides whether to adopt.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Tag;

use super::Cx;
use super::ec2tags::{ADDRESS_TAG, STACK_TAG};
use crate::aws::{self, AwsError};
use crate::model::{Address, LiveObject, Value};

/// An object found by its AWS id for adoption, whoever owns it.
#[derive(Debug, Clone)]
pub struct Described {
    /// Its attributes in the shape and canonical form `read` gives (the address is a
    /// placeholder until the command sets the block's).
    pub live: LiveObject,
    /// The stack that owns it now, if one does.
    pub owner: Option<Owner>,
}

/// A stack's claim on an object: its name and the address the object has there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub stack: String,
    pub addr: String,
}

/// `Ok(None)` for the errors that mean "there is no such object" (including an id of the
/// wrong form, which AWS reports as malformed), so the command can say so plainly.
pub fn absent<T>(r: Result<T, AwsError>) -> anyhow::Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code.as_deref().is_some_and(is_absent) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn is_absent(code: &str) -> bool {
    code.ends_with(".NotFound")
        || code.ends_with(".Malformed")
        || matches!(code, "NoSuchEntity" | "LoadBalancerNotFound" | "TargetGroupNotFound")
}

/// The owner recorded by ownership tags (EC2, ELB and Auto Scaling tags alike).
pub fn tag_owner<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Owner> {
    let tags: BTreeMap<&str, &str> = tags.into_iter().collect();
    let stack = tags.get(STACK_TAG)?;
    Some(Owner { stack: stack.to_string(), addr: tags.get(ADDRESS_TAG).unwrap_or(&"?").to_string() })
}

/// The user-visible tags: all but stackr's own and AWS's reserved ones.
pub fn user_tags<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    let keep = tags.into_iter().filter(|(k, _)| super::ec2tags::is_user_tag(k));
    crate::model::str_map(keep)
}

pub fn ec2_pairs(tags: &[Tag]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().filter_map(|t| Some((t.key()?, t.value().unwrap_or_default())))
}

/// An EC2 object as `describe` returns it: `live` is the kind's own conversion, which skips
/// objects that are parts of others (a root volume) and those being deleted; those count as
/// not found unless a stack owns them.
pub fn ec2(id: &str, tags: &[Tag], live: Option<LiveObject>) -> Option<Described> {
    let owner = tag_owner(ec2_pairs(tags));
    match live {
        Some(live) => Some(Described { live, owner }),
        None => owner.map(|o| Described { live: placeholder(id), owner: Some(o) }),
    }
}

fn placeholder(id: &str) -> LiveObject {
    LiveObject {
        addr: Address::new("unknown", id.replace(['.', '/'], "_")),
        id: id.to_string(),
        attrs: Default::default(),
    }
}

/// Adds the ownership tags a create sets to EC2 objects (one call for all of `ids`).
pub async fn ec2_take(cx: &Cx, addr: &Address, ids: &[&str]) -> anyhow::Result<()> {
    let tags = super::ec2tags::ownership(cx, addr);
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    // An object created moments ago (by the apply before a move) may not be known to every
    // EC2 endpoint yet.
    let call = || cx.aws.ec2.create_tags().set_resources(Some(ids.clone())).set_tags(Some(tags.clone())).send();
    super::eventual::visible(|| async { call().await.map_err(aws::error) }).await?;
    Ok(())
}

/// The owner an IAM path records: `/stackr/<stack>/<name>/`.
pub fn iam_owner(kind: &str, path: &str) -> Option<Owner> {
    let rest = path.strip_prefix("/stackr/")?;
    let (stack, name) = rest.split_once('/')?;
    let name = name.trim_end_matches('/');
    Some(Owner { stack: stack.to_string(), addr: format!("{kind}.{name}") })
}

/// Why `id` cannot be an id of `kind`, for kinds whose ids have a fixed prefix. Names (IAM,
/// Auto Scaling, load balancers, target groups, launch templates) are checked by AWS.
pub fn id_problem(kind: &str, id: &str) -> Option<String> {
    let prefix = match kind {
        "vpc" => "vpc-",
        "subnet" => "subnet-",
        "internet_gateway" => "igw-",
        "route_table" => "rtb-",
        "security_group" => "sg-",
        "instance" => "i-",
        "volume" => "vol-",
        "elastic_ip" => "eipalloc-",
        _ => return None,
    };
    let ok =
        id.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()));
    (!ok).then(|| format!("`{id}` is not a {kind} id (expected {prefix}…)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_come_from_tags_or_paths() {
        let tags = [("Name", "x"), (STACK_TAG, "other"), (ADDRESS_TAG, "vpc.main")];
        assert_eq!(tag_owner(tags), Some(Owner { stack: "other".into(), addr: "vpc.main".into() }));
        assert_eq!(tag_owner([("Name", "x")]), None);
        assert_eq!(
            iam_owner("iam_user", "/stackr/web/alice/"),
            Some(Owner { stack: "web".into(), addr: "iam_user.alice".into() })
        );
        assert_eq!(iam_owner("iam_user", "/"), None);
        assert_eq!(iam_owner("iam_user", "/teams/stackr/x/"), None);
    }

    #[test]
    fn user_tags_leave_out_ownership_and_aws_tags() {
        let got = user_tags([("Name", "a"), (STACK_TAG, "s"), ("aws:cloudformation:stack-id", "x")]);
        assert_eq!(got, crate::model::str_map([("Name", "a")]));
    }

    #[test]
    fn ids_of_the_wrong_form_are_named() {
        assert_eq!(id_problem("vpc", "vpc-0abc12"), None);
        assert!(id_problem("vpc", "sg-0abc").unwrap().contains("expected vpc-"));
        assert!(id_problem("subnet", "subnet-").is_some());
        assert!(id_problem("elastic_ip", "1.2.3.4").unwrap().contains("eipalloc-"));
        assert_eq!(id_problem("iam_user", "alice"), None, "names are AWS's to check");
    }

    #[test]
    fn missing_objects_are_an_answer_not_a_failure() {
        let gone = AwsError::new(Some("InvalidVpcID.NotFound".into()), "no such vpc");
        assert!(absent::<()>(Err(gone)).unwrap().is_none());
        let denied = AwsError::new(Some("UnauthorizedOperation".into()), "no");
        assert!(absent::<()>(Err(denied)).is_err());
    }

    #[test]
    fn an_owned_part_of_another_object_is_still_reported_with_its_owner() {
        let tags = vec![
            Tag::builder().key(STACK_TAG).value("s").build(),
            Tag::builder().key(ADDRESS_TAG).value("instance.web").build(),
        ];
        let d = ec2("vol-1", &tags, None).unwrap();
        assert_eq!(d.owner.unwrap().addr, "instance.web");
        assert!(ec2("vol-1", &[], None).is_none());
    }
}
