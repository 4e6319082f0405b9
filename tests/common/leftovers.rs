//! Everything a stack still owns, of every kind, found through the SDK with the same marks
//! stackr uses (tags, IAM paths): what a destroy must leave empty.

use super::*;

impl Account {
    /// One line per object the stack still owns, of any kind; empty when nothing is left.
    pub async fn leftovers(&self, stack: &str) -> Vec<String> {
        let mut out = vec![];
        let f = || tag_filter(stack);
        let ec2 = &self.ec2;
        for v in ec2.describe_vpcs().filters(f()).send().await.unwrap().vpcs() {
            out.push(format!("vpc {}", v.vpc_id().unwrap()));
        }
        for s in ec2.describe_subnets().filters(f()).send().await.unwrap().subnets() {
            out.push(format!("subnet {}", s.subnet_id().unwrap()));
        }
        for g in ec2.describe_internet_gateways().filters(f()).send().await.unwrap().internet_gateways() {
            out.push(format!("internet gateway {}", g.internet_gateway_id().unwrap()));
        }
        for r in ec2.describe_route_tables().filters(f()).send().await.unwrap().route_tables() {
            out.push(format!("route table {}", r.route_table_id().unwrap()));
        }
        for g in ec2.describe_security_groups().filters(f()).send().await.unwrap().security_groups() {
            out.push(format!("security group {}", g.group_id().unwrap()));
        }
        let live = aws_sdk_ec2::types::Filter::builder()
            .name("instance-state-name")
            .values("pending")
            .values("running")
            .values("stopping")
            .values("stopped")
            .build();
        for r in ec2.describe_instances().filters(f()).filters(live).send().await.unwrap().reservations() {
            out.extend(r.instances().iter().map(|i| format!("instance {}", i.instance_id().unwrap())));
        }
        for v in ec2.describe_volumes().filters(f()).send().await.unwrap().volumes() {
            out.push(format!("volume {}", v.volume_id().unwrap()));
        }
        for a in ec2.describe_addresses().filters(f()).send().await.unwrap().addresses() {
            out.push(format!("elastic ip {}", a.allocation_id().unwrap()));
        }
        // Deleted gateways stay listed for an hour and failed ones until AWS removes them.
        for n in ec2.describe_nat_gateways().filter(f()).send().await.unwrap().nat_gateways() {
            use aws_sdk_ec2::types::NatGatewayState as S;
            if matches!(n.state(), Some(S::Pending | S::Available | S::Deleting)) {
                out.push(format!("nat gateway {}", n.nat_gateway_id().unwrap()));
            }
        }
        for t in ec2.describe_launch_templates().filters(f()).send().await.unwrap().launch_templates() {
            out.push(format!("launch template {}", t.launch_template_id().unwrap()));
        }
        let prefix = format!("/stackr/{stack}/");
        // Filtered here too: LocalStack ignores PathPrefix on some IAM listings.
        for u in self.iam.list_users().path_prefix(&prefix).send().await.unwrap().users() {
            if u.path().starts_with(&prefix) {
                out.push(format!("iam user {}", u.user_name()));
            }
        }
        for g in self.iam.list_groups().path_prefix(&prefix).send().await.unwrap().groups() {
            if g.path().starts_with(&prefix) {
                out.push(format!("iam group {}", g.group_name()));
            }
        }
        for r in self.iam.list_roles().path_prefix(&prefix).send().await.unwrap().roles() {
            if r.path().starts_with(&prefix) {
                out.push(format!("iam role {}", r.role_name()));
            }
        }
        for p in self.iam.list_instance_profiles().path_prefix(&prefix).send().await.unwrap().instance_profiles() {
            if p.path().starts_with(&prefix) {
                out.push(format!("instance profile {}", p.instance_profile_name()));
            }
        }
        let asg_filter = aws_sdk_autoscaling::types::Filter::builder().name("tag:stackr:stack").values(stack).build();
        for g in self
            .autoscaling
            .describe_auto_scaling_groups()
            .filters(asg_filter)
            .send()
            .await
            .unwrap()
            .auto_scaling_groups()
        {
            out.push(format!("auto scaling group {}", g.auto_scaling_group_name().unwrap_or_default()));
        }
        out.extend(self.elb_owned(stack).await);
        out
    }

    /// Target groups and load balancers tagged for the stack (ELBv2 lists have no tag filter).
    async fn elb_owned(&self, stack: &str) -> Vec<String> {
        let tgs = self.elb.describe_target_groups().send().await.unwrap();
        let lbs = self.elb.describe_load_balancers().send().await.unwrap();
        let arns: Vec<String> = tgs
            .target_groups()
            .iter()
            .filter_map(|t| t.target_group_arn())
            .chain(lbs.load_balancers().iter().filter_map(|l| l.load_balancer_arn()))
            .map(String::from)
            .collect();
        let mut out = vec![];
        // One ARN at a time where a batch fails: another test may delete its balancer meanwhile.
        let mut descriptions = vec![];
        for chunk in arns.chunks(20) {
            match self.elb.describe_tags().set_resource_arns(Some(chunk.to_vec())).send().await {
                Ok(out) => descriptions.extend(out.tag_descriptions().to_vec()),
                Err(_) => {
                    for arn in chunk {
                        if let Ok(out) = self.elb.describe_tags().resource_arns(arn).send().await {
                            descriptions.extend(out.tag_descriptions().to_vec());
                        }
                    }
                }
            }
        }
        for d in &descriptions {
            if d.tags().iter().any(|t| t.key() == Some("stackr:stack") && t.value() == Some(stack)) {
                out.push(format!("load balancing {}", d.resource_arn().unwrap_or_default()));
            }
        }
        out
    }
}
