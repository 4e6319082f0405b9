//! `data "acm_certificate"`: an ACM certificate found by its domain name, for an HTTPS or TLS
//! listener's `certificate` (or `certificates`). Like the provider's `aws_acm_certificate` data
//! source: ListCertificates with the statuses asked for (ISSUED by default), the certificates
//! whose domain name is exactly `domain`, optionally only of some `types`; several matches give
//! the most recent (issued or imported last), where the provider makes that an error unless
//! `most_recent` is set. ListCertificates lists only RSA-2048 certificates unless asked for
//! other key types, so every key type is asked for. No match is an error at the block; a null
//! `domain` looks nothing up and every result is null (a stack whose HTTPS is optional).

use async_trait::async_trait;
use aws_sdk_acm::types::{CertificateDetail, CertificateStatus, CertificateType, Filters, KeyAlgorithm};

use super::account::result;
use super::{DataKind, failed, str_arg};
use crate::aws::Aws;
use crate::model::{Attrs, Lit, Presence, Schema, Ty, Update, Value, attr};

pub struct AcmCertificate;

static CERTIFICATE: Schema = Schema {
    kind: "acm_certificate",
    doc: "An ACM certificate by domain name: the most recent of those in the statuses and types asked for.",
    ref_attr: "arn",
    singleton: false,
    attrs: &[
        attr(
            "domain",
            Ty::Str,
            Presence::Optional,
            Update::InPlace,
            "The certificate's domain name, exactly (example.com, *.example.com); null looks nothing up.",
        ),
        attr(
            "statuses",
            Ty::Set(&Ty::Enum(&[
                "PENDING_VALIDATION",
                "ISSUED",
                "INACTIVE",
                "EXPIRED",
                "VALIDATION_TIMED_OUT",
                "REVOKED",
                "FAILED",
            ])),
            Presence::Optional,
            Update::InPlace,
            "Statuses to consider (default ISSUED).",
        ),
        attr(
            "types",
            Ty::Set(&Ty::Enum(&["AMAZON_ISSUED", "IMPORTED", "PRIVATE"])),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "Only certificates of these types (default: any).",
        ),
        result("arn", Ty::Str, "The certificate's ARN: a listener's `certificate`."),
        result("status", Ty::Str, "Its status."),
        result("type", Ty::Str, "AMAZON_ISSUED, IMPORTED or PRIVATE."),
        result("key_algorithm", Ty::Str, "Its key algorithm (RSA_2048, EC_prime256v1, …)."),
        result("not_after", Ty::Str, "When it expires (RFC 3339)."),
        result("subject_alternative_names", Ty::Set(&Ty::Str), "The names it covers."),
    ],
};

/// Every key type ACM has: ListCertificates leaves out all but RSA_2048 otherwise.
const KEY_TYPES: &[KeyAlgorithm] = &[
    KeyAlgorithm::Rsa1024,
    KeyAlgorithm::Rsa2048,
    KeyAlgorithm::Rsa3072,
    KeyAlgorithm::Rsa4096,
    KeyAlgorithm::EcPrime256v1,
    KeyAlgorithm::EcSecp384r1,
    KeyAlgorithm::EcSecp521r1,
];

#[async_trait]
impl DataKind for AcmCertificate {
    fn schema(&self) -> &'static Schema {
        &CERTIFICATE
    }

    async fn read(&self, aws: &Aws, args: &Attrs) -> Result<Attrs, String> {
        let Some(domain) = str_arg(args, "domain") else {
            return Ok(CERTIFICATE.attrs.iter().map(|a| (a.name.to_string(), Value::Null)).collect());
        };
        let list = |k: &str| -> Vec<String> {
            let items = args.get(k).map(Value::as_list).unwrap_or_default();
            items.iter().filter_map(|v| v.as_str().map(String::from)).collect()
        };
        let statuses = Some(list("statuses")).filter(|s| !s.is_empty()).unwrap_or_else(|| vec!["ISSUED".into()]);
        let types = list("types");
        let call = aws
            .acm
            .list_certificates()
            .set_certificate_statuses(Some(statuses.iter().map(|s| CertificateStatus::from(s.as_str())).collect()))
            .includes(Filters::builder().set_key_types(Some(KEY_TYPES.to_vec())).build());
        let mut pages = call.into_paginator().items().send();
        let mut arns = vec![];
        while let Some(c) = pages.next().await {
            let c = c.map_err(|e| failed("ACM certificates", e))?;
            if c.domain_name() == Some(domain) {
                arns.extend(c.certificate_arn().map(String::from));
            }
        }
        let mut found = vec![];
        for arn in arns {
            let out = aws.acm.describe_certificate().certificate_arn(&arn).send().await;
            let detail = out.map_err(|e| failed(&format!("ACM certificate {arn}"), e))?.certificate;
            found.extend(
                detail.filter(|d| types.is_empty() || d.r#type().is_some_and(|t| types.contains(&type_name(t)))),
            );
        }
        let Some(c) = most_recent(found) else {
            let what = if types.is_empty() { String::new() } else { format!(" of type {}", types.join(" or ")) };
            return Err(format!(
                "no ACM certificate{what} for the domain \"{domain}\" is {} in this region",
                statuses.join(" or ")
            ));
        };
        Ok(attrs(&c))
    }
}

fn type_name(t: &CertificateType) -> String {
    t.as_str().to_string()
}

/// The certificate issued or imported last; for those not issued, the one requested last.
fn most_recent(found: Vec<CertificateDetail>) -> Option<CertificateDetail> {
    let when = |c: &CertificateDetail| {
        let t = c.not_before().or(c.imported_at()).or(c.issued_at()).or(c.created_at());
        t.map_or(0, |t| t.secs())
    };
    found.into_iter().max_by_key(when)
}

fn attrs(c: &CertificateDetail) -> Attrs {
    let text = |v: Option<&str>| Value::from(v.map(String::from));
    let not_after = c.not_after().and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok());
    Attrs::from([
        ("domain".into(), text(c.domain_name())),
        ("arn".into(), text(c.certificate_arn())),
        ("status".into(), text(c.status().map(|s| s.as_str()))),
        ("type".into(), text(c.r#type().map(|t| t.as_str()))),
        ("key_algorithm".into(), text(c.key_algorithm().map(|k| k.as_str()))),
        ("not_after".into(), Value::from(not_after)),
        ("subject_alternative_names".into(), super::strs(c.subject_alternative_names().iter().cloned())),
    ])
}
