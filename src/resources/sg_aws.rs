//! A security group's rules on AWS: the difference between two rule sets as the calls that
//! close it (revokes first, so a rule can move between equivalent forms), sent per direction
//! and retried while a group a rule names is not visible yet.

use aws_sdk_ec2::types::IpPermission;
use std::collections::BTreeMap;

use super::security_group::{SecurityGroup, describe};
use super::{Cx, Kind, eventual, sg_rules};
use crate::aws;
use crate::model::*;

/// Rules to revoke, to authorize, and whose description changes, for one direction.
type RuleDiff = (Vec<IpPermission>, Vec<IpPermission>, Vec<IpPermission>);

fn diff_rules(have: &Value, want: &Value, own: &str) -> RuleDiff {
    let have: BTreeMap<Value, &Value> = have.as_list().iter().map(|r| (sg_rules::key(r), r)).collect();
    let want: BTreeMap<Value, &Value> = want.as_list().iter().map(|r| (sg_rules::key(r), r)).collect();
    let revoke =
        have.iter().filter(|(k, _)| !want.contains_key(*k)).map(|(_, r)| sg_rules::permission(r, own)).collect();
    let add = want.iter().filter(|(k, _)| !have.contains_key(*k)).map(|(_, r)| sg_rules::permission(r, own)).collect();
    let describe = want
        .iter()
        .filter(|(k, r)| have.get(*k).is_some_and(|h| h != *r))
        .map(|(_, r)| sg_rules::permission(r, own))
        .collect();
    (revoke, add, describe)
}

/// Brings both rule sets of `live` to `want`. Revokes run first so a rule can move between
/// equivalent forms without a duplicate-rule error.
pub(super) async fn sync_rules(cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<()> {
    let empty = Value::List(vec![]);
    let get = |a: &Attrs, k: &str| a.get(k).cloned().unwrap_or_else(|| empty.clone());
    let mut described = false;
    for dir in [Dir::Ingress, Dir::Egress] {
        let (revoke, add, desc) = diff_rules(&get(&live.attrs, dir.attr()), &get(want, dir.attr()), &live.id);
        dir.call(cx, &live.id, Call::Revoke, revoke).await?;
        dir.call(cx, &live.id, Call::Authorize, add).await?;
        described |= !desc.is_empty();
        dir.call(cx, &live.id, Call::Describe, desc).await?;
    }
    if described {
        settle_descriptions(cx, live, want).await?;
    }
    Ok(())
}

/// Some EC2 implementations (LocalStack's moto among them) accept a description update for a
/// rule that references a group but do not apply it. Re-read once, and re-create any rule whose
/// description did not take, so the next plan is clean on every implementation.
async fn settle_descriptions(cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<()> {
    let mut now = describe(cx, &live.id).await?;
    SecurityGroup.canonical(&mut now.attrs);
    let empty = Value::List(vec![]);
    for dir in [Dir::Ingress, Dir::Egress] {
        let have = now.attrs.get(dir.attr()).unwrap_or(&empty);
        let wanted = want.get(dir.attr()).unwrap_or(&empty);
        // Rules present under the same key, but with the old description.
        let stale: Vec<(&Value, &Value)> = wanted
            .as_list()
            .iter()
            .filter(|r| !have.as_list().contains(r))
            .filter_map(|r| Some((have.as_list().iter().find(|h| sg_rules::key(h) == sg_rules::key(r))?, r)))
            .collect();
        let perms = |rules: Vec<&Value>| rules.iter().map(|r| sg_rules::permission(r, &live.id)).collect::<Vec<_>>();
        dir.call(cx, &live.id, Call::Revoke, perms(stale.iter().map(|(old, _)| *old).collect())).await?;
        dir.call(cx, &live.id, Call::Authorize, perms(stale.iter().map(|(_, new)| *new).collect())).await?;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Dir {
    Ingress,
    Egress,
}

#[derive(Clone, Copy)]
enum Call {
    Revoke,
    Authorize,
    Describe,
}

impl Dir {
    fn attr(self) -> &'static str {
        match self {
            Dir::Ingress => "ingress",
            Dir::Egress => "egress",
        }
    }

    /// One batched rule call; nothing to send is no call.
    /// One rule call, retried while a group it names is not visible yet. A duplicate on
    /// authorize and a missing rule on revoke mean an earlier attempt whose answer was lost
    /// already did the work.
    async fn call(self, cx: &Cx, id: &str, call: Call, perms: Vec<IpPermission>) -> anyhow::Result<()> {
        if perms.is_empty() {
            return Ok(());
        }
        let r = eventual::visible(|| self.send(cx, id, call, perms.clone())).await;
        match r {
            Err(e)
                if matches!(e.code.as_deref(), Some("InvalidPermission.Duplicate" | "InvalidPermission.NotFound")) =>
            {
                Ok(())
            }
            other => other.map_err(Into::into),
        }
    }

    async fn send(self, cx: &Cx, id: &str, call: Call, perms: Vec<IpPermission>) -> Result<(), aws::AwsError> {
        let (ec2, p) = (&cx.aws.ec2, Some(perms));
        match (self, call) {
            (Dir::Ingress, Call::Revoke) => {
                ec2.revoke_security_group_ingress()
                    .group_id(id)
                    .set_ip_permissions(p)
                    .send()
                    .await
                    .map_err(aws::error)?;
            }
            (Dir::Ingress, Call::Authorize) => {
                ec2.authorize_security_group_ingress()
                    .group_id(id)
                    .set_ip_permissions(p)
                    .send()
                    .await
                    .map_err(aws::error)?;
            }
            (Dir::Ingress, Call::Describe) => {
                let c = ec2.update_security_group_rule_descriptions_ingress().group_id(id).set_ip_permissions(p);
                c.send().await.map_err(aws::error)?;
            }
            (Dir::Egress, Call::Revoke) => {
                ec2.revoke_security_group_egress()
                    .group_id(id)
                    .set_ip_permissions(p)
                    .send()
                    .await
                    .map_err(aws::error)?;
            }
            (Dir::Egress, Call::Authorize) => {
                ec2.authorize_security_group_egress()
                    .group_id(id)
                    .set_ip_permissions(p)
                    .send()
                    .await
                    .map_err(aws::error)?;
            }
            (Dir::Egress, Call::Describe) => {
                let c = ec2.update_security_group_rule_descriptions_egress().group_id(id).set_ip_permissions(p);
                c.send().await.map_err(aws::error)?;
            }
        }
        Ok(())
    }
}
