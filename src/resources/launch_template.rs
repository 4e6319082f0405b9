//! `launch_template`: an EC2 launch template for Auto Scaling groups and others to launch
//! from. A change of what it launches creates a new version and makes it the default, so the
//! template keeps its id; only a new name replaces it.
//!
//! User data is compared by digest, as for instances, but here the digest is taken of what the
//! default version really holds (DescribeLaunchTemplateVersions returns the base64 text), so a
//! version made outside stackr shows as a change.
//!
//! Instances and volumes launched from the template are tagged with the stack and an address
//! naming the template (`launch_template.NAME`): the `instance` and `volume` kinds see another
//! kind's address and leave them alone, while cost reports still find them by stack.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    Filter, InstanceType, LaunchTemplate as AwsTemplate, LaunchTemplateHttpTokensState,
    LaunchTemplateIamInstanceProfileSpecificationRequest, LaunchTemplateInstanceMetadataOptionsRequest,
    LaunchTemplateTagSpecificationRequest, LaunchTemplateVersion, RequestLaunchTemplateData, ResourceType, Tag,
};

use super::adopt::{self, Described};
use super::{Cx, Found, Kind, claims, ec2tags, eventual, s, strs, userdata, with_computed};
use crate::aws;
use crate::model::*;
use aws_sdk_ec2::operation::describe_launch_templates::builders::DescribeLaunchTemplatesFluentBuilder;

pub struct LaunchTemplate;

static SCHEMA: Schema = Schema {
    kind: "launch_template",
    doc: "An EC2 launch template; changes create a new default version.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr("name", Ty::Str, Presence::Optional, Update::ForceNew, "Template name, unique in the region (default: `<stack>-<name>-lt`).")
            .with(&[Check::Len(3, 128), Check::Chars(&crate::constraint::chars::LAUNCH_TEMPLATE)]),
        attr("ami", Ty::Str, Presence::Required, Update::InPlace, "The AMI to launch (ami-…).").with(super::limits::AMI),
        attr("type", Ty::Str, Presence::Required, Update::InPlace, "Instance type, e.g. t3.micro.")
            .with(super::limits::INSTANCE_TYPE),
        attr(
            "security_groups",
            Ty::Set(&Ty::Ref("security_group")),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "Security groups of launched instances.",
        ),
        attr("key_name", Ty::Str, Presence::Default(Lit::Null), Update::InPlace, "An EC2 key pair for SSH.")
            .with(super::limits::KEY_NAME),
        attr(
            "role",
            Ty::Ref("iam_role"),
            Presence::Default(Lit::Null),
            Update::InPlace,
            "An IAM role with `instance_profile = true`; launched instances get its instance profile.",
        ),
        attr(
            "user_data",
            Ty::Str,
            Presence::Default(Lit::Null),
            Update::InPlace,
            "Script run at first boot, usually template(\"x.sh\", {…}); plans show its size and sha256 digest, never its text (see --show-sensitive).",
        )
        .with(super::limits::USER_DATA),
        attr(
            "imdsv2",
            Ty::Bool,
            Presence::Default(Lit::Bool(true)),
            Update::InPlace,
            "Require IMDSv2 session tokens for the instance metadata service.",
        ),
        attr(
            "instance_tags",
            Ty::Map(&Ty::Str),
            Presence::Default(Lit::EmptyMap),
            Update::InPlace,
            "Tags for launched instances and their volumes (the stack's tags are added for you).",
        )
        .with(TAG_CHECKS),
        TAGS,
        computed("id", "The launch template id (lt-…)."),
        attr("latest_version", Ty::Int, Presence::Computed, Update::InPlace, "The newest version number."),
        attr("default_version", Ty::Int, Presence::Computed, Update::InPlace, "The default version number."),
    ],
};

/// The attributes that live in a version's data: a change of any makes a new version.
const DATA: &[&str] = &["ami", "type", "security_groups", "key_name", "role", "user_data", "imdsv2", "instance_tags"];

#[async_trait]
impl Kind for LaunchTemplate {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn must_hold(&self) -> &'static [&'static str] {
        // A version without its groups would start Auto Scaling's instances in the VPC's
        // default group until the next version.
        &["security_groups"]
    }

    fn validate(&self, res: &super::Resource, stack: &super::Stack, diags: &mut super::Diagnostics) {
        super::validate::network::role_has_profile(res, stack, diags);
    }

    fn complete(&self, stack: &str, addr: &Address, attrs: &mut Attrs) {
        super::names::default_name_and_tag(stack, addr, attrs);
    }

    fn canonical(&self, attrs: &mut Attrs) {
        userdata::canonical(attrs);
    }

    fn unique_name(&self, attrs: &Attrs) -> Option<String> {
        attrs.get("name").and_then(Value::as_str).map(String::from)
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        // Only this stack's templates, filtered by EC2 on the ownership tag; then the names the
        // stack declares that none of them holds: taken by another owner, or this stack's after
        // all when the tag filter has not caught up with a new template yet.
        let filter = Filter::builder().name(format!("tag:{}", ec2tags::STACK_TAG)).values(cx.stack.as_ref()).build();
        let mut found = list(cx.aws.ec2.describe_launch_templates().filters(filter)).await?;
        let held = found.iter().filter_map(|t| t.launch_template_name());
        let missing = claims::unheld(&cx.declared, SCHEMA.kind, held);
        let mut named = vec![];
        for chunk in missing.chunks(ec2tags::FILTER_VALUES_MAX) {
            let by_name = Filter::builder().name("launch-template-name").set_values(Some(chunk.to_vec())).build();
            let more = list(cx.aws.ec2.describe_launch_templates().filters(by_name)).await?;
            named.extend(more.iter().filter_map(|t| t.launch_template_id().map(String::from)));
            found.extend(more);
        }
        let late = late_tags(cx, &found).await?;
        let (mut templates, mut foreign_names) = (vec![], vec![]);
        for t in found {
            let id = t.launch_template_id().unwrap_or_default().to_string();
            let tags = late.get(&id).map_or(t.tags(), Vec::as_slice);
            let ours = tags.iter().any(|g| g.key() == Some(ec2tags::STACK_TAG) && g.value() == Some(cx.stack.as_ref()));
            match ec2tags::split("launch_template", &id, tags).filter(|_| ours) {
                Some((addr, tags)) => templates.push((addr, tags, t)),
                None => foreign_names.extend(t.launch_template_name().map(String::from)),
            }
        }
        let ids: Vec<&str> = templates.iter().filter_map(|(_, _, t)| t.launch_template_id()).collect();
        let defaults = default_versions(cx, &ids).await?;
        let owned = templates
            .into_iter()
            .map(|(addr, tags, t)| {
                let id = t.launch_template_id().unwrap_or_default().to_string();
                let attrs = live_attrs(&t, defaults.get(&id), tags);
                LiveObject { addr, id, attrs }
            })
            .collect();
        let owned: Vec<LiveObject> = owned;
        let unlisted = named.into_iter().filter(|id| owned.iter().any(|o| &o.id == id)).collect();
        Ok(Found { owned, foreign_names, unlisted, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let call = cx.aws.ec2.describe_launch_templates();
        // A template is known by its id (lt-…) or by its name, which is unique in a region.
        let call = if id.starts_with("lt-") { call.launch_template_ids(id) } else { call.launch_template_names(id) };
        let out = adopt::absent(call.send().await.map_err(aws::error))?;
        let Some(t) = out.and_then(|o| o.launch_templates().first().cloned()) else { return Ok(None) };
        let tid = t.launch_template_id().unwrap_or_default().to_string();
        let defaults = default_versions(cx, &[tid.as_str()]).await?;
        let late = late_tags(cx, std::slice::from_ref(&t)).await?;
        let all = late.get(&tid).map_or(t.tags(), Vec::as_slice);
        let attrs = live_attrs(&t, defaults.get(&tid), adopt::user_tags(adopt::ec2_pairs(all)));
        let owner = adopt::tag_owner(adopt::ec2_pairs(all));
        let live = LiveObject { addr: Address::new("launch_template", &tid), id: tid, attrs };
        Ok(Some(Described { owner, live }))
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let out = cx
            .aws
            .ec2
            .create_launch_template()
            .launch_template_name(s(want, "name"))
            .launch_template_data(data(cx, addr, want))
            .tag_specifications(ec2tags::spec(ResourceType::LaunchTemplate, cx, addr, want))
            .send()
            .await
            .map_err(aws::error)?;
        let t = out.launch_template().ok_or_else(|| anyhow::anyhow!("CreateLaunchTemplate returned no template"))?;
        // CreateLaunchTemplate takes a client token (the SDK sends one, the same on its retries);
        // what uses the template waits until EC2 knows it.
        let id = t.launch_template_id().unwrap_or_default();
        let describe = || async { cx.aws.ec2.describe_launch_templates().launch_template_ids(id).send().await };
        eventual::visible(|| async { describe().await.map_err(aws::error) }).await?;
        Ok(with_computed(want, computed_of(t)))
    }

    /// A change of what it launches makes a new default version.
    fn recomputed(&self, changed: &[String]) -> &'static [&'static str] {
        match changed.iter().any(|c| DATA.contains(&c.as_str())) {
            true => &["default_version", "latest_version"],
            false => &[],
        }
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        let mut computed = vec![keep("id"), keep("latest_version"), keep("default_version")];
        if DATA.iter().any(|k| live.attrs.get(*k) != want.get(*k)) {
            let ec2 = &cx.aws.ec2;
            let out = ec2
                .create_launch_template_version()
                .launch_template_id(&live.id)
                .launch_template_data(data(cx, &live.addr, want))
                .send()
                .await
                .map_err(aws::error)?;
            let version = out.launch_template_version().and_then(LaunchTemplateVersion::version_number);
            let version = version.ok_or_else(|| anyhow::anyhow!("CreateLaunchTemplateVersion returned no version"))?;
            let call = ec2.modify_launch_template().launch_template_id(&live.id).default_version(version.to_string());
            call.send().await.map_err(aws::error)?;
            computed =
                vec![keep("id"), ("latest_version", Value::Int(version)), ("default_version", Value::Int(version))];
        }
        ec2tags::sync(cx, live, want).await?;
        Ok(with_computed(want, computed))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        match cx.aws.ec2.delete_launch_template().launch_template_id(&live.id).send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("InvalidLaunchTemplateId.NotFound") => Ok(()),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }
}

fn computed_of(t: &AwsTemplate) -> Vec<(&'static str, Value)> {
    let int = |n: Option<i64>| n.map_or(Value::Null, Value::Int);
    vec![
        ("id", Value::from(t.launch_template_id().map(String::from))),
        ("latest_version", int(t.latest_version_number())),
        ("default_version", int(t.default_version_number())),
    ]
}

/// moto's DescribeLaunchTemplates shows only the tags a template was created with, so the
/// ownership tags of an adopted one (added later by CreateTags) are read with DescribeTags for
/// templates that lack an address tag. AWS shows every tag, so there this makes no call.
async fn late_tags(cx: &Cx, found: &[AwsTemplate]) -> anyhow::Result<HashMap<String, Vec<Tag>>> {
    let mut out: HashMap<String, Vec<Tag>> = HashMap::new();
    let ids: Vec<String> = found
        .iter()
        .filter(|t| !t.tags().iter().any(|g| g.key() == Some(ec2tags::ADDRESS_TAG)))
        .filter_map(|t| t.launch_template_id().map(String::from))
        .collect();
    if ids.is_empty() {
        return Ok(out);
    }
    for chunk in ids.chunks(ec2tags::FILTER_VALUES_MAX) {
        let filter = Filter::builder().name("resource-id").set_values(Some(chunk.to_vec())).build();
        let mut pages = cx.aws.ec2.describe_tags().filters(filter).into_paginator().items().send();
        while let Some(d) = pages.next().await {
            let d = d.map_err(aws::error)?;
            let (Some(id), Some(k)) = (d.resource_id(), d.key()) else { continue };
            out.entry(id.to_string())
                .or_default()
                .push(Tag::builder().key(k).set_value(d.value().map(String::from)).build());
        }
    }
    Ok(out)
}

/// Every template a DescribeLaunchTemplates call (with its filters) answers, all pages.
async fn list(call: DescribeLaunchTemplatesFluentBuilder) -> anyhow::Result<Vec<AwsTemplate>> {
    let mut pages = call.into_paginator().items().send();
    let mut out = vec![];
    while let Some(t) = pages.next().await {
        out.push(t.map_err(aws::error)?);
    }
    Ok(out)
}

/// The default version of each template, one call per template, all at once: the call takes one
/// template, and without one it lists the default version of every template in the region.
async fn default_versions(cx: &Cx, ids: &[&str]) -> anyhow::Result<HashMap<String, LaunchTemplateVersion>> {
    let reads = ids.iter().map(|id| async move {
        let call = cx.aws.ec2.describe_launch_template_versions().launch_template_id(*id).versions("$Default");
        // A template deleted since it was listed has no versions to read: it is gone.
        let got = match call.send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("InvalidLaunchTemplateId.NotFound") => return Ok(None),
            got => got?,
        };
        anyhow::Ok(got.launch_template_versions().first().cloned().map(|v| (id.to_string(), v)))
    });
    Ok(super::read_each(reads.collect()).await?.into_iter().flatten().collect())
}

fn live_attrs(t: &AwsTemplate, default: Option<&LaunchTemplateVersion>, tags: Value) -> Attrs {
    let d = default.and_then(LaunchTemplateVersion::launch_template_data);
    let tokens = d.and_then(|d| d.metadata_options()).and_then(|m| m.http_tokens());
    let spec = d.and_then(|d| d.iam_instance_profile());
    let profile = spec.and_then(|p| p.name()).or_else(|| spec.and_then(|p| p.arn()).and_then(userdata::profile_name));
    // Tags for launched instances, less stackr's own; moto also copies the template's own tag
    // specification in here, which is not about launched objects.
    let launched: BTreeMap<String, Value> = d
        .map(|d| d.tag_specifications())
        .unwrap_or_default()
        .iter()
        .filter(|s| s.resource_type() == Some(&ResourceType::Instance))
        .flat_map(|s| s.tags())
        .filter_map(|t| Some((t.key()?, t.value().unwrap_or_default())))
        .filter(|(k, _)| ec2tags::is_user_tag(k))
        .map(|(k, v)| (k.to_string(), Value::str(v)))
        .collect();
    let mut attrs = Attrs::from([
        ("name".into(), Value::from(t.launch_template_name().map(String::from))),
        ("ami".into(), Value::from(d.and_then(|d| d.image_id()).map(String::from))),
        ("type".into(), Value::from(d.and_then(|d| d.instance_type()).map(|t| t.as_str().to_string()))),
        ("security_groups".into(), str_set(d.map(|d| d.security_group_ids()).unwrap_or_default().iter().cloned())),
        ("key_name".into(), Value::from(d.and_then(|d| d.key_name()).map(String::from))),
        ("role".into(), Value::from(profile.map(String::from))),
        ("user_data".into(), Value::from(d.and_then(|d| d.user_data()).and_then(userdata::digest_of_encoded))),
        ("imdsv2".into(), Value::Bool(tokens == Some(&LaunchTemplateHttpTokensState::Required))),
        ("instance_tags".into(), Value::Map(launched)),
        ("tags".into(), tags),
    ]);
    if let Some(text) = d.and_then(|d| d.user_data()).and_then(userdata::text_of_encoded) {
        attrs.insert("_user_data".into(), Value::Str(text));
    }
    attrs.extend(computed_of(t).into_iter().map(|(k, v)| (k.to_string(), v)));
    attrs
}

/// A version's data: what launched instances get, with their ownership tags.
fn data(cx: &Cx, addr: &Address, want: &Attrs) -> RequestLaunchTemplateData {
    let mut tags = vec![
        Tag::builder().key(ec2tags::STACK_TAG).value(cx.stack.as_ref()).build(),
        Tag::builder().key(ec2tags::ADDRESS_TAG).value(addr.to_string()).build(),
    ];
    if let Some(m) = want.get("instance_tags").and_then(Value::as_map) {
        tags.extend(m.iter().filter_map(|(k, v)| Some(Tag::builder().key(k).value(v.as_str()?).build())));
    }
    let spec = |rt: ResourceType| {
        LaunchTemplateTagSpecificationRequest::builder().resource_type(rt).set_tags(Some(tags.clone())).build()
    };
    let required = want.get("imdsv2").and_then(Value::as_bool) != Some(false);
    let tokens =
        if required { LaunchTemplateHttpTokensState::Required } else { LaunchTemplateHttpTokensState::Optional };
    // The role's instance profile has the role's name.
    let profile = want.get("role").and_then(Value::as_str);
    RequestLaunchTemplateData::builder()
        .image_id(s(want, "ami"))
        .instance_type(InstanceType::from(s(want, "type")))
        .set_security_group_ids(Some(strs(want, "security_groups").into_iter().map(String::from).collect()))
        .set_key_name(want.get("key_name").and_then(Value::as_str).map(String::from))
        .set_user_data(userdata::encoded(want))
        .set_iam_instance_profile(
            profile.map(|p| LaunchTemplateIamInstanceProfileSpecificationRequest::builder().name(p).build()),
        )
        .metadata_options(LaunchTemplateInstanceMetadataOptionsRequest::builder().http_tokens(tokens).build())
        .tag_specifications(spec(ResourceType::Instance))
        .tag_specifications(spec(ResourceType::Volume))
        .build()
}
