//! Constraints several kinds' schemas share, from the AWS API references: IAM names and policy
//! ARNs, EC2 image, instance type and key pair names, and user data. Kinds with a constraint of
//! their own declare it beside the attribute.

use crate::constraint::{Check, chars, formats};

/// IAM user and role names (and so instance profile names).
pub const IAM_NAME_64: &[Check] = &[Check::Len(1, 64), Check::Chars(&chars::IAM_NAME)];

/// IAM group names.
pub const IAM_NAME_128: &[Check] = &[Check::Len(1, 128), Check::Chars(&chars::IAM_NAME)];

/// Managed policies attached to one user, group or role: at most 20 (the quota's ceiling; the
/// default is 10), each an ARN.
pub const MANAGED_POLICIES: &[Check] =
    &[Check::Count(20), Check::Len(20, 2048), Check::Format(&formats::MANAGED_POLICY_ARN)];

/// Inline policies: the map's keys are policy names.
pub const INLINE_POLICIES: &[Check] = &[Check::Keys(IAM_NAME_128)];

/// An AMI id.
pub const AMI: &[Check] = &[Check::Format(&formats::AMI_ID)];

/// An instance type.
pub const INSTANCE_TYPE: &[Check] = &[Check::Len(3, 64), Check::Format(&formats::INSTANCE_TYPE)];

/// An EC2 key pair name.
pub const KEY_NAME: &[Check] = &[Check::Len(1, 255), Check::Chars(&chars::ASCII)];

/// User data: at most 16 KB before base64 encoding.
pub const USER_DATA: &[Check] = &[Check::Bytes(16 * 1024)];

/// Auto Scaling group and scheduled action names.
pub const AUTOSCALING_NAME: &[Check] = &[Check::Len(1, 255), Check::Chars(&chars::AUTOSCALING)];

/// Sizes and counts that cannot be negative.
pub const NOT_NEGATIVE: &[Check] = &[Check::Range(0, i64::MAX)];

/// A TCP port a listener or target group uses: port 0 is not one.
pub const PORT: &[Check] = &[Check::Range(1, 65535)];
