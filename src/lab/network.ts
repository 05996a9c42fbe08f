import { spawnSync } from "node:child_process";
import { labNames } from "./paths.js";
import { exists, ip, sh } from "./sh.js";
import { MGMT_GATEWAY, mgmtAddress, type LabHost } from "./topology.js";

const nsExists = (ns: string) => exists("ip", ["netns", "exec", ns, "true"]);
const linkExists = (ns: string | undefined, dev: string) =>
  exists("ip", [...(ns ? ["-n", ns] : []), "link", "show", dev]);

/** Every lab host runs its own systemd, which needs inotify instances: the default 128 lasts ~15 hosts. */
function ensureInotify(): void {
  for (const [key, min] of [
    ["fs.inotify.max_user_instances", 8192],
    ["fs.inotify.max_user_watches", 524288],
  ] as const) {
    const now = Number(sh("sysctl", ["-n", key], { allowFail: true }).trim());
    if (Number.isFinite(now) && now < min) sh("sysctl", ["-q", "-w", `${key}=${min}`], { allowFail: true });
  }
}

/** The machine side: a management bridge with a private IPv4, IPv6 off; a switch namespace for lab links. */
export function ensureFabric(): void {
  ensureInotify();
  const br = labNames.mgmtBridge();
  if (!linkExists(undefined, br)) {
    ip(undefined, "link", "add", br, "type", "bridge");
    sh("sysctl", ["-q", "-w", `net.ipv6.conf.${br}.disable_ipv6=1`]);
    ip(undefined, "addr", "add", `${MGMT_GATEWAY}/24`, "dev", br);
  }
  ip(undefined, "link", "set", br, "up");
  const sw = labNames.switchNs();
  if (!nsExists(sw)) sh("ip", ["netns", "add", sw]);
  ip(sw, "link", "set", "lo", "up");
}

function ensureSwitchBridge(network: string): string {
  const sw = labNames.switchNs();
  const br = `br-${network}`.slice(0, 15);
  if (!linkExists(sw, br)) {
    ip(sw, "link", "add", br, "type", "bridge");
    sh("ip", ["netns", "exec", sw, "sysctl", "-q", "-w", `net.ipv6.conf.${br}.disable_ipv6=1`]);
  }
  ip(sw, "link", "set", br, "up");
  return br;
}

/** A host's namespace with its management link and its lab links, configured before boot. */
export function ensureHostNetwork(host: LabHost, index: number): void {
  const ns = labNames.netns(host.name);
  if (nsExists(ns)) sh("ip", ["netns", "del", ns]);
  sh("ip", ["netns", "add", ns]);
  const inNs = (...args: string[]) => sh("ip", ["netns", "exec", ns, ...args]);
  ip(ns, "link", "set", "lo", "up");
  // Deleting the namespace takes its end of the veth pair, and with it this end, in the
  // background: the link may vanish between the look and the delete.
  const mv = labNames.mgmtVeth(index);
  if (linkExists(undefined, mv)) sh("ip", ["link", "del", mv], { allowFail: true });
  if (linkExists(undefined, mv) && !waitGone(mv)) ip(undefined, "link", "del", mv);
  if (host.management !== false) {
    ip(undefined, "link", "add", mv, "type", "veth", "peer", "name", "mgmt0", "netns", ns);
    ip(undefined, "link", "set", mv, "master", labNames.mgmtBridge(), "up");
    inNs("sysctl", "-q", "-w", "net.ipv6.conf.mgmt0.disable_ipv6=1");
    ip(ns, "addr", "add", `${mgmtAddress(index)}/24`, "dev", "mgmt0");
    ip(ns, "link", "set", "mgmt0", "up");
  }
  const sw = labNames.switchNs();
  host.interfaces.forEach((itf, k) => {
    const br = ensureSwitchBridge(itf.network);
    const outer = labNames.linkVeth(index, k);
    // a host booted again (lab rebuild): its old namespace's veth ends vanish in the background
    for (let n = 0; n < 50 && linkExists(sw, outer); n++) {
      sh("ip", ["-n", sw, "link", "del", outer], { allowFail: true });
      if (linkExists(sw, outer)) spawnSync("sleep", ["0.1"]);
    }
    ip(sw, "link", "add", outer, "type", "veth", "peer", "name", itf.name, "netns", ns);
    ip(sw, "link", "set", outer, "master", br, "up");
    if (itf.mac) ip(ns, "link", "set", itf.name, "address", itf.mac);
    for (const a of itf.addresses ?? [])
      ip(ns, "addr", "add", a, "dev", itf.name, ...(a.includes(":") ? ["nodad"] : []));
    ip(ns, "link", "set", itf.name, "up");
    if (itf.noOffload) {
      sh("ip", ["netns", "exec", ns, "ethtool", "-K", itf.name, "tso", "off", "gso", "off"], { allowFail: true });
      sh("ip", ["netns", "exec", sw, "ethtool", "-K", outer, "tso", "off", "gso", "off"], { allowFail: true });
    }
  });
  for (const [k, v] of Object.entries(host.sysctls ?? {})) inNs("sysctl", "-q", "-w", `${k}=${v}`);
  for (const r of host.routes ?? []) sh("ip", ["-n", ns, ...r.split(/\s+/)]);
}

export function removeHostNetwork(host: string, index: number): void {
  const ns = labNames.netns(host);
  if (nsExists(ns)) sh("ip", ["netns", "del", ns], { allowFail: true });
  // Deleting the namespace takes its end of the veth pair, and with it this end, in the
  // background: the link may vanish between the look and the delete.
  const mv = labNames.mgmtVeth(index);
  if (linkExists(undefined, mv)) sh("ip", ["link", "del", mv], { allowFail: true });
  if (linkExists(undefined, mv) && !waitGone(mv)) ip(undefined, "link", "del", mv);
}

function waitGone(link: string): boolean {
  for (let i = 0; i < 50; i++) {
    if (!linkExists(undefined, link)) return true;
    spawnSync("sleep", ["0.1"]);
  }
  return false;
}

export function removeFabric(): void {
  const sw = labNames.switchNs();
  if (nsExists(sw)) sh("ip", ["netns", "del", sw], { allowFail: true });
  const br = labNames.mgmtBridge();
  if (linkExists(undefined, br)) ip(undefined, "link", "del", br);
}
