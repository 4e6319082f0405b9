//! The few AWS conditions that have no error code of their own, recognised by their code and
//! message together. Every other decision on an AWS error is made on its code; matching text is
//! kept here, in one place, for conditions AWS reports only in words: each is temporary (IAM's
//! propagation, EC2's launch plan catching up), and the text decides only whether to wait and
//! try again, never what to change. terraform-provider-aws matches the same texts (cited below).

use crate::aws::AwsError;

fn is(e: &AwsError, codes: &[&str], needles: &[&str]) -> bool {
    let text = e.message.to_ascii_lowercase();
    e.code.as_deref().is_some_and(|c| codes.contains(&c)) && needles.iter().any(|n| text.contains(n))
}

/// An instance profile IAM has only just made (or whose role it has just added), not yet
/// usable: EC2 answers `InvalidParameterValue` "… iamInstanceProfile.name is invalid. Invalid
/// IAM Instance Profile name", Auto Scaling `ValidationError` "You must use a valid
/// fully-formed launch template. …" with the same words. The provider: `ec2/ec2_instance.go`
/// (`ErrMessageContains(err, errCodeInvalidParameterValue, "Invalid IAM Instance Profile")`)
/// and `autoscaling/group.go` (`ValidationError`, "Invalid IAM Instance Profile").
pub fn profile_not_ready(e: &AwsError) -> bool {
    is(e, &["InvalidParameterValue", "ValidationError"], &["iaminstanceprofile", "instance profile"])
}

/// A trust policy naming a role or user IAM has only just made: `MalformedPolicyDocument`
/// "Invalid principal in policy", the code also of every truly malformed document. The
/// provider: `iam/role.go` (`ErrMessageContains(err, MalformedPolicyDocumentException,
/// "Invalid principal in policy")`).
pub fn principal_not_ready(e: &AwsError) -> bool {
    is(e, &["MalformedPolicyDocument"], &["invalid principal"])
}

/// The first StartInstances after an instance type change: `InvalidParameterValue` "LaunchPlan
/// instance type does not match attribute value" (hashicorp/terraform-provider-aws#16433; the
/// provider's `ec2/ec2_instance.go` retries it by this text).
pub fn launch_plan_behind(e: &AwsError) -> bool {
    is(e, &["InvalidParameterValue"], &["launchplan"])
}

/// Whether a failed scaling activity's `StatusMessage` (data, not an error: activities carry
/// no code) is the instance profile not yet usable, which Auto Scaling retries on its own.
pub fn activity_profile_not_ready(status_message: &str) -> bool {
    status_message.to_ascii_lowercase().contains("instance profile")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(code: &str, msg: &str) -> AwsError {
        AwsError::new(Some(code.into()), format!("{code}: {msg}"))
    }

    #[test]
    fn each_condition_needs_its_code_and_its_words() {
        let ec2 = "Value (web) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name";
        assert!(profile_not_ready(&e("InvalidParameterValue", ec2)));
        assert!(profile_not_ready(&e(
            "ValidationError",
            &format!("You must use a valid fully-formed launch template. {ec2}")
        )));
        assert!(!profile_not_ready(&e("InvalidParameterValue", "Invalid value 'x' for instanceType")));
        assert!(!profile_not_ready(&e("AccessDenied", ec2)));
        assert!(principal_not_ready(&e("MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"arn\"")));
        assert!(!principal_not_ready(&e("MalformedPolicyDocument", "Has prohibited field Resource")));
        assert!(launch_plan_behind(&e(
            "InvalidParameterValue",
            "LaunchPlan instance type does not match attribute value"
        )));
        assert!(!launch_plan_behind(&e("IncorrectInstanceState", "LaunchPlan")));
        assert!(activity_profile_not_ready("Invalid IAM Instance Profile name. Launching EC2 instance failed."));
        assert!(!activity_profile_not_ready("We currently do not have sufficient t3.micro capacity"));
    }
}
