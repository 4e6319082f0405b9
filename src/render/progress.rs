//! Apply progress as Terraform prints it: `vpc.main: Creating...`, `Still creating... [10s
//! elapsed]`, `Creation complete after 2s [id=vpc-…]`. One line per event, so the output
//! reads the same in a terminal and in a CI log.

use std::io::Write;

use super::{Style, elapsed};
use crate::apply::{Event, Reporter};
use crate::plan::Op;

pub struct Progress {
    pub style: Style,
}

/// The present, still-running and finished phrases of an operation.
pub(super) fn words(op: Op) -> (&'static str, &'static str, &'static str) {
    match op {
        Op::Create => ("Creating...", "Still creating...", "Creation complete"),
        Op::Update => ("Modifying...", "Still modifying...", "Modifications complete"),
        Op::Release => ("Releasing references...", "Still releasing...", "References released"),
        Op::Delete => ("Destroying...", "Still destroying...", "Destruction complete"),
        Op::Move => ("Moving...", "Still moving...", "Move complete"),
        Op::Complete => ("Adding references...", "Still adding references...", "References added"),
    }
}

impl Reporter for Progress {
    fn event(&self, e: &Event) {
        let s = self.style;
        let line = match e {
            Event::Started { addr, op } => format!("{}: {}", s.bold(&addr.to_string()), words(*op).0),
            Event::StillRunning { addr, op, elapsed: t, status: None } => {
                format!("{}: {} [{} elapsed]", s.bold(&addr.to_string()), words(*op).1, elapsed(*t))
            }
            Event::StillRunning { addr, elapsed: t, status: Some(st), .. } => {
                format!("{}: {} [{} elapsed, {}]", s.bold(&addr.to_string()), st.phase, elapsed(*t), st.detail)
            }
            Event::Finished { addr, op, elapsed: t, id } => {
                let id = match (op, id) {
                    (Op::Delete, _) | (_, None) => String::new(),
                    (_, Some(id)) => format!(" [id={id}]"),
                };
                format!("{}: {} after {}{id}", s.bold(&addr.to_string()), words(*op).2, elapsed(*t))
            }
            Event::Failed { addr, op, .. } => {
                let verb = match op {
                    Op::Create => "Creation",
                    Op::Update | Op::Release | Op::Complete => "Modification",
                    Op::Delete => "Destruction",
                    Op::Move => "Move",
                };
                format!("{}: {}", s.bold(&addr.to_string()), s.red(&format!("{verb} failed")))
            }
            Event::Interrupted => {
                "Interrupt received. Waiting for running operations to finish; no new ones will start (press Ctrl-C again to stop at once)...".to_string()
            }
            Event::Abandoned { running } => format!(
                "Second interrupt: stopping now; {running} running operation(s) abandoned where they were (their objects may be half made: run `stackr plan`)."
            ),
        };
        let mut out = anstream::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}
