# An Application Load Balancer in front of a web target group: a VPC with two public
# subnets in two Availability Zones, an internet gateway and public routes, a security
# group open on 80 and 443, a target group health-checking /health, and an HTTP
# listener that forwards to it, with a rule that answers /maintenance itself.
#
#   stackr plan  -f stacks/alb.hcl
#   stackr apply -f stacks/alb.hcl

stack "alb" {
  region = var.region
}

variable "region" {
  default = "us-east-1"
}

locals {
  vpc_cidr = "10.30.0.0/16"
}

vpc "main" {
  cidr                 = local.vpc_cidr
  enable_dns_hostnames = true
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
}

target_group "web" {
  vpc                   = vpc.main
  port                  = 80
  health_check_path     = "/health"
  health_check_interval = 15
  healthy_threshold     = 3
  deregistration_delay  = 30
}

load_balancer "web" {
  subnets         = [subnet.a, subnet.b]
  security_groups = [security_group.alb]
  listener {
    port    = 80
    forward = target_group.web
    rule {
      priority = 10
      path     = ["/maintenance", "/maintenance/*"]
      fixed_response {
        status_code  = 503
        content_type = "text/plain"
        body         = "Down for maintenance"
      }
    }
  }
  silence "elb-http-no-redirect" {
    reason = "LocalStack issues no certificates, so there is no HTTPS listener to redirect to; add one on AWS"
  }
}

output "dns_name" {
  value = load_balancer.web.dns_name
}

output "target_group_arn" {
  value = target_group.web.arn
}
