# invalid: 49 tags on a user
# expect: has 49 items; at most 48
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
  tags = { k0 = "v", k1 = "v", k2 = "v", k3 = "v", k4 = "v", k5 = "v", k6 = "v", k7 = "v", k8 = "v", k9 = "v", k10 = "v", k11 = "v", k12 = "v", k13 = "v", k14 = "v", k15 = "v", k16 = "v", k17 = "v", k18 = "v", k19 = "v", k20 = "v", k21 = "v", k22 = "v", k23 = "v", k24 = "v", k25 = "v", k26 = "v", k27 = "v", k28 = "v", k29 = "v", k30 = "v", k31 = "v", k32 = "v", k33 = "v", k34 = "v", k35 = "v", k36 = "v", k37 = "v", k38 = "v", k39 = "v", k40 = "v", k41 = "v", k42 = "v", k43 = "v", k44 = "v", k45 = "v", k46 = "v", k47 = "v", k48 = "v" }
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
