# A complete web tier in one file.
#
# - IAM baseline: a strong password policy; read-only and operator groups (least privilege);
#   a user; a role with an instance profile for the servers.
# - Network: a VPC, one public and one private subnet in each of the region's first two
#   zones (looked up, with for_each), an internet gateway and a public route table; a NAT
#   gateway with its Elastic IP per zone (var.nat_per_zone = false: one, shared) and a private
#   route table per zone sending 0.0.0.0/0 to its zone's gateway; a security group for SSH
#   (one /32).
# - A bastion with templated user data, an 8 GiB gp3 data volume and an Elastic IP.
# - The web tier, from the module in modules/web-tier: an Application Load Balancer whose
#   target group health-checks /health, in the public subnets, serving HTTPS (HTTP redirected)
#   when var.domain has an issued ACM certificate, plain HTTP otherwise; a launch template and
#   an Auto Scaling group of 2-4 servers across the private subnets (the bastion is the only
#   public instance), registered in the target group, reachable only from the balancer's
#   security group, scaling out in steps on high CPU and in on low CPU (CloudWatch alarms),
#   and rolled over to a new version of the launch template by apply.
#
#   stackr plan  -f stacks/web.hcl
#   stackr apply -f stacks/web.hcl
#
# The AMI is the current Amazon Linux 2023 image, looked up in the public SSM parameter AWS
# keeps for it (LocalStack serves it too); --var ami=ami-... pins one instead.

stack "web" {
  region = var.region
}

variable "region" {
  default = "us-east-1"
}

variable "ami" {
  type        = string
  default     = null
  description = "AMI for the bastion and the web servers (default: the current Amazon Linux 2023)"
}

variable "admin_cidr" {
  type        = string
  default     = "203.0.113.7/32"
  description = "The one address SSH is allowed from"
}

variable "domain" {
  type        = string
  default     = null
  description = "The site's domain: with an issued ACM certificate for it, the balancer serves HTTPS and redirects HTTP"
}

variable "instance_type" {
  default = "t3.micro"
}

variable "nat_per_zone" {
  type        = bool
  default     = true
  description = "One NAT gateway per zone (a zone's outage leaves the others' egress); false: one, shared"
}

data "availability_zones" "all" {}

# null domain: nothing is looked up and the arn is null (plain HTTP).
data "acm_certificate" "site" {
  domain = var.domain
}

data "ami" "al2023" {
  ssm_parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

locals {
  vpc_cidr = "10.60.0.0/16"
  port     = 80
  zones    = slice(data.availability_zones.all.names, 0, 2)
  # The zones that get a NAT gateway; a zone without one uses the first zone's.
  nat_zones = var.nat_per_zone ? local.zones : [local.zones[0]]
  ami       = coalesce(var.ami, data.ami.al2023.id)
}

# --- IAM baseline ---------------------------------------------------------------------------

iam_password_policy {
  minimum_length                 = 14
  require_uppercase              = true
  require_lowercase              = true
  require_numbers                = true
  require_symbols                = true
  allow_users_to_change_password = true
  max_age_days                   = 90
  reuse_prevention               = 24
}

iam_group "readers" {
  name             = "web-readers"
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}

iam_group "operators" {
  name = "web-operators"
  inline_policies = {
    restart-web = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["autoscaling:StartInstanceRefresh", "autoscaling:SetDesiredCapacity", "ec2:RebootInstances"]
        Resource = "*"
        # Only what this stack owns: its tags propagate to the group's instances.
        Condition = { StringEquals = { "aws:ResourceTag/stackr:stack" = "web" } }
      }]
    })
  }
}

iam_user "web_oncall" {
  name   = "web-oncall"
  groups = [iam_group.readers, iam_group.operators]
}

iam_role "web" {
  name             = "web-servers"
  assume           = "ec2.amazonaws.com"
  instance_profile = true
  managed_policies = ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
}

# --- Network --------------------------------------------------------------------------------

vpc "main" {
  cidr                 = local.vpc_cidr
  enable_dns_hostnames = true
}

subnet "public" {
  for_each      = toset(local.zones)
  vpc           = vpc.main
  cidr          = cidrsubnet(local.vpc_cidr, 8, index(local.zones, each.key) + 1)
  az            = each.key
  map_public_ip = true
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

# Private subnets: the web servers, reaching out through their zone's NAT gateway.
subnet "private" {
  for_each = toset(local.zones)
  vpc      = vpc.main
  cidr     = cidrsubnet(local.vpc_cidr, 8, index(local.zones, each.key) + 11)
  az       = each.key
}

elastic_ip "nat" {
  for_each = toset(local.nat_zones)
}

nat_gateway "zone" {
  for_each   = toset(local.nat_zones)
  subnet     = subnet.public[each.key]
  elastic_ip = elastic_ip.nat[each.key]
}

route_table "private" {
  for_each = toset(local.zones)
  vpc      = vpc.main
  route {
    cidr        = "0.0.0.0/0"
    nat_gateway = nat_gateway.zone[contains(local.nat_zones, each.key) ? each.key : local.nat_zones[0]]
  }
  subnets = [subnet.private[each.key]]
}

security_group "ssh" {
  vpc         = vpc.main
  description = "SSH from the admin address"
  ingress {
    port        = 22
    cidr        = var.admin_cidr
    description = "SSH from the admin address"
  }
}

# --- Bastion --------------------------------------------------------------------------------

instance "bastion" {
  ami             = local.ami
  type            = var.instance_type
  subnet          = subnet.public[local.zones[0]]
  security_groups = [security_group.ssh]
  role            = iam_role.web
  user_data = template("bastion.sh", {
    stack       = "web"
    admins      = ["alice", "bob"]
    data_device = "/dev/sdf"
  })
  root_volume_encrypted = true
}

volume "bastion_data" {
  az        = subnet.public[local.zones[0]].az
  size      = 8
  type      = "gp3"
  instance  = instance.bastion
  device    = "/dev/sdf"
  encrypted = true
}

elastic_ip "bastion" {
  instance = instance.bastion
}

# --- Load balancer and web servers: the web-tier module ------------------------------------

module "tier" {
  source         = "./modules/web-tier"
  vpc            = vpc.main
  subnets        = subnet.public[*].id
  server_subnets = subnet.private[*].id
  ami            = local.ami
  instance_type  = var.instance_type
  role           = iam_role.web
  port           = local.port
  certificate    = data.acm_certificate.site.arn
}

output "url" {
  value = module.tier.dns_name
}

output "health" {
  value = module.tier.health_url
}

output "bastion_ip" {
  value = elastic_ip.bastion.public_ip
}
