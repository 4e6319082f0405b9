//! The HTTPS client of every AWS call: the SDK's own default client on rustls with ring, and
//! `AWS_CA_BUNDLE` read as the AWS CLI and Terraform read it. Also recognises a TLS handshake
//! that rustls refused, so the error can say what to do about an untrusted certificate.

use std::error::Error as StdError;

use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction, RetryClassifierPriority};
use rustls::pki_types::{CertificateDer, pem::PemObject};

use super::AwsError;

/// The variable the AWS CLI, the SDKs for Go and Python and Terraform's provider read.
pub const CA_BUNDLE_VAR: &str = "AWS_CA_BUNDLE";

/// The certificates to trust instead of the system's, already checked: the SDK's TLS layer
/// panics on a certificate it cannot parse, so only usable ones reach it.
#[derive(Debug, Clone)]
pub struct CaBundle {
    pem: Vec<u8>,
}

/// The SDK's default client (hyper 1, rustls, the system's roots, HTTPS_PROXY/NO_PROXY as the
/// SDK's default honours them from behaviour version 2025-08-07) with rustls on ring instead of
/// aws-lc, whose C build was a tenth of a clean build of stackr (Cargo.toml). A CA bundle
/// replaces the system's roots, as it does for the AWS CLI and Terraform.
pub fn client(bundle: Option<CaBundle>) -> SharedHttpClient {
    let context = bundle.map(|b| {
        let store = TrustStore::empty().with_native_roots(false).with_pem_certificate(b.pem);
        TlsContext::builder().with_trust_store(store).build().expect("a TLS context without extra server names")
    });
    Builder::new().build_with_connector_fn(move |settings, components| {
        let mut conn = ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::Ring));
        if let Some(context) = &context {
            conn.set_tls_context(context.clone());
        }
        conn.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            conn.set_sleep_impl(components.sleep_impl());
        }
        conn.set_proxy_config(Some(ProxyConfig::from_env()));
        conn.build()
    })
}

/// `AWS_CA_BUNDLE`'s certificates when it names a file; an empty value counts as unset.
pub fn ca_bundle_from_env() -> Result<Option<CaBundle>, AwsError> {
    let Some(path) = std::env::var_os(CA_BUNDLE_VAR).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let shown = path.to_string_lossy().into_owned();
    let bad = |what: String| {
        AwsError::new(None, format!("{CA_BUNDLE_VAR}={shown}: {what}")).with_hint(
            "set AWS_CA_BUNDLE to a PEM file of the CA certificates to trust, or unset it to trust the system's",
        )
    };
    let bytes = std::fs::read(&path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    parse_bundle(&bytes).map(Some).map_err(bad)
}

/// The certificates of a PEM bundle that rustls can use as trust anchors, as PEM again. Like
/// Go's `AppendCertsFromPEM`, which Terraform's provider and the AWS SDK for Go use, one it
/// cannot use is left out and only a bundle without any usable one is refused.
fn parse_bundle(pem: &[u8]) -> Result<CaBundle, String> {
    use base64::Engine;
    let (mut usable, mut unusable) = (String::new(), 0);
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("is not a PEM file of certificates ({e})"))?;
        if rustls::RootCertStore::empty().add(cert.clone()).is_err() {
            unusable += 1;
            continue;
        }
        let body = base64::engine::general_purpose::STANDARD.encode(cert.as_ref());
        usable.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in body.as_bytes().chunks(64) {
            usable.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            usable.push('\n');
        }
        usable.push_str("-----END CERTIFICATE-----\n");
    }
    match (usable.is_empty(), unusable) {
        (false, _) => Ok(CaBundle { pem: usable.into_bytes() }),
        (true, 0) => Err("holds no certificate (no `-----BEGIN CERTIFICATE-----` block)".into()),
        (true, n) => Err(format!("holds no certificate that can be a trust anchor ({n} that cannot)")),
    }
}

/// The rustls error under a failed call, if TLS refused the handshake. hyper-rustls nests it
/// inside `io::Error`s, whose `source()` skips their payload, so each payload is visited too.
pub fn tls_refusal<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(inner) = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref())
            && let Some(r) = tls_refusal(inner)
        {
            return Some(r);
        }
        cur = err.source();
    }
    None
}

/// Stops the SDK retrying a handshake TLS refused: the SDK counts it as an I/O error, retried
/// with backoff up to the attempt limit (a minute of waiting for an untrusted certificate).
#[derive(Debug)]
pub struct TlsRefusalIsFinal;

impl ClassifyRetry for TlsRefusalIsFinal {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(e)) if e.as_connector_error().is_some_and(|c| tls_refusal(c).is_some()) => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "TLS refusal is final"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// What to do about a refused handshake.
pub fn refusal_hint(e: &rustls::Error) -> String {
    use rustls::CertificateError::{NotValidForName, NotValidForNameContext};
    match e {
        rustls::Error::InvalidCertificate(NotValidForName | NotValidForNameContext { .. }) => {
            "the endpoint's certificate is for other names: use one of them in the endpoint URL (--endpoint-url / AWS_ENDPOINT_URL)".into()
        }
        rustls::Error::InvalidCertificate(_) if std::env::var_os(CA_BUNDLE_VAR).is_some_and(|p| !p.is_empty()) => {
            "the endpoint's certificate is not trusted: AWS_CA_BUNDLE is set and replaces the system's certificates: check that it holds the CA that signed this endpoint's certificate".into()
        }
        rustls::Error::InvalidCertificate(_) => {
            "the endpoint's certificate is not trusted: behind a TLS-inspecting proxy, or for an endpoint with its own CA, set AWS_CA_BUNDLE to a PEM file of the CA certificates to trust".into()
        }
        _ => "the TLS handshake was refused: check the endpoint (--endpoint-url / AWS_ENDPOINT_URL) and any proxy in HTTPS_PROXY".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::CertificateError;

    /// A self-signed CA certificate made for these tests (its key was thrown away): a valid trust
    /// anchor that signed nothing anybody serves.
    const CERT: &str = include_str!("test-ca.pem");

    fn certificates_in(bundle: &CaBundle) -> usize {
        CertificateDer::pem_slice_iter(&bundle.pem).collect::<Result<Vec<_>, _>>().expect("valid PEM").len()
    }

    #[test]
    fn a_bundles_certificates_are_kept_and_other_blocks_dropped() {
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
        let text = format!("# a comment\n{CERT}{key}\n{CERT}");
        let bundle = parse_bundle(text.as_bytes()).unwrap();
        assert_eq!(certificates_in(&bundle), 2);
        let again = String::from_utf8(bundle.pem.clone()).unwrap();
        assert_eq!(again, format!("{CERT}{CERT}"), "the same certificate, re-encoded the same way");
    }

    #[test]
    fn a_bundle_without_certificates_is_refused() {
        let e = parse_bundle(b"not a certificate\n").unwrap_err();
        assert_eq!(e, "holds no certificate (no `-----BEGIN CERTIFICATE-----` block)");
    }

    #[test]
    fn a_certificate_that_cannot_be_a_trust_anchor_is_left_out_and_none_usable_is_refused() {
        let junk = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n";
        let bundle = parse_bundle(format!("{CERT}{junk}").as_bytes()).unwrap();
        assert_eq!(certificates_in(&bundle), 1);
        let e = parse_bundle(junk.as_bytes()).unwrap_err();
        assert_eq!(e, "holds no certificate that can be a trust anchor (1 that cannot)");
    }

    #[test]
    fn a_refusal_nested_in_io_errors_is_found() {
        let refusal = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let nested = std::io::Error::other(std::io::Error::new(std::io::ErrorKind::InvalidData, refusal));
        let found = tls_refusal(&nested).expect("found");
        assert!(matches!(found, rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)));
        assert!(refusal_hint(found).starts_with("the endpoint's certificate is not trusted: "));
        let plain = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(tls_refusal(&plain).is_none());
    }

    /// The classifier's verdict on a call that failed at the connector with `error`.
    fn verdict(error: std::io::Error) -> RetryAction {
        use aws_smithy_runtime_api::client::interceptors::context::Input;
        use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
        use aws_smithy_runtime_api::client::result::ConnectorError;
        let mut ctx = InterceptorContext::new(Input::doesnt_matter());
        ctx.set_output_or_error(Err(OrchestratorError::connector(ConnectorError::io(Box::new(error)))));
        TlsRefusalIsFinal.classify_retry(&ctx)
    }

    #[test]
    fn a_refused_handshake_is_not_retried_and_other_connection_failures_are_left_to_the_sdk() {
        let refusal = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let nested = std::io::Error::other(std::io::Error::new(std::io::ErrorKind::InvalidData, refusal));
        assert_eq!(verdict(nested), RetryAction::RetryForbidden);
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(verdict(reset), RetryAction::NoActionIndicated);
    }
}
