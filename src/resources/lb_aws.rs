//! Listeners and rules in the account: read into the canonical form of `lb_listeners.rs`, and
//! brought to a wanted form with the fewest calls (create/modify/delete per listener and per
//! rule; a listener is matched by port, a rule by priority).

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, FixedResponseActionConfig, ForwardActionConfig, HostHeaderConditionConfig,
    HttpHeaderConditionConfig, HttpRequestMethodConditionConfig, Listener, PathPatternConditionConfig, ProtocolEnum,
    QueryStringConditionConfig, QueryStringKeyValuePair, RedirectActionConfig, RedirectActionStatusCodeEnum, Rule,
    RuleCondition, SourceIpConditionConfig, TargetGroupTuple,
};

use super::Cx;
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

/// The first action, as `forward` / `redirect` / `fixed_response` fields.
fn actions_value(actions: &[Action]) -> Map {
    let mut m = Map::new();
    let mut sorted: Vec<&Action> = actions.iter().collect();
    sorted.sort_by_key(|a| a.order().unwrap_or(i32::MAX));
    let Some(a) = sorted.first() else { return m };
    let text = |v: Option<&str>, default: &str| Value::str(v.unwrap_or(default));
    match a.r#type() {
        Some(ActionTypeEnum::Forward) => {
            let groups = a.forward_config().map(|f| f.target_groups()).unwrap_or_default();
            if groups.len() > 1 {
                m.insert("forward_to".into(), Value::List(groups.iter().map(weighted).collect()));
                return m;
            }
            let single = groups.first().and_then(|t| t.target_group_arn());
            if let Some(arn) = a.target_group_arn().or(single) {
                m.insert("forward".into(), Value::str(arn));
            }
        }
        Some(ActionTypeEnum::Redirect) => {
            let r = a.redirect_config();
            let fields = Map::from([
                ("protocol".into(), text(r.and_then(|r| r.protocol()), "#{protocol}")),
                ("port".into(), text(r.and_then(|r| r.port()), "#{port}")),
                ("host".into(), text(r.and_then(|r| r.host()), "#{host}")),
                ("path".into(), text(r.and_then(|r| r.path()), "/#{path}")),
                ("query".into(), text(r.and_then(|r| r.query()), "#{query}")),
                ("status".into(), text(r.and_then(|r| r.status_code()).map(|s| s.as_str()), "HTTP_301")),
            ]);
            m.insert("redirect".into(), Value::List(vec![Value::Map(fields)]));
        }
        Some(ActionTypeEnum::FixedResponse) => {
            let f = a.fixed_response_config();
            let fields = Map::from([
                ("status_code".into(), text(f.and_then(|f| f.status_code()), "")),
                ("content_type".into(), text(f.and_then(|f| f.content_type()), "text/plain")),
                ("body".into(), text(f.and_then(|f| f.message_body()), "")),
            ]);
            m.insert("fixed_response".into(), Value::List(vec![Value::Map(fields)]));
        }
        _ => {}
    }
    m
}

/// One group of a weighted forward, as a `forward_to` block (AWS reports weight 1 when unset).
fn weighted(t: &TargetGroupTuple) -> Value {
    Value::Map(Map::from([
        ("target_group".into(), Value::str(t.target_group_arn().unwrap_or_default())),
        ("weight".into(), Value::Int(t.weight().map_or(1, i64::from))),
    ]))
}

/// Rule conditions as `path`, `host`, `headers`, `query`, `method` and `source_ip` fields. AWS reports host and path
/// values both in `Values` and in their config; the config is the complete one.
fn conditions_value(conditions: &[RuleCondition]) -> Map {
    let (mut paths, mut hosts) = (vec![], vec![]);
    let (mut headers, mut query) = (Map::new(), Map::new());
    let (mut methods, mut sources) = (vec![], vec![]);
    for c in conditions {
        match c.field() {
            Some("http-request-method") => {
                methods.extend(c.http_request_method_config().map(|h| h.values()).unwrap_or_default().iter().cloned());
            }
            Some("source-ip") => {
                sources.extend(c.source_ip_config().map(|h| h.values()).unwrap_or_default().iter().cloned());
            }
            Some("path-pattern") => {
                paths.extend(c.path_pattern_config().map_or(c.values(), |p| p.values()).iter().cloned());
            }
            Some("host-header") => {
                hosts.extend(c.host_header_config().map_or(c.values(), |h| h.values()).iter().cloned());
            }
            Some("http-header") => {
                if let Some(h) = c.http_header_config() {
                    let name = h.http_header_name().unwrap_or_default().to_string();
                    headers.insert(name, str_set(h.values().iter().cloned()));
                }
            }
            Some("query-string") => {
                for kv in c.query_string_config().map(|q| q.values()).unwrap_or_default() {
                    query.insert(kv.key().unwrap_or_default().to_string(), Value::str(kv.value().unwrap_or_default()));
                }
            }
            _ => {}
        }
    }
    let mut m = Map::new();
    m.extend((!paths.is_empty()).then(|| ("path".to_string(), str_set(paths))));
    m.extend((!hosts.is_empty()).then(|| ("host".to_string(), str_set(hosts))));
    m.extend((!headers.is_empty()).then(|| ("headers".to_string(), Value::Map(headers))));
    m.extend((!query.is_empty()).then(|| ("query".to_string(), Value::Map(query))));
    m.extend((!methods.is_empty()).then(|| ("method".to_string(), str_set(methods))));
    m.extend((!sources.is_empty()).then(|| ("source_ip".to_string(), str_set(sources))));
    m
}

fn field<'a>(m: &'a Map, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn block(m: &Map, k: &str) -> Option<Map> {
    m.get(k).map(Value::as_list).unwrap_or_default().first().and_then(Value::as_map).cloned()
}

/// The one action a listener or rule map describes.
fn actions(m: &Map) -> Vec<Action> {
    let weighted: Vec<TargetGroupTuple> = m
        .get("forward_to")
        .map(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_map)
        .map(|w| {
            let weight = w.get("weight").and_then(Value::as_int).and_then(|i| i32::try_from(i).ok());
            TargetGroupTuple::builder().target_group_arn(field(w, "target_group")).set_weight(weight).build()
        })
        .collect();
    let a = if let Some(tg) = m.get("forward").and_then(Value::as_str) {
        Action::builder().r#type(ActionTypeEnum::Forward).target_group_arn(tg).build()
    } else if !weighted.is_empty() {
        let config = ForwardActionConfig::builder().set_target_groups(Some(weighted)).build();
        Action::builder().r#type(ActionTypeEnum::Forward).forward_config(config).build()
    } else if let Some(r) = block(m, "redirect") {
        let config = RedirectActionConfig::builder()
            .protocol(field(&r, "protocol"))
            .port(field(&r, "port"))
            .host(field(&r, "host"))
            .path(field(&r, "path"))
            .query(field(&r, "query"))
            .status_code(RedirectActionStatusCodeEnum::from(field(&r, "status")))
            .build();
        Action::builder().r#type(ActionTypeEnum::Redirect).redirect_config(config).build()
    } else if let Some(f) = block(m, "fixed_response") {
        let body = Some(field(&f, "body")).filter(|b| !b.is_empty()).map(String::from);
        let config = FixedResponseActionConfig::builder()
            .status_code(field(&f, "status_code"))
            .content_type(field(&f, "content_type"))
            .set_message_body(body)
            .build();
        Action::builder().r#type(ActionTypeEnum::FixedResponse).fixed_response_config(config).build()
    } else {
        return vec![];
    };
    vec![a]
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.map(Value::as_list).unwrap_or_default().iter().filter_map(|s| s.as_str().map(String::from)).collect()
}

fn conditions(m: &Map) -> Vec<RuleCondition> {
    let mut out = vec![];
    let (paths, hosts) = (strings(m.get("path")), strings(m.get("host")));
    if !paths.is_empty() {
        let config = PathPatternConditionConfig::builder().set_values(Some(paths)).build();
        out.push(RuleCondition::builder().field("path-pattern").path_pattern_config(config).build());
    }
    if !hosts.is_empty() {
        let config = HostHeaderConditionConfig::builder().set_values(Some(hosts)).build();
        out.push(RuleCondition::builder().field("host-header").host_header_config(config).build());
    }
    for (name, values) in m.get("headers").and_then(Value::as_map).into_iter().flatten() {
        let config =
            HttpHeaderConditionConfig::builder().http_header_name(name).set_values(Some(strings(Some(values)))).build();
        out.push(RuleCondition::builder().field("http-header").http_header_config(config).build());
    }
    let (methods, sources) = (strings(m.get("method")), strings(m.get("source_ip")));
    if !methods.is_empty() {
        let config = HttpRequestMethodConditionConfig::builder().set_values(Some(methods)).build();
        out.push(RuleCondition::builder().field("http-request-method").http_request_method_config(config).build());
    }
    if !sources.is_empty() {
        let config = SourceIpConditionConfig::builder().set_values(Some(sources)).build();
        out.push(RuleCondition::builder().field("source-ip").source_ip_config(config).build());
    }
    let pairs: Vec<QueryStringKeyValuePair> = m
        .get("query")
        .and_then(Value::as_map)
        .into_iter()
        .flatten()
        .map(|(k, v)| QueryStringKeyValuePair::builder().key(k).value(v.as_str().unwrap_or_default()).build())
        .collect();
    if !pairs.is_empty() {
        let config = QueryStringConditionConfig::builder().set_values(Some(pairs)).build();
        out.push(RuleCondition::builder().field("query-string").query_string_config(config).build());
    }
    out
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
