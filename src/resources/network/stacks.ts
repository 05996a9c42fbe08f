import { createHash } from "node:crypto";
import { quote } from "../../transport/quote.js";

/** The network stacks a host may run: the one that manages the interface gets our file. */
export type Stack = "networkd" | "ifupdown" | "netplan" | "networkmanager";
export const STACKS: readonly Stack[] = ["networkd", "ifupdown", "netplan", "networkmanager"];

export interface StackInput {
  interface: string;
  /** CIDR addresses, IPv4 and IPv6. */
  addresses: string[];
  gateway4?: string;
  gateway6?: string;
  /** Accept router advertisements (on-link prefix, router) besides the static gateway. */
  acceptRa?: boolean;
  /** Resolvers (IPv6 or IPv4), in the stack's own DNS setting. */
  dns?: string[];
  /** The default routes' metric (networkmanager, netplan, networkd); default: the stack's own. */
  metric?: number;
}

const v4 = (o: StackInput) => o.addresses.filter((a) => !a.includes(":"));
const v6 = (o: StackInput) => o.addresses.filter((a) => a.includes(":"));
const acceptRa = (o: StackInput) => o.acceptRa ?? true;
const dns = (o: StackInput) => o.dns ?? [];

/** Where each stack keeps our configuration of the interface. */
export function stackFile(stack: Stack, ifname: string): string {
  switch (stack) {
    case "networkd":
      return `/etc/systemd/network/50-homecloud-${ifname}.network`;
    case "ifupdown":
      return `/etc/network/interfaces.d/homecloud-${ifname}`;
    case "netplan":
      // after cloud-init's 50-cloud-init.yaml: netplan reads files in name order, so our keys win
      return `/etc/netplan/60-homecloud-${ifname}.yaml`;
    case "networkmanager":
      return `/etc/NetworkManager/system-connections/homecloud-${ifname}.nmconnection`;
  }
}

/** netplan and NetworkManager want their files private (netplan warns, NM ignores others). */
export const stackFileMode = (stack: Stack) => (stack === "netplan" || stack === "networkmanager" ? "0600" : "0644");

export function networkdFile(o: StackInput): string {
  const gateways = [o.gateway6, o.gateway4].filter((g): g is string => !!g);
  const routes =
    o.metric === undefined
      ? gateways.map((g) => `Gateway=${g}`)
      : gateways.map((g) => `\n[Route]\nGateway=${g}\nMetric=${o.metric}`);
  return [
    "# Managed by homecloud-deploy",
    "[Match]",
    `Name=${o.interface}`,
    "",
    "[Network]",
    ...o.addresses.map((a) => `Address=${a}`),
    ...dns(o).map((d) => `DNS=${d}`),
    ...(o.metric === undefined ? routes : []),
    `IPv6AcceptRA=${acceptRa(o) ? "yes" : "no"}`,
    "LinkLocalAddressing=ipv6",
    ...(o.metric === undefined ? [] : routes),
    "",
  ].join("\n");
}

const metric = (o: StackInput) => (o.metric === undefined ? [] : [`    metric ${o.metric}`]);

export function ifupdownFile(o: StackInput): string {
  const lines = ["# Managed by homecloud-deploy", `auto ${o.interface}`];
  v4(o).forEach((a, i) => {
    lines.push(`iface ${o.interface} inet static`, `    address ${a}`);
    if (i === 0 && o.gateway4) lines.push(`    gateway ${o.gateway4}`, ...metric(o));
  });
  v6(o).forEach((a, i) => {
    lines.push(`iface ${o.interface} inet6 static`, `    address ${a}`, `    accept_ra ${acceptRa(o) ? 2 : 0}`);
    if (i === 0 && o.gateway6) lines.push(`    gateway ${o.gateway6}`, ...metric(o));
  });
  // read by resolvconf's ifupdown hook (Debian's resolvconf package), from any stanza
  if (dns(o).length) lines.push(`    dns-nameservers ${dns(o).join(" ")}`);
  return lines.join("\n") + "\n";
}

/**
 * netplan (Ubuntu Server, cloud images). Where another file (cloud-init's 50-cloud-init.yaml)
 * configures the same interface, netplan merges: our later file's scalars win (dhcp4, dhcp6,
 * accept-ra), and the address lists are joined, so its static addresses stay beside ours.
 */
export function netplanFile(o: StackInput): string {
  const gateways = [o.gateway6, o.gateway4].filter((g): g is string => !!g);
  const lines = [
    "# Managed by homecloud-deploy",
    "network:",
    "  version: 2",
    "  ethernets:",
    `    ${o.interface}:`,
    "      dhcp4: false",
    "      dhcp6: false",
    `      accept-ra: ${acceptRa(o)}`,
    "      addresses:",
    ...o.addresses.map((a) => `        - "${a}"`),
  ];
  if (gateways.length) {
    lines.push("      routes:");
    for (const g of gateways) {
      lines.push(`        - to: default`, `          via: "${g}"`);
      if (o.metric !== undefined) lines.push(`          metric: ${o.metric}`);
    }
  }
  if (dns(o).length) lines.push("      nameservers:", "        addresses:", ...dns(o).map((d) => `          - "${d}"`));
  return lines.join("\n") + "\n";
}

/** The connection's id in NetworkManager, and a uuid that is the same on every run. */
export const nmConnectionId = (ifname: string) => `homecloud-${ifname}`;
export function nmUuid(ifname: string): string {
  const h = createHash("sha256").update(`homecloud-deploy nm ${ifname}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A NetworkManager keyfile, in the exact form `nmcli --offline connection add` writes it (the
 * unit tests compare with NetworkManager 1.42's own output). A family without a gateway is
 * never-default: the VM does not route through anything else by it. autoconnect-priority 100
 * makes it win over an auto connection such as "Wired connection 1" on every start.
 */
export function nmKeyfile(o: StackInput): string {
  const family = (addrs: string[], gw: string | undefined, extra: string[]) => {
    const lines = addrs.map((a, i) => `address${i + 1}=${a}${i === 0 && gw ? `,${gw}` : ""}`);
    const servers = dns(o).filter((d) => d.includes(":") === addrs[0]!.includes(":"));
    return [...lines, ...(servers.length ? [`dns=${servers.join(";")};`] : []), ...extra];
  };
  const metric = o.metric === undefined ? [] : [`route-metric=${o.metric}`];
  const ipv4 = v4(o).length
    ? family(v4(o), o.gateway4, ["method=manual", ...(o.gateway4 ? [] : ["never-default=true"]), ...metric])
    : ["method=disabled"];
  const ipv6 = v6(o).length
    ? [
        "addr-gen-mode=default",
        ...family(v6(o), o.gateway6, ["method=manual", ...(o.gateway6 ? [] : ["never-default=true"]), ...metric]),
      ]
    : ["addr-gen-mode=default", "method=disabled"];
  return [
    "[connection]",
    `id=${nmConnectionId(o.interface)}`,
    `uuid=${nmUuid(o.interface)}`,
    "type=ethernet",
    "autoconnect-priority=100",
    `interface-name=${o.interface}`,
    "",
    "[ethernet]",
    "",
    "[ipv4]",
    ...ipv4,
    "",
    "[ipv6]",
    ...ipv6,
    "",
    "[proxy]",
    "",
  ].join("\n");
}

/** The text of our file for a stack. */
export function stackText(stack: Stack, o: StackInput): string {
  switch (stack) {
    case "networkd":
      return networkdFile(o);
    case "ifupdown":
      return ifupdownFile(o);
    case "netplan":
      return netplanFile(o);
    case "networkmanager":
      return nmKeyfile(o);
  }
}

/**
 * Which stack manages the interface, as a shell snippet printing `method <stack>`: netplan where
 * /etc/netplan holds a configuration; NetworkManager where it runs and manages the device;
 * systemd-networkd where it runs; ifupdown where `networking` is enabled or the interface is
 * declared in /etc/network/interfaces(.d); else systemd-networkd.
 */
export function detectStack(ifname: string): string {
  const i = quote(ifname);
  const declared = `grep -qsE "^[[:space:]]*(auto|allow-hotplug|iface)[[:space:]]+${ifname.replace(/\./g, "\\.")}([[:space:]]|$)" /etc/network/interfaces /etc/network/interfaces.d/*`;
  return [
    "if command -v netplan >/dev/null 2>&1 && ls /etc/netplan/*.yaml >/dev/null 2>&1; then",
    "  echo method netplan",
    // NetworkManager runs, lists the device, and does not leave it unmanaged
    "elif systemctl is-active -q NetworkManager 2>/dev/null &&",
    `  nmcli -t -f DEVICE device 2>/dev/null | grep -qxF -e ${i} &&`,
    `  ! nmcli -t -f DEVICE,STATE device 2>/dev/null | grep -qxF -e ${quote(`${ifname}:unmanaged`)}; then`,
    "  echo method networkmanager",
    "elif systemctl is-active -q systemd-networkd 2>/dev/null; then",
    "  echo method networkd",
    `elif command -v ifup >/dev/null 2>&1 && { systemctl is-enabled -q networking 2>/dev/null || ${declared}; }; then`,
    "  echo method ifupdown",
    "else",
    "  echo method networkd",
    "fi",
  ].join("\n");
}

/** How each stack applies the file now, without touching the host's other interfaces. */
export function applyCommand(stack: Stack, ifname: string, file: string): string {
  const i = quote(ifname);
  const networkd = [
    "systemctl enable --quiet systemd-networkd &&",
    "  systemctl start systemd-networkd &&",
    "  networkctl reload &&",
    `  networkctl reconfigure ${i}`,
  ].join("\n");
  switch (stack) {
    case "networkd":
      return networkd;
    case "ifupdown":
      return `ifdown --force ${i} >/dev/null 2>&1; ifup ${i}`;
    case "netplan":
      // `netplan apply` also re-triggers udev for every interface; generate + the renderer's own
      // reload touches this interface only (and works where /sys is read-only)
      return [
        "netplan generate &&",
        "if systemctl is-active -q NetworkManager 2>/dev/null; then",
        `  nmcli connection reload && nmcli device reapply ${i} 2>/dev/null ||`,
        `    nmcli device connect ${i}`,
        "else",
        networkd,
        "fi",
      ].join("\n");
    case "networkmanager":
      return [
        `nmcli connection load ${quote(file)} &&`,
        `  nmcli connection up ${quote(nmConnectionId(ifname))} ifname ${i} >/dev/null`,
      ].join("\n");
  }
}

/**
 * What takes our configuration of an interface away again (a VM retired from the site): the
 * stack's file removed and the stack told, so that the interface falls back to what the host
 * had (NetworkManager's automatic connection, DHCP/SLAAC of another file, or nothing).
 */
export function releaseCommand(stack: Stack, ifname: string, file: string): string {
  const i = quote(ifname);
  const f = quote(file);
  switch (stack) {
    case "networkd":
      return `rm -f ${f}\nnetworkctl reload 2>/dev/null; networkctl reconfigure ${i} 2>/dev/null`;
    case "ifupdown":
      return `ifdown --force ${i} >/dev/null 2>&1; rm -f ${f}\nip link set ${i} up`;
    case "netplan":
      return `rm -f ${f}\n${applyCommand("netplan", ifname, file)}`;
    case "networkmanager":
      return [
        `nmcli connection delete ${quote(nmConnectionId(ifname))} >/dev/null 2>&1; rm -f ${f}`,
        `nmcli device connect ${i} >/dev/null 2>&1`,
      ].join("\n");
  }
}
