//! A load balancer's `listener` blocks and their `rule` blocks: the schema, the canonical form
//! both the stack file and the account are brought to before they are compared, and the checks
//! AWS would otherwise make only at apply time. Pure: the AWS side is in `lb_aws.rs`.
//!
//! Canonical form: listeners sorted as the planner sorts blocks, rules by priority; HTTP listeners carry no
//! certificate or SSL policy (some implementations report a policy anyway); an HTTPS listener
//! without `ssl_policy` has [`DEFAULT_SSL_POLICY`]; empty condition lists are dropped.

use std::collections::BTreeMap;

use crate::constraint::formats;
use crate::model::*;

/// The policy stackr asks for when an HTTPS listener names none: AWS's recommended TLS 1.3
/// policy. Sent explicitly, so the plan never depends on AWS's API default.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

static REDIRECT: &[AttrSpec] = &[
    attr(
        "protocol",
        Ty::Enum(&["HTTP", "HTTPS", "#{protocol}"]),
        Presence::Default(Lit::Str("#{protocol}")),
        Update::InPlace,
        "Protocol to redirect to.",
    ),
    attr("port", Ty::Str, Presence::Default(Lit::Str("#{port}")), Update::InPlace, "Port to redirect to.")
        .with(&[Check::Format(&formats::REDIRECT_PORT)]),
    attr("host", Ty::Str, Presence::Default(Lit::Str("#{host}")), Update::InPlace, "Host to redirect to.")
        .with(&[Check::Len(1, 128)]),
    attr("path", Ty::Str, Presence::Default(Lit::Str("/#{path}")), Update::InPlace, "Path to redirect to.")
        .with(&[Check::Len(1, 128), Check::Format(&formats::REDIRECT_PATH)]),
    attr(
        "query",
        Ty::Str,
        Presence::Default(Lit::Str("#{query}")),
        Update::InPlace,
        "Query to redirect to, without `?`.",
    )
    .with(&[Check::Len(0, 128), Check::NotPrefix("?")]),
    attr(
        "status",
        Ty::Enum(&["HTTP_301", "HTTP_302"]),
        Presence::Default(Lit::Str("HTTP_301")),
        Update::InPlace,
        "Permanent (301) or temporary (302).",
    ),
];

static FIXED: &[AttrSpec] = &[
    attr("status_code", Ty::Str, Presence::Required, Update::InPlace, "HTTP status code.")
        .with(&[Check::Format(&formats::STATUS_CODE)]),
    attr(
        "content_type",
        Ty::Enum(&["text/plain", "text/css", "text/html", "application/javascript", "application/json"]),
        Presence::Default(Lit::Str("text/plain")),
        Update::InPlace,
        "Content type of the body.",
    ),
    attr("body", Ty::Str, Presence::Default(Lit::Str("")), Update::InPlace, "Response body.")
        .with(&[Check::Len(0, 1024)]),
];

const FORWARD: AttrSpec = attr(
    "forward",
    Ty::Ref("target_group"),
    Presence::Optional,
    Update::InPlace,
    "Action: forward to this target group.",
);
const REDIRECT_BLOCK: AttrSpec = attr(
    "redirect",
    Ty::Blocks(REDIRECT),
    Presence::Default(Lit::EmptyList),
    Update::InPlace,
    "Action: redirect (one block: protocol, port, host, path, query, status HTTP_301 or HTTP_302).",
);
const FIXED_BLOCK: AttrSpec = attr(
    "fixed_response",
    Ty::Blocks(FIXED),
    Presence::Default(Lit::EmptyList),
    Update::InPlace,
    "Action: a fixed response (one block: status_code, content_type, body).",
);

static WEIGHTED: &[AttrSpec] = &[
    attr("target_group", Ty::Ref("target_group"), Presence::Required, Update::InPlace, "A target group."),
    attr(
        "weight",
        Ty::Int,
        Presence::Default(Lit::Int(1)),
        Update::InPlace,
        "Its share of the requests, relative to the others' (0 sends none).",
    )
    .with(&[Check::Range(0, 999)]),
];

const FORWARD_TO: AttrSpec = attr(
    "forward_to",
    Ty::Blocks(WEIGHTED),
    Presence::Default(Lit::EmptyList),
    Update::InPlace,
    "Action: forward to several target groups by weight (repeatable block, two to five: `target_group`, `weight`), as for blue/green at the balancer. Application load balancers.",
);

const FORWARD_STICKINESS: AttrSpec = attr(
    "forward_stickiness",
    Ty::Int,
    Presence::Optional,
    Update::InPlace,
    "With `forward_to`: seconds a client keeps going to the target group it was first sent to (omit for none), so a blue/green shift moves new clients only.",
)
.with(&[Check::Range(1, 604_800)]);

static RULE: &[AttrSpec] = &[
    attr("priority", Ty::Int, Presence::Required, Update::InPlace, "Rule priority, unique in the listener.")
        .with(&[Check::Range(1, 50000)]),
    attr("path", Ty::Set(&Ty::Str), Presence::Optional, Update::InPlace, "Condition: path patterns (`/api/*`).")
        .with(&[Check::Len(1, 128), Check::Format(&formats::PATH_PATTERN)]),
    attr("host", Ty::Set(&Ty::Str), Presence::Optional, Update::InPlace, "Condition: host names (`*.example.com`).")
        .with(&[Check::Len(1, 128), Check::Format(&formats::HOST_PATTERN)]),
    attr(
        "headers",
        Ty::Map(&Ty::Set(&Ty::Str)),
        Presence::Optional,
        Update::InPlace,
        "Condition: header name to accepted values.",
    )
    .with(&[Check::Keys(&[Check::Len(1, 40), Check::Chars(&crate::constraint::chars::ASCII)]), Check::Len(1, 128)]),
    attr("query", Ty::Map(&Ty::Str), Presence::Optional, Update::InPlace, "Condition: query-string key to value.")
        .with(&[Check::Keys(&[Check::Len(0, 128)]), Check::Len(1, 128)]),
    attr(
        "method",
        Ty::Set(&Ty::Str),
        Presence::Optional,
        Update::InPlace,
        "Condition: HTTP request methods (`GET`, `HEAD`; upper case).",
    )
    .with(&[Check::Len(1, 40), Check::Format(&formats::HTTP_METHOD)]),
    attr(
        "source_ip",
        Ty::Set(&Ty::Cidr),
        Presence::Optional,
        Update::InPlace,
        "Condition: client address ranges (`10.0.0.0/8`).",
    ),
    FORWARD,
    FORWARD_TO,
    FORWARD_STICKINESS,
    REDIRECT_BLOCK,
    FIXED_BLOCK,
];

pub static LISTENER: &[AttrSpec] = &[
    attr("port", Ty::Port, Presence::Required, Update::InPlace, "Port the load balancer listens on.")
        .with(super::limits::PORT),
    attr(
        "protocol",
        Ty::Enum(&["HTTP", "HTTPS", "TCP", "UDP", "TCP_UDP", "TLS"]),
        Presence::Default(Lit::Str("HTTP")),
        Update::InPlace,
        "Listener protocol: HTTP or HTTPS on an application load balancer; TCP, UDP, TCP_UDP or TLS on a network one (write it there).",
    ),
    attr(
        "certificate",
        Ty::Str,
        Presence::Optional,
        Update::InPlace,
        "HTTPS and TLS: the default ACM or IAM certificate ARN.",
    )
    .with(&[Check::Format(&formats::CERTIFICATE_ARN)]),
    attr(
        "ssl_policy",
        Ty::Str,
        Presence::Optional,
        Update::InPlace,
        "HTTPS and TLS: the security policy (default: `ELBSecurityPolicy-TLS13-1-2-2021-06`).",
    )
    .with(&[Check::Format(&formats::SSL_POLICY)]),
    attr(
        "certificates",
        Ty::Set(&Ty::Str),
        Presence::Default(Lit::EmptyList),
        Update::InPlace,
        "HTTPS and TLS: more certificate ARNs, chosen by SNI (the client's server name); the default `certificate` serves the rest.",
    )
    .with(&[Check::Format(&formats::CERTIFICATE_ARN)]),
    FORWARD,
    FORWARD_TO,
    FORWARD_STICKINESS,
    REDIRECT_BLOCK,
    FIXED_BLOCK,
    attr(
        "rule",
        Ty::Blocks(RULE),
        Presence::Default(Lit::EmptyList),
        Update::InPlace,
        "A rule (repeatable block): `priority`, conditions `path`, `host`, `headers`, `query`, `method`, `source_ip`, and one action as on the listener.",
    ),
];

type Map = BTreeMap<String, Value>;

/// HTTPS and TLS listeners terminate TLS: they take certificates and a security policy.
pub fn secure(protocol: Option<&str>) -> bool {
    matches!(protocol, Some("HTTPS" | "TLS"))
}

/// The canonical form of a `listener` attribute (a list of listener maps).
pub fn canonical(listeners: &Value) -> Value {
    let mut out: Vec<Value> = listeners.as_list().iter().filter_map(Value::as_map).map(canonical_listener).collect();
    // The planner re-sorts block lists by value after this; sorting the same way here keeps
    // live and desired lists in one order.
    out.sort();
    Value::List(out)
}

fn sort_key(v: &Value, field: &str) -> (i64, Value) {
    let m = v.as_map();
    (m.and_then(|m| m.get(field)).and_then(Value::as_int).unwrap_or(i64::MAX), v.clone())
}

fn canonical_listener(l: &Map) -> Value {
    let mut m = action_fields(l);
    m.extend(["port", "protocol"].iter().filter_map(|k| Some((k.to_string(), l.get(*k)?.clone()))));
    if secure(m.get("protocol").and_then(Value::as_str)) {
        m.extend(l.get("certificate").filter(|v| !v.is_null()).map(|v| ("certificate".to_string(), v.clone())));
        // The default certificate is listed among a listener's certificates too; it is not an extra.
        let mut extra: Vec<Value> = l.get("certificates").map(Value::as_list).unwrap_or_default().to_vec();
        extra.retain(|c| Some(c) != l.get("certificate"));
        extra.sort();
        extra.dedup();
        m.insert("certificates".into(), Value::List(extra));
        let policy = l.get("ssl_policy").filter(|v| !v.is_null()).cloned();
        m.insert("ssl_policy".into(), policy.unwrap_or_else(|| Value::str(DEFAULT_SSL_POLICY)));
    }
    let mut rules: Vec<Value> = l
        .get("rule")
        .map(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_map)
        .map(canonical_rule)
        .collect();
    rules.sort_by_key(|r| sort_key(r, "priority"));
    m.insert("rule".into(), Value::List(rules));
    Value::Map(m)
}

fn canonical_rule(r: &Map) -> Value {
    let mut m = action_fields(r);
    m.extend(r.get("priority").map(|p| ("priority".to_string(), p.clone())));
    for k in CONDITIONS {
        let keep = match r.get(*k) {
            Some(Value::List(l)) => !l.is_empty(),
            Some(Value::Map(x)) => !x.is_empty(),
            Some(v) => !v.is_null(),
            None => false,
        };
        if keep {
            m.insert(k.to_string(), r[*k].clone());
        }
    }
    Value::Map(m)
}

/// A rule's condition attributes.
pub const CONDITIONS: &[&str] = &["path", "host", "headers", "query", "method", "source_ip"];

/// `forward`, `forward_to`, `forward_stickiness`, `redirect` and `fixed_response` as the canonical
/// form has them: the reference and duration only when set, the blocks always (empty when
/// unused; weighted groups sorted).
fn action_fields(src: &Map) -> Map {
    let mut m = Map::new();
    for k in ["forward", "forward_stickiness"] {
        if let Some(f) = src.get(k).filter(|v| !v.is_null()) {
            m.insert(k.into(), f.clone());
        }
    }
    for k in ["forward_to", "redirect", "fixed_response"] {
        let mut items = src.get(k).map(Value::as_list).unwrap_or_default().to_vec();
        items.sort();
        m.insert(k.into(), Value::List(items));
    }
    m
}

/// Problems in the listeners as written, each with the path of the block it is about
/// (`listener[0]`, `listener[0].rule[1]`).
pub fn problems(listeners: &Value) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut ports = BTreeMap::new();
    if listeners.as_list().len() > MAX_LISTENERS {
        let n = listeners.as_list().len();
        out.push((
            format!("listener[{MAX_LISTENERS}]"),
            format!("{n} listeners; a load balancer has at most {MAX_LISTENERS}"),
        ));
    }
    for (i, l) in listeners.as_list().iter().enumerate() {
        let Some(m) = l.as_map() else { continue };
        let here = format!("listener[{i}]");
        if let Some(port) = m.get("port").and_then(Value::as_int)
            && let Some(first) = ports.insert(port, i)
        {
            out.push((here.clone(), format!("port {port} is already used by listener {}", first + 1)));
        }
        let has = |k: &str| m.get(k).is_some_and(|v| !v.is_null());
        let https = secure(m.get("protocol").and_then(Value::as_str));
        if https && !has("certificate") {
            out.push((here.clone(), "an HTTPS or TLS listener needs `certificate` (a certificate ARN)".into()));
        }
        let extra = !m.get("certificates").map(Value::as_list).unwrap_or_default().is_empty();
        if !https && (has("certificate") || has("ssl_policy") || extra) {
            out.push((
                here.clone(),
                "`certificate`, `certificates` and `ssl_policy` apply only to HTTPS and TLS listeners".into(),
            ));
        }
        out.extend(action_problem(m).map(|p| (here.clone(), p)));
        let mut priorities = BTreeMap::new();
        for (j, r) in m.get("rule").map(Value::as_list).unwrap_or_default().iter().enumerate() {
            let Some(r) = r.as_map() else { continue };
            let path = format!("{here}.rule[{j}]");
            out.extend(rule_problems(r).into_iter().map(|p| (path.clone(), p)));
            if let Some(p) = r.get("priority").and_then(Value::as_int)
                && priorities.insert(p, j).is_some()
            {
                out.push((path, format!("priority {p} is used by another rule of this listener")));
            }
        }
    }
    out
}

fn rule_problems(r: &Map) -> Vec<String> {
    let mut out = vec![];
    // Each path, host, header value and query pair is one condition value; AWS allows five.
    let values: usize = CONDITIONS
        .iter()
        .filter_map(|k| r.get(*k))
        .map(|v| match v {
            Value::List(l) => l.len(),
            Value::Map(m) => m.values().map(|x| if let Value::List(l) = x { l.len() } else { 1 }).sum(),
            Value::Null => 0,
            _ => 1,
        })
        .sum();
    if values == 0 {
        out.push("a rule needs at least one condition: path, host, headers, query, method or source_ip".into());
    }
    if values > MAX_CONDITION_VALUES {
        out.push(format!(
            "a rule has {values} condition values (paths, hosts, header values and query pairs); AWS allows at most {MAX_CONDITION_VALUES}"
        ));
    }
    out.extend(action_problem(r));
    out
}

/// Condition values one listener rule may have.
const MAX_CONDITION_VALUES: usize = 5;

/// Target groups one forward action may weigh.
const MAX_WEIGHTED: usize = 5;

/// Listeners one load balancer may have.
const MAX_LISTENERS: usize = 50;

/// A listener or rule has exactly one action, and at most one block of it.
fn action_problem(m: &Map) -> Option<String> {
    let blocks = |k: &str| m.get(k).map(Value::as_list).unwrap_or_default().len();
    let forward = usize::from(m.get("forward").is_some_and(|v| !v.is_null()));
    let (redirects, fixed, weighted) = (blocks("redirect"), blocks("fixed_response"), blocks("forward_to"));
    if redirects > 1 || fixed > 1 {
        return Some("write at most one `redirect` or `fixed_response` block".into());
    }
    if weighted == 1 || weighted > MAX_WEIGHTED {
        return Some(format!(
            "{weighted} `forward_to` blocks: weighted forwarding takes 2 to {MAX_WEIGHTED} target groups (one is `forward = …`)"
        ));
    }
    if weighted == 0 && m.get("forward_stickiness").is_some_and(|v| !v.is_null()) {
        return Some(
            "`forward_stickiness` keeps clients on one of the `forward_to` groups; it needs those blocks".into(),
        );
    }
    match forward + redirects + fixed + usize::from(weighted > 0) {
        1 => None,
        0 => Some(
            "needs an action: `forward = target_group.NAME`, `forward_to { … }` blocks, a `redirect { … }` or a `fixed_response { … }` block"
                .into(),
        ),
        _ => Some("has more than one action: keep one of `forward`, `redirect` and `fixed_response`".into()),
    }
}

#[cfg(test)]
#[path = "lb_listeners_tests.rs"]
mod tests;
