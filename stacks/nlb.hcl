# A Network Load Balancer with fixed public addresses: a VPC with two public subnets in two
# Availability Zones, an internet gateway and public routes, one Elastic IP per subnet that
# the balancer answers on (addresses that never change, for allow-lists and DNS A records),
# a TCP listener on port 80 forwarding to a TCP target group, and an Auto Scaling group of
# two servers registered in it. The balancer has no security group: clients' addresses reach
# the servers unchanged, so the servers' group takes port 80 from anywhere.
#
#   stackr plan  -f stacks/nlb.hcl
#   stackr apply -f stacks/nlb.hcl

stack "nlb" {
  region = var.region
}

variable "region" {
  default = "us-east-1"
}

variable "ami" {
  type        = string
  default     = null
  description = "AMI for the servers (default: the current Amazon Linux 2023)"
}

data "ami" "al2023" {
  ssm_parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

locals {
  vpc_cidr = "10.31.0.0/16"
  zones    = { a = "${var.region}a", b = "${var.region}b" }
}

vpc "main" {
  cidr                 = local.vpc_cidr
  enable_dns_hostnames = true
}

subnet "public" {
  for_each      = local.zones
  vpc           = vpc.main
  cidr          = cidrsubnet(local.vpc_cidr, 8, index(keys(local.zones), each.key) + 1)
  az            = each.value
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
  subnets = [for s in subnet.public : s]
}

# One fixed address per zone: the balancer's node in that zone answers on it.
elastic_ip "lb" {
  for_each = local.zones
}

security_group "web" {
  vpc         = vpc.main
  description = "Servers behind the network load balancer: TCP 80 from the clients themselves"
  ingress {
    port        = 80
    cidr        = "0.0.0.0/0"
    description = "HTTP, passed through by the balancer"
  }
}

target_group "web" {
  vpc                   = vpc.main
  protocol              = "TCP"
  port                  = 80
  health_check_interval = 10
  healthy_threshold     = 3
  unhealthy_threshold   = 3
  deregistration_delay  = 30
}

load_balancer "web" {
  type       = "network"
  cross_zone = true
  dynamic "subnet_mapping" {
    for_each = local.zones
    content {
      subnet     = subnet.public[subnet_mapping.key]
      elastic_ip = elastic_ip.lb[subnet_mapping.key]
    }
  }
  listener {
    port     = 80
    protocol = "TCP"
    forward  = target_group.web
  }
}

launch_template "web" {
  ami             = coalesce(var.ami, data.ami.al2023.id)
  type            = "t3.micro"
  security_groups = [security_group.web]
  user_data       = "#!/bin/sh\ndnf install -y nginx && systemctl enable --now nginx\n"
}

autoscaling_group "web" {
  launch_template   = launch_template.web
  min_size          = 2
  max_size          = 4
  subnets           = [for s in subnet.public : s]
  target_groups     = [target_group.web]
  health_check_type = "ELB"
}

output "addresses" {
  value = [elastic_ip.lb["a"].public_ip, elastic_ip.lb["b"].public_ip]
}

output "dns_name" {
  value = load_balancer.web.dns_name
}
