//! Replacements that must be made before the old object goes. AWS refuses states in between:
//! an instance without a security group, a load balancer with subnets in one zone, launch
//! template versions that start Auto Scaling's instances in the VPC's default group. So a
//! security group or subnet replaced while something that stays refers to it is created first;
//! the referrers move straight to it, then the old one is deleted. Where the new object cannot
//! exist beside the old (a group name is unique in its VPC), the plan says so instead.

use super::resolve::ref_strings;
use super::{Action, Change};
use crate::model::Value;
use crate::stack::{Diagnostic, Diagnostics, Stack};

/// Marks such replacements create-before-destroy, or reports why one cannot be.
pub(super) fn mark(stack: &Stack, changes: &mut [Change], diags: &mut Diagnostics) {
    for x in 0..changes.len() {
        let c = &changes[x];
        if c.action != Action::Replace || c.create_before_destroy {
            continue;
        }
        let (Some(live), Some(after)) = (&c.live, &c.after) else { continue };
        let Some(verdict) = c.kind().replace_first(&live.attrs, after) else { continue };
        let Some(referrer) = staying_referrer(changes, x) else { continue };
        match verdict {
            Ok(()) => changes[x].create_before_destroy = true,
            Err(why) => {
                let c = &changes[x];
                let found = stack.resource(&c.addr);
                let (file, at) = found.map_or((&stack.file, 0..0), |r| (&r.file, r.span.clone()));
                diags.push(
                    Diagnostic::error(format!(
                        "{} would be replaced while {referrer} keeps using it, and {why}",
                        c.addr
                    ))
                    .at(file, at)
                    .hint(format!(
                        "AWS allows no moment without it, so stackr makes the new one first: change what collides, or replace {referrer} too (`-replace {referrer}`)"
                    )),
                );
            }
        }
    }
}

/// A change that stays (is updated in place) while its live object refers to change `x`
/// through an attribute it cannot let go of (`Kind::must_hold`).
fn staying_referrer(changes: &[Change], x: usize) -> Option<String> {
    let target = changes[x].live.as_ref()?;
    let ref_attr = changes[x].kind().schema().ref_attr;
    let id = target.attrs.get(ref_attr).and_then(Value::as_str).unwrap_or(&target.id);
    let kind = changes[x].kind().schema().kind;
    changes.iter().enumerate().find_map(|(j, c)| {
        if j == x || c.action != Action::Update {
            return None;
        }
        let live = c.live.as_ref()?;
        let mut refs = vec![];
        for spec in c.kind().schema().attrs.iter().filter(|a| c.kind().must_hold().contains(&a.name)) {
            if let Some(v) = live.attrs.get(spec.name) {
                ref_strings(&spec.ty, v, &mut refs);
            }
        }
        refs.iter().any(|(k, v)| *k == kind && v == id).then(|| c.addr.to_string())
    })
}
