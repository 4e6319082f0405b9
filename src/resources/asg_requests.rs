//! Target tracking on a load balancer's request count per target (`ALBRequestCountPerTarget`):
//! AWS names the target group by a resource label, `app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>`,
//! the tails of the load balancer's and the target group's ARNs. The file names the target
//! group; the label is made at apply from the balancer AWS says forwards to it, and read back
//! as the target group's ARN (the label's tail, in the policy's partition, region and account).

use super::Cx;
use crate::aws;

/// The label for a target group: its load balancer (the first AWS lists) and itself.
pub async fn resource_label(cx: &Cx, target_group: &str) -> anyhow::Result<String> {
    let out = cx.aws.elb.describe_target_groups().target_group_arns(target_group).send().await.map_err(aws::error)?;
    let lb = out.target_groups().first().and_then(|t| t.load_balancer_arns().first()).ok_or_else(|| {
        anyhow::anyhow!(
            "target group {target_group} is behind no load balancer: tracking requests per target needs a listener that forwards to it"
        )
    })?;
    label(lb, target_group).ok_or_else(|| anyhow::anyhow!("cannot make a resource label from {lb} and {target_group}"))
}

/// `app/<lb>/<id>/targetgroup/<tg>/<id>` from the two ARNs.
pub fn label(lb_arn: &str, tg_arn: &str) -> Option<String> {
    let lb = lb_arn.split_once(":loadbalancer/")?.1;
    let tg = tg_arn.rsplit_once(':')?.1;
    tg.starts_with("targetgroup/").then(|| format!("{lb}/{tg}"))
}

/// The target group ARN a label names, in the partition, region and account of `policy_arn`
/// (an Auto Scaling ARN: `arn:PARTITION:autoscaling:REGION:ACCOUNT:…`).
pub fn target_group(policy_arn: &str, label: &str) -> Option<String> {
    let tg = label.split_once("/targetgroup/")?.1;
    let parts: Vec<&str> = policy_arn.splitn(6, ':').collect();
    let [_, partition, _, region, account, _] = parts[..] else { return None };
    Some(format!("arn:{partition}:elasticloadbalancing:{region}:{account}:targetgroup/{tg}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LB: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
    const TG: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/943f017f100becff";

    #[test]
    fn the_label_is_the_tails_of_both_arns_and_reads_back_as_the_target_group() {
        let l = label(LB, TG).unwrap();
        assert_eq!(l, "app/web/50dc6c495c0c9188/targetgroup/web/943f017f100becff");
        let policy = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:abc:autoScalingGroupName/g:policyName/p";
        assert_eq!(target_group(policy, &l).as_deref(), Some(TG));
        assert_eq!(label(TG, LB), None);
    }
}
