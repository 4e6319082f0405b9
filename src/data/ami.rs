//! `data "ami"`: an image id looked up rather than hard-coded, by the SSM public parameter AWS
//! publishes for its images (`/aws/service/ami-amazon-linux-latest/…`), or by owners and a name
//! pattern, the most recent first (Terraform's `most_recent = true`).

use async_trait::async_trait;

use super::account::result;
use super::{DataKind, failed, str_arg};
use crate::aws::Aws;
use crate::model::{Attrs, Lit, Presence, Schema, Ty, Update, Value, attr};

pub struct Ami;

static AMI: Schema = Schema {
    kind: "ami",
    doc: "An AMI: by SSM parameter, or the newest available image of owners whose name matches.",
    ref_attr: "id",
    singleton: false,
    attrs: &[
        attr(
            "ssm_parameter",
            Ty::Str,
            Presence::Optional,
            Update::InPlace,
            "An SSM parameter holding an AMI id: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64.",
        ),
        attr(
            "owners",
            Ty::Set(&Ty::Str),
            Presence::Default(Lit::EmptyList),
            Update::InPlace,
            "Owner account ids, or amazon, aws-marketplace, self.",
        ),
        attr("name", Ty::Str, Presence::Optional, Update::InPlace, "A name pattern (* and ? wildcards), with owners."),
        attr(
            "architecture",
            Ty::Enum(&["x86_64", "arm64", "i386"]),
            Presence::Optional,
            Update::InPlace,
            "Only images of this architecture.",
        ),
        result("id", Ty::Str, "The AMI id."),
        result("image_name", Ty::Str, "The image's name."),
        result("creation_date", Ty::Str, "When the image was made."),
        result("root_device_name", Ty::Str, "The root device (/dev/xvda)."),
    ],
};

#[async_trait]
impl DataKind for Ami {
    fn schema(&self) -> &'static Schema {
        &AMI
    }

    async fn read(&self, aws: &Aws, args: &Attrs) -> Result<Attrs, String> {
        let id = match str_arg(args, "ssm_parameter") {
            Some(param) => Some(parameter(aws, param).await?),
            None => None,
        };
        let owners: Vec<String> = args
            .get("owners")
            .map(Value::as_list)
            .unwrap_or(&[])
            .iter()
            .filter_map(|o| o.as_str().map(String::from))
            .collect();
        if id.is_none() && (owners.is_empty() || str_arg(args, "name").is_none()) {
            return Err("an ami lookup takes ssm_parameter, or owners and name".into());
        }
        let mut req = aws.ec2.describe_images().filters(filter("state", "available"));
        req = match &id {
            Some(id) => req.image_ids(id),
            None => req.set_owners(Some(owners)).filters(filter("name", str_arg(args, "name").unwrap_or("*"))),
        };
        if let Some(arch) = str_arg(args, "architecture") {
            req = req.filters(filter("architecture", arch));
        }
        let out = req.send().await.map_err(|e| failed("AMIs", e))?;
        // ISO 8601 dates sort as text: the last is the newest. Images made in the same second
        // are told apart by name and id, so the same account gives the same answer each plan.
        let newest = out.images().iter().max_by_key(|i| (i.creation_date(), i.name(), i.image_id()));
        let Some(image) = newest else {
            return Err(match id {
                Some(id) => format!("the AMI {id} the parameter names is not available in this region"),
                None => "no available AMI matches these owners and name".into(),
            });
        };
        let text = |s: Option<&str>| Value::from(s.map(String::from));
        let mut out: Attrs = args.clone();
        out.insert("id".into(), text(image.image_id()));
        out.insert("image_name".into(), text(image.name()));
        out.insert("creation_date".into(), text(image.creation_date()));
        out.insert("root_device_name".into(), text(image.root_device_name()));
        Ok(out)
    }
}

fn filter(name: &str, value: &str) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder().name(name).values(value).build()
}

/// The AMI id an SSM parameter holds.
async fn parameter(aws: &Aws, name: &str) -> Result<String, String> {
    let out = aws.ssm.get_parameter().name(name).send().await.map_err(|e| {
        if e.as_service_error().is_some_and(|s| s.is_parameter_not_found()) {
            return format!("there is no SSM parameter {name} in this region");
        }
        failed(&format!("the SSM parameter {name}"), e)
    })?;
    out.parameter()
        .and_then(|p| p.value())
        .map(String::from)
        .ok_or_else(|| format!("the SSM parameter {name} has no value"))
}
