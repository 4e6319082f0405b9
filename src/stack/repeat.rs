//! `count` and `for_each`: one block, many objects. The meta-argument is evaluated before the
//! block's body (it may use variables and locals, never resources: the set of objects must be
//! known when planning, as in Terraform), giving each instance its key; the body is then
//! evaluated once per instance with `count.index` or `each.key` / `each.value` set.
//! References into a repeated block name an instance (`subnet.public["a"].id`), every
//! instance (`subnet.public[*].id`, a list) or the block (`subnet.public`, a map by key or a
//! list by index).

use std::ops::Range;

use hcl_edit::expr::TraversalOperator;
use hcl_edit::structure::Block;

use super::diag::{Diagnostic, Diagnostics};
use super::eval::{Env, span};
use crate::model::{Address, Key, Ref, Value};

/// The meta-arguments that repeat a block.
pub(super) const COUNT: &str = "count";
pub(super) const FOR_EACH: &str = "for_each";

/// The instance whose body is being evaluated.
#[derive(Clone, Debug)]
pub(super) struct Each {
    pub key: Key,
    /// `each.value`: the map's value, or the key itself for a set of strings.
    pub value: Value,
}

impl Each {
    /// Whether the block repeats by `count` (its keys are indices; `for_each` keys are strings).
    pub fn by_count(&self) -> bool {
        matches!(self.key, Key::Index(_))
    }
}

/// How a block repeats: by `count` or `for_each`, and its keys once evaluated.
#[derive(Clone, Debug)]
pub(super) struct Repeat {
    pub count: bool,
    /// `None` until the block's meta-argument is evaluated (while locals are).
    pub keys: Option<Vec<Key>>,
    /// The meta-argument uses a data lookup not read yet: references to all instances are
    /// left out silently, as the stack is loaded again once it is read.
    pub pending: bool,
}

/// How a block repeats, `None` when it does not.
pub(super) fn repeat_of(block: &Block) -> Option<Repeat> {
    let count = block.body.get_attribute(COUNT).is_some();
    (count || block.body.get_attribute(FOR_EACH).is_some()).then_some(Repeat { count, keys: None, pending: false })
}

/// The instances of a block: `None` when it does not repeat, `Some(vec![])` for zero
/// instances, or a diagnostic (recorded) when the meta-argument is wrong.
pub(super) fn instances(env: &Env, block: &Block, diags: &mut Diagnostics) -> Option<Option<Vec<Each>>> {
    let count = block.body.get_attribute(COUNT);
    let for_each = block.body.get_attribute(FOR_EACH);
    let err = |diags: &mut Diagnostics, at: Range<usize>, msg: String| {
        diags.push(Diagnostic::error(msg).at(&env.file, at));
        None
    };
    match (count, for_each) {
        (None, None) => Some(None),
        (Some(c), Some(_)) => err(diags, span(&c.key), "a block takes either count or for_each, not both".into()),
        (Some(c), None) => {
            let at = span(&c.value);
            match env.eval(&c.value, diags)? {
                Value::Int(n) if (0..=MAX_INSTANCES as i64).contains(&n) => {
                    Some(Some((0..n).map(|i| Each { key: Key::Index(i), value: Value::Null }).collect()))
                }
                Value::Int(n) => err(diags, at, format!("count must be between 0 and {MAX_INSTANCES}, not {n}")),
                v if v.has_unknown() => err(diags, at, unknown_msg(COUNT, "objects")),
                _ => err(diags, at, "count must be a whole number".into()),
            }
        }
        (None, Some(f)) => {
            let at = span(&f.value);
            let v = env.eval(&f.value, diags)?;
            if v.has_unknown() {
                return err(diags, at, unknown_msg(FOR_EACH, "objects"));
            }
            match for_each_instances(v) {
                Ok(list) => Some(Some(list)),
                Err(msg) => err(diags, at, msg),
            }
        }
    }
}

/// More instances than any account's quotas would allow for one block is a mistake.
const MAX_INSTANCES: usize = 10_000;

/// `things`: what the meta-argument makes (objects, or a dynamic block's nested blocks).
pub(super) fn unknown_msg(what: &str, things: &str) -> String {
    format!(
        "{what} must be known before apply: it cannot use a resource's attributes, because the set of \
         {things} has to be known to plan; use variables and locals"
    )
}

fn for_each_instances(v: Value) -> Result<Vec<Each>, String> {
    let list: Vec<Each> = match v {
        Value::Map(m) => m.into_iter().map(|(k, v)| Each { key: Key::Str(k), value: v }).collect(),
        // A list stands for a set of strings (stackr has no separate set type): each.value is
        // each.key, and a value given twice is a mistake rather than silently merged.
        Value::List(items) => {
            let mut seen = std::collections::BTreeSet::new();
            let mut out = vec![];
            for item in items {
                let Value::Str(s) = item else {
                    return Err("for_each takes a map, or a set (list) of strings; this list holds a value \
                                that is not a string"
                        .into());
                };
                if !seen.insert(s.clone()) {
                    return Err(format!("for_each lists \"{s}\" twice; each key names one object"));
                }
                out.push(Each { key: Key::Str(s.clone()), value: Value::Str(s) });
            }
            out
        }
        _ => return Err("for_each takes a map, or a set (list) of strings".into()),
    };
    if list.len() > MAX_INSTANCES {
        return Err(format!("for_each gives {} instances; at most {MAX_INSTANCES} are allowed", list.len()));
    }
    match list.iter().find_map(|e| bad_key(&e.key)) {
        Some(msg) => Err(msg),
        None => Ok(list),
    }
}

/// Keys become part of tags, IAM paths and default names: printable ASCII without `/`, quotes,
/// backslashes or spaces, so every kind can record them.
fn bad_key(key: &Key) -> Option<String> {
    let Key::Str(s) = key else { return None };
    let ok =
        !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '/' | '"' | '\\'));
    (!ok).then(|| {
        format!(
            "for_each key \"{s}\" cannot name an object: keys are 1 to 64 printable ASCII characters \
             without spaces, `/`, `\"` or `\\`"
        )
    })
}

/// A reference into a repeated block (`rest` are the operators after `KIND.NAME`).
pub(super) fn reference(
    env: &Env,
    block: &Address,
    rep: &Repeat,
    rest: &[hcl_edit::Decorated<TraversalOperator>],
    whole: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let err = |diags: &mut Diagnostics, at: Range<usize>, msg: String| {
        diags.push(Diagnostic::error(msg).at(&env.file, at));
        None
    };
    let keys = rep.keys.as_deref();
    let Some(first) = rest.first() else {
        // Keys are evaluated before anything that names the block (values.rs): missing only
        // when its count or for_each failed or is in a cycle (reported) or waits for a lookup.
        let keys = keys?;
        let each = keys.iter().map(|k| (k, Value::Ref(Ref { addr: block.with_key(k.clone()), attr: None })));
        return Some(collection(rep.count, each));
    };
    let key = match first.value() {
        TraversalOperator::Index(e) => match env.eval(e, diags)? {
            Value::Int(i) if i >= 0 => Key::Index(i),
            Value::Str(s) => Key::Str(s),
            _ => return err(diags, span(e), format!("{block} is indexed by a whole number or a string key")),
        },
        TraversalOperator::LegacyIndex(i) => Key::Index(*i.value() as i64),
        TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_) => {
            let attr = trailing_attr(env, block, &rest[1..], diags)?;
            let keys = keys?;
            let refs = keys.iter().map(|k| Value::Ref(Ref { addr: block.with_key(k.clone()), attr: attr.clone() }));
            return Some(Value::List(refs.collect()));
        }
        TraversalOperator::GetAttr(_) => {
            return err(
                diags,
                whole,
                format!("{block} has count or for_each: name one instance, such as {block}[0] or {block}[\"KEY\"]"),
            );
        }
    };
    if let Some(keys) = keys
        && !keys.contains(&key)
    {
        let have: Vec<String> = keys.iter().take(5).map(ToString::to_string).collect();
        let msg = format!("{block} has no instance {key}; its instances are {}", have.join(", "));
        return err(diags, span(first), if keys.is_empty() { format!("{block} has no instances") } else { msg });
    }
    let attr = trailing_attr(env, block, &rest[1..], diags)?;
    Some(Value::Ref(Ref { addr: block.with_key(key), attr }))
}

fn shape(block: &Address) -> String {
    format!("references take the form {block}[KEY] or {block}[KEY].ATTRIBUTE")
}

/// The attribute after an instance (`.id`), `Some(None)` when there is none.
fn trailing_attr(
    env: &Env,
    block: &Address,
    ops: &[hcl_edit::Decorated<TraversalOperator>],
    diags: &mut Diagnostics,
) -> Option<Option<String>> {
    let wrong = match ops {
        [] => return Some(None),
        [op] => match op.value() {
            TraversalOperator::GetAttr(id) => return env.check_attr(&block.kind, id, span(op), diags).map(Some),
            _ => op,
        },
        [_, extra, ..] => extra,
    };
    diags.push(Diagnostic::error(shape(block)).at(&env.file, span(wrong)));
    None
}

/// Every instance of a block as a list by index (`count`) or a map by key (`for_each`).
fn collection<'k>(count: bool, each: impl Iterator<Item = (&'k Key, Value)>) -> Value {
    match count {
        true => Value::List(each.map(|(_, v)| v).collect()),
        false => Value::Map(each.map(|(k, v)| (k.value().as_str().unwrap_or_default().to_string(), v)).collect()),
    }
}
