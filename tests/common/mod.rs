//! Shared by the integration tests: run the real `stackr` binary against the LocalStack that
//! the test command started (scripts/test), and look at the account through the AWS SDK
//! directly, never through stackr's own reads.
#![allow(dead_code)]

pub mod elb;
pub mod leftovers;
pub mod realism;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub const REGION: &str = "us-east-1";

/// Where LocalStack listens: STACKR_TEST_ENDPOINT, else the default port on loopback.
pub fn endpoint() -> String {
    std::env::var("STACKR_TEST_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:4566".into())
}

/// Fails the test (never skips it) when LocalStack is not there.
pub fn require_localstack() {
    let url = format!("{}/_localstack/health", endpoint());
    let host = endpoint().trim_start_matches("http://").to_string();
    let ok = std::net::TcpStream::connect_timeout(
        &host.parse().unwrap_or_else(|_| panic!("STACKR_TEST_ENDPOINT must be http://HOST:PORT, got {host}")),
        std::time::Duration::from_secs(2),
    )
    .is_ok();
    assert!(
        ok,
        "LocalStack is not reachable at {url}: run the tests with scripts/test, or start it with localstack/start"
    );
}

/// A name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() % 1_000_000_000;
    format!("{prefix}-{}-{t}-{}", std::process::id() % 10000, N.fetch_add(1, Ordering::SeqCst))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The finished run of one stackr command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing both streams when it is wrong.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, code, "exit code\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }
}

/// A command with LocalStack credentials and endpoint, no colour, no terminal on stdin, and
/// nothing from the developer's own AWS configuration.
pub fn stackr_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stackr"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", REGION)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

pub fn stackr(args: &[&str]) -> Run {
    Run::from(stackr_cmd(args).output().expect("run stackr"))
}

/// Plans `file` (the plan must mention each of `expect`), applies it, and checks that the plan
/// after is clean: the test every change of every kind goes through. Returns plan and apply.
pub fn apply_settled(file: &str, expect: &[&str]) -> (Run, Run) {
    let plan = stackr(&["plan", "-f", file]).expect(0);
    for e in expect {
        assert!(plan.stdout.contains(e), "plan lacks `{e}`:\n{}", plan.stdout);
    }
    let run = stackr(&["apply", "-f", file, "--auto-approve"]).expect(0);
    let settled = stackr(&["plan", "-f", file, "--detailed-exitcode"]);
    assert_eq!(settled.code, 0, "plan after apply is not clean:\n{}", settled.stdout);
    (plan, run)
}

/// Writes a stack file into a fresh temporary directory.
pub fn stack_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// SDK clients pointed at LocalStack, for checking the account independently of stackr.
pub struct Account {
    pub ec2: aws_sdk_ec2::Client,
    pub iam: aws_sdk_iam::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
}

/// The SDK's configuration loader with an HTTP client: stackr enables no SDK default client
/// (Cargo.toml), so the tests bring the one stackr uses, rustls on ring.
pub fn sdk_loader() -> aws_config::ConfigLoader {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    let client = aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(client)
}

/// The SDK configuration the tests' own checks use, in `region`.
pub async fn sdk_config_in(region: &str) -> aws_config::SdkConfig {
    let creds = aws_credential_types::Credentials::new(realism::OBSERVER_KEY, "test", None, None, "tests");
    sdk_loader()
        .region(aws_config::Region::new(region.to_string()))
        .endpoint_url(endpoint())
        .credentials_provider(creds)
        .load()
        .await
}

pub async fn account() -> Account {
    let config = sdk_config_in(REGION).await;
    Account {
        ec2: aws_sdk_ec2::Client::new(&config),
        iam: aws_sdk_iam::Client::new(&config),
        elb: aws_sdk_elasticloadbalancingv2::Client::new(&config),
        autoscaling: aws_sdk_autoscaling::Client::new(&config),
    }
}

pub fn tag_filter(stack: &str) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder().name("tag:stackr:stack").values(stack).build()
}

pub fn tag<'a>(tags: &'a [aws_sdk_ec2::types::Tag], key: &str) -> Option<&'a str> {
    tags.iter().find(|t| t.key() == Some(key)).and_then(|t| t.value())
}

impl Account {
    /// How many objects of each EC2 kind, and IAM users and groups, the stack still owns.
    pub async fn owned_counts(&self, stack: &str) -> [usize; 7] {
        let f = || tag_filter(stack);
        let vpcs = self.ec2.describe_vpcs().filters(f()).send().await.unwrap().vpcs().len();
        let subnets = self.ec2.describe_subnets().filters(f()).send().await.unwrap().subnets().len();
        let igws = self.ec2.describe_internet_gateways().filters(f()).send().await.unwrap().internet_gateways().len();
        let rtbs = self.ec2.describe_route_tables().filters(f()).send().await.unwrap().route_tables().len();
        let sgs = self.ec2.describe_security_groups().filters(f()).send().await.unwrap().security_groups().len();
        let prefix = format!("/stackr/{stack}/");
        // Filtered here too: LocalStack ignores PathPrefix on ListGroups.
        let users = self.iam.list_users().path_prefix(&prefix).send().await.unwrap();
        let users = users.users().iter().filter(|u| u.path().starts_with(&prefix)).count();
        let groups = self.iam.list_groups().path_prefix(&prefix).send().await.unwrap();
        let groups = groups.groups().iter().filter(|g| g.path().starts_with(&prefix)).count();
        [vpcs, subnets, igws, rtbs, sgs, users, groups]
    }
}

/// Imports a fresh self-signed certificate for `domain` into ACM; returns its ARN.
pub async fn import_certificate(domain: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj"])
        .arg(format!("/CN={domain}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let acm = aws_sdk_acm::Client::new(&sdk_config_in(REGION).await);
    let blob = |p: &std::path::Path| aws_sdk_acm::primitives::Blob::new(std::fs::read(p).unwrap());
    let out = acm.import_certificate().certificate(blob(&cert)).private_key(blob(&key)).send().await.unwrap();
    out.certificate_arn().unwrap().to_string()
}
