//! Data lookups: the read-only `data "KIND" "NAME" { … }` blocks of a stack file. Each kind
//! declares its arguments and results as a [`Schema`] (so the loader checks them like any
//! block, with positions, before any AWS call) and reads AWS once its arguments are known.
//! The loader never calls AWS itself: it asks for what it lacks ([`Request`]), the command
//! fetches those ([`fetch`]) and loads again with the answers ([`Fetched`]).

mod account;
mod acm;
mod ami;
mod ebs_snapshot;
mod iam;
mod network;
mod stack;

use std::collections::HashMap;

use async_trait::async_trait;

use crate::aws::Aws;
use crate::model::{Attrs, Schema, Value};

/// One data kind: its schema (arguments settable, results computed) and its read.
#[async_trait]
pub trait DataKind: Send + Sync + 'static {
    fn schema(&self) -> &'static Schema;

    /// The results for `args` (already type-checked), or why there are none.
    async fn read(&self, aws: &Aws, args: &Attrs) -> Result<Attrs, String>;
}

const KINDS: &[&dyn DataKind] = &[
    &account::AvailabilityZones,
    &account::CallerIdentity,
    &account::Region,
    &ami::Ami,
    &ebs_snapshot::EbsSnapshot,
    &network::Vpc,
    &network::Subnets,
    &network::SecurityGroup,
    &iam::InstanceProfile,
    &acm::AcmCertificate,
    &stack::OtherStack,
];

pub fn schemas() -> Vec<&'static Schema> {
    KINDS.iter().map(|k| k.schema()).collect()
}

fn kind(name: &str) -> Option<&'static dyn DataKind> {
    KINDS.iter().copied().find(|k| k.schema().kind == name)
}

/// What the loader needs read: a kind with its evaluated arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub kind: String,
    pub args: Attrs,
}

/// A request's identity: two blocks asking the same thing share one read.
pub type Key = (String, String);

impl Request {
    pub fn key(&self) -> Key {
        (self.kind.clone(), serde_json::to_string(&self.args).unwrap_or_default())
    }
}

/// The answers read so far.
#[derive(Debug, Clone, Default)]
pub struct Fetched(pub HashMap<Key, Result<Value, String>>);

impl Fetched {
    pub fn get(&self, req: &Request) -> Option<&Result<Value, String>> {
        self.0.get(&req.key())
    }
}

/// Reads every request not answered yet, a few at a time.
pub async fn fetch(aws: &Aws, requests: &[Request], into: &mut Fetched) {
    use futures::StreamExt;
    let todo: Vec<&Request> = requests.iter().filter(|r| into.get(r).is_none()).collect();
    let reads = futures::stream::iter(todo)
        .map(|r| async move {
            let result = match kind(&r.kind) {
                Some(k) => k.read(aws, &r.args).await.map(Value::Map),
                None => Err(format!("there is no data kind {}", r.kind)),
            };
            (r.key(), result)
        })
        .buffer_unordered(8);
    for (key, result) in reads.collect::<Vec<_>>().await {
        into.0.insert(key, result);
    }
}

/// The message of an AWS error, with its code and request id.
fn failed<E>(
    what: &str,
    e: aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + aws_sdk_ec2::operation::RequestId
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    format!("cannot read {what}: {}", crate::aws::error(e))
}

fn str_arg<'a>(args: &'a Attrs, name: &str) -> Option<&'a str> {
    args.get(name).and_then(Value::as_str)
}

fn strs(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::List(items.into_iter().map(|s| Value::Str(s.into())).collect())
}

#[cfg(test)]
mod tests;
