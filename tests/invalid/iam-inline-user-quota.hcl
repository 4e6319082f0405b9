# invalid: a user's inline policies over 2048 characters
# expect: IAM allows 2048 for one user
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
  inline_policies = { p = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject000", "s3:GetObject001", "s3:GetObject002", "s3:GetObject003", "s3:GetObject004", "s3:GetObject005", "s3:GetObject006", "s3:GetObject007", "s3:GetObject008", "s3:GetObject009", "s3:GetObject010", "s3:GetObject011", "s3:GetObject012", "s3:GetObject013", "s3:GetObject014", "s3:GetObject015", "s3:GetObject016", "s3:GetObject017", "s3:GetObject018", "s3:GetObject019", "s3:GetObject020", "s3:GetObject021", "s3:GetObject022", "s3:GetObject023", "s3:GetObject024", "s3:GetObject025", "s3:GetObject026", "s3:GetObject027", "s3:GetObject028", "s3:GetObject029", "s3:GetObject030", "s3:GetObject031", "s3:GetObject032", "s3:GetObject033", "s3:GetObject034", "s3:GetObject035", "s3:GetObject036", "s3:GetObject037", "s3:GetObject038", "s3:GetObject039", "s3:GetObject040", "s3:GetObject041", "s3:GetObject042", "s3:GetObject043", "s3:GetObject044", "s3:GetObject045", "s3:GetObject046", "s3:GetObject047", "s3:GetObject048", "s3:GetObject049", "s3:GetObject050", "s3:GetObject051", "s3:GetObject052", "s3:GetObject053", "s3:GetObject054", "s3:GetObject055", "s3:GetObject056", "s3:GetObject057", "s3:GetObject058", "s3:GetObject059", "s3:GetObject060", "s3:GetObject061", "s3:GetObject062", "s3:GetObject063", "s3:GetObject064", "s3:GetObject065", "s3:GetObject066", "s3:GetObject067", "s3:GetObject068", "s3:GetObject069", "s3:GetObject070", "s3:GetObject071", "s3:GetObject072", "s3:GetObject073", "s3:GetObject074", "s3:GetObject075", "s3:GetObject076", "s3:GetObject077", "s3:GetObject078", "s3:GetObject079", "s3:GetObject080", "s3:GetObject081", "s3:GetObject082", "s3:GetObject083", "s3:GetObject084", "s3:GetObject085", "s3:GetObject086", "s3:GetObject087", "s3:GetObject088", "s3:GetObject089", "s3:GetObject090", "s3:GetObject091", "s3:GetObject092", "s3:GetObject093", "s3:GetObject094", "s3:GetObject095", "s3:GetObject096", "s3:GetObject097", "s3:GetObject098", "s3:GetObject099", "s3:GetObject100", "s3:GetObject101", "s3:GetObject102", "s3:GetObject103", "s3:GetObject104", "s3:GetObject105", "s3:GetObject106", "s3:GetObject107", "s3:GetObject108", "s3:GetObject109", "s3:GetObject110", "s3:GetObject111", "s3:GetObject112", "s3:GetObject113", "s3:GetObject114", "s3:GetObject115", "s3:GetObject116", "s3:GetObject117", "s3:GetObject118", "s3:GetObject119", "s3:GetObject120", "s3:GetObject121", "s3:GetObject122", "s3:GetObject123", "s3:GetObject124", "s3:GetObject125", "s3:GetObject126", "s3:GetObject127", "s3:GetObject128", "s3:GetObject129"], Resource = "*" }] }) }
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
