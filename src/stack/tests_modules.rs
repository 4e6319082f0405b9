//! Modules through loading: arguments become the module's variables, its objects carry the
//! module's path in their addresses and references, outputs flow back to the caller, count
//! and for_each make instances, and mistakes are reported in the file that has them.

use std::path::Path;

use super::*;
use crate::model::{Address, Value};
use crate::resources::schemas;

const NET: &str = r#"variable "cidr" { type = string }
variable "zones" {
  type    = list(string)
  default = ["us-east-1a"]
}
vpc "main" { cidr = var.cidr }
subnet "public" {
  for_each = toset(var.zones)
  vpc      = vpc.main
  az       = each.key
  cidr     = cidrsubnet(var.cidr, 8, index(var.zones, each.key))
}
"#;

const NET_OUT: &str = r#"output "vpc_id" { value = vpc.main.id }
output "subnets" { value = [for s in subnet.public : s.id] }
output "cidr" { value = var.cidr }
"#;

/// Writes `files` (path → text) under a temporary directory and loads `stack.hcl` there.
fn load_tree(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Stack, Diagnostics>) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let stack = load_file(&dir.path().join("stack.hcl"), &VarInputs::default(), &schemas());
    (dir, stack)
}

fn addrs(s: &Stack) -> Vec<String> {
    s.resources.iter().map(|r| r.addr.to_string()).collect()
}

fn net_tree(root: &str) -> Vec<(&str, &str)> {
    vec![("stack.hcl", root), ("modules/net/main.hcl", NET), ("modules/net/outputs.hcl", NET_OUT)]
}

#[test]
fn a_module_makes_its_objects_under_its_path_and_gives_its_outputs() {
    let root = r#"stack "t" { region = "us-east-1" }
module "net" {
  source = "./modules/net"
  cidr   = "10.1.0.0/16"
  zones  = ["us-east-1a", "us-east-1b"]
}
security_group "web" {
  vpc = module.net.vpc_id
}
output "cidr" { value = module.net.cidr }
output "first" { value = module.net.subnets[0] }
"#;
    let (_d, s) = load_tree(&net_tree(root));
    let s = s.unwrap();
    assert_eq!(
        addrs(&s),
        [
            "security_group.web",
            "module.net.vpc.main",
            r#"module.net.subnet.public["us-east-1a"]"#,
            r#"module.net.subnet.public["us-east-1b"]"#,
        ]
    );
    let sg = s.resource(&Address::parse("security_group.web").unwrap()).unwrap();
    let vpc = Address::parse("module.net.vpc.main").unwrap();
    assert!(matches!(sg.attrs.get("vpc"), Some(Value::Ref(r)) if r.addr == vpc));
    assert_eq!(sg.deps, std::slice::from_ref(&vpc));
    let subnet = s.resource(&Address::parse(r#"module.net.subnet.public["us-east-1b"]"#).unwrap()).unwrap();
    assert_eq!(subnet.deps, [vpc]);
    assert_eq!(subnet.attrs.get("cidr"), Some(&Value::str("10.1.1.0/24")));
    assert!(subnet.file.path.ends_with("modules/net"), "{}", subnet.file.path);
    let cidr = s.outputs.iter().find(|o| o.name == "cidr").unwrap();
    assert_eq!(cidr.value, Value::str("10.1.0.0/16"));
    let first = s.outputs.iter().find(|o| o.name == "first").unwrap();
    // The output is a for over the subnets: indexing it waits for the plan.
    assert!(matches!(&first.value, Value::Expr(d) if d.expr == "module.net.subnets[0]"), "{:?}", first.value);
    let files: Vec<&str> = s.modules.iter().map(|m| m.path.as_str()).collect();
    assert_eq!(files.len(), 1);
    assert_eq!(s.modules[0].files().len(), 2);
}

#[test]
fn for_each_and_count_make_module_instances_and_nested_modules_nest_paths() {
    let root = r#"stack "t" { region = "us-east-1" }
variable "envs" { default = { a = "10.1.0.0/16", b = "10.2.0.0/16" } }
module "net" {
  for_each = var.envs
  source   = "./modules/net"
  cidr     = each.value
}
module "app" {
  count  = 2
  source = "./modules/app"
  vpc    = module.net["a"].vpc_id
}
output "vpcs" { value = { for k, m in module.net : k => m.cidr } }
output "b" { value = module.net["b"].cidr }
"#;
    let app = r#"variable "vpc" {}
security_group "app" { vpc = var.vpc }
module "inner" {
  source = "../net"
  cidr   = "10.9.0.0/16"
}
"#;
    let mut tree = net_tree(root);
    tree.push(("modules/app/main.hcl", app));
    let (_d, s) = load_tree(&tree);
    let s = s.unwrap();
    let all = addrs(&s);
    for want in [
        r#"module.net["a"].vpc.main"#,
        r#"module.net["b"].subnet.public["us-east-1a"]"#,
        "module.app[1].security_group.app",
        "module.app[0].module.inner.vpc.main",
    ] {
        assert!(all.iter().any(|a| a == want), "{want} not in {all:?}");
    }
    let sg = s.resource(&Address::parse("module.app[1].security_group.app").unwrap()).unwrap();
    assert!(matches!(sg.attrs.get("vpc"), Some(Value::Ref(r)) if r.addr.to_string() == r#"module.net["a"].vpc.main"#));
    // A for over every instance waits for the plan (other outputs hold references); one
    // instance's known output is known now.
    let vpcs = s.outputs.iter().find(|o| o.name == "vpcs").unwrap();
    assert!(matches!(vpcs.value, Value::Expr(_)), "{:?}", vpcs.value);
    let b = s.outputs.iter().find(|o| o.name == "b").unwrap();
    assert_eq!(b.value, Value::str("10.2.0.0/16"));
}

#[test]
fn mistakes_are_reported_in_the_file_that_has_them() {
    let root = r#"stack "t" { region = "us-east-1" }
module "net" {
  source = "./modules/net"
  cidrr  = "10.1.0.0/16"
}
module "gone" { source = "./modules/nowhere" }
module "far" { source = "git::https://example.invalid/x.git" }
output "x" { value = module.net.vpc_ip }
"#;
    let bad_out = "output \"vpc_id\" { value = vpc.mian.id }\n";
    let (d, s) = load_tree(&[("stack.hcl", root), ("modules/net/main.hcl", NET), ("modules/net/outputs.hcl", bad_out)]);
    let text = s.unwrap_err().to_string();
    let dir = d.path().display().to_string();
    let mut must = vec![
        "module \"net\" has no variable \"cidrr\"".to_string(),
        "did you mean `cidr`?".to_string(),
        format!("{dir}/stack.hcl:4:3"),
        "module \"net\" needs an argument \"cidr\"".to_string(),
        "reference to undeclared resource vpc.mian".to_string(),
        format!("{dir}/modules/net/outputs.hcl:1:27"),
        "module \"net\" has no output \"vpc_ip\"".to_string(),
        "did you mean `vpc_id`?".to_string(),
        "module directory".to_string(),
        "does not exist".to_string(),
        "is not a local path".to_string(),
    ];
    must.push(format!("{dir}/stack.hcl:7"));
    for m in must {
        assert!(text.contains(&m), "missing {m:?} in:\n{text}");
    }
}

#[test]
fn a_module_that_calls_itself_is_refused() {
    let m = "module \"again\" { source = \"../loop\" }\n";
    let root = "stack \"t\" { region = \"us-east-1\" }\nmodule \"l\" { source = \"./modules/loop\" }\n";
    let (_d, s) = load_tree(&[("stack.hcl", root), ("modules/loop/main.hcl", m)]);
    let text = s.unwrap_err().to_string();
    assert!(text.contains("module \"again\" calls itself"), "{text}");
}

#[test]
fn module_files_may_not_name_a_stack_or_move_objects() {
    let m = "stack \"x\" {}\nmoved {\n  from = vpc.a\n  to = vpc.b\n}\n";
    let root = "stack \"t\" { region = \"us-east-1\" }\nmodule \"m\" { source = \"./modules/m\" }\n";
    let (_d, s) = load_tree(&[("stack.hcl", root), ("modules/m/main.hcl", m)]);
    let text = s.unwrap_err().to_string();
    assert!(text.contains("a module has no stack block") && text.contains("a module has no moved block"), "{text}");
}

#[test]
fn a_sensitive_argument_masks_what_the_module_makes_and_needs_sensitive_outputs() {
    let m = "variable \"pw\" {}\niam_user \"u\" { tags = { pw = var.pw } }\noutput \"pw\" { value = var.pw }\n";
    let root = "stack \"t\" { region = \"us-east-1\" }\nvariable \"pw\" {\n  sensitive = true\n  default = \"x\"\n}\nmodule \"m\" {\n  source = \"./modules/m\"\n  pw = var.pw\n}\n";
    let (_d, s) = load_tree(&[("stack.hcl", root), ("modules/m/main.hcl", m)]);
    let text = s.unwrap_err().to_string();
    assert!(text.contains("output \"pw\" of module \"m\" derives from a sensitive value"), "{text}");
    let fixed =
        m.replace("output \"pw\" { value = var.pw }", "output \"pw\" {\n  value = var.pw\n  sensitive = true\n}");
    let root2 = format!("{root}output \"o\" {{ value = module.m.pw }}\n");
    let (_d, s) = load_tree(&[("stack.hcl", &root2), ("modules/m/main.hcl", &fixed)]);
    let s = s.unwrap();
    let u = s.resource(&Address::parse("module.m.iam_user.u").unwrap()).unwrap();
    assert_eq!(u.sensitive, ["tags"]);
    assert!(s.outputs[0].sensitive);
    assert!(Path::new(&s.modules[0].path).ends_with("modules/m"));
}

#[test]
fn depends_on_names_modules_and_a_module_block_waits_for_what_it_names() {
    let root = r#"stack "t" { region = "us-east-1" }
internet_gateway "gw" {}
module "net" {
  source     = "./modules/net"
  cidr       = "10.1.0.0/16"
  depends_on = [internet_gateway.gw]
}
iam_user "u" {
  depends_on = [module.net]
}
iam_user "bad" {
  depends_on = [module.nett, module.net.vpc_id]
}
"#;
    let (_d, s) = load_tree(&net_tree(root));
    let text = s.unwrap_err().to_string();
    assert!(text.contains("no module named `nett` is declared"), "{text}");
    assert!(text.contains("depends_on names a whole module (module.db) or one instance (module.db[0])"), "{text}");

    let good = root.replace("iam_user \"bad\" {\n  depends_on = [module.nett, module.net.vpc_id]\n}\n", "");
    let (_d, s) = load_tree(&net_tree(&good));
    let s = s.unwrap();
    let u = s.resource(&Address::parse("iam_user.u").unwrap()).unwrap();
    let deps: Vec<String> = u.deps.iter().map(ToString::to_string).collect();
    assert_eq!(deps, [r#"module.net.subnet.public["us-east-1a"]"#, "module.net.vpc.main"]);
    let vpc = s.resource(&Address::parse("module.net.vpc.main").unwrap()).unwrap();
    assert_eq!(vpc.deps, [Address::parse("internet_gateway.gw").unwrap()]);
}

#[test]
fn a_module_may_look_things_up_and_the_loader_asks_for_them() {
    use crate::data::{Fetched, Request};
    use crate::model::Attrs;
    let m = "variable \"cidr\" {}\ndata \"availability_zones\" \"all\" {}\nvpc \"main\" { cidr = var.cidr }\nsubnet \"s\" {\n  for_each = toset(data.availability_zones.all.names)\n  vpc = vpc.main\n  az = each.key\n  cidr = cidrsubnet(var.cidr, 8, index(data.availability_zones.all.names, each.key))\n}\noutput \"zones\" { value = data.availability_zones.all.names }\n";
    let root = "stack \"t\" { region = \"us-east-1\" }\nmodule \"n\" {\n  source = \"./modules/n\"\n  cidr = \"10.3.0.0/16\"\n}\noutput \"zones\" { value = module.n.zones }\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("modules/n")).unwrap();
    std::fs::write(dir.path().join("modules/n/main.hcl"), m).unwrap();
    std::fs::write(dir.path().join("stack.hcl"), root).unwrap();
    let load = |fetched: Fetched| {
        let inputs = VarInputs { data: fetched, ..VarInputs::default() };
        load_file(&dir.path().join("stack.hcl"), &inputs, &schemas()).unwrap_or_else(|d| panic!("{d}"))
    };
    let first = load(Fetched::default());
    let zones =
        Request { kind: "availability_zones".into(), args: Attrs::from([("state".into(), Value::str("available"))]) };
    assert_eq!(first.data_pending, std::slice::from_ref(&zones));
    assert_eq!(addrs(&first), ["module.n.vpc.main"]);
    let mut fetched = Fetched::default();
    let names = Value::List(vec![Value::str("us-east-1a"), Value::str("us-east-1b")]);
    fetched.0.insert(zones.key(), Ok(Value::Map(Attrs::from([("names".into(), names.clone())]))));
    let second = load(fetched);
    assert!(second.data_pending.is_empty());
    assert_eq!(addrs(&second).len(), 3);
    assert_eq!(second.outputs[0].value, names);
}

#[test]
fn a_module_reads_its_own_files_and_path_module_is_its_directory() {
    let m = "variable \"cidr\" {}\nvpc \"main\" {\n  cidr = var.cidr\n  tags = { A = file(\"${path.module}/note.txt\"), B = trimspace(file(\"note.txt\")) }\n}\n";
    let root = "stack \"t\" { region = \"us-east-1\" }\nmodule \"n\" {\n  source = \"./modules/n\"\n  cidr = \"10.3.0.0/16\"\n}\noutput \"p\" { value = path.root }\n";
    let tree = [("stack.hcl", root), ("modules/n/main.hcl", m), ("modules/n/note.txt", "from the module\n")];
    let (_d, s) = load_tree(&tree);
    let text = s.unwrap_err().to_string();
    assert!(text.contains("path.root is not available: only path.module is"), "{text}");
    let fixed = root.replace("output \"p\" { value = path.root }\n", "");
    let (_d, s) = load_tree(&[("stack.hcl", &fixed), tree[1], tree[2]]);
    let s = s.unwrap();
    let tags = s.resources[0].attrs["tags"].to_json();
    assert_eq!(tags, serde_json::json!({"A": "from the module\n", "B": "from the module"}));
}

#[test]
fn an_address_too_long_for_its_tag_is_refused_at_the_block() {
    let n = "n".repeat(60);
    let call = |dir: &str| format!("module \"{n}\" {{ source = \"{dir}\" }}\n");
    let (a, b) = (call("../b"), call("../c"));
    let c = format!("security_group \"{n}\" {{\n  vpc = \"vpc-1\"\n}}\n");
    let root = format!("stack \"t\" {{ region = \"us-east-1\" }}\n{}", call("./modules/a"));
    let files = [
        ("stack.hcl", root.as_str()),
        ("modules/a/main.hcl", &a),
        ("modules/b/main.hcl", &b),
        ("modules/c/main.hcl", &c),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let path = dir.path().join("stack.hcl");
    let s = load_file_with(&path, &VarInputs::default(), &schemas(), &mut crate::resources::check);
    let text = s.unwrap_err().to_string();
    assert!(text.contains("characters; the stackr:address tag that records it holds at most 256"), "{text}");
    assert!(text.contains("modules/c/main.hcl:1:1"), "{text}");
}
