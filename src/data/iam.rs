//! An existing IAM instance profile the stack uses but does not own (`data "instance_profile"`),
//! found by name, IAM's identifier for it. Its name feeds an instance's or launch template's
//! `role`. Never changed, never deleted; none by that name is an error at the block.

use async_trait::async_trait;

use super::account::result;
use super::{DataKind, str_arg, strs};
use crate::aws::{Aws, AwsError};
use crate::constraint::{Check, chars};
use crate::model::{Attrs, Presence, Schema, Ty, Update, Value, attr};

pub struct InstanceProfile;

static PROFILE: Schema = Schema {
    kind: "instance_profile",
    doc: "An existing IAM instance profile, by name.",
    ref_attr: "name",
    singleton: false,
    attrs: &[
        attr("name", Ty::Str, Presence::Required, Update::InPlace, "The instance profile's name.")
            .with(&[Check::Len(1, 128), Check::Chars(&chars::IAM_NAME)]),
        result("arn", Ty::Str, "Its ARN."),
        result("id", Ty::Str, "Its unique id (AIPA…)."),
        result("path", Ty::Str, "Its IAM path."),
        result("roles", Ty::Set(&Ty::Str), "The names of the roles in it (at most one)."),
    ],
};

#[async_trait]
impl DataKind for InstanceProfile {
    fn schema(&self) -> &'static Schema {
        &PROFILE
    }

    async fn read(&self, aws: &Aws, args: &Attrs) -> Result<Attrs, String> {
        let name = str_arg(args, "name").unwrap_or_default();
        let out = get(aws, name).await.map_err(|e| match e.code.as_deref() {
            Some("NoSuchEntity") => format!("no instance profile is named \"{name}\" ({e})"),
            _ => format!("cannot read instance profile \"{name}\": {e}"),
        })?;
        let Some(p) = out.instance_profile() else {
            return Err(format!("IAM answered without the instance profile \"{name}\""));
        };
        Ok(Attrs::from([
            ("name".into(), Value::str(p.instance_profile_name())),
            ("arn".into(), Value::str(p.arn())),
            ("id".into(), Value::str(p.instance_profile_id())),
            ("path".into(), Value::str(p.path())),
            ("roles".into(), strs(p.roles().iter().map(|r| r.role_name().to_string()))),
        ]))
    }
}

/// GetInstanceProfile, retried while IAM does not know the name yet: a profile another process
/// made moments ago answers NoSuchEntity for a few seconds (IAM is eventually consistent), and
/// a pipeline that applies one stack and then plans the next meets exactly that.
async fn get(
    aws: &Aws,
    name: &str,
) -> Result<aws_sdk_iam::operation::get_instance_profile::GetInstanceProfileOutput, AwsError> {
    use crate::resources::retry;
    retry::on_codes(&["NoSuchEntity"], retry::Window::Listing.get(), || {
        let req = aws.iam.get_instance_profile().instance_profile_name(name);
        async move { req.send().await.map_err(crate::aws::error) }
    })
    .await
}
