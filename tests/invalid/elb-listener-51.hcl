# invalid: 51 listeners on one load balancer
# expect: a load balancer has at most 50
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
  listener {
    port    = 8000
    forward = target_group.web
  }
  listener {
    port    = 8001
    forward = target_group.web
  }
  listener {
    port    = 8002
    forward = target_group.web
  }
  listener {
    port    = 8003
    forward = target_group.web
  }
  listener {
    port    = 8004
    forward = target_group.web
  }
  listener {
    port    = 8005
    forward = target_group.web
  }
  listener {
    port    = 8006
    forward = target_group.web
  }
  listener {
    port    = 8007
    forward = target_group.web
  }
  listener {
    port    = 8008
    forward = target_group.web
  }
  listener {
    port    = 8009
    forward = target_group.web
  }
  listener {
    port    = 8010
    forward = target_group.web
  }
  listener {
    port    = 8011
    forward = target_group.web
  }
  listener {
    port    = 8012
    forward = target_group.web
  }
  listener {
    port    = 8013
    forward = target_group.web
  }
  listener {
    port    = 8014
    forward = target_group.web
  }
  listener {
    port    = 8015
    forward = target_group.web
  }
  listener {
    port    = 8016
    forward = target_group.web
  }
  listener {
    port    = 8017
    forward = target_group.web
  }
  listener {
    port    = 8018
    forward = target_group.web
  }
  listener {
    port    = 8019
    forward = target_group.web
  }
  listener {
    port    = 8020
    forward = target_group.web
  }
  listener {
    port    = 8021
    forward = target_group.web
  }
  listener {
    port    = 8022
    forward = target_group.web
  }
  listener {
    port    = 8023
    forward = target_group.web
  }
  listener {
    port    = 8024
    forward = target_group.web
  }
  listener {
    port    = 8025
    forward = target_group.web
  }
  listener {
    port    = 8026
    forward = target_group.web
  }
  listener {
    port    = 8027
    forward = target_group.web
  }
  listener {
    port    = 8028
    forward = target_group.web
  }
  listener {
    port    = 8029
    forward = target_group.web
  }
  listener {
    port    = 8030
    forward = target_group.web
  }
  listener {
    port    = 8031
    forward = target_group.web
  }
  listener {
    port    = 8032
    forward = target_group.web
  }
  listener {
    port    = 8033
    forward = target_group.web
  }
  listener {
    port    = 8034
    forward = target_group.web
  }
  listener {
    port    = 8035
    forward = target_group.web
  }
  listener {
    port    = 8036
    forward = target_group.web
  }
  listener {
    port    = 8037
    forward = target_group.web
  }
  listener {
    port    = 8038
    forward = target_group.web
  }
  listener {
    port    = 8039
    forward = target_group.web
  }
  listener {
    port    = 8040
    forward = target_group.web
  }
  listener {
    port    = 8041
    forward = target_group.web
  }
  listener {
    port    = 8042
    forward = target_group.web
  }
  listener {
    port    = 8043
    forward = target_group.web
  }
  listener {
    port    = 8044
    forward = target_group.web
  }
  listener {
    port    = 8045
    forward = target_group.web
  }
  listener {
    port    = 8046
    forward = target_group.web
  }
  listener {
    port    = 8047
    forward = target_group.web
  }
  listener {
    port    = 8048
    forward = target_group.web
  }
  listener {
    port    = 8049
    forward = target_group.web
  }
  listener {
    port    = 8050
    forward = target_group.web
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
