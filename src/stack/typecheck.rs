//! Checks an evaluated value against an attribute type and brings it to canonical form
//! (CIDRs normalised, numeric strings converted as Terraform does, sets sorted). Every
//! rejection becomes a diagnostic underlining the expression.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::constraint;
use crate::model::{AttrSpec, Ref, Schema, Ty, Value};

use crate::constraint::MASK;

pub(super) struct Checker<'a> {
    pub file: &'a Arc<SourceFile>,
    pub kinds: &'a HashMap<&'static str, &'static Schema>,
    /// The resource's top-level attributes and blocks whose values derive from sensitive
    /// variables: messages about them never quote the value.
    pub sensitive: &'a [String],
    /// Values of the right type that AWS would refuse: reported without failing the load, so
    /// the cross-resource checks still run (see `load_str_with`).
    pub refused: std::cell::RefCell<Vec<Diagnostic>>,
}

/// Broad families of scalar types; a reference to another resource's attribute is accepted
/// where the family matches.
#[derive(PartialEq, Eq, Debug)]
enum Family {
    Text,
    Number,
    Bool,
    Other,
}

fn family(ty: &Ty) -> Family {
    match ty {
        Ty::Str | Ty::Cidr | Ty::Enum(_) | Ty::Ref(_) | Ty::Json => Family::Text,
        Ty::Int | Ty::Port | Ty::Number => Family::Number,
        Ty::Bool => Family::Bool,
        _ => Family::Other,
    }
}

impl Checker<'_> {
    fn fail(&self, diags: &mut Diagnostics, at: &Range<usize>, msg: String) -> Option<Value> {
        diags.push(Diagnostic::error(msg).at(self.file, at.clone()));
        None
    }

    fn wrong_type(
        &self,
        diags: &mut Diagnostics,
        at: &Range<usize>,
        ty: &Ty,
        got: &Value,
        secret: bool,
    ) -> Option<Value> {
        let found = if secret { format!("a {MASK}") } else { describe_value(got) };
        self.fail(diags, at, format!("expected {}, found {found}", ty.describe()))
    }

    /// Whether the attribute at `path` (`ingress[0].port`) holds a sensitive value.
    pub fn is_sensitive(&self, path: &str) -> bool {
        let top = path.split(['[', '.']).next().unwrap_or(path);
        self.sensitive.iter().any(|s| s == top)
    }

    /// Checks `v` against `ty`; `None` means a diagnostic was recorded. With `secret`, messages
    /// do not quote the value.
    pub fn check(&self, ty: &Ty, v: Value, at: &Range<usize>, secret: bool, diags: &mut Diagnostics) -> Option<Value> {
        if v.is_null() {
            return Some(v);
        }
        if let Value::Ref(r) = v {
            return self.check_ref(ty, r, at, diags);
        }
        // Its type is known once it is evaluated; the plan checks it then.
        if let Value::Expr(_) = v {
            return Some(v);
        }
        match ty {
            Ty::Str | Ty::Ref(_) => match v {
                Value::Str(_) => Some(v),
                Value::Int(i) => Some(Value::Str(i.to_string())),
                Value::Num(n) => Some(Value::Str(n.to_string())),
                Value::Bool(b) => Some(Value::Str(b.to_string())),
                _ => self.wrong_type(diags, at, ty, &v, secret),
            },
            Ty::Int | Ty::Port | Ty::Number => self.number(ty, v, at, secret, diags),
            Ty::Bool => match v {
                Value::Bool(_) => Some(v),
                Value::Str(ref s) if s == "true" || s == "false" => Some(Value::Bool(s == "true")),
                _ => self.wrong_type(diags, at, ty, &v, secret),
            },
            Ty::Cidr => match &v {
                Value::Str(s) => self.cidr(s, at, secret, diags),
                _ => self.wrong_type(diags, at, ty, &v, secret),
            },
            Ty::Enum(opts) => self.one_of(ty, opts, v, at, secret, diags),
            Ty::List(inner) | Ty::Set(inner) => match v {
                Value::List(items) => {
                    let checked: Vec<Option<Value>> =
                        items.into_iter().map(|i| self.check(inner, i, at, secret, diags)).collect();
                    let mut items: Vec<Value> = checked.into_iter().collect::<Option<_>>()?;
                    if matches!(ty, Ty::Set(_)) {
                        items.sort();
                        items.dedup();
                    }
                    Some(Value::List(items))
                }
                other => self.wrong_type(diags, at, ty, &other, secret),
            },
            Ty::Map(inner) => match v {
                Value::Map(m) => {
                    let mut out = std::collections::BTreeMap::new();
                    for (k, item) in m {
                        out.insert(k, self.check(inner, item, at, secret, diags)?);
                    }
                    Some(Value::Map(out))
                }
                other => self.wrong_type(diags, at, ty, &other, secret),
            },
            Ty::Json => self.json(v, at, secret, diags),
            Ty::Blocks(_) => self.fail(diags, at, "this is written as nested blocks, not as an attribute".into()),
        }
    }

    /// A number, from a number or a decimal string. A fraction where AWS takes an integer is
    /// refused; a whole value computed as a float (`8 / 2`, `4.0`) is already an `Int`.
    fn number(&self, ty: &Ty, v: Value, at: &Range<usize>, secret: bool, diags: &mut Diagnostics) -> Option<Value> {
        let n = match &v {
            Value::Int(_) | Value::Num(_) => v.clone(),
            Value::Str(s) => match Value::parse_number(s) {
                Some(n) => n,
                None => return self.wrong_type(diags, at, ty, &v, secret),
            },
            _ => return self.wrong_type(diags, at, ty, &v, secret),
        };
        match (ty, n) {
            (Ty::Number, n) => Some(n),
            (Ty::Port, Value::Int(p)) if !(0..=65535).contains(&p) => {
                let p = if secret { MASK.to_string() } else { p.to_string() };
                self.fail(diags, at, format!("port {p} is out of range (0-65535)"))
            }
            (_, n @ Value::Int(_)) => Some(n),
            _ => self.wrong_type(diags, at, ty, &v, secret),
        }
    }

    /// A string among `opts`, with a suggestion for a near miss (never for a secret).
    fn one_of(
        &self,
        ty: &Ty,
        opts: &[&str],
        v: Value,
        at: &Range<usize>,
        secret: bool,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let Value::Str(s) = &v else { return self.wrong_type(diags, at, ty, &v, secret) };
        if opts.contains(&s.as_str()) {
            return Some(v);
        }
        if secret {
            return self.fail(diags, at, format!("{MASK} is not {}", ty.describe()));
        }
        let mut msg = format!("\"{s}\" is not {}", ty.describe());
        if let Some(m) = did_you_mean(s, opts.iter().copied()) {
            msg.push_str(&format!("; did you mean \"{m}\"?"));
        }
        self.fail(diags, at, msg)
    }

    fn check_ref(&self, ty: &Ty, r: Ref, at: &Range<usize>, diags: &mut Diagnostics) -> Option<Value> {
        let target = self.kinds.get(r.addr.kind.as_str())?;
        if let Ty::Ref(kind) = ty {
            let whole = r.attr.is_none() || r.attr.as_deref() == Some(target.ref_attr);
            if r.addr.kind == *kind && whole {
                return Some(Value::Ref(Ref { attr: None, ..r }));
            }
            if r.addr.kind != *kind {
                return self.fail(diags, at, format!("expected {}, found a reference to {}", ty.describe(), r.addr));
            }
        }
        if matches!(ty, Ty::List(_) | Ty::Set(_) | Ty::Map(_) | Ty::Blocks(_)) {
            return self.fail(diags, at, format!("expected {}, found a reference to {r}", ty.describe()));
        }
        // A reference to some attribute: its type must fit.
        let attr_ty = r.attr.as_deref().and_then(|a| target.attr(a)).map_or(Ty::Str, |a| a.ty);
        if family(&attr_ty) != family(ty) {
            return self.fail(diags, at, format!("expected {}, but {r} is {}", ty.describe(), attr_ty.describe()));
        }
        Some(Value::Ref(r))
    }

    fn cidr(&self, s: &str, at: &Range<usize>, secret: bool, diags: &mut Diagnostics) -> Option<Value> {
        match s.parse::<ipnet::Ipv4Net>() {
            Ok(net) if net.trunc() == net => Some(Value::Str(net.to_string())),
            Ok(_) | Err(_) if secret => self.fail(diags, at, format!("{MASK} is not a valid IPv4 CIDR block")),
            Ok(net) => {
                self.fail(diags, at, format!("\"{s}\" has host bits set; the network address is \"{}\"", net.trunc()))
            }
            Err(_) => self.fail(
                diags,
                at,
                format!("\"{s}\" is not a valid IPv4 CIDR block (expected the form \"10.0.0.0/16\")"),
            ),
        }
    }

    fn json(&self, v: Value, at: &Range<usize>, secret: bool, diags: &mut Diagnostics) -> Option<Value> {
        let parsed: serde_json::Value = match &v {
            Value::Str(s) => match serde_json::from_str(s) {
                Ok(j) => j,
                Err(e) => return self.fail(diags, at, format!("invalid JSON: {e}")),
            },
            Value::Map(_) | Value::List(_) if !v.has_unknown() => v.to_json(),
            _ => return self.wrong_type(diags, at, &Ty::Json, &v, secret),
        };
        Some(Value::Str(parsed.to_string()))
    }

    /// Checks a typed value against what AWS accepts for the attribute (its spec's checks),
    /// recording each problem in `refused`.
    pub fn constrain(&self, spec: &AttrSpec, v: &Value, at: &Range<usize>, secret: bool) {
        for p in constraint::problems(spec.checks, v) {
            let d = Diagnostic::error(constraint::message(spec.name, v, &p, secret)).at(self.file, at.clone());
            self.refused.borrow_mut().push(d);
        }
    }
}

pub fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Int(i) => format!("the number {i}"),
        // Whole, yet not an Int: past i64, where AWS's integers cannot go either.
        Value::Num(n) if n.whole().is_none() && n.get().fract() == 0.0 => {
            format!("the number {n}, which does not fit in 64 bits")
        }
        Value::Num(n) => format!("the number {n}"),
        Value::Str(s) => format!("the string \"{s}\""),
        Value::List(_) => "a list".into(),
        Value::Map(_) => "a map".into(),
        Value::Ref(r) => format!("a reference to {r}"),
        Value::Expr(_) => "a value known after apply".into(),
        Value::Unknown => "an unknown value".into(),
    }
}
