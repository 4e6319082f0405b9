# Compute on a small network: a bastion instance with templated user data and an IAM role,
# an 8 GiB gp3 data volume attached to it, an Elastic IP on it, and a launch template for
# web servers.
#
#   stackr plan  -f stacks/compute.hcl
#   stackr apply -f stacks/compute.hcl
#
# The AMI default is one LocalStack knows; on AWS pass a real one, e.g.
#   --var ami=$(aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 --query Parameter.Value --output text)

stack "compute" {
  region = var.region
}

variable "region" {
  default = "us-east-1"
}

variable "ami" {
  type        = string
  default     = "ami-760aaa0f"
  description = "AMI for the bastion and the web servers"
}

variable "admin_cidr" {
  type        = string
  default     = "203.0.113.7/32"
  description = "Where SSH is allowed from"
}

locals {
  az = "${var.region}a"
}

vpc "main" {
  cidr = "10.30.0.0/16"
}

subnet "public" {
  vpc  = vpc.main
  cidr = "10.30.1.0/24"
  az   = local.az
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
  subnets = [subnet.public]
}

security_group "bastion" {
  vpc = vpc.main
  ingress {
    port = 22
    cidr = var.admin_cidr
  }
}

security_group "web" {
  vpc = vpc.main
  ingress {
    port = 80
    cidr = "0.0.0.0/0"
  }
  silence "sg-world-open" {
    reason = "this example has no load balancer, so the web servers take HTTP directly; stacks/web.hcl puts one in front"
  }
}

iam_role "bastion" {
  name             = "compute-bastion"
  assume           = "ec2.amazonaws.com"
  instance_profile = true
  managed_policies = ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
}

iam_role "web" {
  name             = "compute-web"
  assume           = "ec2.amazonaws.com"
  instance_profile = true
}

instance "bastion" {
  ami                 = var.ami
  type                = "t3.micro"
  subnet              = subnet.public
  security_groups     = [security_group.bastion]
  role                = iam_role.bastion
  associate_public_ip = true
  root_volume_size    = 16
  root_volume_type    = "gp3"
  user_data = template("bastion.sh", {
    stack       = "compute"
    admins      = ["alice", "bob"]
    data_device = "/dev/sdf"
  })
  tags                  = { Role = "bastion" }
  root_volume_encrypted = true
}

volume "data" {
  az        = local.az
  size      = 8
  type      = "gp3"
  instance  = instance.bastion
  device    = "/dev/sdf"
  encrypted = true
}

elastic_ip "bastion" {
  instance = instance.bastion
}

launch_template "web" {
  ami             = var.ami
  type            = "t3.small"
  security_groups = [security_group.web]
  role            = iam_role.web
  user_data       = template("web.sh", { port = 80, greeting = "hello" })
  instance_tags   = { Role = "web" }
}

output "bastion_ip" {
  value = elastic_ip.bastion.public_ip
}

output "web_template" {
  value = launch_template.web.id
}
