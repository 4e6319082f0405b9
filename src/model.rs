//! The data model shared by every layer: addresses, attribute values and the attribute schema
//! each resource kind declares. Desired objects (from the stack file) and live objects (from
//! the account) are both maps of attribute name to [`Value`], so the diff can stay generic.

use std::collections::BTreeMap;

pub use crate::address::{Address, Key, Ref};
pub use crate::number::Number;

/// An attribute value. `Ref` only appears in desired state before resolution; `Unknown` marks a
/// value that exists only after an earlier step of the apply (`(known after apply)`).
/// Serde gives the tagged form (`{"Str": "x"}`, `"Unknown"`) that plan files need to keep
/// unknowns and references apart from strings; [`Value::to_json`] is the plain form for people.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    /// A number with a fraction (`1.5`); whole numbers are always `Int` (see [`Value::number`]),
    /// so `4.0` and `4` are one value. The derived order puts every `Int` before every `Num`:
    /// enough for the canonical order of sets, and no attribute is a set of numbers.
    Num(Number),
    Str(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Ref(Ref),
    /// An expression over resource attributes (`"${load_balancer.web.dns_name}/health"`),
    /// evaluated once the attributes it uses are known. Only in desired state, like `Ref`.
    Expr(Box<Deferred>),
    Unknown,
}

/// An expression whose inputs include resource attributes. `expr` is its text with every
/// resource reference replaced by a name bound in `scope`; `scope` also holds the variables,
/// locals and instance keys it uses, with references inside them still unresolved. Kept as
/// text so saved plans carry it and the executor evaluates it when its inputs exist.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Deferred {
    pub expr: String,
    pub scope: BTreeMap<String, Value>,
}

pub type Attrs = BTreeMap<String, Value>;

/// Attributes whose name starts with `_` are private payloads: what a create or update needs
/// but must not be compared, shown or exported (the text of user data, whose digest is the
/// attribute that is compared and shown).
pub fn is_private(name: &str) -> bool {
    name.starts_with('_')
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Any number, whole or not, as a float.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Num(n) => Some(n.get()),
            _ => None,
        }
    }

    /// A computed number as a value: whole ones within 64 bits become `Int`, the rest `Num`;
    /// `None` for NaN and the infinities.
    pub fn number(f: f64) -> Option<Value> {
        let n = Number::new(f)?;
        Some(n.whole().map_or(Value::Num(n), Value::Int))
    }

    /// A decimal string as a number value (`" 42"`, `"1.5"`), as Terraform converts a string
    /// where a number is wanted. Whole numbers are read as integers first, so none past 2^53
    /// loses digits on the way through a float.
    pub fn parse_number(s: &str) -> Option<Value> {
        match s.trim().parse::<i64>() {
            Ok(i) => Some(Value::Int(i)),
            Err(_) => Value::number(Number::parse(s)?.get()),
        }
    }

    pub fn as_list(&self) -> &[Value] {
        match self {
            Value::List(l) => l,
            _ => &[],
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True when this value, or anything inside it, is only known after apply.
    pub fn has_unknown(&self) -> bool {
        match self {
            Value::Unknown | Value::Ref(_) | Value::Expr(_) => true,
            Value::List(l) => l.iter().any(Value::has_unknown),
            Value::Map(m) => m.values().any(Value::has_unknown),
            _ => false,
        }
    }

    /// Every reference inside this value.
    pub fn refs(&self, out: &mut Vec<Ref>) {
        match self {
            Value::Ref(r) => out.push(r.clone()),
            Value::Expr(d) => d.scope.values().for_each(|v| v.refs(out)),
            Value::List(l) => l.iter().for_each(|v| v.refs(out)),
            Value::Map(m) => m.values().for_each(|v| v.refs(out)),
            _ => {}
        }
    }

    /// Plain JSON for machine output; unknown values become `null`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Unknown => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            // Finite by construction, so the conversion cannot fail.
            Value::Num(n) => serde_json::Number::from_f64(n.get()).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::List(l) => J::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Value::Ref(r) => J::String(format!("${{{r}}}")),
            Value::Expr(d) => J::String(format!("${{{}}}", d.expr)),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Self {
        s.map_or(Value::Null, Value::Str)
    }
}

/// A list of strings, as AWS returns them, kept as a sorted set.
pub fn str_set<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Value {
    let mut v: Vec<Value> = items.into_iter().map(|s| Value::Str(s.into())).collect();
    v.sort();
    v.dedup();
    Value::List(v)
}

/// A string map, as AWS returns tags.
pub fn str_map<I: IntoIterator<Item = (K, V)>, K: Into<String>, V: Into<String>>(items: I) -> Value {
    Value::Map(items.into_iter().map(|(k, v)| (k.into(), Value::Str(v.into()))).collect())
}

/// An object as the account holds it, owned by the stack.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveObject {
    pub addr: Address,
    /// The identifier AWS uses for it (vpc-…, a group name, …).
    pub id: String,
    /// Attributes in the same shape and canonical form as desired attributes.
    pub attrs: Attrs,
}

pub use crate::schema::*;
