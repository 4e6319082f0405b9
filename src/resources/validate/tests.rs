//! How the constraint and cross-resource diagnostics read: one snapshot per kind of mistake,
//! rendered with the file, line, column and underline, as `stackr plan` prints them.

use crate::resources::{check, schemas};
use crate::stack::{Stack, VarInputs, load_str_with};

/// The rendered diagnostics for `body` after the stack header; panics when it loads cleanly.
fn diagnose(body: &str) -> String {
    let src = format!("stack \"t\" {{\n  region = \"us-east-1\"\n}}\n{body}");
    let mut post = |s: &mut Stack| check(s);
    let Err(d) = load_str_with("stack.hcl", &src, &VarInputs::default(), &schemas(), &mut post) else {
        panic!("expected diagnostics for:\n{src}");
    };
    d.iter().map(|d| d.render(false)).collect::<Vec<_>>().join("\n\n")
}

const NET: &str = "vpc \"v\" {\n  cidr = \"10.0.0.0/16\"\n}\nsubnet \"a\" {\n  vpc  = vpc.v\n  cidr = \"10.0.1.0/24\"\n  az   = \"us-east-1a\"\n}\n";

#[test]
fn volume_in_another_zone_than_its_instance() {
    insta::assert_snapshot!(diagnose(&format!(
        "{NET}instance \"i\" {{\n  ami    = \"ami-0abcdef1234567890\"\n  type   = \"t3.micro\"\n  subnet = subnet.a\n}}\n\
         volume \"d\" {{\n  az       = \"us-east-1b\"\n  size     = 10\n  instance = instance.i\n  device   = \"/dev/sdf\"\n}}\n"
    )));
}

#[test]
fn zone_of_another_region() {
    insta::assert_snapshot!(diagnose(&NET.replace("us-east-1a", "eu-west-1a")));
}

#[test]
fn volume_size_zero_and_a_bad_device() {
    insta::assert_snapshot!(diagnose(
        "volume \"d\" {\n  az     = \"us-east-1a\"\n  size   = 0\n  device = \"/dev/foo\"\n}\n"
    ));
}

#[test]
fn health_check_path_without_a_slash() {
    insta::assert_snapshot!(diagnose(
        "target_group \"t\" {\n  vpc               = \"vpc-12345678\"\n  port              = 80\n  health_check_path = \"health\"\n}\n"
    ));
}

#[test]
fn listener_on_port_0_and_a_fixed_response_code_outside_2xx_4xx_5xx() {
    insta::assert_snapshot!(diagnose(&format!(
        "{NET}subnet \"b\" {{\n  vpc  = vpc.v\n  cidr = \"10.0.2.0/24\"\n  az   = \"us-east-1b\"\n}}\n\
         load_balancer \"l\" {{\n  scheme = \"internal\"\n  subnets = [subnet.a, subnet.b]\n  listener {{\n    port = 0\n    fixed_response {{\n      status_code = \"302\"\n    }}\n  }}\n}}\n"
    )));
}

const ASG: &str = "autoscaling_group \"g\" {\n  launch_template = \"lt-12345678\"\n  launch_template_version = \"1\"\n  subnets         = [\"subnet-12345678\"]\n  min_size        = 1\n  max_size        = 4\n";

#[test]
fn recurrence_that_is_not_cron() {
    insta::assert_snapshot!(diagnose(&format!(
        "{ASG}  schedule {{\n    name             = \"night\"\n    recurrence       = \"every night\"\n    desired_capacity = 1\n  }}\n}}\n"
    )));
}

#[test]
fn cpu_target_above_100_and_scheduled_capacity_above_the_maximum() {
    insta::assert_snapshot!(diagnose(&format!(
        "{ASG}  target_tracking {{\n    target = 150\n  }}\n  schedule {{\n    name             = \"peak\"\n    recurrence       = \"0 8 * * MON-FRI\"\n    desired_capacity = 10\n  }}\n}}\n"
    )));
}

#[test]
fn iam_names_claimed_twice_and_too_long() {
    insta::assert_snapshot!(diagnose(&format!(
        "iam_user \"a\" {{\n  name = \"Deploy\"\n}}\niam_user \"b\" {{\n  name = \"deploy\"\n}}\niam_role \"r\" {{\n  name   = \"{}\"\n  assume = \"ec2.amazonaws.com\"\n}}\n",
        "r".repeat(65)
    )));
}

#[test]
fn security_group_names_claimed_twice_in_a_vpc_and_starting_with_sg() {
    insta::assert_snapshot!(diagnose(
        "vpc \"v\" {\n  cidr = \"10.0.0.0/16\"\n}\nsecurity_group \"a\" {\n  vpc = vpc.v\n}\nsecurity_group \"b\" {\n  vpc  = vpc.v\n  name = \"T-A-SG\"\n}\nsecurity_group \"c\" {\n  vpc  = vpc.v\n  name = \"sg-web\"\n}\n"
    ));
}

#[test]
fn default_names_are_checked_where_the_block_is() {
    insta::assert_snapshot!(diagnose(&format!(
        "launch_template \"{}\" {{\n  ami  = \"ami-0abcdef1234567890\"\n  type = \"t3.micro\"\n}}\n",
        "x".repeat(130)
    )));
}

#[test]
fn sensitive_values_are_masked() {
    insta::assert_snapshot!(diagnose(
        "variable \"who\" {\n  default   = \"jane doe\"\n  sensitive = true\n}\niam_user \"a\" {\n  name = var.who\n}\niam_user \"b\" {\n  name = var.who\n}\n"
    ));
}

#[test]
fn route_to_a_detached_gateway_and_a_subnet_in_two_tables() {
    insta::assert_snapshot!(diagnose(&format!(
        "{NET}internet_gateway \"g\" {{\n}}\nroute_table \"r\" {{\n  vpc     = vpc.v\n  subnets = [subnet.a]\n  route {{\n    cidr    = \"0.0.0.0/0\"\n    gateway = internet_gateway.g\n  }}\n}}\nroute_table \"s\" {{\n  vpc     = vpc.v\n  subnets = [subnet.a]\n}}\n"
    )));
}

#[test]
fn public_addresses_in_a_vpc_of_the_stack_without_a_gateway() {
    let lb = format!(
        "{NET}subnet \"b\" {{\n  vpc  = vpc.v\n  cidr = \"10.0.2.0/24\"\n  az   = \"us-east-1b\"\n}}\n\
         load_balancer \"l\" {{\n  subnets = [subnet.a, subnet.b]\n}}\n"
    );
    let d = diagnose(&lb);
    assert!(d.contains("an internet-facing load balancer needs its VPC's internet gateway, and vpc.v has none"), "{d}");
    assert!(d.contains("stack.hcl:18:13"), "{d}");
    let eip = format!(
        "{NET}instance \"i\" {{\n  ami    = \"ami-0abcdef1234567890\"\n  type   = \"t3.micro\"\n  subnet = subnet.a\n}}\n\
         elastic_ip \"e\" {{\n  instance = instance.i\n}}\n"
    );
    assert!(diagnose(&eip).contains("an Elastic IP needs its VPC's internet gateway"), "{}", diagnose(&eip));
    // With the gateway, or internal, or in a VPC the stack does not make: nothing to say.
    let src = |body: &str| format!("stack \"t\" {{\n  region = \"us-east-1\"\n}}\n{body}");
    let gw = format!("{lb}internet_gateway \"g\" {{\n  vpc = vpc.v\n}}\n");
    let mut post = |s: &mut Stack| check(s);
    assert!(load_str_with("stack.hcl", &src(&gw), &VarInputs::default(), &schemas(), &mut post).is_ok());
    let internal =
        lb.replace("subnets = [subnet.a, subnet.b]", "scheme = \"internal\"\n  subnets = [subnet.a, subnet.b]");
    assert!(load_str_with("stack.hcl", &src(&internal), &VarInputs::default(), &schemas(), &mut post).is_ok());
}

#[test]
fn fractional_cpu_target_above_100_and_a_target_of_zero() {
    insta::assert_snapshot!(diagnose(&format!(
        "{ASG}  target_tracking {{\n    target = 100.5\n  }}\n  target_tracking {{\n    metric = \"network_in\"\n    target = 0\n  }}\n}}\n"
    )));
}
