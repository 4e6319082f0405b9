//! Discovery: reads every kind's owned objects from the account concurrently, one listing
//! per kind, into a [`LiveState`] the planner diffs against.

use std::collections::{HashMap, HashSet};

use anyhow::Context;

use crate::model::LiveObject;
use crate::resources::{Cx, KINDS};

/// What the account holds for this stack.
#[derive(Debug, Default, Clone)]
pub struct LiveState {
    pub objects: Vec<LiveObject>,
    /// Per kind, account-unique names held by objects the stack does not own.
    pub foreign: HashMap<String, HashSet<String>>,
}

impl LiveState {
    pub fn is_foreign(&self, kind: &str, name: &str) -> bool {
        self.foreign.get(kind).is_some_and(|names| names.contains(name))
    }
}

/// Reads all kinds at once; the first failure is reported with the kind it came from.
pub async fn read(cx: &Cx) -> anyhow::Result<LiveState> {
    read_kinds(cx, |_| true).await
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
