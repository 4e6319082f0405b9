# The infrastructure of bench/stack.hcl (a copy of stacks/network.hcl), written for Terraform
# with the AWS provider, for bench/noop-plan. Names carry a "tfbench-" prefix so they never
# collide with stackr's stacks. Set for LocalStack: see the provider block.

terraform {
  required_version = ">= 1.11"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "region" {
  default = "us-east-1"
}

variable "endpoint" {
  type        = string
  default     = "http://127.0.0.1:4566"
  description = "The LocalStack endpoint for EC2, IAM and STS"
}

variable "admin_cidr" {
  type        = string
  default     = "203.0.113.7/32"
  description = "Where SSH is allowed from"
}

provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true

  endpoints {
    ec2 = var.endpoint
    iam = var.endpoint
    sts = var.endpoint
  }
}

locals {
  vpc_cidr = "10.20.0.0/16"
}

resource "aws_vpc" "main" {
  cidr_block           = local.vpc_cidr
  enable_dns_hostnames = true
  tags                 = { Name = "tfbench-main", Environment = "demo" }
}

resource "aws_subnet" "a" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = cidrsubnet(local.vpc_cidr, 8, 1)
  availability_zone       = "${var.region}a"
  map_public_ip_on_launch = true
  tags                    = { Name = "tfbench-a" }
}

resource "aws_subnet" "b" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = cidrsubnet(local.vpc_cidr, 8, 2)
  availability_zone       = "${var.region}b"
  map_public_ip_on_launch = true
  tags                    = { Name = "tfbench-b" }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
  tags   = { Name = "tfbench-main" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
  tags = { Name = "tfbench-public" }
}

resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "b" {
  subnet_id      = aws_subnet.b.id
  route_table_id = aws_route_table.public.id
}

# stackr keeps AWS's default allow-all egress rule when a group declares no egress; Terraform
# removes it unless it is declared, so both groups declare it.
resource "aws_security_group" "alb" {
  name        = "tfbench-alb"
  vpc_id      = aws_vpc.main.id
  description = "Load balancer: HTTP and HTTPS from anywhere"

  ingress {
    protocol    = "tcp"
    from_port   = 80
    to_port     = 80
    cidr_blocks = ["0.0.0.0/0"]
    description = "HTTP"
  }
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
    description = "HTTPS"
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = { Name = "tfbench-alb" }
}

resource "aws_security_group" "web" {
  name        = "tfbench-web"
  vpc_id      = aws_vpc.main.id
  description = "Web servers: HTTP from the load balancer, SSH from the admin network"

  ingress {
    protocol        = "tcp"
    from_port       = 80
    to_port         = 80
    security_groups = [aws_security_group.alb.id]
    description     = "HTTP from the load balancer"
  }
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [var.admin_cidr]
    description = "SSH from the admin network"
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = { Name = "tfbench-web" }
}

resource "aws_iam_group" "developers" {
  name = "tfbench-developers"
}

resource "aws_iam_group_policy_attachment" "developers_readonly" {
  group      = aws_iam_group.developers.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_group_policy" "developers_deny_iam_writes" {
  name  = "deny-iam-writes"
  group = aws_iam_group.developers.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Deny"
      Action   = ["iam:Create*", "iam:Delete*", "iam:Put*"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_user" "alice" {
  name = "tfbench-alice"
  tags = { team = "platform" }
}

resource "aws_iam_user_group_membership" "alice" {
  user   = aws_iam_user.alice.name
  groups = [aws_iam_group.developers.name]
}

output "vpc_id" {
  value = aws_vpc.main.id
}

output "subnet_ids" {
  value = [aws_subnet.a.id, aws_subnet.b.id]
}

output "web_security_group" {
  value = aws_security_group.web.id
}
