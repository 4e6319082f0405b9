//! What stackr keeps in the account about a stack itself, beside the objects it owns: the
//! stack record (which file, which region manages IAM, who owns the password policy) and the
//! apply lock. Both are IAM managed policies at the stack's IAM path that grant nothing: IAM
//! is where names are account-wide and creates are atomic, and every stack already needs it.

pub mod identity;
pub mod lock;
pub mod record;
pub mod source;

pub use record::Record;

use crate::aws::{self, Aws};

/// The document of the record and lock policies. Attached by mistake, it allows a call every
/// principal may make anyway (GetCallerIdentity needs no permission).
const GRANTS_NOTHING: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"StackrBookkeepingGrantsNothing","Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}"#;

/// Now, as RFC 3339 in UTC.
pub fn now() -> String {
    aws_smithy_types::DateTime::from(std::time::SystemTime::now())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// The ARN of the account's own policy `name` under `path`, found by a listing of that path.
async fn find_policy(aws: &Aws, path: &str, name: &str) -> anyhow::Result<Option<String>> {
    let mut pages = aws
        .iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .path_prefix(path)
        .into_paginator()
        .items()
        .send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(aws::error)?;
        if p.policy_name() == Some(name) {
            return Ok(p.arn);
        }
    }
    Ok(None)
}
