import type { HostBootstrap } from "../src/transport/target.js";

/**
 * A first deploy reaches a VM before it has its address: once the cascade is up, the VPS's
 * tap is on the VMs' LAN, where every VM has a link-local address. The VM is found by its MAC
 * (home_mac: Proxmox shows it) in the tap's neighbour table, which a ping to all nodes fills:
 * each answer is pinged back, so the VPS solicits and learns its MAC. Waits up to `seconds` for
 * the VM (the cascade may still be coming up).
 */
export function bootstrapByMac(tap: string, mac: string, seconds = 20): HostBootstrap {
  const locate = [
    "set -u",
    `dev=${tap}`,
    `mac=${mac}`,
    `end=$(( $(date +%s) + ${seconds} ))`,
    'if ! ip link show dev "$dev" >/dev/null 2>&1; then',
    '  echo "there is no $dev yet (the tunnel is not up)" >&2',
    "  exit 1",
    "fi",
    "while :; do",
    '  found=$(ip -6 neigh show dev "$dev" | awk -v m="$mac" \'$1 ~ /^fe80:/ && $2 == "lladdr" && tolower($3) == m { print $1; exit }\')',
    '  if [ -n "$found" ]; then',
    '    echo "$found%$dev"',
    "    exit 0",
    "  fi",
    '  if [ "$(date +%s)" -ge "$end" ]; then',
    '    echo "no neighbour with MAC $mac answers on $dev" >&2',
    "    exit 1",
    "  fi",
    '  ping -6 -n -c 2 -i 0.3 -w 2 "ff02::1%$dev" 2>/dev/null |',
    "    sed -n 's/.* from \\(fe80:[0-9a-f:]*\\).*/\\1/p' |",
    "    sort -u |",
    '    while read -r a; do ping -6 -n -c 1 -W 1 "$a%$dev" >/dev/null 2>&1; done',
    "done",
    "",
  ].join("\n");
  return { locate, what: `by its MAC ${mac} on ${tap}` };
}
