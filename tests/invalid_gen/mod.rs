//! The generator of `tests/invalid/*.hcl`: one valid stack with every kind ([`base`]), and one
//! mutation of it per case, each a single mistake a new user could make that AWS (or the stack
//! language) refuses. A case records what is wrong, a piece of the message stackr must give, and
//! optionally text that must not appear (a sensitive value). `tests/invalid.rs` writes the files
//! from here when `STACKR_REGENERATE=1`, checks they match otherwise, and runs stackr on each.

mod compute;
mod data;
mod dynamic;
mod elb;
mod iam;
mod language;
mod listeners;
mod modules;
mod moved;
mod network;
mod nlb;
mod pools;
mod rolling;
mod scaling;
mod variables;

/// One invalid stack file.
pub struct Case {
    /// The file name without `.hcl`: `area-what`.
    pub name: String,
    /// What is wrong, for the comment line.
    pub what: String,
    /// Text stderr must contain.
    pub expect: String,
    /// Text stderr must not contain (a secret).
    pub absent: Option<String>,
    /// The stack file, without the comment lines.
    pub text: String,
}

impl Case {
    /// The file as written to disk: comment lines, then the stack.
    pub fn file(&self) -> String {
        let mut out = format!("# invalid: {}\n# expect: {}\n", self.what, self.expect);
        if let Some(a) = &self.absent {
            out.push_str(&format!("# absent: {a}\n"));
        }
        out.push_str(&self.text);
        out
    }
}

/// A stack file as blocks that cases change by name (`vpc "main"`).
#[derive(Clone)]
pub struct Stack {
    blocks: Vec<(String, String)>,
}

impl Stack {
    fn block(&mut self, head: &str) -> &mut String {
        let found = self.blocks.iter_mut().find(|(h, _)| h == head);
        &mut found.unwrap_or_else(|| panic!("the base has no block {head}")).1
    }

    /// Replaces `from` by `to` inside one block (the text must be there).
    pub fn sub(mut self, head: &str, from: &str, to: &str) -> Stack {
        let b = self.block(head);
        assert!(b.contains(from), "{head} has no `{from}`");
        *b = b.replacen(from, to, 1);
        self
    }

    /// Sets a top-level attribute of a block, replacing its line or adding one.
    pub fn set(mut self, head: &str, attr: &str, value: &str) -> Stack {
        let b = self.block(head);
        let prefix = format!("\n  {attr} ");
        let line = format!("\n  {attr} = {value}");
        match b.find(&prefix) {
            Some(at) => {
                let end = at + 1 + b[at + 1..].find('\n').unwrap();
                b.replace_range(at..end, &line);
            }
            None => {
                let at = b.find('\n').unwrap();
                b.insert_str(at, &line);
            }
        }
        self
    }

    /// Removes a top-level attribute line from a block.
    pub fn unset(mut self, head: &str, attr: &str) -> Stack {
        let b = self.block(head);
        let at = b.find(&format!("\n  {attr} ")).unwrap_or_else(|| panic!("{head} has no {attr}"));
        let end = at + 1 + b[at + 1..].find('\n').unwrap();
        b.replace_range(at..end, "");
        self
    }

    /// Adds lines (a nested block) at the end of a block's body.
    pub fn inside(mut self, head: &str, lines: &str) -> Stack {
        let b = self.block(head);
        let at = b.rfind('}').unwrap();
        b.insert_str(at, lines);
        self
    }

    /// Adds a top-level block (or anything else) at the end.
    pub fn add(mut self, text: &str) -> Stack {
        let head = text.split(" {").next().unwrap_or(text).to_string();
        self.blocks.push((head, text.to_string()));
        self
    }

    /// Removes a block.
    pub fn without(mut self, head: &str) -> Stack {
        self.blocks.retain(|(h, _)| h != head);
        self
    }

    pub fn text(&self) -> String {
        self.blocks.iter().map(|(_, b)| format!("{b}\n")).collect::<Vec<_>>().join("\n")
    }
}

/// A case: `area-what`, the mistake, the expected message part, the stack.
pub fn case(name: &str, what: &str, expect: &str, stack: Stack) -> Case {
    Case { name: name.into(), what: what.into(), expect: expect.into(), absent: None, text: stack.text() }
}

/// A case whose message must not show `secret`.
pub fn secret_case(name: &str, what: &str, expect: &str, secret: &str, stack: Stack) -> Case {
    Case { absent: Some(secret.into()), ..case(name, what, expect, stack) }
}

/// Another VPC with a subnet, a security group and a target group, for "wrong VPC" cases.
pub fn with_other_vpc(s: Stack) -> Stack {
    s.add("vpc \"other\" {\n  cidr = \"10.1.0.0/16\"\n}")
        .add("subnet \"o\" {\n  vpc  = vpc.other\n  cidr = \"10.1.1.0/24\"\n  az   = \"us-east-1c\"\n}")
        .add("security_group \"o\" {\n  vpc = vpc.other\n}")
        .add("target_group \"o\" {\n  vpc  = vpc.other\n  port = 80\n}")
}

/// Every case, named uniquely.
pub fn cases() -> Vec<Case> {
    let mut all = vec![];
    all.extend(language::cases());
    all.extend(dynamic::cases());
    all.extend(iam::cases());
    all.extend(network::cases());
    all.extend(compute::cases());
    all.extend(elb::cases());
    all.extend(listeners::cases());
    all.extend(scaling::cases());
    all.extend(pools::cases());
    all.extend(rolling::cases());
    all.extend(data::cases());
    all.extend(variables::cases());
    all.extend(moved::cases());
    all.extend(modules::cases());
    all.extend(nlb::cases());
    let mut names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "case names are unique");
    all
}

const CERT: &str = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";

/// A valid stack with every kind, which `stackr check` passes (warnings aside).
pub fn base() -> Stack {
    let blocks = [
        "stack \"inv\" {\n  region = \"us-east-1\"\n}",
        "variable \"secret\" {\n  default   = \"hunter 2!\"\n  sensitive = true\n}",
        "iam_password_policy {\n  minimum_length    = 14\n  require_uppercase = true\n  require_lowercase = true\n  require_numbers   = true\n  require_symbols   = true\n  max_age_days      = 90\n  reuse_prevention  = 24\n}",
        "iam_group \"devs\" {\n  managed_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n}",
        "iam_user \"alice\" {\n  groups = [iam_group.devs]\n}",
        "iam_role \"web\" {\n  assume           = \"ec2.amazonaws.com\"\n  instance_profile = true\n}",
        "vpc \"main\" {\n  cidr = \"10.0.0.0/16\"\n}",
        "subnet \"a\" {\n  vpc  = vpc.main\n  cidr = \"10.0.1.0/24\"\n  az   = \"us-east-1a\"\n}",
        "subnet \"b\" {\n  vpc  = vpc.main\n  cidr = \"10.0.2.0/24\"\n  az   = \"us-east-1b\"\n}",
        "internet_gateway \"gw\" {\n  vpc = vpc.main\n}",
        "route_table \"public\" {\n  vpc     = vpc.main\n  subnets = [subnet.a, subnet.b]\n  route {\n    cidr    = \"0.0.0.0/0\"\n    gateway = internet_gateway.gw\n  }\n}",
        "security_group \"alb\" {\n  vpc = vpc.main\n  ingress {\n    port = 443\n    cidr = \"0.0.0.0/0\"\n  }\n}",
        "security_group \"web\" {\n  vpc = vpc.main\n  ingress {\n    port           = 80\n    security_group = security_group.alb\n  }\n}",
        "instance \"app\" {\n  ami                   = \"ami-0abcdef1234567890\"\n  type                  = \"t3.micro\"\n  subnet                = subnet.a\n  security_groups       = [security_group.web]\n  role                  = iam_role.web\n  root_volume_encrypted = true\n}",
        "volume \"data\" {\n  az        = \"us-east-1a\"\n  size      = 10\n  encrypted = true\n  instance  = instance.app\n  device    = \"/dev/sdf\"\n}",
        "elastic_ip \"app\" {\n  instance = instance.app\n}",
        "launch_template \"web\" {\n  ami             = \"ami-0abcdef1234567890\"\n  type            = \"t3.micro\"\n  security_groups = [security_group.web]\n  role            = iam_role.web\n}",
        "target_group \"web\" {\n  vpc  = vpc.main\n  port = 80\n}",
        &format!(
            "load_balancer \"web\" {{\n  subnets         = [subnet.a, subnet.b]\n  security_groups = [security_group.alb]\n  listener {{\n    port        = 443\n    protocol    = \"HTTPS\"\n    certificate = \"{CERT}\"\n    forward     = target_group.web\n    rule {{\n      priority = 10\n      path     = [\"/api/*\"]\n      fixed_response {{\n        status_code = \"503\"\n      }}\n    }}\n  }}\n}}"
        ),
        "autoscaling_group \"web\" {\n  launch_template = launch_template.web\n  min_size        = 1\n  max_size        = 4\n  subnets         = [subnet.a, subnet.b]\n  target_groups   = [target_group.web]\n  target_tracking {\n    target = 50\n  }\n  schedule {\n    name             = \"night\"\n    recurrence       = \"0 22 * * *\"\n    desired_capacity = 1\n  }\n}",
    ];
    Stack {
        blocks: blocks
            .iter()
            .map(|b| {
                let head = b.split(" {").next().unwrap().to_string();
                (head, b.to_string())
            })
            .collect(),
    }
}
