#!/usr/bin/env bash
# The main job on a fresh machine: install, boot the site lab, show the plan, check, converge,
# prove the site works, converge again (nothing changes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build --silent
deploy() { node dist/site/cli.js "$@"; }
deploy lab up
deploy plan playbooks/site.ts -i inventory/lab.yaml
deploy playbooks/site.ts -i inventory/lab.yaml --check || [ $? -eq 8 ]   # 8: changes would be made
deploy playbooks/site.ts -i inventory/lab.yaml
deploy lab verify
deploy playbooks/site.ts -i inventory/lab.yaml
echo "The lab keeps running: 'npx deploy lab exec vm1 -- ip -br a' to look around, 'npx deploy lab down' to remove it."
