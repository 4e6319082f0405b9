//! Existing network objects the stack builds on but does not own: `vpc`, `subnets` and
//! `security_group`, found by id or by tags. Never changed, never deleted; a lookup that finds
//! nothing, or more than one VPC or group, is an error at the block.

use async_trait::async_trait;

use super::account::result;
use super::{DataKind, failed, str_arg, strs};
use crate::aws::{Aws, AwsError};
use crate::model::{Attrs, Lit, Presence, Schema, Ty, Update, Value, attr, str_map};
use aws_sdk_ec2::types::{Filter, Tag};

const fn by_id(doc: &'static str) -> crate::model::AttrSpec {
    attr("id", Ty::Str, Presence::Optional, Update::InPlace, doc)
}

const BY_TAGS: crate::model::AttrSpec =
    attr("tags", Ty::Map(&Ty::Str), Presence::Default(Lit::EmptyMap), Update::InPlace, "Tags the object must carry.");

/// Filters for each wanted tag.
fn tag_filters(args: &Attrs) -> Vec<Filter> {
    let tags = args.get("tags").and_then(Value::as_map).cloned().unwrap_or_default();
    tags.iter()
        .map(|(k, v)| Filter::builder().name(format!("tag:{k}")).values(v.as_str().unwrap_or_default()).build())
        .collect()
}

fn tags_of(tags: &[Tag]) -> Value {
    str_map(tags.iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))))
}

/// Exactly one of what was found.
fn one<T>(what: &str, found: &[T], args: &Attrs) -> Result<usize, String> {
    let how = if str_arg(args, "id").is_some() { "this id" } else { "these tags" };
    match found.len() {
        1 => Ok(0),
        0 => Err(format!("no {what} has {how}")),
        n => Err(format!("{n} {what}s have {how}; the lookup must find exactly one (add tags to narrow it)")),
    }
}

fn needs_criteria(args: &Attrs, what: &str) -> Result<(), String> {
    let tags = args.get("tags").and_then(Value::as_map).is_some_and(|m| !m.is_empty());
    let any = tags || ["id", "name", "vpc"].iter().any(|k| str_arg(args, k).is_some());
    if any { Ok(()) } else { Err(format!("a {what} lookup needs an id or tags")) }
}

pub struct Vpc;

static VPC: Schema = Schema {
    kind: "vpc",
    doc: "An existing VPC, by id or tags.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        by_id("The VPC id."),
        BY_TAGS,
        result("cidr", Ty::Cidr, "Its primary IPv4 CIDR block."),
        result("owner_id", Ty::Str, "The account that owns it."),
    ],
};

#[async_trait]
impl DataKind for Vpc {
    fn schema(&self) -> &'static Schema {
        &VPC
    }

    async fn read(&self, aws: &Aws, args: &Attrs) -> Result<Attrs, String> {
        needs_criteria(args, "vpc")?;
        let out = describe_by_id(|| {
            let req = aws.ec2.describe_vpcs().set_filters(Some(tag_filters(args)));
            let req = match str_arg(args, "id") {
                Some(id) => req.vpc_ids(id),
                None => req,
            };
            async move { req.send().await.map_err(crate::aws::error) }
        })
        .await
        .map_err(|e| not_found_or("VPC", e))?;
        let v = &out.vpcs()[one("VPC", out.vpcs(), args)?];
        let text = |s: Option<&str>| Value::from(s.map(String::from));
        Ok(Attrs::from([
            ("id".into(), text(v.vpc_id())),
            ("tags".into(), tags_of(v.tags())),
            ("cidr".into(), text(v.cidr_block())),
            ("owner_id".into(), text(v.owner_id())),
        ]))
    }
}

pub struct Subnets;

static SUBNETS: Schema = Schema {
    kind: "subnets",
    doc: "The ids of existing subnets, by VPC and tags (none found is an empty list).",
    ref_attr: "ids",
    singleton: false,
    attrs: &[
        attr("vpc", Ty::Str, Presence::Optional, Update::InPlace, "Only subnets of this VPC id."),
        BY_TAGS,
        result("ids", Ty::Set(&Ty::Str), "Subnet ids, sorted."),
    ],
};

#[async_trait]
impl DataKind for Subnets {
    fn schema(&self) -> &'static Schema {
        &SUBNETS
    }

    async fn read(&self, aws: &Aws, args: &Attrs) -> Result<Attrs, String> {
        needs_criteria(args, "subnets")?;
        let mut filters = tag_filters(args);
        if let Some(vpc) = str_arg(args, "vpc") {
            filters.push(Filter::builder().name("vpc-id").values(vpc).build());
        }
        let pages = aws.ec2.describe_subnets().set_filters(Some(filters)).into_paginator().items().send();
        let found: Vec<_> = pages.collect::<Result<Vec<_>, _>>().await.map_err(|e| failed("subnets", e))?;
        let mut ids: Vec<String> = found.iter().filter_map(|s| s.subnet_id().map(String::from)).collect();
        ids.sort();
        let mut out = args.clone();
        out.insert("ids".into(), strs(ids));
        Ok(out)
    }
}

pub struct SecurityGroup;

static GROUP: Schema = Schema {
    kind: "security_group",
    doc: "An existing security group, by id, or by name and VPC, or by tags.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        by_id("The group id."),
        attr("name", Ty::Str, Presence::Optional, Update::InPlace, "The group name."),
        attr("vpc", Ty::Str, Presence::Optional, Update::InPlace, "The VPC id it belongs to."),
        BY_TAGS,
        result("arn", Ty::Str, "The group ARN."),
        result("description", Ty::Str, "Its description."),
    ],
};

#[async_trait]
impl DataKind for SecurityGroup {
    fn schema(&self) -> &'static Schema {
        &GROUP
    }

    async fn read(&self, aws: &Aws, args: &Attrs) -> Result<Attrs, String> {
        needs_criteria(args, "security_group")?;
        let mut filters = tag_filters(args);
        for (arg, name) in [("name", "group-name"), ("vpc", "vpc-id")] {
            if let Some(v) = str_arg(args, arg) {
                filters.push(Filter::builder().name(name).values(v).build());
            }
        }
        let out = describe_by_id(|| {
            let req = aws.ec2.describe_security_groups().set_filters(Some(filters.clone()));
            let req = match str_arg(args, "id") {
                Some(id) => req.group_ids(id),
                None => req,
            };
            async move { req.send().await.map_err(crate::aws::error) }
        })
        .await
        .map_err(|e| not_found_or("security group", e))?;
        let g = &out.security_groups()[one("security group", out.security_groups(), args)?];
        let text = |s: Option<&str>| Value::from(s.map(String::from));
        Ok(Attrs::from([
            ("id".into(), text(g.group_id())),
            ("name".into(), text(g.group_name())),
            ("vpc".into(), text(g.vpc_id())),
            ("tags".into(), tags_of(g.tags())),
            ("arn".into(), text(g.security_group_arn())),
            ("description".into(), text(g.description())),
        ]))
    }
}

/// A Describe by id, retried while EC2 does not know the id: an object another process made
/// moments ago answers `…NotFound` for a few seconds (EC2's eventual consistency), and a
/// pipeline that applies one stack and then plans the next meets exactly that.
async fn describe_by_id<T, F, Fut>(op: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AwsError>>,
{
    use crate::resources::{eventual::EC2_NOT_FOUND, retry};
    retry::on_codes(EC2_NOT_FOUND, retry::Window::Listing.get(), op).await
}

/// EC2 answers a lookup by an id that does not exist with an error code, not an empty list.
fn not_found_or(what: &str, e: AwsError) -> String {
    match e.code.as_deref() {
        Some(c) if c.ends_with(".NotFound") || c.ends_with("ID.Malformed") => format!("no {what} has this id ({c})"),
        _ => format!("cannot read {what}s: {e}"),
    }
}
