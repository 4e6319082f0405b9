//! Each kind's in-place updates and forced replacements, checked in the account: the object
//! keeps its id when it is updated and gets a new one when it is replaced, and the plan is
//! clean afterwards.

mod common;

use common::*;

/// One stack under test: its file is rewritten for each step.
struct Case {
    dir: tempfile::TempDir,
    name: String,
}

impl Case {
    fn new(prefix: &str) -> Case {
        require_localstack();
        Case { dir: tempfile::tempdir().unwrap(), name: unique(prefix) }
    }

    fn write(&self, body: &str) -> String {
        let f = stack_file(self.dir.path(), "stack.hcl", &format!("stack \"{}\" {{}}\n{body}", self.name));
        p(&f).to_string()
    }

    /// Applies `body`, expecting the plan to mention each of `expect`, then checks it settles.
    fn apply(&self, body: &str, expect: &[&str]) -> Run {
        apply_settled(&self.write(body), expect).1
    }

    async fn destroy(&self, acct: &Account) {
        stackr(&["destroy", "-f", &self.write(""), "--auto-approve"]).expect(0);
        assert_eq!(acct.owned_counts(&self.name).await, [0; 7]);
    }
}

async fn one_vpc(acct: &Account, stack: &str) -> aws_sdk_ec2::types::Vpc {
    let out = acct.ec2.describe_vpcs().filters(tag_filter(stack)).send().await.unwrap();
    assert_eq!(out.vpcs().len(), 1);
    out.vpcs()[0].clone()
}

#[tokio::test]
async fn vpc_updates_in_place_and_replaces_on_cidr() {
    let acct = account().await;
    let c = Case::new("vpc");
    c.apply("vpc \"v\" {\n  cidr = \"10.50.0.0/16\"\n  tags = { a = \"1\" }\n}\n", &["+ resource \"vpc\" \"v\""]);
    let first = one_vpc(&acct, &c.name).await;
    c.apply(
        "vpc \"v\" {\n  cidr = \"10.50.0.0/16\"\n  enable_dns_hostnames = true\n  enable_dns_support = true\n  tags = { b = \"2\" }\n}\n",
        &["# vpc.v will be updated in-place", "~ enable_dns_hostnames = false -> true"],
    );
    let updated = one_vpc(&acct, &c.name).await;
    assert_eq!(updated.vpc_id(), first.vpc_id());
    assert_eq!(tag(updated.tags(), "b"), Some("2"));
    assert_eq!(tag(updated.tags(), "a"), None);
    let attr =
        acct.ec2.describe_vpc_attribute().vpc_id(updated.vpc_id().unwrap()).attribute("enableDnsHostnames".into());
    assert_eq!(attr.send().await.unwrap().enable_dns_hostnames().and_then(|a| a.value()), Some(true));
    c.apply(
        "vpc \"v\" {\n  cidr = \"10.51.0.0/16\"\n  enable_dns_hostnames = true\n  tags = { b = \"2\" }\n}\n",
        &["# vpc.v must be replaced", "# forces replacement"],
    );
    let replaced = one_vpc(&acct, &c.name).await;
    assert_ne!(replaced.vpc_id(), first.vpc_id());
    assert_eq!(replaced.cidr_block(), Some("10.51.0.0/16"));
    c.destroy(&acct).await;
}

#[tokio::test]
async fn internet_gateway_moves_and_detaches_in_place() {
    let acct = account().await;
    let c = Case::new("igw");
    let vpcs = "vpc \"a\" { cidr = \"10.60.0.0/16\" }\nvpc \"b\" { cidr = \"10.61.0.0/16\" }\n";
    c.apply(&format!("{vpcs}internet_gateway \"gw\" {{ vpc = vpc.a }}\n"), &[]);
    let igws = || acct.ec2.describe_internet_gateways().filters(tag_filter(&c.name)).send();
    let before = igws().await.unwrap().internet_gateways()[0].clone();
    c.apply(
        &format!("{vpcs}internet_gateway \"gw\" {{ vpc = vpc.b }}\n"),
        &["# internet_gateway.gw will be updated in-place"],
    );
    let after = igws().await.unwrap().internet_gateways()[0].clone();
    assert_eq!(after.internet_gateway_id(), before.internet_gateway_id());
    let b = acct.ec2.describe_vpcs().filters(tag_filter(&c.name)).send().await.unwrap();
    let b_id = b.vpcs().iter().find(|v| v.cidr_block() == Some("10.61.0.0/16")).unwrap().vpc_id();
    assert_eq!(after.attachments()[0].vpc_id(), b_id);
    c.apply(&format!("{vpcs}internet_gateway \"gw\" {{}}\n"), &["-> null"]);
    assert!(igws().await.unwrap().internet_gateways()[0].attachments().is_empty());
    c.destroy(&acct).await;
}

#[tokio::test]
async fn route_table_routes_and_associations_change_in_place() {
    let acct = account().await;
    let c = Case::new("rtb");
    let base = "vpc \"v\" { cidr = \"10.70.0.0/16\" }\ninternet_gateway \"one\" { vpc = vpc.v }\n\
                subnet \"a\" {\n  vpc = vpc.v\n  cidr = \"10.70.1.0/24\"\n}\nsubnet \"b\" {\n  vpc = vpc.v\n  cidr = \"10.70.2.0/24\"\n}\n";
    c.apply(
        &format!("{base}route_table \"r\" {{\n  vpc = vpc.v\n  route {{\n    cidr = \"0.0.0.0/0\"\n    gateway = internet_gateway.one\n  }}\n  subnets = [subnet.a]\n}}\n"),
        &[],
    );
    let rt = || acct.ec2.describe_route_tables().filters(tag_filter(&c.name)).send();
    let first = rt().await.unwrap().route_tables()[0].clone();
    c.apply(
        &format!("{base}route_table \"r\" {{\n  vpc = vpc.v\n  route {{\n    cidr = \"10.0.0.0/8\"\n    gateway = internet_gateway.one\n  }}\n  subnets = [subnet.a, subnet.b]\n}}\n"),
        &["# route_table.r will be updated in-place"],
    );
    let now = rt().await.unwrap().route_tables()[0].clone();
    assert_eq!(now.route_table_id(), first.route_table_id());
    let dests: Vec<&str> = now.routes().iter().filter_map(|r| r.destination_cidr_block()).collect();
    assert!(dests.contains(&"10.0.0.0/8") && !dests.contains(&"0.0.0.0/0"), "{dests:?}");
    assert_eq!(now.associations().iter().filter(|a| a.subnet_id().is_some()).count(), 2);
    c.destroy(&acct).await;
}

#[tokio::test]
async fn security_group_rules_change_in_place_and_a_referenced_group_is_replaced() {
    let acct = account().await;
    // Not "sg": the groups' default names would start with "sg-", which EC2 refuses.
    let c = Case::new("groups");
    let stack = |alb_desc: &str, web_rule_desc: &str| {
        format!(
            "vpc \"v\" {{ cidr = \"10.80.0.0/16\" }}\n\
             security_group \"alb\" {{\n  vpc = vpc.v\n  description = \"{alb_desc}\"\n  ingress {{\n    port = 443\n    cidrs = [\"0.0.0.0/0\"]\n  }}\n}}\n\
             security_group \"web\" {{\n  vpc = vpc.v\n  ingress {{\n    port = 80\n    security_group = security_group.alb\n    description = \"{web_rule_desc}\"\n  }}\n  \
             ingress {{\n    protocol = \"all\"\n    self = true\n  }}\n  egress {{\n    port = 443\n    cidr = \"0.0.0.0/0\"\n  }}\n}}\n"
        )
    };
    c.apply(&stack("first", "from alb"), &[]);
    let groups = || acct.ec2.describe_security_groups().filters(tag_filter(&c.name)).send();
    let find = |gs: &aws_sdk_ec2::operation::describe_security_groups::DescribeSecurityGroupsOutput, n: &str| {
        gs.security_groups().iter().find(|g| g.group_name().is_some_and(|x| x.ends_with(n))).unwrap().clone()
    };
    let gs = groups().await.unwrap();
    let (alb1, web1) = (find(&gs, "-alb-sg"), find(&gs, "-web-sg"));
    assert!(web1.ip_permissions().iter().any(|p| p.ip_protocol() == Some("-1")
        && p.user_id_group_pairs().first().and_then(|g| g.group_id()) == web1.group_id()));
    let egress: Vec<Option<i32>> = web1.ip_permissions_egress().iter().map(|p| p.from_port()).collect();
    assert_eq!(egress, vec![Some(443)], "declared egress replaces AWS's allow-all rule");

    // A rule description changes in place.
    c.apply(&stack("first", "from the balancer"), &["# security_group.web will be updated in-place"]);
    let gs = groups().await.unwrap();
    let web2 = find(&gs, "-web-sg");
    assert_eq!(web2.group_id(), web1.group_id());
    let http = web2.ip_permissions().iter().find(|p| p.from_port() == Some(80)).unwrap();
    assert_eq!(http.user_id_group_pairs()[0].description(), Some("from the balancer"));

    // The description of the referenced group forces its replacement; the referring group
    // lets go of the old one first and points at the new one after.
    let run = c.apply(
        &stack("second", "from the balancer"),
        &["# security_group.alb must be replaced", "# security_group.web will be updated in-place"],
    );
    assert!(run.stdout.contains("security_group.web: Releasing references..."), "{}", run.stdout);
    let gs = groups().await.unwrap();
    let (alb3, web3) = (find(&gs, "-alb-sg"), find(&gs, "-web-sg"));
    assert_ne!(alb3.group_id(), alb1.group_id());
    assert_eq!(alb3.description(), Some("second"));
    let http = web3.ip_permissions().iter().find(|p| p.from_port() == Some(80)).unwrap();
    assert_eq!(http.user_id_group_pairs()[0].group_id(), alb3.group_id());
    assert_eq!(gs.security_groups().len(), 2, "the old group is gone");
    c.destroy(&acct).await;
}

#[tokio::test]
async fn iam_users_and_groups_update_in_place_and_replace_on_group_name() {
    let acct = account().await;
    let c = Case::new("iam");
    let (g1, g2, u1, u2) = (unique("ops"), unique("ops-renamed"), unique("dave"), unique("dave-renamed"));
    let stack = |group: &str, user: &str, policies: &str, tags: &str| {
        format!(
            "iam_group \"ops\" {{\n  name = \"{group}\"\n  managed_policies = [{policies}]\n  inline_policies = {{\n    \
             read = jsonencode({{ Version = \"2012-10-17\", Statement = {{ Effect = \"Allow\", Action = \"s3:Get*\", Resource = \"*\" }} }})\n  }}\n}}\n\
             iam_user \"dave\" {{\n  name = \"{user}\"\n  groups = [iam_group.ops]\n  tags = {{ {tags} }}\n}}\n"
        )
    };
    let ro = "\"arn:aws:iam::aws:policy/ReadOnlyAccess\"";
    c.apply(&stack(&g1, &u1, ro, "team = \"a\""), &[]);
    let first = acct.iam.get_user().user_name(&u1).send().await.unwrap().user().unwrap().user_id().to_string();

    // Rename the user, change tags and the group's policies: all in place.
    c.apply(
        &stack(&g1, &u2, "", "team = \"b\""),
        &["# iam_user.dave will be updated in-place", "# iam_group.ops will be updated in-place"],
    );
    let user = acct.iam.get_user().user_name(&u2).send().await.unwrap();
    assert_eq!(user.user().unwrap().user_id(), first, "a rename keeps the user");
    let tags: Vec<(&str, &str)> = user.user().unwrap().tags().iter().map(|t| (t.key(), t.value())).collect();
    assert!(tags.contains(&("team", "b")), "{tags:?}");
    let attached = acct.iam.list_attached_group_policies().group_name(&g1).send().await.unwrap();
    assert!(attached.attached_policies().is_empty());

    // A new group name replaces the group; the membership follows.
    c.apply(&stack(&g2, &u2, ro, "team = \"b\""), &["# iam_group.ops must be replaced"]);
    let groups = acct.iam.list_groups_for_user().user_name(&u2).send().await.unwrap();
    assert_eq!(groups.groups().iter().map(|g| g.group_name()).collect::<Vec<_>>(), vec![g2.as_str()]);
    assert!(acct.iam.get_group().group_name(&g1).send().await.is_err(), "the old group is gone");
    c.destroy(&acct).await;
}

/// With `force_destroy`, deleting a user removes the credentials made outside stackr that
/// AWS requires gone first (without it the plan refuses: tests/iam.rs).
#[tokio::test]
async fn deleting_a_user_removes_credentials_made_outside_stackr() {
    let acct = account().await;
    let c = Case::new("creds");
    let user = unique("erin");
    c.apply(&format!("iam_user \"erin\" {{\n  name = \"{user}\"\n  force_destroy = true\n}}\n"), &[]);
    acct.iam.create_access_key().user_name(&user).send().await.unwrap();
    acct.iam.create_login_profile().user_name(&user).password("Correct-Horse-9!").send().await.unwrap();
    acct.iam
        .attach_user_policy()
        .user_name(&user)
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    c.destroy(&acct).await;
    assert!(acct.iam.get_user().user_name(&user).send().await.is_err());
}
