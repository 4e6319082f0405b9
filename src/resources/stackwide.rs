//! Checks that need the whole stack and every kind's defaults: names stackr derives for you
//! (names.rs; for IAM the block name) checked against the same constraints as written ones, and
//! names AWS makes unique (IAM names in the account, launch templates, groups and load
//! balancers in the region) claimed twice by one stack. Both would otherwise fail mid-apply,
//! after other objects were already created.

use std::collections::HashMap;

use super::{Kind, kind};
use crate::constraint;
use crate::model::{Attrs, Presence, Value};
use crate::stack::{Diagnostic, Diagnostics, Resource, Stack};

/// The attributes a resource will be created with: as written, plus the defaults its kind
/// derives from the stack and block names.
pub fn completed(res: &Resource, stack: &Stack) -> Attrs {
    let mut attrs = res.attrs.clone();
    if let Some(k) = kind(&res.addr.kind) {
        k.complete(&stack.name, &res.addr, &mut attrs);
    }
    attrs
}

/// Checks every derived value against its attribute's constraints, at the block it comes from.
pub fn derived_values(stack: &Stack, diags: &mut Diagnostics) {
    for res in &stack.resources {
        let Some(k) = kind(&res.addr.kind) else { continue };
        let done = completed(res, stack);
        for spec in k.schema().attrs.iter().filter(|s| s.presence != Presence::Computed && !s.checks.is_empty()) {
            let (Some(v), before) = (done.get(spec.name), res.attrs.get(spec.name)) else { continue };
            if before == Some(v) {
                continue;
            }
            // A map (tags) gains entries; anything else is a default value as a whole.
            let what = match v {
                Value::Map(_) => format!("{}, with the entries stackr adds,", spec.name),
                _ => format!("the default {}", spec.name),
            };
            for p in constraint::problems(spec.checks, v) {
                let message = constraint::message(&what, v, &p, false);
                diags.push(
                    Diagnostic::error(format!("{}: {message}", res.addr))
                        .at(&res.file, res.span.clone())
                        .label(format!("derived from the stack name \"{}\" and this block's name", stack.name))
                        .hint(format!("set `{}` to a value AWS accepts, or rename the block", spec.name)),
                );
            }
        }
    }
}

/// AWS's limit on a tag value (EC2, load balancing and Auto Scaling alike).
const TAG_VALUE_MAX: usize = 256;

/// The `stackr:address` tag holds the whole address, module path and key included: one AWS
/// would refuse mid-apply is refused at the block. IAM kinds record it in the path instead,
/// which has its own check.
pub fn address_tags(stack: &Stack, diags: &mut Diagnostics) {
    for res in stack.resources.iter().filter(|r| !r.addr.kind.starts_with("iam_")) {
        let len = res.addr.to_string().chars().count();
        if len > TAG_VALUE_MAX {
            diags.push(
                Diagnostic::error(format!(
                    "the address {} is {len} characters; the stackr:address tag that records it holds at most {TAG_VALUE_MAX}",
                    res.addr
                ))
                .at(&res.file, res.span.clone())
                .hint("use shorter block names, module names or for_each keys"),
            );
        }
    }
}

/// Reports a name AWS makes unique that two resources of the stack would both claim.
pub fn unique_names(stack: &Stack, diags: &mut Diagnostics) {
    let mut seen: HashMap<(&str, String), &Resource> = HashMap::new();
    for res in &stack.resources {
        let Some(k) = kind(&res.addr.kind) else { continue };
        let Some(name) = k.unique_name(&completed(res, stack)) else { continue };
        let key = (k.schema().kind, fold(k, &name));
        match seen.get(&key) {
            Some(first) => diags.push(duplicate(res, first, &name, "")),
            None => {
                seen.insert(key, res);
            }
        }
    }
}

/// Replaces every sensitive value in the messages of `diags` with the mask: values of
/// sensitive variables, and values of attributes derived from them. The checks that write
/// these messages quote values freely; this keeps secrets out in one place. Values shorter
/// than three characters are left alone, since masking them would garble unrelated words.
pub fn mask_secrets(stack: &Stack, diags: &mut Diagnostics) {
    let mut secrets: Vec<String> = vec![];
    for name in &stack.sensitive_vars {
        stack.variables.get(name).into_iter().for_each(|v| strings(v, &mut secrets));
    }
    for res in &stack.resources {
        for attr in &res.sensitive {
            res.attrs.get(attr).into_iter().for_each(|v| strings(v, &mut secrets));
        }
    }
    secrets.retain(|s| s.chars().count() >= 3);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    if secrets.is_empty() {
        return;
    }
    let hide = |text: &mut String| {
        for s in &secrets {
            if text.contains(s.as_str()) {
                *text = text.replace(s.as_str(), constraint::MASK);
            }
        }
    };
    for d in &mut diags.0 {
        hide(&mut d.message);
        d.label.iter_mut().for_each(hide);
        d.hints.iter_mut().for_each(hide);
    }
}

/// The text forms of a value's scalars.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Str(s) => out.push(s.clone()),
        Value::Int(i) => out.push(i.to_string()),
        Value::List(l) => l.iter().for_each(|x| strings(x, out)),
        Value::Map(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Security group names are unique within their VPC: each pair reported at the second group.
pub fn security_group_names(stack: &Stack, diags: &mut Diagnostics) {
    let mut seen: HashMap<(Option<&Value>, String), &Resource> = HashMap::new();
    for res in stack.resources.iter().filter(|r| r.addr.kind == "security_group") {
        let done = completed(res, stack);
        let Some(shown) = done.get("name").and_then(Value::as_str) else { continue };
        match seen.entry((res.attrs.get("vpc"), shown.to_lowercase())) {
            std::collections::hash_map::Entry::Occupied(first) => {
                diags.push(duplicate(res, first.get(), shown, " in the same VPC"))
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(res);
            }
        }
    }
}

fn duplicate(res: &Resource, first: &Resource, name: &str, scope: &str) -> Diagnostic {
    let kind = res.addr.kind.replace('_', " ");
    Diagnostic::error(format!("{} and {} would both be the {kind} named \"{name}\"{scope}", first.addr, res.addr))
        .at(&res.file, res.span_of("name"))
        .label(format!("the same name as {}", first.addr))
        .hint("AWS refuses the second create; give each block its own `name`")
}

/// IAM names are unique without regard to case.
fn fold(k: &dyn Kind, name: &str) -> String {
    if k.schema().kind.starts_with("iam_") { name.to_lowercase() } else { name.to_string() }
}
