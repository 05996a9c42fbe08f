#!/usr/bin/env bash
# The main job on a fresh machine: install, boot the lab, converge it, converge again (no change).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx deploy lab up --topology plain --hosts 3
npx deploy playbooks/example.ts -i /var/lib/homecloud-lab/inventory.yaml --diff
npx deploy playbooks/example.ts -i /var/lib/homecloud-lab/inventory.yaml
echo "the lab keeps running: 'npx deploy lab exec h1 -- cat /etc/motd' to look, 'npx deploy lab down' to remove it"
