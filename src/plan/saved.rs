//! Plan files (`plan --out`): what a reviewed plan was, so `apply PLAN_FILE` can refuse to do
//! anything else. A file is one JSON header line (format, versions, checksum) and a JSON body
//! whose exact bytes the checksum covers, so edits and truncation are caught before parsing.
//! Bodies hold the redacted plan (for `show`), each change's digest and the fingerprint of the
//! live attributes it was computed from, and the inputs needed to plan again: non-sensitive
//! variable values in clear, sensitive ones only as digests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Action, Change, Plan};
use crate::model::{Address, Attrs, LiveObject, Value, is_private};
use crate::resources::userdata::sha256_hex;

pub const FORMAT: &str = "stackr-plan";
pub const FORMAT_VERSION: u32 = 1;
pub const STACKR_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    format_version: u32,
    stackr_version: String,
    /// `sha256:<hex>` of the body bytes that follow the header line.
    checksum: String,
}

/// Everything a plan file records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Saved {
    pub stack: String,
    /// The stack file as given to `plan -f`, and the digest of its text then.
    pub stack_file: String,
    pub stack_file_sha256: String,
    /// The modules' files the stack file calls, and the digest of each.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub module_files: BTreeMap<String, String>,
    pub region: String,
    pub variables: BTreeMap<String, SavedVar>,
    pub destroy: bool,
    pub replace: Vec<Address>,
    pub target: Vec<Address>,
    /// Every change except no-ops, redacted.
    pub changes: Vec<SavedChange>,
    pub outputs: Vec<(String, Value)>,
    pub sensitive_outputs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavedVar {
    Value(Value),
    /// A sensitive variable: only a digest, to check the same value is given at apply.
    Sensitive {
        sha256: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedChange {
    pub address: Address,
    pub action: Action,
    pub id: Option<String>,
    pub before: Option<Attrs>,
    pub after: Option<Attrs>,
    pub changed: Vec<String>,
    pub forces: Vec<String>,
    pub deps: Vec<Address>,
    pub create_before_destroy: bool,
    pub sensitive: Vec<String>,
    /// The address a `moved` block moves the object from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<Address>,
    /// What the change does besides setting attributes (a rolling update), for `show`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Digest of the live object the change starts from (`absent` for a create).
    pub fingerprint: String,
    /// Digest of the change itself: action, desired attributes (secrets included, hashed).
    pub digest: String,
}

/// Why a plan file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{0} is not a stackr plan file")]
    NotAPlan(String),
    #[error("{path} is damaged: {why}")]
    Damaged { path: String, why: String },
    #[error(
        "{path} was written by stackr {theirs} (plan format {format}); this is stackr {ours} (plan format {FORMAT_VERSION})"
    )]
    Version { path: String, theirs: String, format: u32, ours: &'static str },
}

impl Saved {
    /// Records `plan` (unredacted: digests are of the real values) for a plan file.
    pub fn new(plan: &Plan, stack: &crate::stack::Stack, region: &str, opts: &super::Options) -> Saved {
        let shown = plan.redacted();
        let changes = plan
            .changes
            .iter()
            .zip(&shown.changes)
            .filter(|(c, _)| c.acts())
            .map(|(c, r)| SavedChange {
                address: c.addr.clone(),
                action: c.action,
                id: c.live.as_ref().map(|l| l.id.clone()),
                before: r.live.as_ref().map(|l| l.attrs.clone()),
                after: r.after.clone(),
                changed: c.changed.clone(),
                forces: c.forces.clone(),
                deps: c.deps.clone(),
                create_before_destroy: c.create_before_destroy,
                sensitive: c.sensitive.clone(),
                moved_from: c.moved_from.clone(),
                notes: c.notes.clone(),
                fingerprint: fingerprint(c.live.as_ref()),
                digest: digest(c),
            })
            .collect();
        let variables = stack
            .variables
            .iter()
            .map(|(k, v)| {
                let saved = if stack.sensitive_vars.contains(k) {
                    SavedVar::Sensitive { sha256: var_digest(k, v) }
                } else {
                    SavedVar::Value(v.clone())
                };
                (k.clone(), saved)
            })
            .collect();
        Saved {
            stack: plan.stack.clone(),
            stack_file: stack.file.path.clone(),
            stack_file_sha256: sha256_hex(stack.file.text.as_bytes()),
            module_files: stack
                .modules
                .iter()
                .flat_map(|m| m.files())
                .map(|f| (f.path.clone(), sha256_hex(f.text.as_bytes())))
                .collect(),
            region: region.to_string(),
            variables,
            destroy: opts.destroy,
            replace: opts.replace.clone(),
            target: opts.target.clone(),
            changes,
            outputs: shown.outputs,
            sensitive_outputs: plan.sensitive_outputs.clone(),
        }
    }

    /// The options the plan was made with, to make it again.
    pub fn options(&self) -> super::Options {
        super::Options { destroy: self.destroy, replace: self.replace.clone(), target: self.target.clone() }
    }

    /// The file's bytes: header line, then body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let body = serde_json::to_vec_pretty(self).expect("plans serialize");
        let header = Header {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            stackr_version: STACKR_VERSION.into(),
            checksum: format!("sha256:{}", sha256_hex(&body)),
        };
        let mut out = serde_json::to_vec(&header).expect("headers serialize");
        out.push(b'\n');
        out.extend(body);
        out.push(b'\n');
        out
    }

    /// Reads a plan file, refusing other formats and versions, and edited or truncated files.
    pub fn from_bytes(path: &str, bytes: &[u8]) -> Result<Saved, FileError> {
        let damaged = |why: &str| FileError::Damaged { path: path.to_string(), why: why.to_string() };
        let split = bytes.iter().position(|&b| b == b'\n').ok_or_else(|| FileError::NotAPlan(path.into()))?;
        let header: Header =
            serde_json::from_slice(&bytes[..split]).map_err(|_| FileError::NotAPlan(path.to_string()))?;
        if header.format != FORMAT {
            return Err(FileError::NotAPlan(path.to_string()));
        }
        if header.format_version != FORMAT_VERSION || header.stackr_version != STACKR_VERSION {
            return Err(FileError::Version {
                path: path.to_string(),
                theirs: header.stackr_version,
                format: header.format_version,
                ours: STACKR_VERSION,
            });
        }
        let body = &bytes[split + 1..];
        let body = body.strip_suffix(b"\n").unwrap_or(body);
        if header.checksum != format!("sha256:{}", sha256_hex(body)) {
            return Err(damaged("its contents do not match the checksum stackr wrote (edited or truncated)"));
        }
        serde_json::from_slice(body).map_err(|e| damaged(&format!("unreadable body ({e})")))
    }

    /// The saved plan as a [`Plan`] for renderers (redacted; there is nothing to execute).
    pub fn to_plan(&self) -> Plan {
        let changes = self
            .changes
            .iter()
            .map(|c| Change {
                addr: c.address.clone(),
                action: c.action,
                live: c.before.clone().map(|attrs| LiveObject {
                    addr: c.address.clone(),
                    id: c.id.clone().unwrap_or_default(),
                    attrs,
                }),
                after: c.after.clone(),
                raw: None,
                changed: c.changed.clone(),
                forces: c.forces.clone(),
                deps: c.deps.clone(),
                soft_deps: vec![],
                create_before_destroy: c.create_before_destroy,
                sensitive: c.sensitive.clone(),
                moved_from: c.moved_from.clone(),
                notes: c.notes.clone(),
            })
            .collect();
        Plan {
            stack: self.stack.clone(),
            changes,
            steps: vec![],
            outputs: self.outputs.clone(),
            sensitive_outputs: self.sensitive_outputs.clone(),
            destroy: self.destroy,
            warnings: vec![],
        }
    }
}

/// Digest of a live object's id and public attributes; `absent` when there is none.
pub fn fingerprint(live: Option<&LiveObject>) -> String {
    match live {
        None => "absent".into(),
        Some(l) => {
            let public: BTreeMap<&String, &Value> = l.attrs.iter().filter(|(k, _)| !is_private(k)).collect();
            let text = serde_json::to_string(&(&l.id, public)).expect("attributes serialize");
            format!("sha256:{}", sha256_hex(text.as_bytes()))
        }
    }
}

/// Digest of what a change does. Private payloads are left out: their digests are public
/// attributes already (user data).
pub fn digest(c: &Change) -> String {
    let after: Option<BTreeMap<&String, &Value>> =
        c.after.as_ref().map(|a| a.iter().filter(|(k, _)| !is_private(k)).collect());
    let what = (c.action, after, &c.forces, c.create_before_destroy, &c.deps, &c.moved_from);
    let text = serde_json::to_string(&what).expect("changes serialize");
    format!("sha256:{}", sha256_hex(text.as_bytes()))
}

/// Digest of a sensitive variable's value, salted with its name.
pub fn var_digest(name: &str, v: &Value) -> String {
    let text = serde_json::to_string(&(name, v)).expect("values serialize");
    format!("sha256:{}", sha256_hex(format!("stackr-variable\0{text}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::{VarInputs, load_str};

    #[test]
    fn a_plan_file_keeps_fractions_exactly() {
        let src = "stack \"t\" {}\nvariable \"target\" { default = 0.1 + 0.2 }\n\
                   autoscaling_group \"g\" {\n  launch_template = \"lt-12345678\"\n  \
                   subnets         = [\"subnet-12345678\"]\n  min_size        = 1\n  max_size        = 2\n  \
                   target_tracking {\n    target = var.target * 100\n  }\n}\noutput \"t\" { value = var.target }\n";
        let stack = load_str("t.hcl", src, &VarInputs::default(), &crate::resources::schemas()).unwrap();
        let p = crate::plan::plan(&stack, &Default::default(), false).unwrap();
        let saved = Saved::new(&p, &stack, "us-east-1", &Default::default());
        let read = Saved::from_bytes("t.plan", &saved.to_bytes()).unwrap();
        let exact = Value::number(0.1 + 0.2).unwrap();
        assert!(matches!(&read.variables["target"], SavedVar::Value(v) if *v == exact));
        assert_eq!(read.outputs, vec![("t".to_string(), exact)]);
        let after = read.changes[0].after.as_ref().unwrap();
        let target = after["target_tracking"].as_list()[0].as_map().unwrap()["target"].clone();
        assert_eq!(target, Value::number((0.1 + 0.2) * 100.0).unwrap());
        assert_eq!(read.changes[0].after, p.changes[0].after, "every value reads back as planned");
    }
}
