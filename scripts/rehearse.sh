#!/usr/bin/env bash
# The field rehearsal: a user's first deployment, end to end, on the field lab (site/field-topology.ts).
# A laptop at home behind IPv4 NAT (no management link: it reaches the hosts only the way a
# user's laptop does), a VPS as Vultr's image comes (ufw, a sudo user, SLAAC, no site packages,
# no apt lists, unattended-upgrades holding the dpkg lock), a home gateway and four VMs on a
# closed LAN. On the laptop, as an ordinary user, it types README's "Your own site", then reruns
# (0 changed), reboots every host and verifies again. Exits non-zero on any failure.
# Run as root from a built checkout (npm run build); HCD_KEEP_LAB=1 leaves the lab up.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "rehearse.sh: run as root (the lab needs it)" >&2; exit 1; }
[ -x dist/site/cli.js ] || { echo "rehearse.sh: run npm run build first" >&2; exit 1; }

deploy() { node dist/site/cli.js "$@"; }
t0=$(date +%s.%N)
since() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
step() { printf '\n== %s  [%s s]\n' "$*" "$(since)"; }
# what the user types on the laptop, in their project directory
# (the secrets: exported from a file of the user's, as README says; never in a command line)
user() {
  printf '$ %s\n' "$1" >&2
  deploy lab exec laptop -- runuser -u me -- env -C /home/me/site HOME=/home/me \
    sh -c "set -a; . /home/me/.site-secrets; set +a; $1"
}
cleanup() {
  rm -rf "$scratch"
  [ -n "${HCD_KEEP_LAB:-}" ] || deploy lab down >/dev/null 2>&1 || true
}
scratch=$(mktemp -d)
trap cleanup EXIT
secret() { head -c 18 /dev/urandom | base64 | tr -d '/+=' | sed 's/^/k/'; }

step "the field lab: a laptop at home, a fresh VPS, a home gateway, four VMs on a closed LAN"
deploy lab down >/dev/null
deploy lab up --topology field

step "the laptop: a user with the SSH key they log in with, and the package (npm i -D homecloud-deploy)"
deploy lab exec laptop -- useradd -m -s /bin/bash me
deploy lab exec laptop -- sh -c 'mkdir -p /home/me/.ssh /home/me/site && cat > /home/me/.ssh/id_ed25519 && chmod 600 /home/me/.ssh/id_ed25519 && chown -R me: /home/me' \
  < /var/lib/homecloud-lab/id_ed25519
# The lab has no npm registry: the package is packed from this checkout and installed into the
# laptop's project from outside (npm i -D of the tarball, as README's npm i -D does from the registry).
tgz=$(npm pack --ignore-scripts --silent --pack-destination "$scratch" | tail -1)
project=/var/lib/homecloud-lab/hosts/laptop/root/home/me/site
(cd "$project" && npm i -D --no-audit --no-fund --loglevel=error "$scratch/$tgz" >/dev/null)
deploy lab exec laptop -- chown -R me: /home/me/site
printf 'HCD_VPN_ADMIN_PASSWORD=%s\nHCD_VPN_HOME_PASSWORD=%s\nHCD_HOMEGW_ADMIN_PASSWORD=%s\n' "$(secret)" "$(secret)" "$(secret)" |
  deploy lab exec laptop -- sh -c 'umask 077 && cat > /home/me/.site-secrets && chown me: /home/me/.site-secrets'

step "Your own site: deploy init"
user "npx deploy init . --vps-prefix 2001:db8:0:8964::/64 --uplink-address 2001:db8:0:8964:0:ff:fe00:2 \
  --home-prefix 2001:db8:0:8964:8964::/78 --vps-host 172.31.0.2 --homegw-host 192.168.1.20 --user debian \
  --dns 2001:db8:ffff::53 --vm vm1:16,02:00:00:00:01:01 --vm vm2:17,02:00:00:00:01:02 \
  --vm vm3:18,02:00:00:00:01:03 --vm vm4:19,02:00:00:00:01:04"
# the lab's one difference: its internet's resolver answers lab.test only
user "sed -i 's/verify_resolve: deb.debian.org/verify_resolve: www.lab.test/' inventory/hosts.yaml"

# and its outside addresses for verify are the lab internet's
user "sed -i -e 's/verify_outside_ipv6: .*/verify_outside_ipv6: 2001:db8:ffff::10/' -e 's/verify_outside_ipv4: .*/verify_outside_ipv4: 172.30.0.10/' inventory/hosts.yaml"

step "Your own site: the plan, then the first deploy (host keys accepted on first contact)"
user "npx deploy plan playbooks/site.ts"
printf 'unattended-upgrades on the VPS (holding the dpkg lock): %s\n' "$(deploy lab exec vps -- systemctl is-active lab-unattended || true)"
user "npx deploy playbooks/site.ts --accept-new-host-keys"

step "Your own site: deploy verify"
user "npx deploy verify playbooks/site.ts" | tee "$scratch/verify1"
grep -Eq '^[0-9]+ passed, 0 failed' "$scratch/verify1"

step "a rerun changes nothing"
user "npx deploy playbooks/site.ts --json" > "$scratch/rerun.json"
# shellcheck disable=SC2016 # (JavaScript, not shell)
node -e '
  const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const changed = Object.entries(d.hosts).filter(([, h]) => h.changed || h.failed || h.unreachable);
  console.log(changed.length ? `changed: ${JSON.stringify(changed)}` : `0 changed on ${Object.keys(d.hosts).length} hosts`);
  process.exit(changed.length ? 1 : 0);
' "$scratch/rerun.json"

step "ufw stays enabled on the VPS, with its own defaults"
deploy lab exec vps -- ufw status verbose | grep -E '^(Status|Default):'
deploy lab exec vps -- ufw status | grep -q '^Status: active'

step "every host rebooted (no deploy), then deploy verify again"
for h in vps homegw vm1 vm2 vm3 vm4; do deploy lab exec "$h" -- systemctl reboot; done
rebooted=$(date +%s)
passed=
while [ $(( $(date +%s) - rebooted )) -lt 240 ]; do
  sleep 5
  if user "npx deploy verify playbooks/site.ts" > "$scratch/verify2" 2>&1; then passed=1; break; fi
done
cat "$scratch/verify2"
[ -n "$passed" ] || { echo "rehearse.sh: deploy verify did not pass within 240 s of the reboots" >&2; exit 1; }
echo "verify passed again $(( $(date +%s) - rebooted )) s after the reboots"

step "the rehearsal passed"
grep -E '^[0-9]+ passed, 0 failed' "$scratch/verify2"
