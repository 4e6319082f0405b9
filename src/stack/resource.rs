//! A resource block's body checked against its kind's schema: each attribute evaluated and
//! type-checked, nested blocks (`ingress { … }`) turned into lists of maps, defaults filled in,
//! and unknown, misplaced, duplicated or missing attributes reported where they are.

use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::structure::{Block, Body, Structure};

use super::Resource;
use super::body::header;
use super::diag::{Diagnostic, Diagnostics, did_you_mean};
use super::dynamic::DYNAMIC;
use super::eval::{Env, span};
use super::repeat::Each;
use super::sensitive::Taint;
use super::typecheck::Checker;
use crate::model::{Address, AttrSpec, Attrs, Presence, Ty, Value};

/// A resource block being loaded.
pub(super) struct BlockIn<'a> {
    pub addr: &'a Address,
    pub block: &'a Block,
    pub header: Range<usize>,
    pub taint: &'a Taint,
}

/// Loads one resource block, or one instance of a repeated block (`each`), into a [`Resource`].
pub(super) fn load_block(
    env: &Env,
    b: &BlockIn,
    each: Option<Each>,
    refused: &mut Diagnostics,
    diags: &mut Diagnostics,
) -> Option<Resource> {
    let addr = match &each {
        Some(e) => b.addr.with_key(e.key.clone()),
        None => b.addr.clone(),
    };
    *env.each.borrow_mut() = each;
    let schema = env.kinds[addr.kind.as_str()];
    let sensitive = b.taint.resource(b.block);
    let checker = Checker { file: &env.file, kinds: &env.kinds, sensitive: &sensitive, refused: Default::default() };
    let mut spans = BTreeMap::new();
    let (lifecycle, silenced) = super::body::meta_blocks(env, b.block, schema, diags);
    let attrs = eval_body(&b.block.body, schema.attrs, "", b.header.clone(), env, &checker, &mut spans, diags);
    refused.0.extend(checker.refused.take());
    let deps = attrs.as_ref().map(|attrs| {
        let (mut firm, mut late) = (vec![], vec![]);
        for (k, v) in attrs {
            let is_late = schema.attr(k).is_some_and(|a| a.late);
            v.refs(if is_late { &mut late } else { &mut firm });
        }
        let mut deps: Vec<Address> = firm.into_iter().map(|r| r.addr).collect();
        deps.extend(super::meta::depends_on(env, &b.block.body, diags));
        let soft: Vec<Address> = late.into_iter().map(|r| r.addr).filter(|a| !deps.contains(a)).collect();
        (deps, soft)
    });
    let (deps, soft_deps) = match deps {
        Some((mut deps, mut soft)) => {
            deps.extend(soft.iter().cloned());
            for d in [&mut deps, &mut soft] {
                d.sort();
                d.dedup();
            }
            (Some(deps), soft)
        }
        None => (None, vec![]),
    };
    *env.each.borrow_mut() = None;
    Some(Resource {
        addr,
        file: env.file.clone(),
        attrs: attrs?,
        spans,
        span: b.header.clone(),
        deps: deps?,
        soft_deps,
        lifecycle,
        silenced,
        sensitive,
    })
}

/// Evaluates a resource body (or a nested block's body) against the attribute specs.
#[allow(clippy::too_many_arguments)]
pub(super) fn eval_body(
    body: &Body,
    specs: &'static [AttrSpec],
    prefix: &str,
    block_span: Range<usize>,
    env: &Env,
    checker: &Checker,
    spans: &mut BTreeMap<String, Range<usize>>,
    diags: &mut Diagnostics,
) -> Option<Attrs> {
    let file = &env.file;
    let errors_before = diags.error_count();
    let mut attrs = Attrs::new();
    // Attributes written but rejected: already reported, so not also "missing".
    let mut written: Vec<&str> = vec![];
    // One item of a nested block (`ingress[2]`), written or made by a dynamic block.
    let nested = |attrs: &mut Attrs, spans: &mut BTreeMap<_, _>, diags: &mut _, name: &str, sub, b: &Block| {
        let list = attrs.entry(name.to_string()).or_insert_with(|| Value::List(vec![]));
        let Value::List(items) = list else { return };
        let path = format!("{prefix}{name}[{}]", items.len());
        spans.insert(path.clone(), header(b));
        if let Some(inner) = eval_body(&b.body, sub, &format!("{path}."), header(b), env, checker, spans, diags) {
            items.push(Value::Map(inner));
        }
    };
    for s in body.iter() {
        if let Structure::Block(b) = s
            && prefix.is_empty()
            && super::meta::META.contains(&b.ident.as_str())
        {
            continue;
        }
        if let Structure::Attribute(a) = s
            && prefix.is_empty()
            && [super::meta::DEPENDS_ON, super::repeat::COUNT, super::repeat::FOR_EACH].contains(&a.key.as_str())
        {
            continue;
        }
        if let Structure::Block(b) = s
            && b.ident.as_str() == DYNAMIC
        {
            let mut make = |name: &str, sub, content: &Block, diags: &mut Diagnostics| {
                nested(&mut attrs, spans, diags, name, sub, content)
            };
            super::dynamic::expand(env, b, specs, diags, &mut make);
            continue;
        }
        let (name, at) = match s {
            Structure::Attribute(a) => (a.key.as_str(), span(&a.key)),
            Structure::Block(b) => (b.ident.as_str(), header(b)),
        };
        let Some(spec) = specs.iter().find(|sp| sp.name == name && sp.presence != Presence::Computed) else {
            let computed = specs.iter().any(|sp| sp.name == name);
            let mut d = Diagnostic::error(if computed {
                format!("`{name}` is set by AWS and cannot be written")
            } else {
                format!("unknown attribute `{name}`")
            })
            .at(file, at);
            let settable = || specs.iter().filter(|s| s.presence != Presence::Computed).map(|s| s.name);
            if let Some(m) = crate::render::tftypes::attr_for(kind_of(specs, env), name, settable()) {
                d = d.label(format!("did you mean `{m}`? (`{name}` is the Terraform AWS provider's name)"));
                // Written, under Terraform's name: not also "missing".
                written.push(m);
            } else if let Some(m) = did_you_mean(name, settable()) {
                d = d.label(format!("did you mean `{m}`?"));
            }
            diags.push(d.hint(format!("attributes here: {}", settable().collect::<Vec<_>>().join(", "))));
            continue;
        };
        let path = format!("{prefix}{name}");
        match (s, &spec.ty) {
            (Structure::Attribute(a), Ty::Blocks(_)) => diags.push(
                Diagnostic::error(format!("`{name}` is written as a block"))
                    .at(file, span(a))
                    .hint(format!("write `{name} {{ … }}` once per item")),
            ),
            (Structure::Attribute(a), ty) => {
                written.push(name);
                if attrs.contains_key(name) {
                    diags.push(Diagnostic::error(format!("`{name}` is set twice")).at(file, span(&a.key)));
                    continue;
                }
                let (at, secret) = (span(&a.value), checker.is_sensitive(&path));
                spans.insert(path, at.clone());
                if let Some(v) = env.eval(&a.value, diags).and_then(|v| checker.check(ty, v, &at, secret, diags)) {
                    checker.constrain(spec, &v, &at, secret);
                    attrs.insert(name.to_string(), v);
                }
            }
            (Structure::Block(b), Ty::Blocks(sub)) => nested(&mut attrs, spans, diags, name, sub, b),
            (Structure::Block(b), _) => diags.push(
                Diagnostic::error(format!("`{name}` is an attribute, not a block"))
                    .at(file, header(b))
                    .hint(format!("write `{name} = …`")),
            ),
        }
    }
    for spec in specs {
        let missing = attrs.get(spec.name).is_none_or(Value::is_null);
        if missing && written.contains(&spec.name) && !attrs.contains_key(spec.name) {
            continue;
        }
        match spec.presence {
            Presence::Required if missing => diags.push(
                Diagnostic::error(format!("missing required attribute `{}`", spec.name))
                    .at(file, block_span.clone())
                    .hint(format!("{}: {}", spec.name, spec.doc)),
            ),
            Presence::Default(lit) if missing => {
                attrs.insert(spec.name.to_string(), lit.value());
            }
            _ if missing && matches!(spec.ty, Ty::Blocks(_)) => {
                attrs.insert(spec.name.to_string(), Value::List(vec![]));
            }
            Presence::Optional if missing => {
                attrs.remove(spec.name);
            }
            _ => {}
        }
    }
    (diags.error_count() == errors_before).then_some(attrs)
}

/// The resource kind whose top-level attributes `specs` are ("" in a nested block).
fn kind_of(specs: &'static [AttrSpec], env: &Env) -> &'static str {
    env.kinds.iter().find(|(_, s)| std::ptr::eq(s.attrs, specs)).map_or("", |(k, _)| k)
}
