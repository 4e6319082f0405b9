# invalid: a name equal to another group's default name
# expect: would both be the security group named "inv-web-sg"
stack "inv" {
  region = "us-east-1"
}

variable "secret" {
  default   = "hunter 2!"
  sensitive = true
}

iam_password_policy {
  minimum_length    = 14
  require_uppercase = true
  require_lowercase = true
  require_numbers   = true
  require_symbols   = true
  max_age_days      = 90
  reuse_prevention  = 24
}

iam_group "devs" {
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}

iam_user "alice" {
  groups = [iam_group.devs]
}

iam_role "web" {
  assume           = "ec2.amazonaws.com"
  instance_profile = true
}

vpc "main" {
  cidr = "10.0.0.0/16"
}

subnet "a" {
  vpc  = vpc.main
  cidr = "10.0.1.0/24"
  az   = "us-east-1a"
}

subnet "b" {
  vpc  = vpc.main
  cidr = "10.0.2.0/24"
  az   = "us-east-1b"
}

internet_gateway "gw" {
  vpc = vpc.main
}

route_table "public" {
  vpc     = vpc.main
  subnets = [subnet.a, subnet.b]
  route {
    cidr    = "0.0.0.0/0"
    gateway = internet_gateway.gw
  }
}

security_group "alb" {
  name = "inv-web-sg"
  vpc = vpc.main
  ingress {
    port = 443
    cidr = "0.0.0.0/0"
  }
}

security_group "web" {
  vpc = vpc.main
  ingress {
    port           = 80
    security_group = security_group.alb
  }
}

instance "app" {
  ami                   = "ami-0abcdef1234567890"
  type                  = "t3.micro"
  subnet                = subnet.a
  security_groups       = [security_group.web]
  role                  = iam_role.web
  root_volume_encrypted = true
}

volume "data" {
  az        = "us-east-1a"
  size      = 10
  encrypted = true
  instance  = instance.app
  device    = "/dev/sdf"
}

elastic_ip "app" {
  instance = instance.app
}

launch_template "web" {
  ami             = "ami-0abcdef1234567890"
  type            = "t3.micro"
  security_groups = [security_group.web]
  role            = iam_role.web
}

target_group "web" {
  vpc  = vpc.main
  port = 80
}

load_balancer "web" {
  subnets         = [subnet.a, subnet.b]
  security_groups = [security_group.alb]
  listener {
    port        = 443
    protocol    = "HTTPS"
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    forward     = target_group.web
    rule {
      priority = 10
      path     = ["/api/*"]
      fixed_response {
        status_code = "503"
      }
    }
  }
}

autoscaling_group "web" {
  launch_template = launch_template.web
  min_size        = 1
  max_size        = 4
  subnets         = [subnet.a, subnet.b]
  target_groups   = [target_group.web]
  target_tracking {
    target = 50
  }
  schedule {
    name             = "night"
    recurrence       = "0 22 * * *"
    desired_capacity = 1
  }
}
