//! The attribute schema a resource kind declares. The stack loader checks stack files against
//! it, the diff uses it to decide update-in-place versus replace, and the README's reference
//! tables are written from the same facts, so a kind's behaviour is described in one place.

pub use crate::constraint::Check;

/// The static description of one resource kind.
#[derive(Debug)]
pub struct Schema {
    pub kind: &'static str,
    /// One line for help text and docs.
    pub doc: &'static str,
    /// The attribute another resource receives when it references this one by `kind.name`.
    pub ref_attr: &'static str,
    /// One per account (the password policy): written without a name, `kind { … }`, and never
    /// deleted, since it cannot carry an ownership mark.
    pub singleton: bool,
    pub attrs: &'static [AttrSpec],
}

impl Schema {
    pub fn attr(&self, name: &str) -> Option<&'static AttrSpec> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrSpec {
    pub name: &'static str,
    pub ty: Ty,
    pub presence: Presence,
    pub update: Update,
    pub doc: &'static str,
    /// What AWS accepts beyond the type (ranges, lengths, formats), checked when the stack
    /// file loads.
    pub checks: &'static [Check],
    /// Items of this list may wait for what they reference: the object is made without the
    /// items naming objects that do not exist yet, and they are added once those do. Such
    /// references never form a cycle (two security groups whose rules name each other).
    pub late: bool,
}

impl AttrSpec {
    /// The same attribute with constraints on its value.
    pub const fn with(self, checks: &'static [Check]) -> AttrSpec {
        AttrSpec { checks, ..self }
    }

    /// The same attribute, its list items settled after the objects they name (see `late`).
    pub const fn late(self) -> AttrSpec {
        AttrSpec { late: true, ..self }
    }
}

/// Whether an attribute must be given, may be omitted, or is only ever reported by AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    /// May be omitted; then AWS chooses and the diff ignores the attribute.
    Optional,
    /// May be omitted; then this value is desired.
    Default(Lit),
    /// Set by AWS (ids, ARNs); can be referenced, never written.
    Computed,
}

/// A default value that can live in a `static` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lit {
    /// Explicitly "none": omitting the attribute means it should be unset.
    Null,
    Bool(bool),
    Int(i64),
    Str(&'static str),
    EmptyList,
    EmptyMap,
}

impl Lit {
    pub fn value(self) -> crate::model::Value {
        use crate::model::Value;
        match self {
            Lit::Null => Value::Null,
            Lit::Bool(b) => Value::Bool(b),
            Lit::Int(i) => Value::Int(i),
            Lit::Str(s) => Value::Str(s.to_string()),
            Lit::EmptyList => Value::List(vec![]),
            Lit::EmptyMap => Value::Map(Default::default()),
        }
    }
}

/// What a change of the attribute costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    InPlace,
    /// In place, but AWS requires the object stopped (an instance's type): the plan says so.
    Restart,
    ForceNew,
}

/// Attribute types. Scalars are checked when the stack file is loaded, with the offending
/// expression underlined; `Set` and `Blocks` compare without regard to order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Str,
    /// A whole number, as AWS's integer attributes take it.
    Int,
    /// A number that may have a fraction, as AWS's doubles take it.
    Number,
    Bool,
    /// An IPv4 CIDR block, stored in canonical form (`10.0.0.0/16`).
    Cidr,
    /// A TCP/UDP port, 0–65535.
    Port,
    Enum(&'static [&'static str]),
    /// Another resource of this kind, or the literal id of an existing object.
    Ref(&'static str),
    List(&'static Ty),
    Set(&'static Ty),
    Map(&'static Ty),
    /// A JSON document (IAM policies), compared in canonical form.
    Json,
    /// Repeated nested blocks (`ingress { … }`), compared as a set.
    Blocks(&'static [AttrSpec]),
}

impl Ty {
    /// A short name for error messages: "a string", "a list of subnet references", …
    pub fn describe(&self) -> String {
        match self {
            Ty::Str => "a string".into(),
            Ty::Int => "a whole number".into(),
            Ty::Number => "a number".into(),
            Ty::Bool => "true or false".into(),
            Ty::Cidr => "an IPv4 CIDR block such as \"10.0.0.0/16\"".into(),
            Ty::Port => "a port number (0-65535)".into(),
            Ty::Enum(opts) => format!("one of {}", quote_list(opts)),
            Ty::Ref(kind) => format!("a reference to a {kind} (such as {kind}.main)"),
            Ty::List(t) | Ty::Set(t) => format!("a list of {}", t.describe_plural()),
            Ty::Map(t) => format!("a map of {}", t.describe_plural()),
            Ty::Json => "a JSON document (a string, or jsonencode({...}))".into(),
            Ty::Blocks(_) => "nested blocks".into(),
        }
    }

    fn describe_plural(&self) -> String {
        match self {
            Ty::Str => "strings".into(),
            Ty::Int => "whole numbers".into(),
            Ty::Number => "numbers".into(),
            Ty::Cidr => "CIDR blocks".into(),
            Ty::Ref(kind) => format!("{kind} references"),
            Ty::Json => "JSON documents".into(),
            other => other.describe(),
        }
    }
}

pub fn quote_list(items: &[&str]) -> String {
    items.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
}

/// Shorthands that keep the kind tables readable.
pub const fn attr(name: &'static str, ty: Ty, presence: Presence, update: Update, doc: &'static str) -> AttrSpec {
    AttrSpec { name, ty, presence, update, doc, checks: &[], late: false }
}

pub const fn computed(name: &'static str, doc: &'static str) -> AttrSpec {
    AttrSpec { name, ty: Ty::Str, presence: Presence::Computed, update: Update::InPlace, doc, checks: &[], late: false }
}

/// The `tags` attribute every taggable EC2 and Auto Scaling kind has.
pub const TAGS: AttrSpec = AttrSpec {
    name: "tags",
    ty: Ty::Map(&Ty::Str),
    presence: Presence::Default(Lit::EmptyMap),
    update: Update::InPlace,
    doc: "Tags to set; `Name` defaults to the default name (`<stack>-<name>-<kind>`; for an instance `<stack>-<name>`). The stackr:* ownership tags are managed for you.",
    checks: TAG_CHECKS,
    late: false,
};

/// Tags as EC2 and Auto Scaling take them: keys of 1-128 characters, values of up to 256, at
/// most 50 a resource of which stackr's ownership tags take two, and the `aws:` and `stackr:`
/// prefixes reserved.
pub const TAG_CHECKS: &[Check] = &[
    Check::Count(48),
    Check::Keys(&[Check::Len(1, 128), Check::NotPrefix("aws:"), Check::NotPrefix("stackr:")]),
    Check::Len(0, 256),
];

/// Tags of IAM and ELB objects, which also limit their characters.
pub const STRICT_TAG_CHECKS: &[Check] = &[
    Check::Count(48),
    Check::Keys(&[
        Check::Len(1, 128),
        Check::Chars(&crate::constraint::chars::TAG),
        Check::NotPrefix("aws:"),
        Check::NotPrefix("stackr:"),
    ]),
    Check::Len(0, 256),
    Check::Chars(&crate::constraint::chars::TAG),
];
