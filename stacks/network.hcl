# A small network and an IAM baseline: a VPC with two public subnets, an internet
# gateway and a public route table, security groups for a load balancer and web
# servers, and a developers group with one user.
#
#   stackr plan  -f stacks/network.hcl
#   stackr apply -f stacks/network.hcl

stack "network" {
  region = var.region
}

variable "region" {
  default = "us-east-1"
}

variable "admin_cidr" {
  type        = string
  default     = "203.0.113.7/32"
  description = "Where SSH is allowed from"
}

locals {
  vpc_cidr = "10.20.0.0/16"
}

vpc "main" {
  cidr                 = local.vpc_cidr
  enable_dns_hostnames = true
  tags                 = { Environment = "demo" }
}

subnet "a" {
  vpc           = vpc.main
  cidr          = cidrsubnet(local.vpc_cidr, 8, 1)
  az            = "${var.region}a"
  map_public_ip = true
}

subnet "b" {
  vpc           = vpc.main
  cidr          = cidrsubnet(local.vpc_cidr, 8, 2)
  az            = "${var.region}b"
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
  subnets = [subnet.a, subnet.b]
}

security_group "alb" {
  vpc         = vpc.main
  description = "Load balancer: HTTP and HTTPS from anywhere"
  ingress {
    port        = 80
    cidr        = "0.0.0.0/0"
    description = "HTTP"
  }
  ingress {
    port        = 443
    cidr        = "0.0.0.0/0"
    description = "HTTPS"
  }
  silence "sg-world-open" {
    reason = "the group for a load balancer that stacks on this network add; this stack has none itself"
  }
}

security_group "web" {
  vpc         = vpc.main
  description = "Web servers: HTTP from the load balancer, SSH from the admin network"
  ingress {
    port           = 80
    security_group = security_group.alb
    description    = "HTTP from the load balancer"
  }
  ingress {
    port        = 22
    cidr        = var.admin_cidr
    description = "SSH from the admin network"
  }
}

iam_group "developers" {
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  inline_policies = {
    deny-iam-writes = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Deny"
        Action   = ["iam:Create*", "iam:Delete*", "iam:Put*"]
        Resource = "*"
      }]
    })
  }
}

iam_user "alice" {
  groups = [iam_group.developers]
  tags   = { team = "platform" }
}

output "vpc_id" {
  value = vpc.main.id
}

output "subnet_ids" {
  value = [subnet.a.id, subnet.b.id]
}

output "web_security_group" {
  value = security_group.web.id
}
