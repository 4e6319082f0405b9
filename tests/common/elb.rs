//! Helpers for the load-balancing tests: a stack under test (its file rewritten for each step,
//! as in tests/kinds.rs) with an ELBv2 client, and finders for the target groups, load
//! balancers, listeners and rules it owns, read through the SDK, never through stackr.

use aws_sdk_elasticloadbalancingv2 as elbv2;
use elbv2::types::{Listener, LoadBalancer, Rule, TargetGroup};

use super::*;

/// One stack under test, its file rewritten for each step (as in tests/kinds.rs).
pub struct Case {
    pub dir: tempfile::TempDir,
    pub name: String,
    pub elb: elbv2::Client,
}

impl Case {
    pub async fn new(prefix: &str) -> Case {
        require_localstack();
        let creds = aws_credential_types::Credentials::new(realism::OBSERVER_KEY, "test", None, None, "tests");
        let config = super::sdk_loader()
            .region(aws_config::Region::new(REGION))
            .endpoint_url(endpoint())
            .credentials_provider(creds)
            .load()
            .await;
        Case { dir: tempfile::tempdir().unwrap(), name: unique(prefix), elb: elbv2::Client::new(&config) }
    }

    pub fn write(&self, body: &str) -> String {
        let f = stack_file(self.dir.path(), "stack.hcl", &format!("stack \"{}\" {{}}\n{body}", self.name));
        p(&f).to_string()
    }

    /// Applies `body`, expecting the plan to mention each of `expect`, then checks it settles.
    pub fn apply(&self, body: &str, expect: &[&str]) -> Run {
        apply_settled(&self.write(body), expect).1
    }

    pub async fn destroy(&self) {
        stackr(&["destroy", "-f", &self.write(""), "--auto-approve"]).expect(0);
        self.assert_nothing_owned().await;
    }

    pub async fn assert_nothing_owned(&self) {
        assert!(self.groups().await.is_empty() && self.balancers().await.is_empty(), "load balancing objects remain");
        assert_eq!(account().await.owned_counts(&self.name).await, [0; 7]);
    }

    /// ARNs of `arns` tagged for this stack.
    pub async fn owned(&self, arns: Vec<String>) -> Vec<String> {
        let mut out = vec![];
        // One ARN at a time where a batch fails: another test may delete its balancer meanwhile.
        for batch in arns.chunks(20) {
            let descriptions = match self.elb.describe_tags().set_resource_arns(Some(batch.to_vec())).send().await {
                Ok(tags) => tags.tag_descriptions().to_vec(),
                Err(_) => {
                    let mut one_by_one = vec![];
                    for arn in batch {
                        if let Ok(t) = self.elb.describe_tags().resource_arns(arn).send().await {
                            one_by_one.extend(t.tag_descriptions().to_vec());
                        }
                    }
                    one_by_one
                }
            };
            for d in descriptions {
                if d.tags().iter().any(|t| t.key() == Some("stackr:stack") && t.value() == Some(&self.name)) {
                    out.push(d.resource_arn().unwrap().to_string());
                }
            }
        }
        out
    }

    pub async fn groups(&self) -> Vec<TargetGroup> {
        let all = self.elb.describe_target_groups().send().await.unwrap().target_groups().to_vec();
        let mine = self.owned(all.iter().map(|g| g.target_group_arn().unwrap().to_string()).collect()).await;
        all.into_iter().filter(|g| mine.iter().any(|a| Some(a.as_str()) == g.target_group_arn())).collect()
    }

    /// The stack's target group whose name ends with `name_suffix`, or with it and the `-tg` of
    /// a default name (`-app` finds `<stack>-app-tg`).
    pub async fn group(&self, name_suffix: &str) -> TargetGroup {
        let gs = self.groups().await;
        let default = format!("{name_suffix}-tg");
        let named = |n: &str| n.ends_with(name_suffix) || n.ends_with(&default);
        gs.into_iter().find(|g| named(g.target_group_name().unwrap())).expect("target group")
    }

    pub async fn group_attr(&self, arn: &str, key: &str) -> String {
        let out = self.elb.describe_target_group_attributes().target_group_arn(arn).send().await.unwrap();
        out.attributes().iter().find(|a| a.key() == Some(key)).and_then(|a| a.value()).unwrap_or_default().to_string()
    }

    pub async fn balancers(&self) -> Vec<LoadBalancer> {
        let all = self.elb.describe_load_balancers().send().await.unwrap().load_balancers().to_vec();
        let mine = self.owned(all.iter().map(|l| l.load_balancer_arn().unwrap().to_string()).collect()).await;
        all.into_iter().filter(|l| mine.iter().any(|a| Some(a.as_str()) == l.load_balancer_arn())).collect()
    }

    pub async fn balancer(&self) -> LoadBalancer {
        let lbs = self.balancers().await;
        assert_eq!(lbs.len(), 1);
        lbs[0].clone()
    }

    pub async fn lb_attr(&self, arn: &str, key: &str) -> Option<String> {
        let out = self.elb.describe_load_balancer_attributes().load_balancer_arn(arn).send().await.unwrap();
        out.attributes().iter().find(|a| a.key() == Some(key)).and_then(|a| a.value()).map(String::from)
    }

    pub async fn listeners(&self, lb: &LoadBalancer) -> Vec<Listener> {
        let out = self.elb.describe_listeners().load_balancer_arn(lb.load_balancer_arn().unwrap()).send().await;
        let mut ls = out.unwrap().listeners().to_vec();
        ls.sort_by_key(|l| l.port());
        ls
    }

    /// The listener's rules other than its default, by priority.
    pub async fn rules(&self, l: &Listener) -> Vec<Rule> {
        let out = self.elb.describe_rules().listener_arn(l.listener_arn().unwrap()).send().await.unwrap();
        let mut rules: Vec<Rule> = out.rules().iter().filter(|r| r.is_default() != Some(true)).cloned().collect();
        rules.sort_by_key(|r| r.priority().unwrap().parse::<i32>().unwrap());
        rules
    }
}

/// A VPC with two subnets in two zones and a security group: what a load balancer needs.
pub fn network(octet: u8) -> String {
    format!(
        "vpc \"v\" {{ cidr = \"10.{octet}.0.0/16\" }}\n\
         subnet \"a\" {{\n  vpc = vpc.v\n  cidr = \"10.{octet}.1.0/24\"\n  az = \"us-east-1a\"\n}}\n\
         subnet \"b\" {{\n  vpc = vpc.v\n  cidr = \"10.{octet}.2.0/24\"\n  az = \"us-east-1b\"\n}}\n\
         internet_gateway \"gw\" {{ vpc = vpc.v }}\n\
         security_group \"lb\" {{\n  vpc = vpc.v\n  ingress {{\n    port = 80\n    cidr = \"0.0.0.0/0\"\n  }}\n}}\n"
    )
}

pub fn target_arn(l_or_r_actions: &[elbv2::types::Action]) -> Option<&str> {
    l_or_r_actions.first().and_then(|a| a.target_group_arn())
}
