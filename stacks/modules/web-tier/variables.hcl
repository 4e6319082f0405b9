# The web tier's inputs: where it runs and what it runs.

variable "vpc" {
  description = "The VPC the tier runs in (a vpc block, or its id)"
}

variable "subnets" {
  type        = list(string)
  description = "Public subnets, one per zone: the balancer spreads over them"
}

variable "server_subnets" {
  type        = list(string)
  default     = null
  description = "Subnets for the servers, one per zone (private ones behind NAT); default: `subnets`"
}

variable "certificate" {
  type        = string
  default     = null
  description = "ACM certificate ARN for HTTPS; without one the balancer serves plain HTTP"
}

variable "ami" {
  type        = string
  description = "The servers' image"
}

variable "instance_type" {
  default = "t3.micro"
}

variable "role" {
  description = "The IAM role (with an instance profile) the servers run as"
}

variable "port" {
  type    = number
  default = 80
}

variable "min_size" {
  type    = number
  default = 2
}

variable "max_size" {
  type    = number
  default = 4
  validation {
    condition     = var.max_size >= 1 && var.max_size <= 20
    error_message = "max_size must be between 1 and 20."
  }
}

variable "greeting" {
  default = "Hello from stackr"
}
