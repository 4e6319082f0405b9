//! The credentials of an IAM user that stackr never makes (it would have to print or store
//! secrets): password, access keys, MFA devices, SSH keys, signing certificates and
//! service-specific credentials. AWS requires them gone before DeleteUser, so deleting a user
//! deletes them; what exists is listed first, for the plan to refuse unless `force_destroy`.

use super::Cx;
use super::iam_policy::gone_ok;
use crate::aws;

/// What the user holds that deleting it would destroy, one line each.
pub async fn held(cx: &Cx, name: &str) -> anyhow::Result<Vec<String>> {
    let iam = &cx.aws.iam;
    let login = iam.get_login_profile().user_name(name).send();
    let (login, keys, mfa, ssh, certs, service) = tokio::join!(
        login,
        iam.list_access_keys().user_name(name).send(),
        iam.list_mfa_devices().user_name(name).send(),
        iam.list_ssh_public_keys().user_name(name).send(),
        iam.list_signing_certificates().user_name(name).send(),
        iam.list_service_specific_credentials().user_name(name).send(),
    );
    let mut out = vec![];
    // GetLoginProfile answers NoSuchEntity for a user without a password.
    if optional(login.map_err(aws::error))?.is_some() {
        out.push("a console password (login profile)".to_string());
    }
    for k in keys.map_err(aws::error)?.access_key_metadata() {
        let (id, status) = (k.access_key_id().unwrap_or_default(), k.status().map(|s| s.as_str()).unwrap_or_default());
        out.push(format!("access key {id} ({status})"));
    }
    out.extend(mfa.map_err(aws::error)?.mfa_devices().iter().map(|d| format!("MFA device {}", d.serial_number())));
    let ssh = ssh.map_err(aws::error)?;
    out.extend(ssh.ssh_public_keys().iter().map(|k| format!("SSH public key {}", k.ssh_public_key_id())));
    let certs = certs.map_err(aws::error)?;
    out.extend(certs.certificates().iter().map(|c| format!("signing certificate {}", c.certificate_id())));
    if let Some(s) = optional(service.map_err(aws::error))? {
        let list = s.service_specific_credentials();
        out.extend(
            list.iter().map(|c| format!("{} credential {}", c.service_name(), c.service_specific_credential_id())),
        );
    }
    Ok(out)
}

/// NoSuchEntity is "none" here: a user without a password, or an endpoint that does not serve
/// service-specific credentials (LocalStack); NotImplemented likewise.
fn optional<T>(r: Result<T, aws::AwsError>) -> anyhow::Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if matches!(e.code.as_deref(), Some("NoSuchEntity" | "NotImplemented")) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Removes the credentials AWS requires gone before DeleteUser: login profile, access keys,
/// MFA devices, SSH keys, signing certificates and service-specific credentials.
pub async fn remove(cx: &Cx, name: &str) -> anyhow::Result<()> {
    let iam = &cx.aws.iam;
    gone_ok(iam.delete_login_profile().user_name(name).send().await.map_err(aws::error))?;
    let keys = iam.list_access_keys().user_name(name).send().await.map_err(aws::error)?;
    for k in keys.access_key_metadata() {
        if let Some(id) = k.access_key_id() {
            gone_ok(iam.delete_access_key().user_name(name).access_key_id(id).send().await.map_err(aws::error))?;
        }
    }
    let mfa = iam.list_mfa_devices().user_name(name).send().await.map_err(aws::error)?;
    for d in mfa.mfa_devices() {
        let serial = d.serial_number();
        gone_ok(iam.deactivate_mfa_device().user_name(name).serial_number(serial).send().await.map_err(aws::error))?;
        if serial.contains(":mfa/") {
            gone_ok(iam.delete_virtual_mfa_device().serial_number(serial).send().await.map_err(aws::error))?;
        }
    }
    let ssh = iam.list_ssh_public_keys().user_name(name).send().await.map_err(aws::error)?;
    for k in ssh.ssh_public_keys() {
        let id = k.ssh_public_key_id();
        gone_ok(iam.delete_ssh_public_key().user_name(name).ssh_public_key_id(id).send().await.map_err(aws::error))?;
    }
    let certs = iam.list_signing_certificates().user_name(name).send().await.map_err(aws::error)?;
    for c in certs.certificates() {
        let id = c.certificate_id();
        gone_ok(iam.delete_signing_certificate().user_name(name).certificate_id(id).send().await.map_err(aws::error))?;
    }
    if let Some(s) = optional(iam.list_service_specific_credentials().user_name(name).send().await.map_err(aws::error))?
    {
        for c in s.service_specific_credentials() {
            let id = c.service_specific_credential_id();
            let call = iam.delete_service_specific_credential().user_name(name).service_specific_credential_id(id);
            gone_ok(call.send().await.map_err(aws::error))?;
        }
    }
    Ok(())
}
