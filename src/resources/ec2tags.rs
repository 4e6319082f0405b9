//! Ownership and user tags for EC2 objects. Ownership tags go on in the create call itself
//! (TagSpecifications), so an object can never exist untagged; discovery filters on them.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};

use super::{Cx, tag_changes, user_tags};
use crate::aws;
use crate::model::{Address, Attrs, LiveObject, Value};

pub const STACK_TAG: &str = "stackr:stack";
pub const ADDRESS_TAG: &str = "stackr:address";

/// EC2 refuses more filter values than this in one call (FilterLimitExceeded).
pub const FILTER_VALUES_MAX: usize = 200;

/// The filter that finds this stack's objects in any EC2 Describe call.
pub fn owner_filter(cx: &Cx) -> Filter {
    Filter::builder().name(format!("tag:{STACK_TAG}")).values(cx.stack.as_ref()).build()
}

/// Whether a tag is the user's to manage: not stackr's own, not under AWS's reserved `aws:`.
pub fn is_user_tag(key: &str) -> bool {
    !key.starts_with("stackr:") && !key.starts_with("aws:")
}

/// The ownership tags: this stack, and the object's address in it.
pub fn ownership(cx: &Cx, addr: &Address) -> Vec<Tag> {
    vec![
        Tag::builder().key(STACK_TAG).value(cx.stack.as_ref()).build(),
        Tag::builder().key(ADDRESS_TAG).value(addr.to_string()).build(),
    ]
}

/// User tags plus ownership tags, for a create call.
pub fn spec(kind: ResourceType, cx: &Cx, addr: &Address, want: &Attrs) -> TagSpecification {
    let mut tags = ownership(cx, addr);
    tags.extend(user_tags(want).into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()));
    TagSpecification::builder().resource_type(kind).set_tags(Some(tags)).build()
}

/// Splits AWS tags into the owner address and the user-visible tag map. Tags under the
/// reserved `aws:` prefix and stackr's own are not the user's to manage.
///
/// `None` when the address names another kind: the object belongs to that object (an
/// instance's root volume, an instance an Auto Scaling group launched) and is not this kind's
/// to plan.
pub fn split(kind: &str, id: &str, tags: &[Tag]) -> Option<(Address, Value)> {
    let mut addr = None;
    let mut user = BTreeMap::new();
    for t in tags {
        let (Some(k), v) = (t.key(), t.value().unwrap_or_default()) else { continue };
        if k == ADDRESS_TAG {
            addr = Some(Address::parse(v));
        } else if is_user_tag(k) {
            user.insert(k.to_string(), Value::str(v));
        }
    }
    let addr = match addr {
        Some(Some(a)) if a.kind == kind => a,
        Some(Some(_)) => return None,
        // Tagged for the stack but without a readable address: still the stack's, named by its
        // id so the plan can show (and remove) it.
        _ => Address::new(kind, id.replace(['.', '/'], "_")),
    };
    Some((addr, Value::Map(user)))
}

/// Brings the user tags of `live` to `want` with CreateTags/DeleteTags.
pub async fn sync(cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<()> {
    let (set, remove) = tag_changes(&live.attrs, want);
    let set: Vec<Tag> = set.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
    let remove: Vec<Tag> = remove.into_iter().map(|k| Tag::builder().key(k).build()).collect();
    if !set.is_empty() {
        cx.aws.ec2.create_tags().resources(&live.id).set_tags(Some(set)).send().await.map_err(aws::error)?;
    }
    if !remove.is_empty() {
        cx.aws.ec2.delete_tags().resources(&live.id).set_tags(Some(remove)).send().await.map_err(aws::error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_user_tags_and_reads_the_address() {
        let tags = vec![
            Tag::builder().key(STACK_TAG).value("net").build(),
            Tag::builder().key(ADDRESS_TAG).value("vpc.main").build(),
            Tag::builder().key("aws:cloudformation:stack-name").value("x").build(),
            Tag::builder().key("Name").value("net-main").build(),
        ];
        let (addr, user) = split("vpc", "vpc-1", &tags).unwrap();
        assert_eq!(addr, Address::new("vpc", "main"));
        assert_eq!(user, crate::model::str_map([("Name", "net-main")]));
    }

    #[test]
    fn an_unreadable_address_falls_back_to_the_id() {
        let tags = vec![Tag::builder().key(ADDRESS_TAG).value("nonsense").build()];
        assert_eq!(split("vpc", "vpc-9", &tags).unwrap().0, Address::new("vpc", "vpc-9"));
    }

    #[test]
    fn another_kinds_address_means_another_objects_part() {
        // A root volume tagged by its instance, an instance tagged by its Auto Scaling group.
        let tags = vec![Tag::builder().key(ADDRESS_TAG).value("instance.web").build()];
        assert_eq!(split("volume", "vol-1", &tags), None);
    }
}
