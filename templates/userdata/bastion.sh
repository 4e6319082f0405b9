#!/bin/sh
# First-boot script for the bastion host (rendered by template() in stacks/compute.hcl).
set -eu
echo "bastion for ${stack}" > /etc/motd
%{ for user in admins ~}
useradd --create-home ${user} || true
%{ endfor ~}
# The data volume appears as ${data_device} (or its NVMe name on Nitro instances).
mkdir -p /data
