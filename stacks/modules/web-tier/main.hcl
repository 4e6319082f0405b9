# A web tier: an Application Load Balancer whose target group health-checks /health (HTTPS
# with HTTP redirected to it when given a certificate, plain HTTP otherwise), and an Auto
# Scaling group of servers behind it, registered in the target group, reachable only from the
# balancer's security group, scaling out in steps on high CPU and in on low CPU, and rolled
# over to a new launch template version when it changes.
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
  # The groups name each other: stackr makes both, then adds the rule naming the later one.
  egress {
    port           = var.port
    security_group = security_group.web
    description    = "To the web servers"
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

locals {
  https = var.certificate != null
}

load_balancer "web" {
  subnets         = var.subnets
  security_groups = [security_group.alb]
  # Without a certificate: plain HTTP to the servers.
  dynamic "listener" {
    for_each = local.https ? [] : [80]
    content {
      port    = listener.value
      forward = target_group.web
    }
  }
  # With one: HTTP redirects to HTTPS, which forwards.
  dynamic "listener" {
    for_each = local.https ? [80] : []
    content {
      port = listener.value
      redirect {
        protocol = "HTTPS"
        port     = "443"
      }
    }
  }
  dynamic "listener" {
    for_each = local.https ? [443] : []
    content {
      port        = listener.value
      protocol    = "HTTPS"
      certificate = var.certificate
      forward     = target_group.web
    }
  }
  silence "elb-http-no-redirect" {
    reason = "HTTP is redirected to HTTPS whenever the stack is given a certificate (var.domain); LocalStack issues none"
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
  # Out in steps: one server at 70% CPU for two minutes, two at 90%.
  step_scaling {
    name               = "cpu-high"
    metric             = "cpu"
    threshold          = 70
    comparison         = ">="
    evaluation_periods = 2
    adjustments        = [{ lower = 0, upper = 20, change = 1 }, { lower = 20, change = 2 }]
  }
  # In one at a time: below 20% CPU for ten minutes.
  simple_scaling {
    name               = "cpu-low"
    metric             = "cpu"
    threshold          = 20
    comparison         = "<="
    evaluation_periods = 10
    change             = -1
  }
  # A new launch template version replaces the servers a batch at a time (the defaults, spelled out).
  rolling_update {
    min_healthy_percentage = 90
    max_healthy_percentage = 110
    instance_warmup        = 120
    auto_rollback          = true
  }
}
