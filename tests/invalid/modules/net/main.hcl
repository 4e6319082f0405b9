# The module the `module-*` cases of tests/invalid call: written by hand, valid.

variable "cidr" {
  type = string
  validation {
    condition     = can(cidrhost(var.cidr, 0))
    error_message = "cidr must be a CIDR block such as 10.9.0.0/16."
  }
}

vpc "main" {
  cidr = var.cidr
}

output "vpc_id" {
  value = vpc.main.id
}
