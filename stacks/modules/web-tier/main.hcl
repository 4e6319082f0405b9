# A web tier: an Application Load Balancer (HTTP from anywhere) whose target group
# health-checks /health, and an Auto Scaling group of servers behind it, registered in the
# target group, reachable only from the balancer's security group, scaling on 40% CPU.
#
# Called from stacks/web.hcl as module "tier": its objects are module.tier.KIND.NAME, their
# default names web-tier-NAME.

security_group "alb" {
  vpc         = var.vpc
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

security_group "web" {
  vpc         = var.vpc
  description = "Web servers: HTTP only from the load balancer"
  ingress {
    port           = var.port
    security_group = security_group.alb
    description    = "HTTP from the load balancer"
  }
}

target_group "web" {
  vpc                 = var.vpc
  port                = var.port
  health_check_path   = "/health"
  healthy_threshold   = 2
  unhealthy_threshold = 3
}

load_balancer "web" {
  subnets         = var.subnets
  security_groups = [security_group.alb]
  listener {
    port    = 80
    forward = target_group.web
  }
  silence "elb-http-no-redirect" {
    reason = "LocalStack issues no certificates, so there is no HTTPS listener to redirect to; add one on AWS"
  }
}

launch_template "web" {
  ami             = var.ami
  type            = var.instance_type
  security_groups = [security_group.web]
  role            = var.role
  user_data = template("web.sh", {
    port     = var.port
    greeting = var.greeting
  })
  instance_tags = { Role = "web" }
}

autoscaling_group "web" {
  launch_template           = launch_template.web
  min_size                  = var.min_size
  max_size                  = var.max_size
  subnets                   = var.server_subnets == null ? var.subnets : var.server_subnets
  target_groups             = [target_group.web]
  health_check_type         = "ELB"
  health_check_grace_period = 120
  target_tracking {
    metric = "cpu"
    target = 40
  }
}
