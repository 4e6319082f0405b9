//! The data kinds' tables: every kind has results, and arguments a block can set.

use super::*;
use crate::model::Presence;

#[test]
fn every_kind_has_results_and_unique_attributes() {
    for s in schemas() {
        assert!(s.attrs.iter().any(|a| a.presence == Presence::Computed), "{} has no results", s.kind);
        assert!(s.ref_attr.is_empty() || s.attr(s.ref_attr).is_some(), "{}'s reference attribute", s.kind);
        let mut names: Vec<&str> = s.attrs.iter().map(|a| a.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), s.attrs.len(), "{}", s.kind);
    }
}

#[test]
fn a_request_is_keyed_by_kind_and_arguments() {
    let a = Request { kind: "ami".into(), args: Attrs::from([("name".into(), Value::str("al2023-*"))]) };
    let mut b = a.clone();
    assert_eq!(a.key(), b.key());
    b.args.insert("owners".into(), Value::List(vec![]));
    assert_ne!(a.key(), b.key());
}
