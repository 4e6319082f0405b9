//! The compute kinds against LocalStack, checked in the account through the SDK: instances,
//! EBS volumes, Elastic IPs and launch templates are created with non-default settings,
//! updated in place (keeping their ids), replaced where AWS cannot change them, and deleted;
//! every step ends with a clean plan. Also the example stack, stacks/compute.hcl.

mod common;

use aws_sdk_ec2::types::{Filter, Instance, Volume};
use base64::Engine;
use common::*;

const AMI: &str = "ami-760aaa0f";
const OTHER_AMI: &str = "ami-785db401";

struct Case {
    dir: tempfile::TempDir,
    name: String,
}

impl Case {
    fn new(prefix: &str) -> Case {
        require_localstack();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("boot.sh"), "#!/bin/sh\necho ${greeting}\n").unwrap();
        Case { dir, name: unique(prefix) }
    }

    /// A VPC, a subnet in us-east-1a and security groups `a` and `b`, then `body`.
    fn write(&self, body: &str) -> String {
        let net = "vpc \"v\" { cidr = \"10.80.0.0/16\" }\n\
                   subnet \"s\" {\n  vpc = vpc.v\n  cidr = \"10.80.1.0/24\"\n  az = \"us-east-1a\"\n}\n\
                   internet_gateway \"gw\" { vpc = vpc.v }\n\
                   security_group \"a\" { vpc = vpc.v }\nsecurity_group \"b\" { vpc = vpc.v }\n";
        let text = format!("stack \"{}\" {{}}\n{net}{body}", self.name);
        p(&stack_file(self.dir.path(), "stack.hcl", &text)).to_string()
    }

    /// Applies `body` after checking the plan mentions each of `expect`; the plan after must
    /// be clean. Returns the plan and the apply output.
    fn apply(&self, body: &str, expect: &[&str]) -> (String, String) {
        let (plan, run) = apply_settled(&self.write(body), expect);
        (plan.stdout, run.stdout)
    }

    fn destroy(&self) {
        stackr(&["destroy", "-f", &self.write(""), "--auto-approve"]).expect(0);
    }
}

/// The stack's instances that are not terminated, by their `stackr:address`.
async fn instances(acct: &Account, stack: &str) -> Vec<(String, Instance)> {
    let alive = Filter::builder().name("instance-state-name").values("pending").values("running").values("stopped");
    let out = acct.ec2.describe_instances().filters(tag_filter(stack)).filters(alive.build()).send().await.unwrap();
    let all = out.reservations().iter().flat_map(|r| r.instances());
    all.map(|i| (tag(i.tags(), "stackr:address").unwrap_or_default().to_string(), i.clone())).collect()
}

async fn instance(acct: &Account, stack: &str, addr: &str) -> Instance {
    let all = instances(acct, stack).await;
    let mut found = all.into_iter().filter(|(a, _)| a == addr);
    let one = found.next().unwrap_or_else(|| panic!("no running {addr}"));
    assert!(found.next().is_none(), "more than one {addr}");
    one.1
}

async fn volume(acct: &Account, id: &str) -> Volume {
    acct.ec2.describe_volumes().volume_ids(id).send().await.unwrap().volumes()[0].clone()
}

async fn stack_volumes(acct: &Account, stack: &str) -> Vec<Volume> {
    let out = acct.ec2.describe_volumes().filters(tag_filter(stack)).send().await.unwrap();
    out.volumes()
        .iter()
        .filter(|v| tag(v.tags(), "stackr:address").is_some_and(|a| a.starts_with("volume.")))
        .cloned()
        .collect()
}

fn decode(b64: &str) -> String {
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap()
}

fn role(name: &str) -> String {
    format!("iam_role \"r\" {{\n  name = \"{name}\"\n  assume = \"ec2.amazonaws.com\"\n  instance_profile = true\n}}\n")
}

fn web(ami: &str, ty: &str, groups: &str, imdsv2: bool, greeting: &str, key: &str) -> String {
    format!(
        "instance \"web\" {{\n  ami = \"{ami}\"\n  type = \"{ty}\"\n  subnet = subnet.s\n  security_groups = [{groups}]\n\
         key_name = \"{key}\"\n  role = iam_role.r\n  imdsv2 = {imdsv2}\n  associate_public_ip = true\n\
         root_volume_size = 20\n  root_volume_type = \"gp3\"\n  root_volume_encrypted = true\n\
         user_data = template(\"./boot.sh\", {{ greeting = \"{greeting}\" }})\n  tags = {{ team = \"infra\" }}\n}}\n"
    )
}

/// Checks every setting of the first launch in `instance_launches_…`; returns the id.
async fn check_first_launch(acct: &Account, stack: &str, key: &str) -> String {
    let first = instance(acct, stack, "instance.web").await;
    let id = first.instance_id().unwrap().to_string();
    assert_eq!(first.instance_type().map(|t| t.as_str()), Some("t3.small"));
    assert_eq!(first.image_id(), Some(AMI));
    assert_eq!(first.key_name(), Some(key));
    assert!(first.public_ip_address().is_some());
    assert_eq!(tag(first.tags(), "team"), Some("infra"));
    let arn = first.iam_instance_profile().and_then(|p| p.arn()).unwrap();
    assert!(arn.ends_with(&format!("/{stack}")), "{arn}");
    assert_eq!(first.metadata_options().and_then(|m| m.http_tokens()).map(|t| t.as_str()), Some("optional"));
    let attr = acct.ec2.describe_instance_attribute().instance_id(&id).attribute("userData".into());
    let ud = attr.send().await.unwrap().user_data().and_then(|u| u.value()).map(decode);
    assert_eq!(ud.as_deref(), Some("#!/bin/sh\necho hi\n"));
    let root = first.block_device_mappings().iter().find(|m| m.device_name() == first.root_device_name()).unwrap();
    let root = volume(acct, root.ebs().unwrap().volume_id().unwrap()).await;
    assert_eq!(
        (root.size(), root.volume_type().map(|t| t.as_str()), root.encrypted()),
        (Some(20), Some("gp3"), Some(true))
    );
    assert!(stack_volumes(acct, stack).await.is_empty(), "the root volume is the instance's, not a volume");
    id
}

#[tokio::test]
async fn instance_launches_updates_in_place_and_is_replaced() {
    let acct = account().await;
    let c = Case::new("inst");
    let key = c.name.clone();
    acct.ec2.create_key_pair().key_name(&key).send().await.unwrap();
    let r = role(&c.name);
    let (plan, _) = c.apply(
        &format!("{r}{}", web(AMI, "t3.small", "security_group.a", false, "hi", &key)),
        &["user_data             = \"(sensitive: ", " bytes, sha256 "],
    );
    assert!(!plan.contains("echo hi"), "the plan shows user data text:\n{plan}");
    let id = check_first_launch(&acct, &c.name, &key).await;
    let sgs = acct.ec2.describe_security_groups().filters(tag_filter(&c.name)).send().await.unwrap();
    let sg = |n: &str| {
        let g = sgs.security_groups().iter().find(|g| tag(g.tags(), "stackr:address") == Some(n)).unwrap();
        g.group_id().unwrap().to_string()
    };

    let both = "security_group.a, security_group.b";
    c.apply(
        &format!("{r}{}", web(AMI, "t3.medium", both, true, "hi", &key)),
        &["# instance.web will be updated in-place", "~ type ", "# stops and starts it", "~ imdsv2"],
    );
    let now = instance(&acct, &c.name, "instance.web").await;
    assert_eq!(now.instance_id(), Some(id.as_str()));
    assert_eq!(now.instance_type().map(|t| t.as_str()), Some("t3.medium"));
    let mut groups: Vec<String> = now.security_groups().iter().filter_map(|g| g.group_id()).map(String::from).collect();
    groups.sort();
    let mut want = vec![sg("security_group.a"), sg("security_group.b")];
    want.sort();
    assert_eq!(groups, want);
    assert_eq!(now.metadata_options().and_then(|m| m.http_tokens()).map(|t| t.as_str()), Some("required"));

    let (plan, _) = c.apply(
        &format!("{r}{}", web(AMI, "t3.medium", both, true, "bye", &key)),
        &["# instance.web must be replaced", "~ user_data", "# forces replacement"],
    );
    assert!(!plan.contains("bye"), "the plan shows user data text:\n{plan}");
    let replaced = instance(&acct, &c.name, "instance.web").await;
    assert_ne!(replaced.instance_id(), Some(id.as_str()));
    c.apply(
        &format!("{r}{}", web(OTHER_AMI, "t3.medium", both, true, "bye", &key)),
        &["~ ami", "# forces replacement"],
    );
    let again = instance(&acct, &c.name, "instance.web").await;
    assert_eq!(again.image_id(), Some(OTHER_AMI));
    assert_ne!(again.instance_id(), replaced.instance_id());
    c.destroy();
    assert!(instances(&acct, &c.name).await.is_empty());
    acct.ec2.delete_key_pair().key_name(&key).send().await.unwrap();
}

fn data_volume(size: u32, ty: &str, extra: &str) -> String {
    format!(
        "volume \"v\" {{\n  az = \"us-east-1a\"\n  size = {size}\n  type = \"{ty}\"\n{extra}  tags = {{ k = \"v\" }}\n}}\n"
    )
}

#[tokio::test]
async fn volume_grows_changes_type_and_refuses_to_shrink() {
    let acct = account().await;
    let c = Case::new("vol");
    c.apply(&data_volume(10, "io1", "  iops = 200\n  encrypted = true\n"), &["+ resource \"volume\" \"v\""]);
    let v = stack_volumes(&acct, &c.name).await.remove(0);
    let id = v.volume_id().unwrap().to_string();
    assert_eq!((v.size(), v.volume_type().map(|t| t.as_str()), v.iops()), (Some(10), Some("io1"), Some(200)));
    assert_eq!((v.encrypted(), v.availability_zone(), tag(v.tags(), "k")), (Some(true), Some("us-east-1a"), Some("v")));

    let grown = data_volume(12, "gp3", "  iops = 3000\n  throughput = 250\n  encrypted = true\n");
    c.apply(&grown, &["# volume.v will be updated in-place", "~ size", "~ type"]);
    let v = volume(&acct, &id).await;
    assert_eq!((v.size(), v.volume_type().map(|t| t.as_str())), (Some(12), Some("gp3")));
    assert_eq!((v.iops(), v.throughput()), (Some(3000), Some(250)));

    let shrunk = c.write(&data_volume(8, "gp3", "  iops = 3000\n  throughput = 250\n  encrypted = true\n"));
    let refused = stackr(&["plan", "-f", &shrunk]).expect(1);
    assert!(refused.stderr.contains("volume.v: an EBS volume cannot shrink (12 GiB to 8 GiB)"), "{}", refused.stderr);
    assert!(refused.stderr.contains("stack.hcl:"), "{}", refused.stderr);
    assert_eq!(volume(&acct, &id).await.size(), Some(12));
    c.destroy();
    assert!(stack_volumes(&acct, &c.name).await.is_empty());
}

fn pair(b_ami: &str) -> String {
    format!(
        "instance \"a\" {{\n  ami = \"{AMI}\"\n  type = \"t3.micro\"\n  subnet = subnet.s\n}}\n\
         instance \"b\" {{\n  ami = \"{b_ami}\"\n  type = \"t3.micro\"\n  subnet = subnet.s\n}}\n"
    )
}

/// A volume attached to `to`. Moving it between running instances detaches it from one that may
/// still use the device (on AWS, and in the realism lane, it stays busy): forced.
fn attached(to: &str) -> String {
    format!(
        "volume \"v\" {{\n  az = \"us-east-1a\"\n  size = 8\n  instance = instance.{to}\n  device = \"/dev/sdf\"\n  force_detach = true\n}}\n"
    )
}

#[tokio::test]
async fn volume_moves_and_follows_its_instance_through_replacement() {
    let acct = account().await;
    let c = Case::new("att");
    c.apply(&format!("{}{}", pair(AMI), attached("a")), &[]);
    let a = instance(&acct, &c.name, "instance.a").await;
    let v = stack_volumes(&acct, &c.name).await.remove(0);
    let id = v.volume_id().unwrap().to_string();
    assert_eq!(v.attachments()[0].instance_id(), a.instance_id());
    assert_eq!(v.attachments()[0].device(), Some("/dev/sdf"));

    c.apply(&format!("{}{}", pair(AMI), attached("b")), &["# volume.v will be updated in-place"]);
    let b = instance(&acct, &c.name, "instance.b").await;
    assert_eq!(volume(&acct, &id).await.attachments()[0].instance_id(), b.instance_id());

    // Replacing b: the old b is terminated first, which frees the volume (no detach from a
    // running instance that may keep the device busy), then the volume attaches to the new b.
    let (_, out) = c.apply(
        &format!("{}{}", pair(OTHER_AMI), attached("b")),
        &["# instance.b must be replaced", "# volume.v will be updated in-place"],
    );
    assert!(!out.contains("volume.v: Releasing references..."), "{out}");
    let gone = out.find("instance.b: Destruction complete").expect(&out);
    assert!(gone < out.find("volume.v: Modifying...").expect(&out), "{out}");
    let new_b = instance(&acct, &c.name, "instance.b").await;
    assert_ne!(new_b.instance_id(), b.instance_id());
    let v = volume(&acct, &id).await;
    assert_eq!(
        (v.attachments()[0].instance_id(), v.attachments()[0].device()),
        (new_b.instance_id(), Some("/dev/sdf"))
    );

    let detached = "volume \"v\" {\n  az = \"us-east-1a\"\n  size = 8\n  force_detach = true\n}\n";
    c.apply(&format!("{}{detached}", pair(OTHER_AMI)), &["-> null"]);
    let v = volume(&acct, &id).await;
    assert!(v.attachments().is_empty() && v.state().map(|s| s.as_str()) == Some("available"));
    c.apply(&format!("{}{}", pair(OTHER_AMI), attached("a")), &[]);
    // Destroy detaches the volume before deleting it.
    c.destroy();
    assert!(stack_volumes(&acct, &c.name).await.is_empty() && instances(&acct, &c.name).await.is_empty());
}

#[tokio::test]
async fn elastic_ip_moves_between_instances_and_is_released() {
    let acct = account().await;
    let c = Case::new("eip");
    let addrs = || acct.ec2.describe_addresses().filters(tag_filter(&c.name)).send();
    c.apply(&format!("{}elastic_ip \"e\" {{\n  instance = instance.a\n  tags = {{ k = \"v\" }}\n}}\n", pair(AMI)), &[]);
    let first = addrs().await.unwrap().addresses()[0].clone();
    let (a, b) = (instance(&acct, &c.name, "instance.a").await, instance(&acct, &c.name, "instance.b").await);
    assert_eq!((first.domain().map(|d| d.as_str()), first.instance_id()), (Some("vpc"), a.instance_id()));
    assert_eq!(tag(first.tags(), "k"), Some("v"));
    c.apply(
        &format!("{}elastic_ip \"e\" {{\n  instance = instance.b\n  tags = {{ k = \"v\" }}\n}}\n", pair(AMI)),
        &["# elastic_ip.e will be updated in-place"],
    );
    let moved = addrs().await.unwrap().addresses()[0].clone();
    assert_eq!((moved.allocation_id(), moved.instance_id()), (first.allocation_id(), b.instance_id()));
    c.apply(&format!("{}elastic_ip \"e\" {{\n  tags = {{ k = \"v\" }}\n}}\n", pair(AMI)), &["-> null"]);
    let free = addrs().await.unwrap().addresses()[0].clone();
    assert!(free.association_id().is_none_or(str::is_empty), "{free:?}");
    c.apply(&format!("{}elastic_ip \"e\" {{\n  instance = instance.a\n}}\n", pair(AMI)), &[]);
    c.destroy();
    assert!(addrs().await.unwrap().addresses().is_empty());
}

fn template(ty: &str, greeting: &str) -> String {
    format!(
        "launch_template \"t\" {{\n  ami = \"{AMI}\"\n  type = \"{ty}\"\n  security_groups = [security_group.a]\n\
         role = iam_role.r\n  user_data = template(\"./boot.sh\", {{ greeting = \"{greeting}\" }})\n\
         instance_tags = {{ Role = \"web\" }}\n  tags = {{ k = \"v\" }}\n}}\n"
    )
}

#[tokio::test]
async fn launch_template_changes_make_a_new_default_version() {
    let acct = account().await;
    let c = Case::new("lt");
    let r = role(&c.name);
    c.apply(&format!("{r}{}", template("t3.micro", "hi")), &["+ resource \"launch_template\" \"t\""]);
    let lts = acct.ec2.describe_launch_templates().filters(tag_filter(&c.name)).send().await.unwrap();
    let lt = lts.launch_templates()[0].clone();
    let id = lt.launch_template_id().unwrap().to_string();
    assert_eq!(
        (lt.launch_template_name(), tag(lt.tags(), "k")),
        (Some(format!("{}-t-lt", c.name).as_str()), Some("v"))
    );
    let default = || acct.ec2.describe_launch_template_versions().launch_template_id(&id).versions("$Default").send();
    let v1 = default().await.unwrap().launch_template_versions()[0].clone();
    let d = v1.launch_template_data().unwrap();
    assert_eq!((d.image_id(), d.instance_type().map(|t| t.as_str())), (Some(AMI), Some("t3.micro")));
    assert_eq!(d.iam_instance_profile().and_then(|p| p.name()), Some(c.name.as_str()));
    assert_eq!(d.user_data().map(decode).as_deref(), Some("#!/bin/sh\necho hi\n"));
    assert_eq!(d.metadata_options().and_then(|m| m.http_tokens()).map(|t| t.as_str()), Some("required"));
    let spec =
        d.tag_specifications().iter().find(|s| s.resource_type().map(|r| r.as_str()) == Some("instance")).unwrap();
    assert_eq!(tag(spec.tags(), "stackr:address"), Some("launch_template.t"));
    assert_eq!((tag(spec.tags(), "stackr:stack"), tag(spec.tags(), "Role")), (Some(c.name.as_str()), Some("web")));

    c.apply(&format!("{r}{}", template("t3.small", "hi")), &["# launch_template.t will be updated in-place", "~ type"]);
    c.apply(&format!("{r}{}", template("t3.small", "bye")), &["~ user_data"]);
    let now = acct.ec2.describe_launch_templates().launch_template_ids(&id).send().await.unwrap();
    let now = &now.launch_templates()[0];
    assert_eq!((now.default_version_number(), now.latest_version_number()), (Some(3), Some(3)));
    let v3 = default().await.unwrap().launch_template_versions()[0].clone();
    let d = v3.launch_template_data().unwrap();
    assert_eq!(d.instance_type().map(|t| t.as_str()), Some("t3.small"));
    assert_eq!(d.user_data().map(decode).as_deref(), Some("#!/bin/sh\necho bye\n"));

    // An instance launched from the template is the template's, not the stack's instance.
    let spec = aws_sdk_ec2::types::LaunchTemplateSpecification::builder().launch_template_id(&id).build();
    let run = acct.ec2.run_instances().launch_template(spec).min_count(1).max_count(1).send().await.unwrap();
    let launched = run.instances()[0].instance_id().unwrap().to_string();
    let clean =
        stackr(&["plan", "-f", &c.write(&format!("{r}{}", template("t3.small", "bye"))), "--detailed-exitcode"]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    acct.ec2.terminate_instances().instance_ids(&launched).send().await.unwrap();
    c.destroy();
    let left = acct.ec2.describe_launch_templates().filters(tag_filter(&c.name)).send().await.unwrap();
    assert!(left.launch_templates().is_empty());
}

#[tokio::test]
async fn launch_failures_are_reported_with_their_cause() {
    let c = Case::new("fail");
    let bad_ami = "instance \"x\" {\n  ami = \"ami-00000000\"\n  type = \"t3.micro\"\n  subnet = subnet.s\n  root_volume_size = 20\n}\n";
    let run = stackr(&["apply", "-f", &c.write(bad_ami), "--auto-approve"]).expect(1);
    // "was not found" from stackr on LocalStack, InvalidAMIID.NotFound from AWS.
    assert!(run.stderr.contains("ami-00000000") && run.stderr.contains("creating instance.x"), "{}", run.stderr);
    let no_role = "instance \"x\" {\n  ami = \"ami-760aaa0f\"\n  type = \"t3.micro\"\n  subnet = subnet.s\n  role = \"no-such-role\"\n}\n";
    let run = stackr(&["apply", "-f", &c.write(no_role), "--auto-approve"]).expect(1);
    assert!(run.stderr.contains("creating instance.x"), "{}", run.stderr);
    c.destroy();
}

#[tokio::test]
async fn example_compute_stack_applies_settles_and_destroys() {
    require_localstack();
    let acct = account().await;
    let file = repo().join("stacks/compute.hcl");
    let f = p(&file);
    stackr(&["apply", "-f", f, "--auto-approve"]).expect(0);
    stackr(&["plan", "-f", f, "--detailed-exitcode"]).expect(0);
    let bastion = instance(&acct, "compute", "instance.bastion").await;
    let vols = stack_volumes(&acct, "compute").await;
    assert_eq!(vols.len(), 1);
    assert_eq!((vols[0].size(), vols[0].attachments()[0].instance_id()), (Some(8), bastion.instance_id()));
    stackr(&["destroy", "-f", f, "--auto-approve"]).expect(0);
    assert!(instances(&acct, "compute").await.is_empty() && stack_volumes(&acct, "compute").await.is_empty());
}
