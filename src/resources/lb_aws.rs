//! Listeners and rules in the account: read into the canonical form of `lb_listeners.rs`, and
//! brought to a wanted form with the fewest calls (create/modify/delete per listener and per
//! rule; a listener is matched by port, a rule by priority).

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{Certificate, Listener, ProtocolEnum, Rule};

use super::Cx;
use super::lb_actions::{actions, actions_value, conditions, conditions_value, field, strings};
use super::retry::{self, Window};
use super::{lb_certs, lb_listeners};
use crate::aws;
use crate::model::{Value, str_set};

type Map = BTreeMap<String, Value>;

/// One listener as the account holds it: its ARN, canonical value, and rule ARNs by priority.
pub struct LiveListener {
    pub arn: String,
    pub value: Map,
    pub rules: BTreeMap<i64, String>,
}

/// Every listener of the load balancer with its rules (DescribeListeners, then DescribeRules for
/// each listener concurrently).
pub async fn read(cx: &Cx, lb_arn: &str) -> anyhow::Result<Vec<LiveListener>> {
    let mut pages = cx.aws.elb.describe_listeners().load_balancer_arn(lb_arn).into_paginator().items().send();
    let mut listeners = vec![];
    while let Some(l) = pages.next().await {
        listeners.push(l.map_err(aws::error)?);
    }
    let reads = listeners.into_iter().map(|l| async move {
        let arn = l.listener_arn().unwrap_or_default().to_string();
        let mut pages = cx.aws.elb.describe_rules().listener_arn(&arn).into_paginator().items().send();
        let mut rules = vec![];
        while let Some(r) = pages.next().await {
            rules.push(r.map_err(aws::error)?);
        }
        let secure = lb_listeners::secure(l.protocol().map(|p| p.as_str()));
        let extra = if secure { lb_certs::read(cx, &arn).await? } else { vec![] };
        anyhow::Ok(live_listener(&l, &rules, extra))
    });
    super::read_each(reads.collect()).await
}

/// The canonical value of all listeners, for the `listener` attribute.
pub fn value(listeners: &[LiveListener]) -> Value {
    lb_listeners::canonical(&Value::List(listeners.iter().map(|l| Value::Map(l.value.clone())).collect()))
}

fn live_listener(l: &Listener, rules: &[Rule], extra: Vec<String>) -> LiveListener {
    let mut m = actions_value(l.default_actions());
    m.insert("certificates".into(), str_set(extra));
    m.insert("port".into(), Value::Int(l.port().map_or(0, i64::from)));
    m.insert("protocol".into(), Value::from(l.protocol().map(|p| p.as_str().to_string())));
    m.extend(l.certificates().first().and_then(|c| c.certificate_arn()).map(|c| ("certificate".into(), Value::str(c))));
    m.extend(l.ssl_policy().map(|p| ("ssl_policy".into(), Value::str(p))));
    let mut arns = BTreeMap::new();
    let mut items = vec![];
    for r in rules.iter().filter(|r| r.is_default() != Some(true)) {
        let Some(priority) = r.priority().and_then(|p| p.parse::<i64>().ok()) else { continue };
        let mut rm = actions_value(r.actions());
        rm.insert("priority".into(), Value::Int(priority));
        rm.extend(conditions_value(r.conditions()));
        arns.insert(priority, r.rule_arn().unwrap_or_default().to_string());
        items.push(Value::Map(rm));
    }
    m.insert("rule".into(), Value::List(items));
    let canonical = lb_listeners::canonical(&Value::List(vec![Value::Map(m)]));
    let value = canonical.as_list().first().and_then(Value::as_map).cloned().unwrap_or_default();
    LiveListener { arn: l.listener_arn().unwrap_or_default().to_string(), value, rules: arns }
}

/// Brings the load balancer's listeners to `want` (the canonical `listener` value): listeners
/// that are no longer wanted go first, so a port can move between protocols.
pub async fn sync(cx: &Cx, lb_arn: &str, want: &Value) -> anyhow::Result<()> {
    let have = read(cx, lb_arn).await?;
    let port = |m: &Map| m.get("port").and_then(Value::as_int).unwrap_or_default();
    let wanted: BTreeMap<i64, &Map> = want.as_list().iter().filter_map(Value::as_map).map(|m| (port(m), m)).collect();
    for h in have.iter().filter(|h| !wanted.contains_key(&port(&h.value))) {
        delete_listener(cx, &h.arn).await?;
    }
    for (p, w) in wanted {
        match have.iter().find(|h| port(&h.value) == p) {
            Some(h) => {
                let strip = |m: &Map| {
                    let own = |k: &&String| !["rule", "certificates"].contains(&k.as_str());
                    m.iter().filter(|(k, _)| own(k)).map(|(k, v)| (k.clone(), v.clone())).collect::<Map>()
                };
                if strip(&h.value) != strip(w) {
                    modify_listener(cx, &h.arn, w).await?;
                }
                lb_certs::sync(cx, &h.arn, &strings(h.value.get("certificates")), &strings(w.get("certificates")))
                    .await?;
                sync_rules(cx, h, w).await?;
            }
            None => {
                let arn = create_listener(cx, lb_arn, w).await?;
                lb_certs::sync(cx, &arn, &[], &strings(w.get("certificates"))).await?;
                let fresh = LiveListener { arn, value: Map::new(), rules: BTreeMap::new() };
                sync_rules(cx, &fresh, w).await?;
            }
        }
    }
    Ok(())
}

async fn create_listener(cx: &Cx, lb_arn: &str, w: &Map) -> anyhow::Result<String> {
    let mut call = cx
        .aws
        .elb
        .create_listener()
        .load_balancer_arn(lb_arn)
        .port(w.get("port").and_then(Value::as_int).unwrap_or_default() as i32)
        .protocol(ProtocolEnum::from(field(w, "protocol")))
        .set_default_actions(Some(actions(w)));
    if lb_listeners::secure(Some(field(w, "protocol"))) {
        call = call
            .certificates(Certificate::builder().certificate_arn(field(w, "certificate")).build())
            .ssl_policy(field(w, "ssl_policy"));
    }
    // A listener whose certificate ACM has only just issued is refused for a moment.
    let send = || async { call.clone().send().await.map_err(aws::error) };
    match retry::on_codes(&["CertificateNotFound"], Window::IamPropagation.get(), send).await {
        Ok(out) => Ok(out.listeners().first().and_then(|l| l.listener_arn()).unwrap_or_default().to_string()),
        // A retried create whose first answer was lost: the port has our listener; make sure
        // it says what is wanted.
        Err(e) if e.code.as_deref() == Some("DuplicateListener") => {
            let port = w.get("port").and_then(Value::as_int);
            let out = cx.aws.elb.describe_listeners().load_balancer_arn(lb_arn).send().await.map_err(aws::error)?;
            let found = out.listeners().iter().find(|l| l.port().map(i64::from) == port).and_then(|l| l.listener_arn());
            let arn = found.map(String::from).ok_or(e)?;
            modify_listener(cx, &arn, w).await?;
            Ok(arn)
        }
        Err(e) => Err(e.into()),
    }
}

async fn modify_listener(cx: &Cx, arn: &str, w: &Map) -> anyhow::Result<()> {
    let mut call = cx
        .aws
        .elb
        .modify_listener()
        .listener_arn(arn)
        .protocol(ProtocolEnum::from(field(w, "protocol")))
        .set_default_actions(Some(actions(w)));
    if lb_listeners::secure(Some(field(w, "protocol"))) {
        call = call
            .certificates(Certificate::builder().certificate_arn(field(w, "certificate")).build())
            .ssl_policy(field(w, "ssl_policy"));
    }
    // A certificate swapped for one ACM has only just issued: refused for a moment too.
    let send = || async { call.clone().send().await.map_err(aws::error) };
    retry::on_codes(&["CertificateNotFound"], Window::IamPropagation.get(), send).await?;
    Ok(())
}

async fn delete_listener(cx: &Cx, arn: &str) -> anyhow::Result<()> {
    match cx.aws.elb.delete_listener().listener_arn(arn).send().await.map_err(aws::error) {
        Err(e) if e.code.as_deref() == Some("ListenerNotFound") => Ok(()),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

/// Rules by priority: unwanted ones deleted first (freeing their priorities), changed ones
/// modified, new ones created.
async fn sync_rules(cx: &Cx, have: &LiveListener, want: &Map) -> anyhow::Result<()> {
    let by_priority = |m: &Map| -> BTreeMap<i64, Map> {
        let rules = m.get("rule").map(Value::as_list).unwrap_or_default();
        let rules = rules.iter().filter_map(Value::as_map);
        rules.map(|r| (r.get("priority").and_then(Value::as_int).unwrap_or_default(), r.clone())).collect()
    };
    let (old, new) = (by_priority(&have.value), by_priority(want));
    let elb = &cx.aws.elb;
    for (p, arn) in have.rules.iter().filter(|(p, _)| !new.contains_key(*p)) {
        match elb.delete_rule().rule_arn(arn).send().await.map_err(aws::error) {
            Err(e) if e.code.as_deref() == Some("RuleNotFound") => {}
            other => other.map(|_| ()).map_err(|e| anyhow::Error::from(e).context(format!("rule {p}")))?,
        }
    }
    for (p, r) in &new {
        match (old.get(p), have.rules.get(p)) {
            (Some(o), _) if o == r => {}
            (Some(_), Some(arn)) => {
                let call =
                    elb.modify_rule().rule_arn(arn).set_conditions(Some(conditions(r))).set_actions(Some(actions(r)));
                call.send().await.map_err(aws::error)?;
            }
            _ => {
                let call = elb
                    .create_rule()
                    .listener_arn(&have.arn)
                    .priority(*p as i32)
                    .set_conditions(Some(conditions(r)))
                    .set_actions(Some(actions(r)));
                match call.send().await.map_err(aws::error) {
                    // A retried create whose first answer was lost holds the priority.
                    Err(e) if e.code.as_deref() == Some("PriorityInUse") => {
                        let out = elb.describe_rules().listener_arn(&have.arn).send().await.map_err(aws::error)?;
                        let at = out.rules().iter().find(|x| x.priority() == Some(&p.to_string()));
                        let arn = at.and_then(|x| x.rule_arn()).map(String::from).ok_or(e)?;
                        let call = elb
                            .modify_rule()
                            .rule_arn(arn)
                            .set_conditions(Some(conditions(r)))
                            .set_actions(Some(actions(r)));
                        call.send().await.map_err(aws::error)?;
                    }
                    other => {
                        other?;
                    }
                }
            }
        }
    }
    Ok(())
}
