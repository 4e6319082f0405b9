//! `data "stack"`: another stackr stack of the same account and region, by name, read the way
//! that stack's own plan reads it (its ownership tags and IAM paths). Its objects' attributes
//! are `data.stack.NAME.KIND.BLOCK.ATTRIBUTE` (`…KIND.BLOCK["KEY"].ATTRIBUTE` for an instance
//! of a repeated block): references across stacks without remote state or exported outputs.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::account::result;
use super::{DataKind, str_arg};
use crate::aws::Aws;
use crate::model::{Attrs, Key, Presence, Schema, Ty, Update, Value, attr, is_private};
use crate::resources::Cx;

pub struct OtherStack;

static STACK: Schema = Schema {
    kind: "stack",
    doc: "Another stackr stack in this account and region: its objects' attributes by address.",
    // `data.stack.NAME` alone is the whole stack, to keep in a local (`local.net.vpc.main.id`).
    ref_attr: "",
    singleton: false,
    attrs: &[
        attr("name", Ty::Str, Presence::Required, Update::InPlace, "The stack's name (its `stack \"NAME\"` block)."),
        result("objects", Ty::Str, "How many objects it owns."),
    ],
};

#[async_trait]
impl DataKind for OtherStack {
    fn schema(&self) -> &'static Schema {
        &STACK
    }

    async fn read(&self, aws: &Aws, args: &Attrs) -> Result<Attrs, String> {
        let name = str_arg(args, "name").unwrap_or_default();
        let cx = Cx {
            aws: aws.clone(),
            stack: Arc::from(name),
            known: Arc::default(),
            record: None,
            declared: Arc::default(),
        };
        let state =
            crate::live::read_kinds(&cx, |_| true).await.map_err(|e| format!("cannot read stack {name}: {e:#}"))?;
        let singleton = |k: &str| crate::resources::kind(k).is_some_and(|k| k.schema().singleton);
        let objects: Vec<_> = state.objects.into_iter().filter(|o| !singleton(&o.addr.kind)).collect();
        if objects.is_empty() {
            return Err(format!("no stack named \"{name}\" owns objects in this account and region"));
        }
        let mut out =
            Attrs::from([("name".into(), Value::str(name)), ("objects".into(), Value::Int(objects.len() as i64))]);
        for o in objects {
            let attrs: BTreeMap<String, Value> = o.attrs.into_iter().filter(|(k, _)| !is_private(k)).collect();
            let kind = out.entry(o.addr.kind.clone()).or_insert_with(|| Value::Map(BTreeMap::new()));
            let Value::Map(blocks) = kind else { continue };
            match o.addr.key {
                None => {
                    blocks.insert(o.addr.name, Value::Map(attrs));
                }
                Some(key) => {
                    let block = blocks.entry(o.addr.name).or_insert_with(|| Value::Map(BTreeMap::new()));
                    if let Value::Map(instances) = block {
                        let k = match key {
                            Key::Index(i) => i.to_string(),
                            Key::Str(s) => s,
                        };
                        instances.insert(k, Value::Map(attrs));
                    }
                }
            }
        }
        Ok(out)
    }
}
