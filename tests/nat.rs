//! NAT gateways and private subnets against LocalStack: one gateway per zone with its Elastic
//! IP, private route tables sending 0.0.0.0/0 to their zone's gateway, a clean plan after apply,
//! and a destroy that deletes the gateways before their addresses, subnets and the internet
//! gateway (with the realism layer those are held until the gateways are `deleted`). Also the
//! layer's own NAT behaviour, and the stack-file mistakes refused before any call.

mod common;

use std::time::Duration;

use aws_sdk_ec2::types::{Filter, NatGatewayState};
use common::realism::{account_as, code, key_with, stackr_as};
use common::*;

/// Two zones, each with a public subnet holding its NAT gateway and a private subnet routed
/// through it. `STACK` is replaced by a unique stack name.
const PRIVATE_NETWORK: &str = r#"
stack "STACK" {
  region = "us-east-1"
}

locals {
  zones = ["us-east-1a", "us-east-1b"]
}

vpc "main" {
  cidr = "10.80.0.0/16"
}

subnet "public" {
  for_each = toset(local.zones)
  vpc      = vpc.main
  cidr     = cidrsubnet("10.80.0.0/16", 8, index(local.zones, each.key) + 1)
  az       = each.key
}

subnet "private" {
  for_each = toset(local.zones)
  vpc      = vpc.main
  cidr     = cidrsubnet("10.80.0.0/16", 8, index(local.zones, each.key) + 11)
  az       = each.key
}

internet_gateway "main" {
  vpc = vpc.main
}

route_table "public" {
  vpc = vpc.main
  route {
    cidr    = "0.0.0.0/0"
    gateway = internet_gateway.main
  }
  subnets = subnet.public[*]
}

elastic_ip "nat" {
  for_each = toset(local.zones)
}

nat_gateway "zone" {
  for_each   = toset(local.zones)
  subnet     = subnet.public[each.key]
  elastic_ip = elastic_ip.nat[each.key]
  tags       = { tier = "egress" }
}

route_table "private" {
  for_each = toset(local.zones)
  vpc      = vpc.main
  route {
    cidr        = "0.0.0.0/0"
    nat_gateway = nat_gateway.zone[each.key]
  }
  subnets = [subnet.private[each.key]]
}
"#;

fn by_stack(stack: &str) -> Filter {
    tag_filter(stack)
}

#[tokio::test]
async fn a_nat_gateway_per_zone_routes_private_subnets_and_destroy_frees_everything() {
    require_localstack();
    let stack = unique("nat");
    let dir = tempfile::tempdir().unwrap();
    let file = stack_file(dir.path(), "nat.hcl", &PRIVATE_NETWORK.replace("STACK", &stack));
    let (plan, _) = apply_settled(
        p(&file),
        &["# nat_gateway.zone[\"us-east-1a\"] will be created", "nat_gateway = (known after apply)"],
    );
    assert!(plan.stdout.contains("# nat_gateway.zone[\"us-east-1b\"] will be created"), "{}", plan.stdout);

    let acct = account().await;
    let nats = acct.ec2.describe_nat_gateways().filter(by_stack(&stack)).send().await.unwrap();
    let nats: Vec<_> = nats.nat_gateways().iter().filter(|n| n.state() != Some(&NatGatewayState::Deleted)).collect();
    assert_eq!(nats.len(), 2, "one gateway per zone, never a second from a retried create: {nats:?}");
    let addrs = acct.ec2.describe_addresses().filters(by_stack(&stack)).send().await.unwrap();
    for nat in &nats {
        assert_eq!(nat.state(), Some(&NatGatewayState::Available));
        assert_eq!(tag(nat.tags(), "tier"), Some("egress"));
        let alloc = nat.nat_gateway_addresses()[0].allocation_id().unwrap();
        assert!(addrs.addresses().iter().any(|a| a.allocation_id() == Some(alloc)), "its address is the stack's");
        // Its zone's private table routes the default route to it, and holds that zone's subnet.
        let f = Filter::builder().name("route.nat-gateway-id").values(nat.nat_gateway_id().unwrap()).build();
        let rts = acct.ec2.describe_route_tables().filters(f).send().await.unwrap();
        assert_eq!(rts.route_tables().len(), 1, "{:?}", rts.route_tables());
        let rt = &rts.route_tables()[0];
        let route = rt.routes().iter().find(|r| r.destination_cidr_block() == Some("0.0.0.0/0")).unwrap();
        assert_eq!(route.gateway_id(), None);
        let subnet = rt.associations().iter().find_map(|a| a.subnet_id()).unwrap();
        let sub = acct.ec2.describe_subnets().subnet_ids(subnet).send().await.unwrap();
        let public = acct.ec2.describe_subnets().subnet_ids(nat.subnet_id().unwrap()).send().await.unwrap();
        assert_eq!(sub.subnets()[0].availability_zone(), public.subnets()[0].availability_zone());
        assert!(tag(sub.subnets()[0].tags(), "stackr:address").unwrap().starts_with("subnet.private"));
    }

    stackr(&["destroy", "-f", p(&file), "--auto-approve"]).expect(0);
    assert_eq!(acct.leftovers(&stack).await, Vec::<String>::new());
    let nats = acct.ec2.describe_nat_gateways().filter(by_stack(&stack)).send().await.unwrap();
    assert!(nats.nat_gateways().iter().all(|n| n.state() == Some(&NatGatewayState::Deleted)), "{nats:?}");
}

#[tokio::test]
async fn switching_a_route_from_the_internet_gateway_to_a_nat_gateway_is_in_place() {
    require_localstack();
    let stack = unique("natsw");
    let dir = tempfile::tempdir().unwrap();
    // At first the private tables send everything to the internet gateway, and no NAT exists.
    let start = PRIVATE_NETWORK.replace("STACK", &stack);
    let (head, _) = start.split_once("elastic_ip \"nat\"").unwrap();
    let public_only = format!(
        "{head}route_table \"private\" {{\n  for_each = toset(local.zones)\n  vpc = vpc.main\n  route {{\n    cidr = \"0.0.0.0/0\"\n    gateway = internet_gateway.main\n  }}\n  subnets = [subnet.private[each.key]]\n}}\n"
    );
    let file = stack_file(dir.path(), "nat.hcl", &public_only);
    apply_settled(p(&file), &[]);
    let file = stack_file(dir.path(), "nat.hcl", &start);
    let (plan, _) = apply_settled(p(&file), &["# route_table.private[\"us-east-1a\"] will be updated in-place"]);
    assert!(plan.stdout.contains("Plan: 4 to add, 2 to change, 0 to destroy."), "{}", plan.stdout);
    stackr(&["destroy", "-f", p(&file), "--auto-approve"]).expect(0);
    assert_eq!(account().await.leftovers(&stack).await, Vec::<String>::new());
}

/// A stack file with one mistake; `plan` must refuse it before calling AWS, at its line.
fn refused(body: &str, expect: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let base = PRIVATE_NETWORK.replace("STACK", "natbad");
    let file = stack_file(dir.path(), "bad.hcl", &format!("{base}{body}"));
    let run = stackr(&["plan", "-f", p(&file)]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    for e in expect {
        assert!(run.stderr.contains(e), "missing `{e}` in:\n{}", run.stderr);
    }
}

#[test]
fn a_route_needs_exactly_one_target_in_its_own_vpc() {
    let line = PRIVATE_NETWORK.replace("STACK", "natbad").lines().count() + 3;
    refused(
        "route_table \"both\" {\n  vpc = vpc.main\n  route {\n    cidr        = \"0.0.0.0/0\"\n    gateway     = internet_gateway.main\n    nat_gateway = nat_gateway.zone[\"us-east-1a\"]\n  }\n}\n",
        &["has both `gateway` and `nat_gateway`", &format!("bad.hcl:{line}:")],
    );
    refused(
        "route_table \"none\" {\n  vpc = vpc.main\n  route {\n    cidr = \"10.99.0.0/16\"\n  }\n}\n",
        &["a route needs a target"],
    );
    refused(
        "vpc \"other\" {\n  cidr = \"10.81.0.0/16\"\n}\nroute_table \"other\" {\n  vpc = vpc.other\n  route {\n    cidr        = \"0.0.0.0/0\"\n    nat_gateway = nat_gateway.zone[\"us-east-1a\"]\n  }\n}\n",
        &["nat_gateway.zone[\"us-east-1a\"] is in a subnet of vpc.main, not of this table's VPC vpc.other"],
    );
}

#[test]
fn a_nat_gateways_address_is_its_own_and_its_vpc_has_an_internet_gateway() {
    refused(
        "nat_gateway \"again\" {\n  subnet     = subnet.public[\"us-east-1a\"]\n  elastic_ip = elastic_ip.nat[\"us-east-1a\"]\n}\n",
        &["nat_gateway.zone[\"us-east-1a\"] already uses elastic_ip.nat[\"us-east-1a\"]"],
    );
    refused(
        "elastic_ip \"web\" {\n  instance = \"i-0123456789abcdef0\"\n}\nnat_gateway \"web\" {\n  subnet     = subnet.public[\"us-east-1b\"]\n  elastic_ip = elastic_ip.web\n}\n",
        &["elastic_ip.web is associated with an instance"],
    );
    let dir = tempfile::tempdir().unwrap();
    let text = "stack \"natigw\" {\n  region = \"us-east-1\"\n}\nvpc \"v\" {\n  cidr = \"10.82.0.0/16\"\n}\nsubnet \"a\" {\n  vpc  = vpc.v\n  cidr = \"10.82.1.0/24\"\n}\nelastic_ip \"n\" {}\nnat_gateway \"n\" {\n  subnet     = subnet.a\n  elastic_ip = elastic_ip.n\n}\n";
    let file = stack_file(dir.path(), "igw.hcl", text);
    let run = stackr(&["plan", "-f", p(&file)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("a public NAT gateway needs its VPC's internet gateway"), "{}", run.stderr);
}

/// The layer's NAT behaviour through the SDK (with the layer off these calls all succeed).
#[tokio::test]
async fn the_realism_layer_keeps_nat_gateways_pending_and_holding_while_deleting() {
    require_localstack();
    let spec = r#"{"nat_pending": 1.5, "nat_deleting": 1.5, "dependencies": true, "validation": true, "scale": 1}"#;
    let me = account_as(&key_with("natr", spec), 1).await;
    let ec2 = &me.ec2;
    let vpc =
        ec2.create_vpc().cidr_block("10.83.0.0/16").send().await.unwrap().vpc().unwrap().vpc_id().unwrap().to_string();
    let subnet = ec2.create_subnet().vpc_id(&vpc).cidr_block("10.83.1.0/24").send().await.unwrap();
    let subnet = subnet.subnet().unwrap().subnet_id().unwrap().to_string();
    let igw = ec2.create_internet_gateway().send().await.unwrap();
    let igw = igw.internet_gateway().unwrap().internet_gateway_id().unwrap().to_string();
    ec2.attach_internet_gateway().internet_gateway_id(&igw).vpc_id(&vpc).send().await.unwrap();
    let eip = ec2.allocate_address().send().await.unwrap().allocation_id().unwrap().to_string();
    let nat = ec2.create_nat_gateway().subnet_id(&subnet).allocation_id(&eip).send().await.unwrap();
    let nat = nat.nat_gateway().unwrap();
    assert_eq!(nat.state(), Some(&NatGatewayState::Pending));
    let nat = nat.nat_gateway_id().unwrap().to_string();
    let state = || async {
        let out = ec2.describe_nat_gateways().nat_gateway_ids(&nat).send().await.unwrap();
        out.nat_gateways()[0].state().unwrap().clone()
    };
    assert_eq!(state().await, NatGatewayState::Pending);
    // A route to a pending gateway is accepted, as on AWS.
    let rt = ec2.create_route_table().vpc_id(&vpc).send().await.unwrap();
    let rt = rt.route_table().unwrap().route_table_id().unwrap().to_string();
    ec2.create_route()
        .route_table_id(&rt)
        .destination_cidr_block("0.0.0.0/0")
        .nat_gateway_id(&nat)
        .send()
        .await
        .unwrap();
    let held = || async {
        assert_eq!(code(&ec2.release_address().allocation_id(&eip).send().await.unwrap_err()), "AuthFailure");
        assert_eq!(code(&ec2.delete_subnet().subnet_id(&subnet).send().await.unwrap_err()), "DependencyViolation");
        let detach = ec2.detach_internet_gateway().internet_gateway_id(&igw).vpc_id(&vpc).send().await;
        assert_eq!(code(&detach.unwrap_err()), "DependencyViolation");
    };
    held().await;
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(state().await, NatGatewayState::Available);
    ec2.delete_nat_gateway().nat_gateway_id(&nat).send().await.unwrap();
    assert_eq!(state().await, NatGatewayState::Deleting);
    held().await;
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(state().await, NatGatewayState::Deleted);
    ec2.release_address().allocation_id(&eip).send().await.unwrap();
    ec2.detach_internet_gateway().internet_gateway_id(&igw).vpc_id(&vpc).send().await.unwrap();
    ec2.delete_route_table().route_table_id(&rt).send().await.unwrap();
    ec2.delete_subnet().subnet_id(&subnet).send().await.unwrap();

    // An unknown id is NatGatewayNotFound (moto answers an empty list).
    let err = ec2.describe_nat_gateways().nat_gateway_ids("nat-0123456789abcdef0").send().await.unwrap_err();
    assert_eq!(code(&err), "NatGatewayNotFound");
    // Without an internet gateway a public gateway fails after its pending time, with AWS's reason.
    let bare = ec2.create_subnet().vpc_id(&vpc).cidr_block("10.83.2.0/24").send().await.unwrap();
    let bare = bare.subnet().unwrap().subnet_id().unwrap().to_string();
    let eip2 = ec2.allocate_address().send().await.unwrap().allocation_id().unwrap().to_string();
    let failing = ec2.create_nat_gateway().subnet_id(&bare).allocation_id(&eip2).send().await.unwrap();
    let failing = failing.nat_gateway().unwrap().nat_gateway_id().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let out = ec2.describe_nat_gateways().nat_gateway_ids(&failing).send().await.unwrap();
    assert_eq!(out.nat_gateways()[0].state(), Some(&NatGatewayState::Failed));
    assert_eq!(out.nat_gateways()[0].failure_code(), Some("Gateway.NotAttached"));
}

/// A gateway AWS fails after the create call succeeded fails the apply with AWS's reason.
#[tokio::test]
async fn a_gateway_that_fails_fails_the_apply_with_awss_reason() {
    require_localstack();
    let key = key_with("natf", r#"{"nat_pending": 1, "validation": true, "scale": 1}"#);
    let acct = account().await;
    let vpc = acct.ec2.create_vpc().cidr_block("10.84.0.0/16").send().await.unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let subnet = acct.ec2.create_subnet().vpc_id(&vpc).cidr_block("10.84.1.0/24").send().await.unwrap();
    let subnet = subnet.subnet().unwrap().subnet_id().unwrap().to_string();
    let stack = unique("natf");
    let dir = tempfile::tempdir().unwrap();
    // A subnet the stack does not declare: its VPC's gateway cannot be checked from the file.
    let text = format!(
        "stack \"{stack}\" {{\n  region = \"us-east-1\"\n}}\nelastic_ip \"n\" {{}}\nnat_gateway \"n\" {{\n  subnet     = \"{subnet}\"\n  elastic_ip = elastic_ip.n\n}}\n"
    );
    let file = stack_file(dir.path(), "fail.hcl", &text);
    let run = stackr_as(&key, &["apply", "-f", p(&file), "--auto-approve"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("Gateway.NotAttached: Network"), "{}", run.stderr);
    stackr_as(&key, &["destroy", "-f", p(&file), "--auto-approve"]).expect(0);
    assert_eq!(acct.leftovers(&stack).await, Vec::<String>::new());
}

const ALICE: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJuxQQzgDl+2a4qLNRlWjSFSQFtfINMMU39AKtEWxBxA alice@laptop";
const BOB: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFnXe8oflxHbhJhfmhUNgpMd2fu9V43PkE3M/NWLI8Wf bob@laptop";

/// A key pair imported from a .pub file beside the stack, named in an instance's and a launch
/// template's `key_name`.
fn key_stack(stack: &str) -> String {
    format!(
        "stack \"{stack}\" {{\n  region = \"us-east-1\"\n}}\nkey_pair \"admin\" {{\n  public_key = file(\"id_ed25519.pub\")\n  tags       = {{ team = \"ops\" }}\n}}\n\
         vpc \"v\" {{\n  cidr = \"10.85.0.0/16\"\n}}\nsubnet \"a\" {{\n  vpc  = vpc.v\n  cidr = \"10.85.1.0/24\"\n}}\n\
         instance \"box\" {{\n  ami      = \"ami-760aaa0f\"\n  type     = \"t3.micro\"\n  subnet   = subnet.a\n  key_name = key_pair.admin.name\n}}\n\
         launch_template \"web\" {{\n  ami      = \"ami-760aaa0f\"\n  type     = \"t3.micro\"\n  key_name = key_pair.admin.name\n}}\n\
         output \"fingerprint\" {{\n  value = key_pair.admin.fingerprint\n}}\n"
    )
}

#[tokio::test]
async fn a_key_pair_is_imported_named_by_an_instance_and_replaced_by_another_key() {
    require_localstack();
    let stack = unique("natkey");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("id_ed25519.pub"), format!("{ALICE}\n")).unwrap();
    let file = stack_file(dir.path(), "key.hcl", &key_stack(&stack));
    let (plan, run) =
        apply_settled(p(&file), &["# key_pair.admin will be created", "fingerprint = (known after apply)"]);
    assert!(plan.stdout.contains(&format!("name        = \"{stack}-admin-key\"")), "{}", plan.stdout);
    assert!(!run.stdout.contains("PRIVATE") && !run.stderr.contains("PRIVATE"));

    let acct = account().await;
    let name = format!("{stack}-admin-key");
    let keys = acct.ec2.describe_key_pairs().key_names(&name).include_public_key(true).send().await.unwrap();
    let key = &keys.key_pairs()[0];
    assert_eq!(tag(key.tags(), "stackr:address"), Some("key_pair.admin"));
    assert_eq!(tag(key.tags(), "team"), Some("ops"));
    assert!(key.public_key().unwrap().starts_with(&ALICE[..80]));
    let fingerprint = key.key_fingerprint().unwrap().to_string();
    let reservations = acct.ec2.describe_instances().filters(tag_filter(&stack)).send().await.unwrap();
    let box_ = reservations.reservations()[0].instances()[0].clone();
    assert_eq!(box_.key_name(), Some(name.as_str()), "the instance launched after the key pair, with its name");
    assert!(run.stdout.contains(&format!("fingerprint = \"{fingerprint}\"")), "{}", run.stdout);
    let lts = acct.ec2.describe_launch_templates().filters(tag_filter(&stack)).send().await.unwrap();
    let lt = lts.launch_templates()[0].launch_template_id().unwrap();
    let v = acct.ec2.describe_launch_template_versions().launch_template_id(lt).send().await.unwrap();
    let data = v.launch_template_versions()[0].launch_template_data().unwrap();
    assert_eq!(data.key_name(), Some(name.as_str()), "the launch template names it too");

    // Only the comment changes: nothing to do. Another key replaces the pair, not the instance.
    std::fs::write(dir.path().join("id_ed25519.pub"), ALICE.replace("alice@laptop", "alice@desktop")).unwrap();
    stackr(&["plan", "-f", p(&file), "--detailed-exitcode"]).expect(0);
    std::fs::write(dir.path().join("id_ed25519.pub"), BOB).unwrap();
    let (plan, _) = apply_settled(p(&file), &["# key_pair.admin must be replaced", "# forces replacement"]);
    assert!(plan.stdout.contains("Plan: 1 to add, 0 to change, 1 to destroy."), "{}", plan.stdout);
    let keys = acct.ec2.describe_key_pairs().key_names(&name).send().await.unwrap();
    assert_ne!(keys.key_pairs()[0].key_fingerprint(), Some(fingerprint.as_str()));

    stackr(&["destroy", "-f", p(&file), "--auto-approve"]).expect(0);
    assert_eq!(acct.leftovers(&stack).await, Vec::<String>::new());
    let left = acct.ec2.describe_key_pairs().filters(tag_filter(&stack)).send().await.unwrap();
    assert!(left.key_pairs().is_empty(), "{left:?}");
}

#[test]
fn a_private_key_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let private = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    std::fs::write(dir.path().join("id_ed25519"), private).unwrap();
    let text = "stack \"natpriv\" {\n  region = \"us-east-1\"\n}\nkey_pair \"admin\" {\n  public_key = file(\"id_ed25519\")\n}\n";
    let file = stack_file(dir.path(), "priv.hcl", text);
    let run = stackr(&["plan", "-f", p(&file)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("this is a private key") && run.stderr.contains("priv.hcl:5:"), "{}", run.stderr);
    assert!(!run.stderr.contains("b3BlbnNzaC1rZXktdjEAAAAA"), "the key's text is never echoed:\n{}", run.stderr);
}
