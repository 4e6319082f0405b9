//! HTTPS to the endpoint through stackr's own TLS stack (rustls on ring), against LocalStack's
//! HTTPS listener on the same port: a certificate the system does not trust is refused with a
//! hint, AWS_CA_BUNDLE makes it trusted, and a bad bundle is an error before any call.

mod common;

use common::*;

/// LocalStack's HTTPS endpoint: the same port as its HTTP one, by the name its certificate is
/// for (its IP address entry is malformed, so `127.0.0.1` is not among the certificate's names).
fn https_endpoint() -> String {
    endpoint().replacen("http://127.0.0.1:", "https://localhost:", 1)
}

/// The certificate LocalStack serves, as PEM, read from the listener itself (it makes its own
/// at first start, so no copy of it can be kept).
fn served_certificate(dir: &std::path::Path) -> std::path::PathBuf {
    let host = endpoint().trim_start_matches("http://").to_string();
    let (addr, port) = host.rsplit_once(':').expect("HOST:PORT");
    let out = std::process::Command::new("python3")
        .args(["-c", "import ssl, sys; print(ssl.get_server_certificate((sys.argv[1], int(sys.argv[2]))))", addr, port])
        .output()
        .expect("run python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pem = String::from_utf8(out.stdout).unwrap();
    assert!(pem.contains("-----BEGIN CERTIFICATE-----"), "{pem}");
    let path = dir.join("localstack.pem");
    std::fs::write(&path, pem).unwrap();
    path
}

#[test]
fn an_untrusted_certificate_is_refused_with_a_hint_about_aws_ca_bundle() {
    require_localstack();
    let out = stackr_cmd(&["whoami"]).env("AWS_ENDPOINT_URL", https_endpoint()).output().unwrap();
    let run = Run::from(out).expect(1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(lines[0].starts_with(&format!("error: could not reach {}", https_endpoint())), "{}", run.stderr);
    assert!(lines[0].contains("invalid peer certificate"), "{}", run.stderr);
    assert!(
        lines[1].starts_with("hint: the endpoint's certificate is not trusted: ")
            && lines[1].contains("set AWS_CA_BUNDLE"),
        "{}",
        run.stderr
    );
}

#[test]
fn aws_ca_bundle_makes_the_endpoints_certificate_trusted() {
    require_localstack();
    let dir = tempfile::tempdir().unwrap();
    let bundle = served_certificate(dir.path());
    let out = stackr_cmd(&["whoami", "--json"])
        .env("AWS_ENDPOINT_URL", https_endpoint())
        .env("AWS_CA_BUNDLE", &bundle)
        .output()
        .unwrap();
    let run = Run::from(out).expect(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["account"], "000000000000");
    assert_eq!(doc["endpoint"], https_endpoint());

    // Trusted, but for other names than the endpoint's.
    let by_address = endpoint().replacen("http://", "https://", 1);
    let out =
        stackr_cmd(&["whoami"]).env("AWS_ENDPOINT_URL", &by_address).env("AWS_CA_BUNDLE", &bundle).output().unwrap();
    let run = Run::from(out).expect(1);
    assert!(run.stderr.contains("hint: the endpoint's certificate is for other names: "), "{}", run.stderr);

    // The bundle replaces the system's roots: one without LocalStack's certificate (a CA made
    // for the unit tests) trusts nothing here.
    let other = dir.path().join("other.pem");
    std::fs::write(&other, include_str!("../src/aws/test-ca.pem")).unwrap();
    let out = stackr_cmd(&["whoami"])
        .env("AWS_ENDPOINT_URL", https_endpoint())
        .env("AWS_CA_BUNDLE", &other)
        .output()
        .unwrap();
    let run = Run::from(out).expect(1);
    assert!(
        run.stderr.contains("not trusted: AWS_CA_BUNDLE is set and replaces the system's certificates"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_bad_aws_ca_bundle_is_an_error_before_any_call() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let missing = dir.path().join("missing.pem");
    let cases =
        [(garbage, "holds no certificate (no `-----BEGIN CERTIFICATE-----` block)"), (missing, "cannot read it: ")];
    for (path, says) in cases {
        // Nothing listens at the endpoint: had stackr made a call, the error would say so.
        let out = stackr_cmd(&["whoami"])
            .env("AWS_ENDPOINT_URL", "https://127.0.0.1:9")
            .env("AWS_CA_BUNDLE", &path)
            .output()
            .unwrap();
        let run = Run::from(out).expect(1);
        let first = run.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with(&format!("error: AWS_CA_BUNDLE={}: {says}", path.display())), "{}", run.stderr);
        assert!(run.stderr.contains("hint: set AWS_CA_BUNDLE to a PEM file"), "{}", run.stderr);
    }
}
