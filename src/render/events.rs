//! `apply --json` / `destroy --json`: one JSON object per line on stdout, in the shape of
//! Terraform's machine-readable UI (`@level`, `@message`, `@module`, `@timestamp`, `type`, and
//! its `hook`/`change`/`changes`/`diagnostic` objects), plus flat `address`/`action` fields
//! with stackr's own address, so a bot needs no Terraform knowledge to follow an apply.

use std::io::Write;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value as J, json};

use super::json::tf_address;
use super::progress::words;
use super::tftypes::tf_type;
use crate::apply::{Event, Outcome, Reporter};
use crate::model::{Address, Value};
use crate::plan::{Action, Change, Op};
use crate::stack::{Diagnostic, Diagnostics, diag::Severity};

/// Writes events to stdout as they happen, one line each, flushed.
pub struct JsonEvents;

fn timestamp() -> String {
    use aws_smithy_types::DateTime;
    use aws_smithy_types::date_time::Format;
    DateTime::from(SystemTime::now()).fmt(Format::DateTime).unwrap_or_default()
}

/// One event: the common `@` fields, `type`, then the event's own fields.
pub fn event(level: &str, message: &str, kind: &str, fields: Map<String, J>) -> J {
    let mut m = Map::new();
    m.insert("@level".into(), json!(level));
    m.insert("@message".into(), json!(message));
    m.insert("@module".into(), json!("stackr.ui"));
    m.insert("@timestamp".into(), json!(timestamp()));
    m.insert("type".into(), json!(kind));
    m.extend(fields);
    J::Object(m)
}

/// Terraform's resource object of a hook or change.
fn resource(addr: &Address) -> J {
    json!({
        "addr": tf_address(addr),
        "module": "",
        "resource": tf_address(addr),
        "implied_provider": "aws",
        "resource_type": tf_type(&addr.kind),
        "resource_name": addr.name,
        "resource_key": super::json::tf_index(addr),
    })
}

fn op_action(op: Op) -> &'static str {
    match op {
        Op::Create => "create",
        Op::Update | Op::Release | Op::Complete => "update",
        Op::Delete => "delete",
        // Terraform's hooks have no move; the object's address is what changes.
        Op::Move => "update",
    }
}

pub fn change_action(a: Action) -> &'static str {
    match a {
        Action::NoOp => "noop",
        Action::Create => "create",
        Action::Update => "update",
        Action::Replace => "replace",
        Action::Delete => "delete",
    }
}

fn fields(pairs: Vec<(&str, J)>) -> Map<String, J> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The flat fields and Terraform's `hook` object of an apply event.
fn hook(addr: &Address, op: Op, extra: Vec<(&str, J)>) -> Map<String, J> {
    let mut h = fields(vec![("resource", resource(addr)), ("action", json!(op_action(op)))]);
    let mut flat = fields(vec![("address", json!(addr.to_string())), ("action", json!(op_action(op)))]);
    for (k, v) in extra {
        h.insert(k.to_string(), v.clone());
        flat.insert(k.to_string(), v);
    }
    flat.insert("hook".into(), J::Object(h));
    flat
}

fn secs(d: Duration) -> J {
    json!(d.as_secs())
}

impl JsonEvents {
    fn emit(&self, e: &J) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{e}");
        let _ = out.flush();
    }

    pub fn version(&self) {
        let v = env!("CARGO_PKG_VERSION");
        let f = fields(vec![("stackr", json!(v)), ("ui", json!("1.0"))]);
        self.emit(&event("info", &format!("stackr {v}"), "version", f));
    }

    pub fn planned_change(&self, c: &Change) {
        // Terraform's UI calls a change that only moves the object a "move".
        let action = if c.action == Action::NoOp && c.moved_from.is_some() { "move" } else { change_action(c.action) };
        let mut change = json!({ "resource": resource(&c.addr), "action": action });
        if let Some(from) = &c.moved_from {
            change["previous_resource"] = resource(from);
        }
        let f = fields(vec![("address", json!(c.addr.to_string())), ("action", json!(action)), ("change", change)]);
        self.emit(&event("info", &format!("{}: Plan to {action}", c.addr), "planned_change", f));
    }

    /// The run's end: counts, whether it finished, failed or was interrupted, and how many
    /// changes never started.
    pub fn change_summary(&self, o: &Outcome, destroy: bool) {
        let operation = if destroy { "destroy" } else { "apply" };
        let outcome = match (o.interrupted, o.errors.is_empty()) {
            (true, _) => "interrupted",
            (false, true) => "success",
            (false, false) => "failed",
        };
        let message = match (outcome, destroy) {
            ("success", true) => format!("Destroy complete! Resources: {} destroyed.", o.destroyed),
            ("success", false) => format!(
                "Apply complete! Resources: {} added, {} changed, {} destroyed.",
                o.added, o.changed, o.destroyed
            ),
            _ => format!(
                "{} {outcome}: {} added, {} changed, {} destroyed; {} change(s) not attempted.",
                if destroy { "Destroy" } else { "Apply" },
                o.added,
                o.changed,
                o.destroyed,
                o.skipped
            ),
        };
        let changes = json!({
            "add": o.added, "change": o.changed, "import": 0, "remove": o.destroyed, "operation": operation,
        });
        let mut f = fields(vec![
            ("add", json!(o.added)),
            ("change", json!(o.changed)),
            ("remove", json!(o.destroyed)),
            ("skipped", json!(o.skipped)),
            ("operation", json!(operation)),
            ("outcome", json!(outcome)),
            ("changes", changes),
        ]);
        if !o.notes.is_empty() {
            let notes = o.notes.iter().map(|(a, n)| json!({"address": a.to_string(), "note": n})).collect();
            f.insert("notes".into(), J::Array(notes));
        }
        self.emit(&event(if outcome == "success" { "info" } else { "error" }, &message, "change_summary", f));
    }

    /// Output values after apply (unknown ones as null), as Terraform's `outputs` event.
    /// Outputs, sensitive ones already masked by the caller and flagged here.
    pub fn outputs(&self, outputs: &[(String, Value)], sensitive: &[String]) {
        if outputs.is_empty() {
            return;
        }
        let o: Map<String, J> = outputs
            .iter()
            .map(|(n, v)| (n.clone(), json!({ "sensitive": sensitive.contains(n), "value": v.to_json() })))
            .collect();
        self.emit(&event(
            "info",
            &format!("Outputs: {}", outputs.len()),
            "outputs",
            fields(vec![("outputs", J::Object(o))]),
        ));
    }

    pub fn diagnostic(&self, d: &Diagnostic) {
        let (level, severity) = match d.severity {
            Severity::Error => ("error", "error"),
            Severity::Warning => ("warn", "warning"),
        };
        let mut diag = fields(vec![
            ("severity", json!(severity)),
            ("summary", json!(d.message)),
            ("detail", json!(d.hints.join("\n"))),
        ]);
        if let Some((file, span)) = &d.at {
            let pos = |offset: usize| {
                let (line, column) = file.line_col(offset);
                json!({ "line": line, "column": column, "byte": offset })
            };
            diag.insert(
                "range".into(),
                json!({ "filename": file.path, "start": pos(span.start), "end": pos(span.end) }),
            );
        }
        self.emit(&event(
            level,
            &format!("{severity}: {}", d.message),
            "diagnostic",
            fields(vec![("diagnostic", J::Object(diag))]),
        ));
    }

    /// A failure as diagnostics: each of a stack file's, or one with the error and its hint.
    pub fn error(&self, e: &anyhow::Error) {
        if let Some(ds) = e.chain().find_map(|c| c.downcast_ref::<Diagnostics>()) {
            ds.iter().for_each(|d| self.diagnostic(d));
            return;
        }
        let hint = e.chain().find_map(|c| {
            c.downcast_ref::<crate::aws::AwsError>()
                .and_then(|a| a.hint.clone())
                .or_else(|| c.downcast_ref::<crate::error::UserError>().and_then(|u| u.hint.clone()))
        });
        let mut d = Diagnostic::error(format!("{e:#}"));
        d.hints.extend(hint);
        self.diagnostic(&d);
    }
}

impl Reporter for JsonEvents {
    fn event(&self, e: &Event) {
        let line = match e {
            Event::Started { addr, op } => {
                event("info", &format!("{addr}: {}", words(*op).0), "apply_start", hook(addr, *op, vec![]))
            }
            Event::StillRunning { addr, op, elapsed, status } => {
                let t = super::elapsed(*elapsed);
                let mut extra = vec![("elapsed_seconds", secs(*elapsed))];
                let msg = match status {
                    None => format!("{addr}: {} [{t} elapsed]", words(*op).1),
                    Some(st) => {
                        extra.extend([("phase", json!(st.phase)), ("detail", json!(st.detail))]);
                        format!("{addr}: {} [{t} elapsed, {}]", st.phase, st.detail)
                    }
                };
                event("info", &msg, "apply_progress", hook(addr, *op, extra))
            }
            Event::Finished { addr, op, elapsed, id } => {
                let msg = format!("{addr}: {} after {}", words(*op).2, super::elapsed(*elapsed));
                let mut extra = vec![("elapsed_seconds", secs(*elapsed))];
                if let Some(id) = id {
                    extra.extend([("id_key", json!("id")), ("id_value", json!(id))]);
                }
                let mut f = hook(addr, *op, extra);
                if let Some(id) = id {
                    f.insert("id".into(), json!(id));
                }
                event("info", &msg, "apply_complete", f)
            }
            Event::Failed { addr, op, elapsed, error, hint } => {
                let msg = format!("{addr}: {} errored after {}", op_action(*op), super::elapsed(*elapsed));
                let extra = vec![("elapsed_seconds", secs(*elapsed)), ("message", json!(error)), ("hint", json!(hint))];
                event("error", &msg, "apply_errored", hook(addr, *op, extra))
            }
            Event::Interrupted => event(
                "warn",
                "Interrupt received. Waiting for running operations to finish; no new ones will start.",
                "log",
                Map::new(),
            ),
            Event::Abandoned { running } => event(
                "warn",
                &format!("Second interrupt: stopping now; {running} running operation(s) abandoned where they were."),
                "log",
                Map::new(),
            ),
        };
        self.emit(&line);
    }
}
