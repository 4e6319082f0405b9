//! `security_group`: a VPC security group with its ingress and egress rules. Rules change in
//! place (revoke, authorize, or update a description); name, description and VPC force
//! replacement because AWS cannot change them.

use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType, SecurityGroup as AwsGroup};
use std::collections::BTreeMap;

use super::adopt::{self, Described};
use super::retry::{self, Window};
use super::sg_aws::sync_rules;
use super::sg_rules::{self, RULE};
use super::{Cx, Found, Kind, ec2tags, eventual, s, with_computed};
use crate::aws;
use crate::constraint::chars;
use crate::model::*;
use crate::stack::{Diagnostic, Diagnostics, Resource, Stack};

pub struct SecurityGroup;

/// Security group names: EC2 refuses names starting with `sg-`, which look like group ids, and
/// `default` is taken in every VPC.
const SG_NAME: &[Check] = &[
    Check::Len(1, 255),
    Check::Chars(&chars::SECURITY_GROUP),
    Check::NotPrefix("sg-"),
    Check::Format(&crate::constraint::formats::NOT_DEFAULT_GROUP),
];

static SCHEMA: Schema = Schema {
    kind: "security_group",
    doc: "A VPC security group and its rules.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr("vpc", Ty::Ref("vpc"), Presence::Required, Update::ForceNew, "The VPC of the group."),
        attr(
            "name",
            Ty::Str,
            Presence::Optional,
            Update::ForceNew,
            "Group name, unique in the VPC (default: `<stack>-<name>-sg`).",
        )
        .with(SG_NAME),
        attr(
            "description",
            Ty::Str,
            Presence::Default(Lit::Str("Managed by stackr")),
            Update::ForceNew,
            "Group description.",
        )
        .with(&[Check::Len(1, 255), Check::Chars(&chars::SECURITY_GROUP)]),
        attr(
            "ingress",
            Ty::Blocks(RULE),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "An inbound rule (repeatable block). A rule naming a group that does not exist yet is added once it does, so groups may name each other.",
        )
        .late(),
        attr(
            "egress",
            Ty::Blocks(RULE),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "An outbound rule (repeatable block). With none declared, AWS's allow-all rule is kept.",
        )
        .late(),
        TAGS,
        computed("id", "The group id (sg-…)."),
        computed("arn", "The group ARN."),
    ],
};

#[async_trait]
impl Kind for SecurityGroup {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn complete(&self, stack: &str, addr: &Address, attrs: &mut Attrs) {
        super::names::default_name_and_tag(stack, addr, attrs);
        if attrs.get("egress").is_none_or(|e| e.as_list().is_empty()) {
            attrs.insert("egress".into(), sg_rules::allow_all_egress());
        }
    }

    fn canonical(&self, attrs: &mut Attrs) {
        let own = attrs.get("id").and_then(Value::as_str).map(String::from);
        for dir in ["ingress", "egress"] {
            if let Some(v) = attrs.get(dir) {
                let c = sg_rules::canonical(v, own.as_deref());
                attrs.insert(dir.into(), c);
            }
        }
    }

    fn validate(&self, res: &Resource, _: &Stack, diags: &mut Diagnostics) {
        for dir in ["ingress", "egress"] {
            for (i, rule) in res.attrs.get(dir).map(|v| v.as_list()).unwrap_or_default().iter().enumerate() {
                let Some(m) = rule.as_map() else { continue };
                if let Some(msg) = rule_problem(m) {
                    let path = format!("{dir}[{i}]");
                    diags.push(
                        Diagnostic::error(msg).at(&res.file, res.span_of(&path)).label(format!("in this {dir} rule")),
                    );
                }
            }
        }
    }

    fn deleted_after(&self) -> &'static [&'static str] {
        // Their network interfaces sit in the subnet and carry the group until they are gone.
        &["autoscaling_group", "instance", "load_balancer"]
    }

    fn replace_first(&self, live: &Attrs, after: &Attrs) -> Option<Result<(), String>> {
        let same = |k: &str| live.get(k) == after.get(k);
        Some(if same("name") && same("vpc") {
            Err(format!(
                "its new group cannot be made beside the old one: a group's name (\"{}\") is unique in its VPC; give it another `name`",
                s(after, "name")
            ))
        } else {
            Ok(())
        })
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let mut pages =
            cx.aws.ec2.describe_security_groups().filters(ec2tags::owner_filter(cx)).into_paginator().items().send();
        let mut owned = vec![];
        while let Some(g) = pages.next().await {
            owned.extend(live_object(&g.map_err(aws::error)?));
        }
        Ok(Found { owned, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let call = cx.aws.ec2.describe_security_groups().group_ids(id).send().await;
        let Some(g) = adopt::absent(call.map_err(aws::error))?.and_then(|o| o.security_groups().first().cloned())
        else {
            return Ok(None);
        };
        if g.group_name() == Some("default") {
            anyhow::bail!("{id} is its VPC's default security group, which AWS manages with the VPC");
        }
        Ok(adopt::ec2(id, g.tags(), live_object(&g)))
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let ec2 = &cx.aws.ec2;
        let id = eventual::create_once(
            addr,
            &cx.known,
            || async {
                let call = ec2
                    .create_security_group()
                    .group_name(s(want, "name"))
                    .description(s(want, "description"))
                    .vpc_id(s(want, "vpc"))
                    .tag_specifications(ec2tags::spec(ResourceType::SecurityGroup, cx, addr, want));
                let out = call.customize().config_override(eventual::no_retry()).send().await.map_err(aws::error)?;
                Ok(out.group_id().unwrap_or_default().to_string())
            },
            || async {
                let call = ec2.describe_security_groups().set_filters(Some(eventual::addressed(cx, addr).to_vec()));
                let out = call.send().await.map_err(aws::error)?;
                Ok(out.security_groups().iter().filter_map(|g| g.group_id()).map(|id| (id.into(), id.into())).collect())
            },
        )
        .await?;
        eventual::visible(|| async { ec2.describe_security_groups().group_ids(&id).send().await.map_err(aws::error) })
            .await?;
        // Start from the rules AWS actually gave the new group (its default egress rule).
        let mut fresh = describe(cx, &id).await?;
        self.canonical(&mut fresh.attrs);
        sync_rules(cx, &fresh, want).await?;
        Ok(with_computed(want, [("id", Value::str(&id)), ("arn", fresh.attrs.get("arn").cloned().unwrap_or_default())]))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        sync_rules(cx, live, want).await?;
        ec2tags::sync(cx, live, want).await?;
        let keep = |k: &'static str| (k, live.attrs.get(k).cloned().unwrap_or_default());
        Ok(with_computed(want, [keep("id"), keep("arn")]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        // Interfaces of terminated instances and deleted load balancers keep a group in use
        // for a while (AWS answers either code): waited out. Instances that run with the group
        // will not let go by themselves: said at once, ending the wait.
        const IN_USE: &[&str] = &["DependencyViolation", "InvalidGroup.InUse"];
        let r = retry::on_codes(IN_USE, Window::Dependency.get(), || async {
            match cx.aws.ec2.delete_security_group().group_id(&live.id).send().await.map_err(aws::error) {
                Err(e) if e.code.as_deref().is_some_and(|c| IN_USE.contains(&c)) => {
                    held_by_instances(cx, &live.id).await?.map_or(Err(e), |why| Ok(Some(why)))
                }
                other => other.map(|_| None),
            }
        })
        .await;
        match r {
            Ok(Some(why)) => anyhow::bail!("{} cannot be deleted: {why}", live.id),
            Err(e) if e.code.as_deref() != Some("InvalidGroup.NotFound") => Err(e.into()),
            _ => Ok(()),
        }
    }
}

/// Instances that run (or are stopped) with the group, said as the reason it stays in use: an
/// Auto Scaling group's instances keep the groups of the template version they were launched
/// from until they are replaced.
async fn held_by_instances(cx: &Cx, group: &str) -> Result<Option<String>, aws::AwsError> {
    let users = aws_sdk_ec2::types::Filter::builder().name("instance.group-id").values(group).build();
    let alive = aws_sdk_ec2::types::Filter::builder()
        .name("instance-state-name")
        .set_values(Some(["pending", "running", "stopping", "stopped"].map(String::from).to_vec()))
        .build();
    let out = cx.aws.ec2.describe_instances().filters(users).filters(alive).send().await.map_err(aws::error)?;
    let instances: Vec<&aws_sdk_ec2::types::Instance> = out.reservations().iter().flat_map(|r| r.instances()).collect();
    if instances.is_empty() {
        return Ok(None);
    }
    let ids: Vec<&str> = instances.iter().filter_map(|i| i.instance_id()).collect();
    let asg = instances
        .iter()
        .find_map(|i| i.tags().iter().find(|t| t.key() == Some("aws:autoscaling:groupName")).and_then(|t| t.value()));
    Ok(Some(match asg {
        Some(asg) => format!(
            "instances {} of the Auto Scaling group {asg} still use it: they keep the security groups of the launch \
             template version they started from until they are replaced. Replace them (for example with an instance \
             refresh, or by replacing the group) and apply again",
            ids.join(", ")
        ),
        None => format!("instances {} still use it; move them to another group first", ids.join(", ")),
    }))
}

/// What is wrong with a rule block as written, if anything.
fn rule_problem(m: &BTreeMap<String, Value>) -> Option<String> {
    let has = |k: &str| m.get(k).is_some_and(|v| !v.is_null());
    let protocol = m.get("protocol").and_then(Value::as_str).unwrap_or("tcp");
    let sources = ["cidr", "cidrs", "security_group", "security_groups"].iter().filter(|k| has(k)).count()
        + usize::from(m.get("self").and_then(Value::as_bool) == Some(true));
    if sources == 0 {
        return Some(
            "a rule needs a source or destination: cidr, cidrs, security_group, security_groups or self = true".into(),
        );
    }
    if has("port") && (has("from_port") || has("to_port")) {
        return Some("use either `port` or `from_port`/`to_port`, not both".into());
    }
    if protocol == "all" && (has("port") || has("from_port") || has("to_port")) {
        return Some("protocol \"all\" covers every port; remove the port settings".into());
    }
    if matches!(protocol, "tcp" | "udp") && !has("port") && !has("from_port") {
        return Some(format!("a {protocol} rule needs `port` or `from_port`/`to_port`"));
    }
    let int = |k: &str| m.get(k).and_then(Value::as_int);
    // For ICMP the two are a type and a code (echo request is 8 and 0), not a range.
    if let (Some(f), Some(t)) = (int("from_port"), int("to_port"))
        && f > t
        && protocol != "icmp"
    {
        return Some(format!("from_port {f} is greater than to_port {t}"));
    }
    super::validate::network::icmp_problem(m)
}

fn live_object(g: &AwsGroup) -> Option<LiveObject> {
    let id = g.group_id().unwrap_or_default().to_string();
    let (addr, tags) = ec2tags::split("security_group", &id, g.tags())?;
    let attrs = Attrs::from([
        ("vpc".into(), Value::from(g.vpc_id().map(String::from))),
        ("name".into(), Value::from(g.group_name().map(String::from))),
        ("description".into(), Value::from(g.description().map(String::from))),
        ("ingress".into(), sg_rules::from_aws(g.ip_permissions())),
        ("egress".into(), sg_rules::from_aws(g.ip_permissions_egress())),
        ("tags".into(), tags),
        ("id".into(), Value::str(&id)),
        ("arn".into(), Value::from(g.security_group_arn().map(String::from))),
    ]);
    Some(LiveObject { addr, id, attrs })
}

pub(super) async fn describe(cx: &Cx, id: &str) -> anyhow::Result<LiveObject> {
    let out = cx.aws.ec2.describe_security_groups().group_ids(id).send().await.map_err(aws::error)?;
    out.security_groups().first().and_then(live_object).ok_or_else(|| anyhow::anyhow!("security group {id} not found"))
}
