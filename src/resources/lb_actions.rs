//! A listener's or rule's action and a rule's conditions, between the SDK's types and the
//! canonical maps of `lb_listeners.rs`: read (`actions_value`, `conditions_value`) and written
//! (`actions`, `conditions`) by the same field names, so what is sent reads back equal.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, FixedResponseActionConfig, ForwardActionConfig, HostHeaderConditionConfig,
    HttpHeaderConditionConfig, HttpRequestMethodConditionConfig, PathPatternConditionConfig,
    QueryStringConditionConfig, QueryStringKeyValuePair, RedirectActionConfig, RedirectActionStatusCodeEnum,
    RuleCondition, SourceIpConditionConfig, TargetGroupStickinessConfig, TargetGroupTuple,
};

use crate::model::{Value, str_set};

type Map = BTreeMap<String, Value>;

/// The first action, as `forward` / `redirect` / `fixed_response` fields.
pub(super) fn actions_value(actions: &[Action]) -> Map {
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
                let sticky = a.forward_config().and_then(|f| f.target_group_stickiness_config());
                if let Some(d) = sticky.filter(|s| s.enabled() == Some(true)).and_then(|s| s.duration_seconds()) {
                    m.insert("forward_stickiness".into(), Value::Int(d.into()));
                }
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
pub(super) fn conditions_value(conditions: &[RuleCondition]) -> Map {
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

pub(super) fn field<'a>(m: &'a Map, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn block(m: &Map, k: &str) -> Option<Map> {
    m.get(k).map(Value::as_list).unwrap_or_default().first().and_then(Value::as_map).cloned()
}

/// The one action a listener or rule map describes.
pub(super) fn actions(m: &Map) -> Vec<Action> {
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
        let seconds = m.get("forward_stickiness").and_then(Value::as_int).and_then(|i| i32::try_from(i).ok());
        // Sent either way, so removing the setting turns stickiness off.
        let sticky = TargetGroupStickinessConfig::builder().enabled(seconds.is_some()).set_duration_seconds(seconds);
        let config = ForwardActionConfig::builder()
            .set_target_groups(Some(weighted))
            .target_group_stickiness_config(sticky.build())
            .build();
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

pub(super) fn strings(v: Option<&Value>) -> Vec<String> {
    v.map(Value::as_list).unwrap_or_default().iter().filter_map(|s| s.as_str().map(String::from)).collect()
}

pub(super) fn conditions(m: &Map) -> Vec<RuleCondition> {
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
