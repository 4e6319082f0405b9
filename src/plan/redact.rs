//! Secrets out of sight: the copy of a plan that renderers print and plan files store. User
//! data is shown by size and digest, `(sensitive: 1204 bytes, sha256 3f2a…)`, so a reviewer
//! still sees that it changed; values derived from sensitive variables become a fixed mask.
//! `--show-sensitive` asks for [`Plan::revealed`] instead, which prints user data as text (a
//! line diff of the texts when the live object's text is known, see [`Plan::revealed`]).

use super::{Change, Plan};
use crate::model::{Attrs, Value, is_private};

/// What a secret value is replaced with.
pub const MASK: &str = "(sensitive value)";

/// The attribute whose digest stands for the user data text in `_user_data`.
const USER_DATA: &str = "user_data";

impl Plan {
    /// The copy to print: secrets revealed only when the user asked (`--show-sensitive`).
    pub fn shown(&self, reveal: bool) -> Plan {
        if reveal { self.revealed() } else { self.redacted() }
    }

    /// A copy safe to print or save: sensitive values masked, private payloads removed.
    pub fn redacted(&self) -> Plan {
        let mut p = self.clone();
        for c in &mut p.changes {
            redact_change(c);
        }
        for (name, v) in &mut p.outputs {
            if self.sensitive_outputs.contains(name) {
                *v = mask(v);
            }
        }
        p
    }

    /// A copy for `--show-sensitive`: user data as its text, private payloads removed. The
    /// live side shows its text too when the kind read it back (a live `_user_data`), so the
    /// plan can show a line diff; otherwise it stays the digest, and the new text is shown
    /// whole.
    pub fn revealed(&self) -> Plan {
        let mut p = self.clone();
        for c in &mut p.changes {
            let attrs = [c.after.as_mut(), c.live.as_mut().map(|l| &mut l.attrs)];
            for attrs in attrs.into_iter().flatten() {
                if let Some(text) = attrs.get("_user_data").cloned() {
                    attrs.insert(USER_DATA.into(), text);
                }
            }
            strip_private(c);
        }
        p
    }
}

fn redact_change(c: &mut Change) {
    let size = c.after.as_ref().and_then(|a| a.get("_user_data")).and_then(Value::as_str).map(str::len);
    let after_digest = c.after.as_ref().and_then(|a| a.get(USER_DATA)).cloned();
    let sensitive = c.sensitive.clone();
    let redact = |attrs: &mut Attrs, size: Option<usize>| {
        for name in &sensitive {
            if let Some(v) = attrs.get_mut(name) {
                *v = if name == USER_DATA { user_data(v, size) } else { mask(v) };
            }
        }
    };
    if let Some(after) = &mut c.after {
        redact(after, size);
    }
    if let Some(live) = &mut c.live {
        // The size is known only for the text in the stack file, so the live side shows it
        // only when its digest is that text's.
        let same = live.attrs.get(USER_DATA) == after_digest.as_ref();
        redact(&mut live.attrs, size.filter(|_| same));
    }
    if let Some(raw) = &mut c.raw {
        for name in &sensitive {
            if let Some(v) = raw.get_mut(name) {
                *v = mask(v);
            }
        }
    }
    strip_private(c);
}

fn strip_private(c: &mut Change) {
    for attrs in [c.after.as_mut(), c.raw.as_mut(), c.live.as_mut().map(|l| &mut l.attrs)].into_iter().flatten() {
        attrs.retain(|k, _| !is_private(k));
    }
}

/// Null and unknown say nothing secret and stay; anything else becomes the mask.
fn mask(v: &Value) -> Value {
    match v {
        Value::Null | Value::Unknown => v.clone(),
        _ => Value::str(MASK),
    }
}

/// `sha256:<hex>` → `(sensitive: N bytes, sha256 <first 12 hex>…)`.
fn user_data(v: &Value, size: Option<usize>) -> Value {
    let Some(hex) = v.as_str().and_then(|s| s.strip_prefix("sha256:")) else { return mask(v) };
    let short = &hex[..hex.len().min(12)];
    Value::Str(match size {
        Some(n) => format!("(sensitive: {n} bytes, sha256 {short}…)"),
        None => format!("(sensitive, sha256 {short}…)"),
    })
}

/// The attributes of a kind that always hold secrets, whatever the stack file says.
pub fn always_sensitive(kind: &crate::model::Schema) -> impl Iterator<Item = String> + '_ {
    kind.attrs.iter().filter(|a| a.name == USER_DATA).map(|a| a.name.to_string())
}
