//! `stackr whoami`: the caller's identity, region and credential source.

use std::process::ExitCode;

use serde_json::json;

use crate::aws;
use crate::cli::{Global, WhoamiArgs};

pub async fn run(global: &Global, args: &WhoamiArgs) -> anyhow::Result<ExitCode> {
    let aws = super::connect(global, None).await?;
    let source = aws.credential_source().await?;
    let id = aws.sts.get_caller_identity().send().await.map_err(aws::error)?;
    let (account, arn, user_id) =
        (id.account().unwrap_or_default(), id.arn().unwrap_or_default(), id.user_id().unwrap_or_default());
    if args.json {
        let doc = json!({
            "account": account,
            "arn": arn,
            "user_id": user_id,
            "region": aws.region,
            "endpoint": aws.endpoint,
            "credential_source": source,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Account:     {account}");
    println!("ARN:         {arn}");
    println!("User ID:     {user_id}");
    println!("Region:      {}", aws.region);
    if let Some(e) = &aws.endpoint {
        println!("Endpoint:    {e}");
    }
    println!("Credentials: {source}");
    Ok(ExitCode::SUCCESS)
}
