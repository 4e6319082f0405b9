//! A listener's extra certificates, chosen by SNI: read with DescribeListenerCertificates (which
//! lists the default certificate too, marked IsDefault) and brought to the wanted set with
//! AddListenerCertificates and RemoveListenerCertificates. A certificate ACM has only just
//! issued or imported is refused for a moment (CertificateNotFound), as CreateListener refuses
//! it: the add is retried for IAM's propagation window, as for the listener itself.

use aws_sdk_elasticloadbalancingv2::types::Certificate;

use super::Cx;
use super::retry::{self, Window};
use crate::aws;

/// The listener's certificates other than its default one, sorted.
pub async fn read(cx: &Cx, listener_arn: &str) -> anyhow::Result<Vec<String>> {
    let mut out = vec![];
    let mut marker: Option<String> = None;
    loop {
        let call = cx.aws.elb.describe_listener_certificates().listener_arn(listener_arn).set_marker(marker);
        let page = call.send().await.map_err(aws::error)?;
        let extra = page.certificates().iter().filter(|c| c.is_default() != Some(true));
        out.extend(extra.filter_map(|c| c.certificate_arn().map(String::from)));
        marker = page.next_marker().filter(|m| !m.is_empty()).map(String::from);
        if marker.is_none() {
            break;
        }
    }
    out.sort();
    Ok(out)
}

/// Adds the wanted certificates the listener lacks, then removes those no longer wanted.
pub async fn sync(cx: &Cx, listener_arn: &str, have: &[String], want: &[String]) -> anyhow::Result<()> {
    let certs = |arns: Vec<&String>| -> Vec<Certificate> {
        arns.into_iter().map(|a| Certificate::builder().certificate_arn(a).build()).collect()
    };
    let add = certs(want.iter().filter(|c| !have.contains(c)).collect());
    let remove = certs(have.iter().filter(|c| !want.contains(c)).collect());
    let elb = &cx.aws.elb;
    if !add.is_empty() {
        let call = elb.add_listener_certificates().listener_arn(listener_arn).set_certificates(Some(add));
        let send = || async { call.clone().send().await.map_err(aws::error) };
        retry::on_codes(&["CertificateNotFound"], Window::IamPropagation.get(), send).await?;
    }
    if !remove.is_empty() {
        let call = elb.remove_listener_certificates().listener_arn(listener_arn).set_certificates(Some(remove));
        match call.send().await.map_err(aws::error) {
            // Already gone (a retried call whose first answer was lost).
            Err(e) if e.code.as_deref() == Some("CertificateNotFound") => {}
            other => other.map(|_| ())?,
        }
    }
    Ok(())
}
