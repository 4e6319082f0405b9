# An application server that builds on the network stack (stacks/network.hcl) without
# owning any of it: `data "stack"` finds that stack's objects in the account by their
# ownership tags, so its VPC, subnets and security groups are referred to by address. No
# remote state, no exported outputs. Apply stacks/network.hcl first.
#
#   stackr apply -f stacks/network.hcl
#   stackr plan  -f stacks/app.hcl
#   stackr apply -f stacks/app.hcl

stack "app" {
  region = var.region
}

variable "region" {
  default = "us-east-1"
}

variable "network_stack" {
  default     = "network"
  description = "The stack whose VPC the app server runs in"
}

data "stack" "network" {
  name = var.network_stack
}

data "ami" "al2023" {
  ssm_parameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

locals {
  net = data.stack.network
}

security_group "app" {
  vpc         = local.net.vpc.main.id
  description = "App servers: 8080 from the network web servers"
  ingress {
    port           = 8080
    security_group = local.net.security_group.web.id
    description    = "from ${local.net.security_group.web.name}"
  }
}

instance "app" {
  ami                   = data.ami.al2023.id
  type                  = "t3.micro"
  subnet                = local.net.subnet.a.id
  security_groups       = [security_group.app]
  root_volume_encrypted = true
  tags                  = { Network = local.net.vpc.main.tags["Environment"] }
}

output "app_private_ip" {
  value = instance.app.private_ip
}

output "network_vpc" {
  value = "${local.net.vpc.main.id} (${local.net.vpc.main.cidr})"
}
