//! One SDK configuration for the whole run: credentials from aws-config's standard chain,
//! region and endpoint with stackr's precedence, retry and timeout settings, and the clients.
//! Also turns SDK errors into one-line messages with a hint, never a debug dump.

use std::error::Error as StdError;
use std::sync::OnceLock;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::credential_feature::AwsCredentialFeature;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::operation::RequestId;
use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;

use crate::calllog::CallLog;

mod https;

/// Where to connect, from global flags.
#[derive(Debug, Default, Clone)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// The clients every command shares. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct Aws {
    pub config: SdkConfig,
    pub ec2: aws_sdk_ec2::Client,
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
    /// The Resource Groups Tagging API: finds load balancers and target groups by tag, which
    /// ELBv2's own Describe calls cannot.
    pub tagging: aws_sdk_resourcegroupstagging::Client,
    /// SSM: the public parameters that name AWS's current AMIs (`data "ami"`).
    pub ssm: aws_sdk_ssm::Client,
    /// ACM: certificates found by domain for HTTPS and TLS listeners (`data "acm_certificate"`).
    pub acm: aws_sdk_acm::Client,
    /// CloudWatch: the alarms that drive an Auto Scaling group's step and simple policies.
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub region: String,
    /// The overridden endpoint (flag or AWS_ENDPOINT_URL), when there is one.
    pub endpoint: Option<String>,
}

static ENDPOINT: OnceLock<String> = OnceLock::new();

/// Attempts per call, the first included, when the environment does not say.
const MAX_ATTEMPTS: u32 = 10;

/// A retry partition without the SDK's client-side retry quota. The quota (500 tokens, 5 per
/// throttled retry, a permit lost for good at each further retry of one call) is meant for
/// many small clients; a plan or apply of hundreds of objects that AWS throttles drains it,
/// after which calls fail at once with "retry quota exceeded" instead of backing off.
/// terraform-provider-aws dropped it for the same reason (hashicorp/terraform-provider-aws#34669);
/// throttling is still retried, with the SDK's exponential backoff, up to [`MAX_ATTEMPTS`].
fn unmetered(service: &'static str) -> RetryPartition {
    RetryPartition::custom(service).token_bucket(TokenBucket::unlimited()).build()
}

impl Aws {
    /// Loads configuration. Region precedence: `--region`, then the stack file's `region`, then
    /// the environment and profile. The endpoint: `--endpoint-url`, then `AWS_ENDPOINT_URL`.
    pub async fn connect(opts: &AwsOptions, stack_region: Option<&str>) -> Result<Aws, AwsError> {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .read_timeout(Duration::from_secs(60))
            .build();
        let http = https::client(https::ca_bundle_from_env()?);
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts).http_client(http);
        // A plan or apply is bulk work: AWS's guidance for throttled batch jobs is more
        // attempts than the SDK's default 3. AWS_MAX_ATTEMPTS / AWS_RETRY_MODE still win.
        let configured = ["AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"].iter().any(|v| std::env::var_os(v).is_some());
        if !configured {
            loader = loader.retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
        }
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = opts.region.as_deref().or(stack_region) {
            loader = loader.region(Region::new(r.to_string()));
        }
        let endpoint =
            opts.endpoint_url.clone().or_else(|| std::env::var("AWS_ENDPOINT_URL").ok().filter(|s| !s.is_empty()));
        if let Some(e) = &opts.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        let config = loader.load().await;
        let Some(region) = config.region().map(|r| r.to_string()) else {
            return Err(AwsError::new(None, "no AWS region is configured").with_hint(
                "pass --region, set `region` in the stack block, set AWS_REGION, or set a region in ~/.aws/config",
            ));
        };
        let _ = ENDPOINT.set(endpoint.clone().unwrap_or_else(|| format!("AWS ({region})")));
        // Every client: the call log, its own unmetered retry partition, TLS refusals final.
        macro_rules! client {
            ($krate:ident, $partition:literal) => {
                $krate::Client::from_conf(
                    $krate::config::Builder::from(&config)
                        .interceptor(CallLog)
                        .retry_partition(unmetered($partition))
                        .retry_classifier(https::TlsRefusalIsFinal)
                        .build(),
                )
            };
        }
        Ok(Aws {
            ec2: client!(aws_sdk_ec2, "ec2"),
            iam: client!(aws_sdk_iam, "iam"),
            sts: client!(aws_sdk_sts, "sts"),
            elb: client!(aws_sdk_elasticloadbalancingv2, "elasticloadbalancingv2"),
            autoscaling: client!(aws_sdk_autoscaling, "autoscaling"),
            tagging: client!(aws_sdk_resourcegroupstagging, "resourcegroupstagging"),
            ssm: client!(aws_sdk_ssm, "ssm"),
            acm: client!(aws_sdk_acm, "acm"),
            cloudwatch: client!(aws_sdk_cloudwatch, "cloudwatch"),
            config,
            region,
            endpoint,
        })
    }

    /// Resolves credentials now, so a missing or broken credential source is reported before
    /// any work starts, and says where they came from.
    pub async fn credential_source(&self) -> Result<String, AwsError> {
        let provider = self
            .config
            .credentials_provider()
            .ok_or_else(|| AwsError::new(None, "no AWS credentials provider is configured").with_hint(CREDS_HINT))?;
        let creds = provider.provide_credentials().await.map_err(|e| credentials_error(&e))?;
        let features = creds.get_property::<Vec<AwsCredentialFeature>>().cloned().unwrap_or_default();
        Ok(describe_source(&features))
    }
}

const CREDS_HINT: &str = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile, or configure a profile in ~/.aws/config (for LocalStack any key works, e.g. test/test)";

fn describe_source(features: &[AwsCredentialFeature]) -> String {
    use AwsCredentialFeature as F;
    let name = |f: &F| -> Option<&'static str> {
        Some(match f {
            F::CredentialsEnvVars => "environment variables",
            F::CredentialsEnvVarsStsWebIdToken => "web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)",
            F::CredentialsProfile => "shared credentials/config profile",
            F::CredentialsProfileSourceProfile | F::CredentialsStsAssumeRole => "profile with assumed role",
            F::CredentialsProfileStsWebIdToken => "profile with web identity token",
            F::CredentialsProfileSso | F::CredentialsSso => "SSO (IAM Identity Center)",
            F::CredentialsProfileProcess | F::CredentialsProcess => "credential_process",
            F::CredentialsHttp => "container credentials endpoint",
            F::CredentialsImds => "EC2 instance metadata",
            F::CredentialsProfileLogin | F::CredentialsLogin => "console login session",
            _ => return None,
        })
    };
    features.iter().rev().find_map(name).unwrap_or("default credential chain").to_string()
}

/// An AWS failure as users should see it: what happened, the AWS error code, what to do, and
/// the request id AWS gave the call (shown in the text, for a support case).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}{}", request_id.as_ref().map_or_else(String::new, |id| format!(" (request id {id})")))]
pub struct AwsError {
    pub code: Option<String>,
    pub message: String,
    pub hint: Option<String>,
    pub transient: Transient,
    pub request_id: Option<String>,
}

/// Whether a failed call may have done its work: what a create without a client token must
/// know before it tries again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transient {
    /// A definite answer: nothing to retry blindly.
    #[default]
    No,
    /// Refused by throttling before anything was done.
    Throttled,
    /// No answer, or a server error: the work may or may not have been done.
    Unknown,
}

/// Error codes AWS uses for throttling (the SDK's own list).
const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
];

impl AwsError {
    pub fn new(code: Option<String>, message: impl Into<String>) -> Self {
        AwsError { code, message: message.into(), hint: None, transient: Transient::No, request_id: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

fn credentials_error(e: &CredentialsError) -> AwsError {
    let detail = match e {
        CredentialsError::CredentialsNotLoaded(_) => "no AWS credentials were found".to_string(),
        CredentialsError::ProviderTimedOut(_) => "loading AWS credentials timed out".to_string(),
        other => format!("could not load AWS credentials: {}", chain(other)),
    };
    AwsError::new(None, detail).with_hint(CREDS_HINT)
}

/// The error and its sources on one line.
fn chain(e: &dyn StdError) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}

fn find_credentials_error<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a CredentialsError> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(c) = err.downcast_ref::<CredentialsError>() {
            return Some(c);
        }
        cur = err.source();
    }
    None
}

/// Hints for the error codes a user can do something about.
pub fn hint_for_code(code: &str) -> Option<&'static str> {
    Some(match code {
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
            "the session token has expired: refresh your credentials (e.g. `aws sso login`, or re-run the step that assumes the role)"
        }
        "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "AuthFailure"
        | "InvalidAccessKeyId"
        | "SignatureDoesNotMatch" => {
            "AWS rejected these credentials: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the --profile you use"
        }
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            "the caller is not allowed to do this: grant the permission to the role or user shown by `stackr whoami`"
        }
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => {
            "AWS is throttling requests even after retries: lower --parallelism or try again shortly"
        }
        _ => return None,
    })
}

/// Converts any SDK error into an [`AwsError`], keeping the request id AWS answered with.
pub fn error<E>(e: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + RequestId + StdError + Send + Sync + 'static,
{
    // The header (JSON and query protocols) or, for EC2, the RequestID of the XML error body.
    let request_id =
        e.request_id().or_else(|| e.as_service_error().and_then(RequestId::request_id)).map(str::to_string);
    AwsError { request_id, ..convert(e) }
}

fn convert<E>(e: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let endpoint = ENDPOINT.get().map_or("the AWS endpoint", String::as_str);
    if let SdkError::ServiceError(se) = &e {
        let err = se.err();
        let code = err.code().map(str::to_string);
        let message = err.message().map_or_else(|| chain(err), str::to_string);
        let text = match &code {
            Some(c) => format!("{c}: {message}"),
            None => message,
        };
        let mut out = AwsError::new(code.clone(), text);
        out.transient = if code.as_deref().is_some_and(|c| THROTTLING.contains(&c)) {
            Transient::Throttled
        } else if se.raw().status().is_server_error() {
            Transient::Unknown
        } else {
            Transient::No
        };
        if let Some(h) = code.as_deref().and_then(hint_for_code) {
            out = out.with_hint(h);
        }
        return out;
    }
    let source: Box<dyn StdError + Send + Sync> = Box::new(e);
    if let Some(c) = find_credentials_error(source.as_ref()) {
        return credentials_error(c);
    }
    let sdk = source.downcast_ref::<SdkError<E, HttpResponse>>();
    let detail = source.source().map(chain).unwrap_or_else(|| source.to_string());
    let mut out = match sdk {
        Some(SdkError::DispatchFailure(_)) | Some(SdkError::TimeoutError(_)) => {
            let out = AwsError::new(None, format!("could not reach {endpoint}: {detail}"));
            if let Some(refusal) = https::tls_refusal(source.as_ref()) {
                // A refused certificate stays refused: not transient, nothing to retry.
                return out.with_hint(https::refusal_hint(refusal));
            }
            out.with_hint(
                "check the network and the endpoint (--endpoint-url / AWS_ENDPOINT_URL); for LocalStack run `localstack/start`",
            )
        }
        _ => AwsError::new(None, detail),
    };
    out.transient = Transient::Unknown;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn service_error(code: &str, msg: &str) -> SdkError<GetCallerIdentityError, Response> {
        let meta = ErrorMetadata::builder().code(code).message(msg).build();
        let raw = Response::new(StatusCode::try_from(403).unwrap(), SdkBody::empty());
        SdkError::service_error(GetCallerIdentityError::generic(meta), raw)
    }

    #[test]
    fn the_request_id_is_kept_and_shown() {
        // JSON and query protocols: the x-amzn-requestid header.
        let meta = ErrorMetadata::builder().code("AccessDenied").message("no").build();
        let mut raw = Response::new(StatusCode::try_from(403).unwrap(), SdkBody::empty());
        raw.headers_mut().insert("x-amzn-requestid", "3f2a9c1e-0000-4000-8000-000000000001");
        let e = error(SdkError::service_error(GetCallerIdentityError::generic(meta), raw));
        assert_eq!(e.request_id.as_deref(), Some("3f2a9c1e-0000-4000-8000-000000000001"));
        assert_eq!(e.message, "AccessDenied: no");
        assert_eq!(e.to_string(), "AccessDenied: no (request id 3f2a9c1e-0000-4000-8000-000000000001)");
        // EC2: the RequestID of the XML body, which the SDK keeps in the error's metadata.
        let meta =
            ErrorMetadata::builder().code("InvalidVpcID.NotFound").message("gone").custom("aws_request_id", "ec2-1");
        let raw = Response::new(StatusCode::try_from(400).unwrap(), SdkBody::empty());
        let e = error(SdkError::service_error(GetCallerIdentityError::generic(meta.build()), raw));
        assert_eq!(e.to_string(), "InvalidVpcID.NotFound: gone (request id ec2-1)");
        // No answer, no id.
        assert_eq!(AwsError::new(None, "could not reach it").to_string(), "could not reach it");
    }

    #[test]
    fn expired_token_gets_a_refresh_hint() {
        let e = error(service_error("ExpiredToken", "The security token included in the request is expired"));
        assert_eq!(e.code.as_deref(), Some("ExpiredToken"));
        assert_eq!(e.message, "ExpiredToken: The security token included in the request is expired");
        assert!(e.hint.unwrap().contains("refresh your credentials"));
    }

    #[test]
    fn rejected_keys_and_denials_get_hints() {
        assert!(error(service_error("InvalidClientTokenId", "bad")).hint.unwrap().contains("rejected"));
        assert!(error(service_error("AccessDenied", "no")).hint.unwrap().contains("whoami"));
        assert!(error(service_error("SomethingElse", "x")).hint.is_none());
    }

    #[test]
    fn credential_sources_read_as_words() {
        assert_eq!(describe_source(&[AwsCredentialFeature::CredentialsEnvVars]), "environment variables");
        assert_eq!(describe_source(&[]), "default credential chain");
    }
}
