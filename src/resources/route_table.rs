//! `route_table`: a route table with its routes and subnet associations. Routes and
//! associations change in place; the VPC's local route and main association are AWS's and are
//! never shown or touched. A route goes to an internet gateway or to a NAT gateway.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType, RouteOrigin, RouteTable as AwsRouteTable};

use super::adopt::{self, Described};
use super::{Cx, Found, Kind, ec2tags, eventual, s, strs, with_computed};
use crate::aws;
use crate::model::*;

pub struct RouteTable;

static ROUTE: &[AttrSpec] = &[
    attr(
        "cidr",
        Ty::Cidr,
        Presence::Required,
        Update::InPlace,
        "Destination IPv4 CIDR, e.g. 0.0.0.0/0 for the default route.",
    ),
    attr(
        "gateway",
        Ty::Ref("internet_gateway"),
        Presence::Default(Lit::Null),
        Update::InPlace,
        "The internet gateway to send it to (public subnets).",
    ),
    attr(
        "nat_gateway",
        Ty::Ref("nat_gateway"),
        Presence::Default(Lit::Null),
        Update::InPlace,
        "The NAT gateway to send it to (private subnets); a route has `gateway` or `nat_gateway`.",
    ),
];

static SCHEMA: Schema = Schema {
    kind: "route_table",
    doc: "A route table: routes, and the subnets that use it.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr("vpc", Ty::Ref("vpc"), Presence::Required, Update::ForceNew, "The VPC of the route table."),
        attr(
            "route",
            Ty::Blocks(ROUTE),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "A route (repeatable block).",
        ),
        attr(
            "subnets",
            Ty::Set(&Ty::Ref("subnet")),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "Subnets associated with this table.",
        ),
        TAGS,
        computed("id", "The route table id (rtb-…)."),
    ],
};

#[async_trait]
impl Kind for RouteTable {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn validate(&self, res: &super::Resource, stack: &super::Stack, diags: &mut super::Diagnostics) {
        super::validate::network::route_table(res, stack, diags);
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let mut pages =
            cx.aws.ec2.describe_route_tables().filters(ec2tags::owner_filter(cx)).into_paginator().items().send();
        let mut owned = vec![];
        while let Some(rt) = pages.next().await {
            owned.extend(live_object(&rt.map_err(aws::error)?));
        }
        Ok(Found { owned, ..Found::default() })
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<Described>> {
        let out =
            adopt::absent(cx.aws.ec2.describe_route_tables().route_table_ids(id).send().await.map_err(aws::error))?;
        let Some(rt) = out.and_then(|o| o.route_tables().first().cloned()) else { return Ok(None) };
        if rt.associations().iter().any(|a| a.main() == Some(true)) {
            anyhow::bail!("{id} is its VPC's main route table, which AWS manages with the VPC");
        }
        Ok(adopt::ec2(id, rt.tags(), live_object(&rt)))
    }

    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        let out = cx
            .aws
            .ec2
            .create_route_table()
            .vpc_id(s(want, "vpc"))
            .tag_specifications(ec2tags::spec(ResourceType::RouteTable, cx, addr, want))
            .send()
            .await
            .map_err(aws::error)?;
        let id = out.route_table().and_then(|r| r.route_table_id()).unwrap_or_default().to_string();
        // CreateRouteTable takes a client token (the SDK sends one, the same on its retries).
        eventual::visible(|| async {
            cx.aws.ec2.describe_route_tables().route_table_ids(&id).send().await.map_err(aws::error)
        })
        .await?;
        let fresh = LiveObject {
            addr: addr.clone(),
            id: id.clone(),
            attrs: Attrs::from([("route".into(), Value::List(vec![])), ("subnets".into(), Value::List(vec![]))]),
        };
        sync_routes(cx, &fresh, want).await?;
        sync_associations(cx, &id, &BTreeMap::new(), want).await?;
        Ok(with_computed(want, [("id", Value::str(&id))]))
    }

    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        sync_routes(cx, live, want).await?;
        if live.attrs.get("subnets") != want.get("subnets") {
            let current = describe(cx, &live.id).await?;
            sync_associations(cx, &live.id, &associations(&current), want).await?;
        }
        ec2tags::sync(cx, live, want).await?;
        Ok(with_computed(want, [("id", Value::str(&live.id))]))
    }

    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()> {
        let current = match describe(cx, &live.id).await {
            Ok(rt) => rt,
            Err(e)
                if e.downcast_ref::<aws::AwsError>().and_then(|a| a.code.as_deref())
                    == Some("InvalidRouteTableID.NotFound") =>
            {
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        for assoc in associations(&current).values() {
            disassociate(cx, assoc).await?;
        }
        let r = cx.aws.ec2.delete_route_table().route_table_id(&live.id).send().await.map_err(aws::error);
        match r {
            Err(e) if e.code.as_deref() == Some("InvalidRouteTableID.NotFound") => Ok(()),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }
}

/// The routes stackr manages: those created by CreateRoute (not the local route).
fn live_object(rt: &AwsRouteTable) -> Option<LiveObject> {
    let id = rt.route_table_id().unwrap_or_default().to_string();
    let (addr, tags) = ec2tags::split("route_table", &id, rt.tags())?;
    let attrs = Attrs::from([
        ("vpc".into(), Value::from(rt.vpc_id().map(String::from))),
        ("route".into(), routes_value(rt)),
        ("subnets".into(), str_set(associations(rt).into_keys())),
        ("tags".into(), tags),
        ("id".into(), Value::str(&id)),
    ]);
    Some(LiveObject { addr, id, attrs })
}

fn routes_value(rt: &AwsRouteTable) -> Value {
    let mut items: Vec<Value> = rt
        .routes()
        .iter()
        .filter(|r| r.origin() == Some(&RouteOrigin::CreateRoute))
        .filter_map(|r| {
            let cidr = r.destination_cidr_block()?;
            let id = |v: Option<&str>| Value::from(v.filter(|s| !s.is_empty()).map(String::from));
            Some(Value::Map(Attrs::from([
                ("cidr".into(), Value::str(cidr)),
                ("gateway".into(), id(r.gateway_id())),
                ("nat_gateway".into(), id(r.nat_gateway_id())),
            ])))
        })
        .collect();
    items.sort();
    Value::List(items)
}

/// Subnet id to association id, for explicit (non-main) associations.
fn associations(rt: &AwsRouteTable) -> BTreeMap<String, String> {
    rt.associations()
        .iter()
        .filter(|a| !a.main().unwrap_or(false))
        .filter_map(|a| Some((a.subnet_id()?.to_string(), a.route_table_association_id()?.to_string())))
        .collect()
}

/// Where a route sends its traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Gateway(String),
    Nat(String),
}

fn route_map(attrs: &Attrs) -> BTreeMap<String, Target> {
    let id = |m: &Attrs, k: &str| m.get(k).and_then(Value::as_str).map(String::from);
    attrs
        .get("route")
        .map(|v| v.as_list())
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            let m = r.as_map()?;
            let target = match (id(m, "nat_gateway"), id(m, "gateway")) {
                (Some(nat), _) => Target::Nat(nat),
                (None, Some(gw)) => Target::Gateway(gw),
                (None, None) => return None,
            };
            Some((m.get("cidr")?.as_str()?.to_string(), target))
        })
        .collect()
}

async fn describe(cx: &Cx, id: &str) -> anyhow::Result<AwsRouteTable> {
    let out = cx.aws.ec2.describe_route_tables().route_table_ids(id).send().await.map_err(aws::error)?;
    out.route_tables().first().cloned().ok_or_else(|| anyhow::anyhow!("route table {id} not found"))
}

async fn sync_routes(cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<()> {
    let (have, want) = (route_map(&live.attrs), route_map(want));
    let ec2 = &cx.aws.ec2;
    for cidr in have.keys().filter(|c| !want.contains_key(*c)) {
        let call = ec2.delete_route().route_table_id(&live.id).destination_cidr_block(cidr);
        match call.send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("InvalidRoute.NotFound") => {}
            other => {
                other?;
            }
        }
    }
    for (cidr, target) in &want {
        // A route to a NAT gateway AWS only just made may answer InvalidNatGatewayID.NotFound
        // for a moment (eventual::visible retries it); one still `pending` is accepted.
        let (gw, nat) = match target {
            Target::Gateway(id) => (Some(id.clone()), None),
            Target::Nat(id) => (None, Some(id.clone())),
        };
        let replace = || async {
            let call = ec2.replace_route().route_table_id(&live.id).destination_cidr_block(cidr);
            let call = call.set_gateway_id(gw.clone()).set_nat_gateway_id(nat.clone());
            call.send().await.map(|_| ()).map_err(aws::error)
        };
        match have.get(cidr) {
            Some(old) if old == target => {}
            Some(_) => eventual::visible(replace).await?,
            None => {
                let create = || async {
                    let call = ec2.create_route().route_table_id(&live.id).destination_cidr_block(cidr);
                    let call = call.set_gateway_id(gw.clone()).set_nat_gateway_id(nat.clone());
                    call.send().await.map(|_| ()).map_err(aws::error)
                };
                match eventual::visible(create).await {
                    // A retried create whose first answer was lost: make sure of the target.
                    Err(e) if e.code.as_deref() == Some("RouteAlreadyExists") => eventual::visible(replace).await?,
                    other => other?,
                }
            }
        }
    }
    Ok(())
}

/// Associates the wanted subnets. A subnet associated with another table moves with
/// ReplaceRouteTableAssociation (AWS refuses a second association: Resource.AlreadyAssociated).
async fn sync_associations(cx: &Cx, id: &str, have: &BTreeMap<String, String>, want: &Attrs) -> anyhow::Result<()> {
    let want = strs(want, "subnets");
    for (subnet, assoc) in have {
        if !want.contains(&subnet.as_str()) {
            disassociate(cx, assoc).await?;
        }
    }
    for subnet in want.into_iter().filter(|s| !have.contains_key(*s)) {
        match held_by(cx, subnet).await? {
            Some((table, _)) if table == id => {}
            Some((_, assoc)) => {
                let call = cx.aws.ec2.replace_route_table_association().association_id(&assoc).route_table_id(id);
                match call.send().await.map_err(aws::error) {
                    // The other table let go of it meanwhile (its own update runs beside this one).
                    Err(e) if e.code.as_deref() == Some("InvalidAssociationID.NotFound") => {
                        associate(cx, id, subnet).await?
                    }
                    other => {
                        other?;
                    }
                }
            }
            None => associate(cx, id, subnet).await?,
        }
    }
    Ok(())
}

async fn associate(cx: &Cx, id: &str, subnet: &str) -> anyhow::Result<()> {
    let call = || async {
        cx.aws.ec2.associate_route_table().route_table_id(id).subnet_id(subnet).send().await.map_err(aws::error)
    };
    match eventual::visible(call).await {
        // The answer to an earlier attempt was lost and it is ours already.
        Err(e)
            if e.code.as_deref() == Some("Resource.AlreadyAssociated")
                && held_by(cx, subnet).await?.is_some_and(|(t, _)| t == id) =>
        {
            Ok(())
        }
        other => other.map(|_| ()).map_err(Into::into),
    }
}

/// The table a subnet is explicitly associated with, and the association's id.
async fn held_by(cx: &Cx, subnet: &str) -> anyhow::Result<Option<(String, String)>> {
    let f = aws_sdk_ec2::types::Filter::builder().name("association.subnet-id").values(subnet).build();
    let out = cx.aws.ec2.describe_route_tables().filters(f).send().await.map_err(aws::error)?;
    let found = out.route_tables().iter().find_map(|rt| {
        let a = rt.associations().iter().find(|a| a.subnet_id() == Some(subnet) && !a.main().unwrap_or(false))?;
        Some((rt.route_table_id()?.to_string(), a.route_table_association_id()?.to_string()))
    });
    Ok(found)
}

async fn disassociate(cx: &Cx, assoc: &str) -> anyhow::Result<()> {
    let r = cx.aws.ec2.disassociate_route_table().association_id(assoc).send().await.map_err(aws::error);
    match r {
        Err(e) if e.code.as_deref() == Some("InvalidAssociationID.NotFound") => Ok(()),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::Route;

    #[test]
    fn live_routes_read_as_the_stack_writes_them_to_either_target() {
        let route = |cidr: &str, gw: Option<&str>, nat: Option<&str>| {
            Route::builder()
                .destination_cidr_block(cidr)
                .set_gateway_id(gw.map(String::from))
                .set_nat_gateway_id(nat.map(String::from))
                .origin(RouteOrigin::CreateRoute)
                .build()
        };
        let rt = AwsRouteTable::builder()
            .routes(route("0.0.0.0/0", None, Some("nat-1")))
            .routes(route("10.9.0.0/16", Some("igw-1"), None))
            .routes(Route::builder().destination_cidr_block("10.0.0.0/16").gateway_id("local").build())
            .build();
        let attrs = Attrs::from([("route".into(), routes_value(&rt))]);
        let map = route_map(&attrs);
        assert_eq!(map.len(), 2, "the VPC's local route is AWS's");
        assert_eq!(map["0.0.0.0/0"], Target::Nat("nat-1".into()));
        assert_eq!(map["10.9.0.0/16"], Target::Gateway("igw-1".into()));
        // Written in the file, the target not used is null: the same value as read.
        let written = Value::Map(Attrs::from([
            ("cidr".into(), Value::str("0.0.0.0/0")),
            ("gateway".into(), Value::Null),
            ("nat_gateway".into(), Value::str("nat-1")),
        ]));
        assert!(attrs["route"].as_list().contains(&written));
    }
}
