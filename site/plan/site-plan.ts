import type { Problem } from "../../src/errors.js";
import {
  addr4,
  addr6,
  format4,
  format6,
  hostMask4,
  hostMask6,
  inPrefix6,
  parseInterface4,
  parsePrefix6,
  prefixInPrefix6,
  type Prefix6,
} from "../../src/net/prefix.js";

/** One inbound opening of the IPv6 firewall: a protocol and port on one VM. */
export interface Opening {
  proto: "tcp" | "udp";
  port: number;
}

export interface SiteVmInput {
  name: string;
  /** Host index inside the home prefix (e.g. 16 -> prefix::10), or a full address. */
  hostIndex?: number;
  address?: string;
  /** Private IPv4 inside the tap's IPv4 subnet. */
  ipv4?: string;
  /** "tcp/22", "udp/51820": what the firewall lets in from the internet. */
  open?: string[];
}

export interface SiteInput {
  /** What carries the home prefix from the VPS: SoftEther's tap (default), or an RTX's L2TPv3 link. */
  variant?: string;
  /** rtx variant: the router's IPv6 address (its tunnel endpoint). */
  routerAddress?: string;
  /** rtx variant: the bridge on the VPS that the L2TPv3 session joins (default br-home). */
  downlink?: string;
  vpsPrefix: string;
  uplinkInterface: string;
  uplinkAddress: string;
  /** The provider's router on the uplink (its link-local address): the only one whose RAs count. */
  uplinkRouter?: string;
  homePrefix: string;
  hub: string;
  tapHostIndex?: number;
  tapIpv4: string;
  dns?: string[];
  vms: SiteVmInput[];
}

export interface SiteVm {
  name: string;
  address6: string;
  ipv4?: string;
  ipv4Length?: number;
  gateway6: string;
  gateway4?: string;
  open: Opening[];
}

/** Every address the site roles use, derived from a few inputs and validated. */
export interface SitePlan {
  variant: "softether" | "rtx";
  /** rtx variant: the link's far end and the VPS bridge that joins it. */
  rtx?: { routerAddress: string; bridge: string };
  vpsPrefix: string;
  uplink: { interface: string; address6: string; router?: string };
  homePrefix: string;
  homePrefixLength: number;
  hub: string;
  /**
   * The downlink that carries the home prefix: SoftEther's tap, or in the rtx variant the bridge
   * the L2TPv3 session joins. Its addresses are the VMs' gateways.
   */
  tap: { interface: string; address6: string; ipv4: string; ipv4Network: string; ipv4Length: number };
  dns: string[];
  vms: SiteVm[];
  ndp: Array<{ target: string; mode: "static" }>;
  openings: Array<{ address: string } & Opening>;
}

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

export function sitePlan(input: SiteInput): { plan?: SitePlan; problems: Problem[] } {
  const problems: Problem[] = [];
  const bad = (field: string, message: string, hint?: string) => problems.push({ field, message, hint });

  const vps = parsePrefix6(input.vpsPrefix);
  if (typeof vps === "string") bad("vps_prefix", vps);
  else if (vps.length > 64)
    bad("vps_prefix", `the VPS prefix ${vps.text} is longer than /64`, "a VPS usually owns a /64");
  const home = parsePrefix6(input.homePrefix);
  if (typeof home === "string") bad("home_prefix", home);
  else if (home.length > 124) bad("home_prefix", `the home prefix ${home.text} is too small for a gateway and VMs`);
  if (typeof vps !== "string" && typeof home !== "string") {
    if (!prefixInPrefix6(home, vps) || home.length === vps.length)
      bad(
        "home_prefix",
        `${home.text} does not lie inside the VPS prefix ${vps.text} (it must be a longer prefix carved out of it)`,
      );
  }
  if (!IFNAME.test(input.uplinkInterface ?? ""))
    bad("uplink_interface", `"${input.uplinkInterface}" is not a Linux interface name (at most 15 characters)`);
  const uplink = addr6(input.uplinkAddress);
  if (uplink === undefined) bad("uplink_address", `"${input.uplinkAddress}" is not an IPv6 address`);
  else if (typeof vps !== "string" && !inPrefix6(uplink, vps))
    bad("uplink_address", `${format6(uplink)} is outside the VPS prefix ${vps.text}`);
  else if (typeof home !== "string" && inPrefix6(uplink, home))
    bad(
      "uplink_address",
      `${format6(uplink)} lies inside the home prefix ${home.text}: the uplink must keep an address outside it`,
    );

  let uplinkRouter: string | undefined;
  if (input.uplinkRouter !== undefined) {
    const r = addr6(input.uplinkRouter);
    if (r === undefined || r >> 118n !== 0x3fan)
      bad(
        "uplink_router",
        `"${input.uplinkRouter}" is not a link-local IPv6 address (fe80::/10)`,
        "the provider's router as the VPS sees it: the via of `ip -6 route show default`",
      );
    else uplinkRouter = format6(r);
  }

  if (!/^[A-Za-z0-9_-]{1,11}$/.test(input.hub ?? "")) {
    bad(
      "hub",
      `hub name "${input.hub}" must be 1 to 11 letters, digits, _ or -`,
      "SoftEther names the tap tap_<hub in lowercase>, and Linux allows 15 characters",
    );
  }
  const variant = input.variant ?? "softether";
  if (variant !== "softether" && variant !== "rtx")
    bad(
      "variant",
      `"${variant}" is not a site variant`,
      "softether (the tap of a SoftEther hub) or rtx (a YAMAHA RTX over L2TPv3/IPsec)",
    );
  let router: bigint | undefined;
  if (variant === "rtx") {
    router = addr6(input.routerAddress ?? "");
    if (router === undefined)
      bad(
        "router_address",
        `"${input.routerAddress ?? ""}" is not an IPv6 address`,
        "the RTX's own IPv6 address, its tunnel endpoint",
      );
    else if (uplink !== undefined && router === uplink) bad("router_address", "is the VPS uplink's own address");
    if (!IFNAME.test(input.downlink ?? "br-home"))
      bad("downlink", `"${input.downlink}" is not a Linux interface name (at most 15 characters)`);
  } else {
    for (const [k, v] of [
      ["router_address", input.routerAddress],
      ["downlink", input.downlink],
    ] as const)
      if (v !== undefined) bad(k, "is only used by the rtx variant", "set variant: rtx, or leave it out");
  }
  const tapName = variant === "rtx" ? (input.downlink ?? "br-home") : `tap_${String(input.hub ?? "").toLowerCase()}`;

  const used6 = new Map<bigint, string>();
  const hostAddr = (p: Prefix6, field: string, index?: number, address?: string): bigint | undefined => {
    let a: bigint | undefined;
    if (address !== undefined) {
      a = addr6(address);
      if (a === undefined) return void bad(field, `"${address}" is not an IPv6 address`);
    } else if (index !== undefined) {
      if (!Number.isInteger(index) || index < 0)
        return void bad(field, `host index must be a whole number >= 0, not ${JSON.stringify(index)}`);
      if (BigInt(index) > hostMask6(p.length)) return void bad(field, `host index ${index} does not fit in ${p.text}`);
      a = p.network + BigInt(index);
    } else return void bad(field, "give an address or a host index");
    if (!inPrefix6(a, p)) return void bad(field, `${format6(a)} lies outside the home prefix ${p.text}`);
    if (a === p.network)
      return void bad(field, `${format6(a)} is the subnet-router anycast address of ${p.text}; use another host index`);
    const other = used6.get(a);
    if (other) return void bad(field, `${format6(a)} is already used by ${other}`);
    used6.set(a, field);
    return a;
  };

  let tap6: bigint | undefined;
  if (typeof home !== "string") tap6 = hostAddr(home, "tap_host_index", input.tapHostIndex ?? 1);
  const tap4 = parseInterface4(input.tapIpv4);
  if (typeof tap4 === "string") bad("tap_ipv4", tap4);
  else {
    if (
      (tap4.address & hostMask4(tap4.length)) === 0n ||
      (tap4.address & hostMask4(tap4.length)) === hostMask4(tap4.length)
    )
      bad("tap_ipv4", `${format4(tap4.address)} is the network or broadcast address of its subnet`);
    const first = Number(tap4.address >> 24n);
    const second = Number((tap4.address >> 16n) & 255n);
    if (!(first === 10 || (first === 172 && second >= 16 && second < 32) || (first === 192 && second === 168)))
      bad("tap_ipv4", `${tap4.text} is not a private IPv4 address (10/8, 172.16/12, 192.168/16): it is masqueraded`);
  }
  const used4 = new Map<bigint, string>();
  if (typeof tap4 !== "string") used4.set(tap4.address, "tap_ipv4");

  const dns = (input.dns ?? []).filter((d, i) => {
    if (addr6(d) !== undefined) return true;
    bad(`dns[${i}]`, `"${d}" is not an IPv6 address`);
    return false;
  });

  const vms: SiteVm[] = [];
  const names = new Set<string>();
  for (const vm of input.vms ?? []) {
    const f = (k: string) => `${vm.name}.${k}`;
    if (names.has(vm.name)) bad(vm.name, `VM ${vm.name} is listed twice`);
    names.add(vm.name);
    const a =
      typeof home === "string"
        ? undefined
        : hostAddr(home, vm.address !== undefined ? f("home_address") : f("home_host_index"), vm.hostIndex, vm.address);
    let v4: bigint | undefined;
    if (vm.ipv4 !== undefined) {
      v4 = addr4(vm.ipv4);
      if (v4 === undefined) bad(f("home_ipv4"), `"${vm.ipv4}" is not an IPv4 address`);
      else if (typeof tap4 !== "string") {
        const hm = hostMask4(tap4.length);
        if ((v4 & ~hm) !== tap4.network)
          bad(f("home_ipv4"), `${vm.ipv4} is outside the tap's subnet ${format4(tap4.network)}/${tap4.length}`);
        else if ((v4 & hm) === 0n || (v4 & hm) === hm)
          bad(f("home_ipv4"), `${vm.ipv4} is the network or broadcast address`);
        else if (used4.has(v4)) bad(f("home_ipv4"), `${vm.ipv4} is already used by ${used4.get(v4)}`);
        used4.set(v4, f("home_ipv4"));
      }
    }
    const open: Opening[] = [];
    (vm.open ?? []).forEach((o, i) => {
      const m = /^(tcp|udp)\/(\d{1,5})$/.exec(String(o));
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
        bad(`${f("firewall_open")}[${i}]`, `"${o}" is not proto/port such as tcp/22 or udp/51820`);
      else open.push({ proto: m[1] as "tcp" | "udp", port: Number(m[2]) });
    });
    if (a !== undefined && tap6 !== undefined) {
      vms.push({
        name: vm.name,
        address6: format6(a),
        ipv4: v4 === undefined ? undefined : format4(v4),
        ipv4Length: typeof tap4 === "string" ? undefined : tap4.length,
        gateway6: format6(tap6),
        gateway4: typeof tap4 === "string" || v4 === undefined ? undefined : format4(tap4.address),
        open,
      });
    }
  }
  if (
    problems.length ||
    typeof vps === "string" ||
    typeof home === "string" ||
    typeof tap4 === "string" ||
    tap6 === undefined ||
    uplink === undefined
  )
    return { problems };
  return {
    problems,
    plan: {
      variant: variant === "rtx" ? "rtx" : "softether",
      ...(variant === "rtx" && router !== undefined
        ? { rtx: { routerAddress: format6(router), bridge: tapName } }
        : {}),
      vpsPrefix: vps.text,
      uplink: {
        interface: input.uplinkInterface,
        address6: format6(uplink),
        ...(uplinkRouter ? { router: uplinkRouter } : {}),
      },
      homePrefix: home.text,
      homePrefixLength: home.length,
      hub: input.hub,
      tap: {
        interface: tapName,
        address6: format6(tap6),
        ipv4: format4(tap4.address),
        ipv4Network: format4(tap4.network),
        ipv4Length: tap4.length,
      },
      dns,
      vms,
      // one /128 per declared address (the gateway, each VM): an address nobody declared is not
      // answered, so a flood of pings to random home addresses adds no neighbour entries
      ndp: [format6(tap6), ...vms.map((v) => v.address6)].map((a) => ({ target: `${a}/128`, mode: "static" })),
      openings: vms.flatMap((v) => v.open.map((o) => ({ address: v.address6, ...o }))),
    },
  };
}
