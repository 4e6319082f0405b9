//! Addresses: where an object lives in the stack. `vpc.main` is kind `vpc`, name `main`; one
//! instance of a repeated block also has its key (`subnet.public["a"]`); an object a module
//! makes carries the module instance's path (`module.web["a"].instance.bastion`). Addresses
//! print and parse back exactly: the ownership tag, the IAM path and `-target` use that text.

use std::fmt;

/// Where a resource lives in the stack; see the module header.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Address {
    /// The module instance holding it (`module.web`, `module.web["a"].module.db`), empty at the
    /// root. First, so objects sort after the root's and grouped by module.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub module: String,
    /// Empty in a module's own address (`module.web`, what `-target module.web` names).
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Key>,
}

/// The key of one instance: `count.index` or `each.key`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Key {
    Index(i64),
    Str(String),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Index(i) => write!(f, "[{i}]"),
            Key::Str(s) => write!(f, "[{}]", serde_json::Value::from(s.as_str())),
        }
    }
}

impl Key {
    /// The key as a value: what `each.key` or `count.index` is.
    pub fn value(&self) -> crate::model::Value {
        match self {
            Key::Index(i) => crate::model::Value::Int(*i),
            Key::Str(s) => crate::model::Value::Str(s.clone()),
        }
    }

    /// Parses `[0]` or `["a"]`.
    pub fn parse(s: &str) -> Option<Key> {
        let inner = s.strip_prefix('[')?.strip_suffix(']')?;
        if inner.starts_with('"') {
            return serde_json::from_str::<String>(inner).ok().map(Key::Str);
        }
        inner.parse::<i64>().ok().filter(|i| *i >= 0 && !inner.starts_with('+')).map(Key::Index)
    }

    /// The key as a part of a default AWS name: `0`, `us-east-1a`.
    fn name_part(&self) -> String {
        match self {
            Key::Index(i) => i.to_string(),
            Key::Str(s) => s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect(),
        }
    }
}

/// Splits `a.b[0].c["x.y"]` into its names and keys; `None` when it is malformed.
fn segments(s: &str) -> Option<Vec<(&str, Option<Key>)>> {
    let mut out = vec![];
    let mut rest = s;
    loop {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty() {
            return None;
        }
        rest = &rest[end..];
        let mut key = None;
        if rest.starts_with('[') {
            let close = key_end(rest)?;
            key = Some(Key::parse(&rest[..close])?);
            rest = &rest[close..];
        }
        out.push((name, key));
        match rest.strip_prefix('.') {
            Some(r) => rest = r,
            None if rest.is_empty() => return Some(out),
            None => return None,
        }
    }
}

/// The length of the `[…]` that starts `s`, skipping a `]` inside a quoted key.
fn key_end(s: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Takes the leading `module.NAME[KEY]` segments off, as the module path text.
fn module_prefix<'s>(segs: &'s [(&'s str, Option<Key>)]) -> (String, &'s [(&'s str, Option<Key>)]) {
    let mut module = String::new();
    let mut i = 0;
    while segs.len() >= i + 2 && segs[i].0 == "module" && segs[i].1.is_none() {
        if !module.is_empty() {
            module.push('.');
        }
        module.push_str(&format!("module.{}", segs[i + 1].0));
        if let Some(k) = &segs[i + 1].1 {
            module.push_str(&k.to_string());
        }
        i += 2;
    }
    (module, &segs[i..])
}

impl Address {
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        Address { module: String::new(), kind: kind.into(), name: name.into(), key: None }
    }

    /// This block's instance with `key`.
    pub fn with_key(&self, key: Key) -> Address {
        Address { key: Some(key), ..self.clone() }
    }

    /// The same address inside the module instance `module` (empty: the root).
    pub fn in_module(mut self, module: &str) -> Address {
        self.module = module.to_string();
        self
    }

    /// Whether this is a module's address (`module.web`) rather than a resource's.
    pub fn is_module(&self) -> bool {
        self.kind.is_empty()
    }

    /// Whether `self` names `other`: the same address, `other`'s block when `self` has no key,
    /// or the module (instance) holding `other`, at any depth.
    pub fn covers(&self, other: &Address) -> bool {
        if self.is_module() {
            let m = &other.module;
            let whole_module = !self.module.ends_with(']');
            return m == &self.module
                || m.strip_prefix(self.module.as_str())
                    .is_some_and(|r| r.starts_with('.') || (whole_module && r.starts_with('[')));
        }
        self == other
            || (self.key.is_none() && self.module == other.module && self.kind == other.kind && self.name == other.name)
    }

    /// The address without its kind: `main`, `public["a"]`, `module.web.alice`. IAM paths
    /// record it.
    pub fn local(&self) -> String {
        let own = match &self.key {
            Some(k) => format!("{}{k}", self.name),
            None => self.name.clone(),
        };
        match self.module.is_empty() {
            true => own,
            false => format!("{}.{own}", self.module),
        }
    }

    /// The part of default AWS names taken from the address: `main`, `public-us-east-1a`,
    /// `web-0`, `web-bastion` in module `web` (characters other than letters, digits and `-`
    /// become `-`).
    pub fn name_part(&self) -> String {
        let mut parts: Vec<String> = vec![];
        if let Some(segs) = segments(&self.module) {
            for pair in segs.chunks(2) {
                if let [_, (name, key)] = pair {
                    parts.push(name.to_string());
                    parts.extend(key.as_ref().map(Key::name_part));
                }
            }
        }
        parts.push(self.name.clone());
        parts.extend(self.key.as_ref().map(Key::name_part));
        parts.join("-")
    }

    /// Parses `kind.name`, `kind.name[0]`, `kind.name["key"]`, each optionally inside modules
    /// (`module.web.kind.name`), or a module's own address (`module.web`, `module.web[0]`).
    pub fn parse(s: &str) -> Option<Address> {
        let segs = segments(s)?;
        let (module, rest) = module_prefix(&segs);
        match rest {
            [] if !module.is_empty() => Some(Address { module, ..Address::new("", "") }),
            [(kind, None), (name, key)] => Some(Address { module, key: key.clone(), ..Address::new(*kind, *name) }),
            _ => None,
        }
    }

    /// Where Terraform's implied moves take an object found at this address when nothing is
    /// declared there: `count` added to its block or to a module call that holds it
    /// (`vpc.main` to `vpc.main[0]`, `module.net.vpc.main` to `module.net[0].vpc.main`), or
    /// removed (the other way). Keys other than `[0]` never move implicitly.
    pub fn implied_targets(&self) -> Vec<Address> {
        let toggle = |k: &Option<Key>| match k {
            None => Some(Some(Key::Index(0))),
            Some(Key::Index(0)) => Some(None),
            _ => None,
        };
        let mut out: Vec<Address> = vec![];
        if let Some(key) = toggle(&self.key) {
            out.push(Address { key, ..self.clone() });
        }
        let Some(segs) = segments(&self.module) else { return out };
        for i in (1..segs.len()).step_by(2) {
            let Some(key) = toggle(&segs[i].1) else { continue };
            let mut changed = segs.clone();
            changed[i].1 = key;
            let (module, _) = module_prefix(&changed);
            out.push(Address { module, ..self.clone() });
        }
        out
    }

    /// Parses what [`Address::local`] printed, for an object of `kind`.
    pub fn parse_local(kind: &str, local: &str) -> Option<Address> {
        let segs = segments(local)?;
        let (module, rest) = module_prefix(&segs);
        match rest {
            [(name, key)] => Some(Address { module, key: key.clone(), ..Address::new(kind, *name) }),
            _ => None,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_module() {
            return write!(f, "{}", self.module);
        }
        if !self.module.is_empty() {
            write!(f, "{}.", self.module)?;
        }
        write!(f, "{}.{}", self.kind, self.name)?;
        match &self.key {
            Some(k) => write!(f, "{k}"),
            None => Ok(()),
        }
    }
}

/// A reference from one resource to another: `vpc.main` (attr `None`: the kind's reference
/// attribute, usually its id) or `vpc.main.cidr`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Ref {
    pub addr: Address,
    pub attr: Option<String>,
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.attr {
            Some(a) => write!(f, "{}.{a}", self.addr),
            None => write!(f, "{}", self.addr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Address, Key};

    #[test]
    fn addresses_print_and_parse_back() {
        let all = [
            "vpc.main",
            "subnet.public[0]",
            r#"subnet.public["us-east-1a"]"#,
            r#"iam_user.dev["a.b"]"#,
            r#"iam_user.dev["a]b"]"#,
            "module.web.instance.bastion",
            r#"module.web["a"].module.db[2].subnet.x["k"]"#,
            "module.web",
            "module.web[0]",
        ];
        for s in all {
            assert_eq!(Address::parse(s).unwrap().to_string(), s);
        }
        let a = Address::parse(r#"module.web["a"].module.db.iam_user.dev["a.b"]"#).unwrap();
        assert_eq!(a.module, r#"module.web["a"].module.db"#);
        assert_eq!((a.name.as_str(), a.key.clone()), ("dev", Some(Key::Str("a.b".into()))));
        assert_eq!(Address::parse_local("iam_user", &a.local()), Some(a));
        let bad = ["subnet.public[", "subnet.public[-1]", "subnet.public[x]", "subnet.a.b", "vpc.", "module", "a[0].b"];
        for s in bad {
            assert!(Address::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn a_module_address_covers_what_is_inside_it() {
        let p = |s: &str| Address::parse(s).unwrap();
        assert!(p("module.web").covers(&p("module.web.vpc.main")));
        assert!(p("module.web").covers(&p(r#"module.web["a"].module.db.vpc.main"#)));
        assert!(p(r#"module.web["a"]"#).covers(&p(r#"module.web["a"].vpc.main"#)));
        assert!(!p(r#"module.web["a"]"#).covers(&p(r#"module.web["b"].vpc.main"#)));
        assert!(!p("module.web").covers(&p("module.webby.vpc.main")));
        assert!(!p("module.web").covers(&p("vpc.main")));
        assert!(!p("vpc.main").covers(&p("module.web.vpc.main")));
        assert!(p("subnet.a").covers(&p("subnet.a[1]")));
    }

    #[test]
    fn implied_moves_toggle_a_zero_key_of_the_block_or_of_a_module_call() {
        let t =
            |s: &str| Address::parse(s).unwrap().implied_targets().iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(t("vpc.main"), ["vpc.main[0]"]);
        assert_eq!(t("vpc.main[0]"), ["vpc.main"]);
        assert!(t("vpc.main[1]").is_empty() && t(r#"vpc.main["a"]"#).is_empty());
        assert_eq!(t("module.net.vpc.main[2]"), ["module.net[0].vpc.main[2]"]);
        assert_eq!(
            t("module.a[0].module.b.vpc.x"),
            ["module.a[0].module.b.vpc.x[0]", "module.a.module.b.vpc.x", "module.a[0].module.b[0].vpc.x"]
        );
    }

    #[test]
    fn default_names_carry_the_module_path() {
        let p = |s: &str| Address::parse(s).unwrap().name_part();
        assert_eq!(p("vpc.main"), "main");
        assert_eq!(p(r#"subnet.public["us-east-1a"]"#), "public-us-east-1a");
        assert_eq!(p("module.web.instance.bastion"), "web-bastion");
        assert_eq!(p(r#"module.web["a"].module.db[0].instance.x[1]"#), "web-a-db-0-x-1");
    }
}
