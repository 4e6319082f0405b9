#!/bin/sh
# First-boot script for web servers launched from the launch template in stacks/compute.hcl.
set -eu
cat > /etc/web.env <<ENV
PORT=${port}
GREETING="${greeting}"
ENV
systemctl enable --now web.service || true
