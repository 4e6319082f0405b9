//! The realism layer of the test LocalStack (localstack/README.md): profiles registered for an
//! access key id, so one test's behaviours never reach another test, and SDK clients and stackr
//! runs signed with that key.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use super::*;

/// The access key the independent checks (`account()`) sign with: scripts/test gives it the
/// plain profile in every lane, so checks see the account as it is.
pub const OBSERVER_KEY: &str = "stackr-observer";

/// Sends one request to the LocalStack control endpoint; panics with its answer on failure.
fn control(method: &str, path: &str, body: &str) -> String {
    let host = endpoint().trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&host).expect("connect to LocalStack");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{method} {path} {body}:\n{out}");
    out
}

/// A fresh access key whose requests get the profile `spec` (a preset name in quotes, or a
/// settings object such as `{"preset":"full","scale":1}`).
pub fn key_with(prefix: &str, spec: &str) -> String {
    let key = unique(prefix);
    control("PUT", &format!("/_stackr/realism/keys/{key}"), spec);
    key
}

/// SDK clients that sign with `key`, without retries unless `attempts` says otherwise.
pub async fn account_as(key: &str, attempts: u32) -> Account {
    let creds = aws_credential_types::Credentials::new(key, "test", None, None, "tests");
    let config = super::sdk_loader()
        .region(aws_config::Region::new(REGION))
        .endpoint_url(endpoint())
        .credentials_provider(creds)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(attempts))
        .load()
        .await;
    Account {
        ec2: aws_sdk_ec2::Client::new(&config),
        iam: aws_sdk_iam::Client::new(&config),
        elb: aws_sdk_elasticloadbalancingv2::Client::new(&config),
        autoscaling: aws_sdk_autoscaling::Client::new(&config),
    }
}

/// The AWS error code of a failed SDK call.
pub fn code<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata,
{
    use aws_sdk_ec2::error::ProvideErrorMetadata;
    e.code().unwrap_or("(no code)").to_string()
}

/// A stackr command signed with `key`.
pub fn stackr_as(key: &str, args: &[&str]) -> Run {
    let mut cmd: Command = stackr_cmd(args);
    cmd.env("AWS_ACCESS_KEY_ID", key);
    Run::from(cmd.output().expect("run stackr"))
}
