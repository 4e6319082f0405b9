//! stackr against the realism layer, for the network and load balancing (issue 8's numbered
//! points on creates, replacements, ordering, deletes, discovery and duplicates): each test
//! runs the real binary under a profile with the AWS behaviour in question.

mod common;

use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use common::realism::{key_with, stackr_as};
use common::*;

const AMI: &str = "ami-760aaa0f";

struct Case {
    dir: tempfile::TempDir,
    name: String,
    key: String,
}

impl Case {
    fn new(prefix: &str, profile: &str) -> Case {
        require_localstack();
        Case { dir: tempfile::tempdir().unwrap(), name: unique(prefix), key: key_with(prefix, profile) }
    }

    fn write(&self, body: &str) -> String {
        let text = format!("stack \"{}\" {{}}\n{body}", self.name);
        p(&stack_file(self.dir.path(), "stack.hcl", &text)).to_string()
    }

    fn run(&self, args: &[&str]) -> Run {
        stackr_as(&self.key, args)
    }

    fn apply(&self, body: &str) -> Run {
        let f = self.write(body);
        let run = self.run(&["apply", "-f", &f, "--auto-approve"]).expect(0);
        let settled = self.run(&["plan", "-f", &f, "--detailed-exitcode"]);
        assert_eq!(settled.code, 0, "plan after apply is not clean:\n{}{}", settled.stdout, settled.stderr);
        run
    }

    fn destroy(&self) {
        self.run(&["destroy", "-f", &self.write(""), "--auto-approve"]).expect(0);
    }
}

/// Two public subnets in two zones, a gateway and a public route table.
fn net(cidr: u8) -> String {
    format!(
        "vpc \"v\" {{ cidr = \"10.{cidr}.0.0/16\" }}\n\
         subnet \"a\" {{\n  vpc = vpc.v\n  cidr = \"10.{cidr}.1.0/24\"\n  az = \"us-east-1a\"\n}}\n\
         subnet \"b\" {{\n  vpc = vpc.v\n  cidr = \"10.{cidr}.2.0/24\"\n  az = \"us-east-1b\"\n}}\n\
         internet_gateway \"gw\" {{ vpc = vpc.v }}\n\
         route_table \"r\" {{\n  vpc = vpc.v\n  route {{\n    cidr = \"0.0.0.0/0\"\n    gateway = internet_gateway.gw\n  }}\n  subnets = [subnet.a, subnet.b]\n}}\n"
    )
}

/// 7 and 10. New objects not yet visible, and every create's first answer lost: creates that
/// take no client token are found by their tags instead of made twice, the others carry one;
/// nothing exists twice, and the plan after is clean.
#[tokio::test]
async fn lost_answers_and_invisible_new_objects_make_no_duplicates() {
    let spec = r#"{"ec2_visibility": 20, "iam_propagation": 20, "lose_responses": "first", "client_tokens": true, "validation": true}"#;
    let case = Case::new("lost", spec);
    let body = format!(
        "{}security_group \"w\" {{ vpc = vpc.v }}\n\
         instance \"i\" {{\n  ami = \"{AMI}\"\n  type = \"t3.micro\"\n  subnet = subnet.a\n  security_groups = [security_group.w]\n}}\n\
         volume \"d\" {{\n  az = \"us-east-1a\"\n  size = 4\n  instance = instance.i\n  device = \"/dev/sdf\"\n}}\n\
         elastic_ip \"e\" {{ instance = instance.i }}\n\
         iam_role \"r\" {{\n  name = \"{}-r\"\n  assume = \"ec2.amazonaws.com\"\n  instance_profile = true\n}}\n",
        net(91),
        case.name
    );
    case.apply(&body);
    let acct = account().await;
    let mut addrs: Vec<String> = acct.leftovers(&case.name).await;
    addrs.sort();
    let kinds: Vec<&str> = addrs.iter().map(|l| l.rsplit_once(' ').unwrap().0).collect();
    // The instance's root volume carries the stack's tags too: two volumes.
    for k in ["vpc", "subnet", "internet gateway", "route table", "security group", "instance", "volume"] {
        let n = kinds.iter().filter(|x| **x == k).count();
        let want = if matches!(k, "subnet" | "volume") { 2 } else { 1 };
        assert_eq!(n, want, "{k}: {addrs:?}");
    }
    case.destroy();
}

/// 10. A security group replaced by making the new one first, whose create answer is lost: the
/// object found by the address's tags is the new group, never the old one it replaces (which
/// carries the same tags), so the instance moves to the new group and the old one goes.
#[tokio::test]
async fn a_lost_answer_during_a_create_first_replacement_finds_the_new_object() {
    let spec = r#"{"ec2_visibility": 20, "lose_responses": "first", "client_tokens": true, "validation": true, "dependencies": true}"#;
    let case = Case::new("lostrepl", spec);
    let body = |sg: &str| {
        format!(
            "{}security_group \"w\" {{\n  vpc = vpc.v\n  name = \"{n}-{sg}\"\n}}\n\
             instance \"i\" {{\n  ami = \"{AMI}\"\n  type = \"t3.micro\"\n  subnet = subnet.a\n  security_groups = [security_group.w]\n}}\n",
            net(94),
            n = case.name
        )
    };
    case.apply(&body("one"));
    case.apply(&body("two"));
    let ec2 = account().await.ec2;
    let tagged = Filter::builder().name("tag:stackr:stack").values(&case.name).build();
    let groups = ec2.describe_security_groups().filters(tagged.clone()).send().await.unwrap();
    let names: Vec<&str> = groups.security_groups().iter().filter_map(|g| g.group_name()).collect();
    assert_eq!(names, [format!("{}-two", case.name)], "only the new group is left");
    let held = ec2.describe_instances().filters(tagged).send().await.unwrap();
    let inst = &held.reservations()[0].instances()[0];
    assert_eq!(inst.security_groups()[0].group_id(), groups.security_groups()[0].group_id());
    case.destroy();
}

/// 15. A listener on a certificate uploaded moments ago: Elastic Load Balancing answers
/// CertificateNotFound until it knows the certificate, for the create and for a swap to a
/// newer certificate; both are retried until it does.
#[tokio::test]
async fn listeners_wait_for_a_certificate_elb_does_not_know_yet() {
    let case = Case::new("cert", r#"{"iam_propagation": 60}"#);
    let iam = account().await.iam;
    let upload = |n: &'static str| {
        let (iam, name) = (iam.clone(), format!("{}-{n}", case.name));
        async move {
            let out = iam
                .upload_server_certificate()
                .server_certificate_name(name)
                .certificate_body("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
                .private_key("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n")
                .send()
                .await
                .unwrap();
            out.server_certificate_metadata().unwrap().arn().to_string()
        }
    };
    let body = |arn: &str| {
        format!(
            "{}target_group \"t\" {{\n  vpc = vpc.v\n  port = 80\n}}\n\
             load_balancer \"l\" {{\n  subnets = [subnet.a, subnet.b]\n  listener {{\n    port = 443\n    protocol = \"HTTPS\"\n    certificate = \"{arn}\"\n    forward = target_group.t\n  }}\n}}\n",
            net(95)
        )
    };
    let first = upload("one").await;
    let run = case.apply(&body(&first));
    assert!(run.stdout.contains("Apply complete!"), "{}", run.stdout);
    let second = upload("two").await;
    case.apply(&body(&second));
    let elb = account().await.elb;
    let mut used = vec![];
    for lb in elb.describe_load_balancers().send().await.unwrap().load_balancers() {
        let listeners = elb.describe_listeners().load_balancer_arn(lb.load_balancer_arn().unwrap()).send().await;
        for l in listeners.unwrap().listeners() {
            used.extend(l.certificates().iter().filter_map(|c| c.certificate_arn()).map(String::from));
        }
    }
    assert!(used.contains(&second) && !used.contains(&first), "{used:?}");
    case.destroy();
}

/// 2 and 6. An internet-facing load balancer and an Elastic IP wait for the gateway; a
/// security group and a subnet the balancer and the instance keep are replaced by making the
/// new ones first (the balancer always has two zones, the instance a group); destroy detaches
/// the gateway after everything with a public address.
#[tokio::test]
async fn replacements_never_leave_an_instance_or_balancer_without_groups_or_zones() {
    let spec = r#"{"validation": true, "dependencies": true, "eni_linger": 40, "instance_shutting_down": 20, "lb_provisioning": 20}"#;
    let case = Case::new("repl", spec);
    let body = |sg: &str, cidr: &str| {
        format!(
            "{}security_group \"w\" {{\n  vpc = vpc.v\n  name = \"{n}-{sg}\"\n}}\n\
             subnet \"c\" {{\n  vpc = vpc.v\n  cidr = \"{cidr}\"\n  az = \"us-east-1c\"\n}}\n\
             instance \"i\" {{\n  ami = \"{AMI}\"\n  type = \"t3.micro\"\n  subnet = subnet.a\n  security_groups = [security_group.w]\n}}\n\
             elastic_ip \"e\" {{ instance = instance.i }}\n\
             load_balancer \"l\" {{\n  subnets = [subnet.b, subnet.c]\n  security_groups = [security_group.w]\n}}\n",
            net(92),
            n = case.name
        )
    };
    case.apply(&body("one", "10.92.3.0/24"));
    let run = case.apply(&body("two", "10.92.4.0/24"));
    assert!(run.stdout.contains("Apply complete!"), "{}", run.stdout);
    case.destroy();
    assert!(account().await.leftovers(&case.name).await.is_empty());
}

/// 13. A subnet moves from one route table to another: ReplaceRouteTableAssociation, never a
/// second association AWS refuses (Resource.AlreadyAssociated).
#[tokio::test]
async fn a_subnet_moves_between_route_tables() {
    let case = Case::new("rta", r#"{"validation": true}"#);
    let body = |first: &str, second: &str| {
        format!(
            "vpc \"v\" {{ cidr = \"10.93.0.0/16\" }}\n\
             subnet \"a\" {{\n  vpc = vpc.v\n  cidr = \"10.93.1.0/24\"\n  az = \"us-east-1a\"\n}}\n\
             route_table \"one\" {{\n  vpc = vpc.v\n  subnets = [{first}]\n}}\n\
             route_table \"two\" {{\n  vpc = vpc.v\n  subnets = [{second}]\n}}\n"
        )
    };
    case.apply(&body("subnet.a", ""));
    case.apply(&body("", "subnet.a"));
    case.apply(&body("subnet.a", ""));
    case.destroy();
}

/// 8. Interfaces of a deleted load balancer hold its subnets and group for a while (AWS
/// answers DependencyViolation or InvalidGroup.InUse): destroy waits them out. The windows
/// follow STACKR_WAIT_SCALE, so a shortened one gives up with AWS's error.
#[tokio::test]
async fn deletes_wait_out_lingering_interfaces_within_a_configurable_window() {
    let case = Case::new("linger", r#"{"dependencies": true, "eni_linger": 100, "lb_provisioning": 20}"#);
    let body = format!(
        "{}security_group \"w\" {{ vpc = vpc.v }}\n\
         load_balancer \"l\" {{\n  subnets = [subnet.a, subnet.b]\n  security_groups = [security_group.w]\n}}\n",
        net(94)
    );
    case.apply(&body);
    case.destroy();
    assert!(account().await.leftovers(&case.name).await.is_empty());

    case.apply(&body);
    let mut cmd = stackr_cmd(&["destroy", "-f", &case.write(""), "--auto-approve"]);
    cmd.env("AWS_ACCESS_KEY_ID", &case.key).env("STACKR_WAIT_SCALE", "0.001");
    let run = Run::from(cmd.output().unwrap()).expect(1);
    assert!(run.stderr.contains("DependencyViolation") || run.stderr.contains("InvalidGroup.InUse"), "{}", run.stderr);
    case.destroy();
}

/// 8. A security group a running instance uses never lets go by itself: the delete fails at
/// once, naming the instance, instead of waiting out the dependency window.
#[tokio::test]
async fn a_group_held_by_a_running_instance_fails_at_once_naming_it() {
    let case = Case::new("held", r#"{"dependencies": true}"#);
    let body = format!("{}security_group \"w\" {{ vpc = vpc.v }}\n", net(96));
    case.apply(&body);
    let acct = account().await;
    let mine = |kind: &str| {
        let name = case.name.clone();
        let ec2 = acct.ec2.clone();
        let kind = kind.to_string();
        async move {
            let f = Filter::builder().name("tag:stackr:stack").values(name).build();
            if kind == "subnet" {
                let out = ec2.describe_subnets().filters(f).send().await.unwrap();
                out.subnets()[0].subnet_id().unwrap().to_string()
            } else {
                let out = ec2.describe_security_groups().filters(f).send().await.unwrap();
                out.security_groups()[0].group_id().unwrap().to_string()
            }
        }
    };
    let (subnet, group) = (mine("subnet").await, mine("group").await);
    let run = acct.ec2.run_instances().image_id(AMI).min_count(1).max_count(1).subnet_id(&subnet);
    let out = run.security_group_ids(&group).send().await.unwrap();
    let id = out.instances()[0].instance_id().unwrap().to_string();
    // Only the group goes (the subnet would wait out the instance's interface): the apply
    // fails at once, naming the instance, where the dependency window is 20 minutes.
    let drop = case.run(&["apply", "-f", &case.write(&net(96)), "--auto-approve"]).expect(1);
    assert!(drop.stderr.contains(&format!("cannot be deleted: instances {id} still use it")), "{}", drop.stderr);
    acct.ec2.terminate_instances().instance_ids(&id).send().await.unwrap();
    case.destroy();
    assert!(acct.leftovers(&case.name).await.is_empty());
}

/// 9. Discovery in a busy account: more than 200 of the stack's instances (EC2 takes at most
/// 200 filter values a call) and a load balancer deleted between the listing and its tags.
#[tokio::test]
async fn discovery_splits_filters_and_survives_a_vanished_load_balancer() {
    let case = Case::new("disc", r#"{"filter_value_limit": 200, "listing_races": true, "validation": true}"#);
    let body =
        format!("{}load_balancer \"l\" {{\n  scheme = \"internal\"\n  subnets = [subnet.a, subnet.b]\n}}\n", net(95));
    case.apply(&body);
    // 201 instances the stack owns under one address it no longer declares.
    let acct = account().await;
    let sub = acct.ec2.describe_subnets().filters(tag_filter(&case.name)).send().await.unwrap();
    let sub = sub.subnets()[0].subnet_id().unwrap().to_string();
    let tags = TagSpecification::builder()
        .resource_type(ResourceType::Instance)
        .tags(Tag::builder().key("stackr:stack").value(&case.name).build())
        .tags(Tag::builder().key("stackr:address").value("instance.crowd").build())
        .build();
    let run =
        acct.ec2.run_instances().image_id(AMI).min_count(201).max_count(201).subnet_id(&sub).tag_specifications(tags);
    run.send().await.unwrap();
    let plan = case.run(&["plan", "-f", &case.write(&body)]).expect(0);
    assert!(plan.stdout.contains("# instance.crowd"), "{}", plan.stdout);
    case.destroy();
    let alive = Filter::builder().name("instance-state-name").values("running").build();
    let out = acct.ec2.describe_instances().filters(tag_filter(&case.name)).filters(alive).send().await.unwrap();
    assert_eq!(out.reservations().iter().map(|r| r.instances().len()).sum::<usize>(), 0);
}
