//! Discovery: reads every kind's owned objects from the account concurrently, one listing
//! per kind, into a [`LiveState`] the planner diffs against.

use std::collections::{HashMap, HashSet};

use anyhow::Context;

use crate::account::Record;
use crate::model::LiveObject;
use crate::resources::{Cx, KINDS};

/// What the account holds for this stack.
#[derive(Debug, Default, Clone)]
pub struct LiveState {
    pub objects: Vec<LiveObject>,
    /// Per kind, account-unique names held by objects the stack does not own.
    pub foreign: HashMap<String, HashSet<String>>,
    /// Singletons (the password policy) that exist but that the stack does not own.
    pub foreign_singletons: Vec<LiveObject>,
    /// The stack's record, if it has one.
    pub record: Option<Record>,
    /// The region this was read in, and the one whose deployment manages the stack's IAM.
    pub region: String,
    pub iam_home: String,
}

impl LiveState {
    pub fn is_foreign(&self, kind: &str, name: &str) -> bool {
        self.foreign.get(kind).is_some_and(|names| names.contains(name))
    }
}

/// Reads the stack's record and all kinds at once; the first failure is reported with the kind
/// it came from. The record says which singletons the stack owns and where IAM is managed.
pub async fn read(cx: &Cx, iam_home_region: Option<&str>) -> anyhow::Result<LiveState> {
    let record = async { crate::account::record::read(&cx.aws, &cx.stack).await.context("reading the stack's record") };
    let (record, mut state) = futures::future::try_join(record, read_kinds(cx, |_| true)).await?;
    let owns_policy = record.as_ref().is_some_and(|r| r.password_policy);
    let (singletons, owned): (Vec<_>, Vec<_>) = std::mem::take(&mut state.objects)
        .into_iter()
        .partition(|o| !owns_policy && crate::resources::kind(&o.addr.kind).is_some_and(|k| k.schema().singleton));
    state.objects = owned;
    state.foreign_singletons = singletons;
    state.iam_home = crate::account::identity::iam_home(iam_home_region, record.as_ref(), &cx.aws.region);
    state.region = cx.aws.region.clone();
    state.record = record;
    Ok(state)
}

/// Reads the kinds `which` selects, all at once.
pub async fn read_kinds(cx: &Cx, which: impl Fn(&str) -> bool) -> anyhow::Result<LiveState> {
    Ok(read_listed(cx, which).await?.0)
}

/// [`read_kinds`], with the ids of owned objects the kinds' listings do not show yet (found by
/// a declared name only, see [`crate::resources::Found`]).
pub async fn read_listed(cx: &Cx, which: impl Fn(&str) -> bool) -> anyhow::Result<(LiveState, HashSet<String>)> {
    let reads = KINDS.iter().filter(|k| which(k.schema().kind)).map(|k| async move {
        let kind = k.schema().kind;
        k.read(cx).await.with_context(|| format!("reading the stack's {kind} objects")).map(|f| (kind, f))
    });
    let found = futures::future::try_join_all(reads).await?;
    let (mut state, mut unlisted) = (LiveState::default(), HashSet::new());
    for (kind, f) in found {
        state.objects.extend(f.owned);
        unlisted.extend(f.unlisted);
        state.foreign.insert(kind.to_string(), f.foreign_names.into_iter().collect());
        for (space, name) in f.foreign_side {
            state.foreign.entry(space.to_string()).or_default().insert(name);
        }
    }
    Ok((state, unlisted))
}
