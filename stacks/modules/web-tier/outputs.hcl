output "dns_name" {
  value       = load_balancer.web.dns_name
  description = "The balancer's DNS name"
}

output "health_url" {
  value = "http://${load_balancer.web.dns_name}/health"
}

output "group" {
  value = autoscaling_group.web.name
}
