import type { Problem } from "../../src/errors.js";
import {
  format4,
  format6,
  hostMask4,
  hostMask6,
  inPrefix6,
  type Prefix4,
  type Prefix6,
  prefixInPrefix6,
} from "../../src/net/prefix.js";
import { siteSchema, type SiteVars, vmSchema, type VmVars } from "./site-schema.js";
import { schemaProblems } from "./schema-problems.js";

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
  /** The MAC of its NIC on the home LAN: a first deploy finds it by it. */
  mac?: string;
  /** absent: retired from the site (SitePlan.retired). */
  state?: "present" | "absent";
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
  mac?: string;
  /** Marked `state: absent`: retired from the site (see SitePlan.retired). */
  absent?: true;
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
  /** The VMs the site serves. */
  vms: SiteVm[];
  /**
   * VMs marked `state: absent`: the VPS no longer serves them (no forwarding, openings or
   * neighbour proxy entry), and where one can still be reached its static configuration goes.
   */
  retired: SiteVm[];
  ndp: Array<{ target: string; mode: "static" }>;
  /** ndppd's static rules, or the kernel's proxy_ndp with one entry per address. */
  ndpProxy: "ndppd" | "kernel";
  openings: Array<{ address: string } & Opening>;
}

type Bad = (field: string, message: string, hint?: string) => void;

/** Addresses in the home prefix, from a host index or given: inside it, not its anycast address, each used once. */
function hostAddresses(p: Prefix6, bad: Bad) {
  const used6 = new Map<bigint, string>();
  return (field: string, index?: number, address?: bigint): bigint | undefined => {
    let a = address;
    if (a === undefined) {
      if (index === undefined) return void bad(field, "give an address or a host index");
      if (BigInt(index) > hostMask6(p.length)) return void bad(field, `host index ${index} does not fit in ${p.text}`);
      a = p.network + BigInt(index);
    }
    if (!inPrefix6(a, p)) return void bad(field, `${format6(a)} lies outside the home prefix ${p.text}`);
    if (a === p.network)
      return void bad(field, `${format6(a)} is the subnet-router anycast address of ${p.text}; use another host index`);
    const other = used6.get(a);
    if (other) return void bad(field, `${format6(a)} is already used by ${other}`);
    used6.set(a, field);
    return a;
  };
}

/** Each VM's addresses and gateways: its IPv6 in the home prefix, its IPv4 in the tap's subnet, both unique. */
function vmPlans(
  vmVars: VmInput[],
  tap4: Prefix4,
  gateway6: string,
  hostAddr: ReturnType<typeof hostAddresses>,
  bad: Bad,
): SiteVm[] {
  const used4 = new Map<bigint, string>([[tap4.address, "tap_ipv4"]]);
  const usedMac = new Map<string, string>();
  const vms: SiteVm[] = [];
  const names = new Set<string>();
  for (const vm of vmVars) {
    const f = (k: string) => `${vm.name}.${k}`;
    if (names.has(vm.name)) bad(vm.name, `VM ${vm.name} is listed twice`);
    names.add(vm.name);
    const a = hostAddr(
      vm.home_address !== undefined ? f("home_address") : f("home_host_index"),
      vm.home_host_index,
      vm.home_address,
    );
    const v4 = vm.home_ipv4;
    if (v4 !== undefined) {
      const hm = hostMask4(tap4.length);
      const text = format4(v4);
      if ((v4 & ~hm) !== tap4.network)
        bad(f("home_ipv4"), `${text} is outside the tap's subnet ${format4(tap4.network)}/${tap4.length}`);
      else if ((v4 & hm) === 0n || (v4 & hm) === hm) bad(f("home_ipv4"), `${text} is the network or broadcast address`);
      else if (used4.has(v4)) bad(f("home_ipv4"), `${text} is already used by ${used4.get(v4)}`);
      used4.set(v4, f("home_ipv4"));
    }
    const mac = vm.home_mac;
    if (mac !== undefined && usedMac.has(mac)) bad(f("home_mac"), `${mac} is already the MAC of ${usedMac.get(mac)}`);
    if (mac !== undefined) usedMac.set(mac, vm.name);
    if (a !== undefined)
      vms.push({
        name: vm.name,
        address6: format6(a),
        ipv4: v4 === undefined ? undefined : format4(v4),
        ipv4Length: tap4.length,
        gateway6,
        gateway4: v4 === undefined ? undefined : format4(tap4.address),
        open: vm.firewall_open,
        ...(vm.home_mac !== undefined ? { mac: vm.home_mac } : {}),
        ...(vm.state === "absent" ? { absent: true as const } : {}),
      });
  }
  return vms;
}

/** A VM's parsed variables, with its name. */
export type VmInput = VmVars & { name: string };

/**
 * The plan from the site's parsed values (site-schema.ts checked each on its own): only how
 * they relate is checked here, the home prefix inside the VPS /64, the uplink outside it,
 * every address inside its prefix and used once, the VMs' IPv4 in the tap's subnet.
 */
export function planFromVars(site: SiteVars, vmVars: VmInput[]): { plan?: SitePlan; problems: Problem[] } {
  const problems: Problem[] = [];
  const bad: Bad = (field, message, hint) => void problems.push({ field, message, hint });
  const { vps_prefix: vps, home_prefix: home, uplink_address: uplink, tap_ipv4: tap4 } = site;

  if (!prefixInPrefix6(home, vps) || home.length === vps.length)
    bad(
      "home_prefix",
      `${home.text} does not lie inside the VPS prefix ${vps.text} (it must be a longer prefix carved out of it)`,
    );
  if (!inPrefix6(uplink, vps)) bad("uplink_address", `${format6(uplink)} is outside the VPS prefix ${vps.text}`);
  else if (inPrefix6(uplink, home))
    bad(
      "uplink_address",
      `${format6(uplink)} lies inside the home prefix ${home.text}: the uplink must keep an address outside it`,
    );
  const rtx = site.variant === "rtx";
  if (rtx) {
    if (site.router_address === undefined)
      bad("router_address", "is required by the rtx variant", "the RTX's own IPv6 address, its tunnel endpoint");
    else if (site.router_address === uplink) bad("router_address", "is the VPS uplink's own address");
  } else
    for (const k of ["router_address", "downlink"] as const)
      if (site[k] !== undefined) bad(k, "is only used by the rtx variant", "set variant: rtx, or leave it out");
  const tapName = rtx ? (site.downlink ?? "br-home") : `tap_${site.hub.toLowerCase()}`;

  const hostAddr = hostAddresses(home, bad);
  const tap6 = hostAddr("tap_host_index", site.tap_host_index);
  const all = tap6 === undefined ? [] : vmPlans(vmVars, tap4, format6(tap6), hostAddr, bad);
  const vms = all.filter((v) => !v.absent);
  if (problems.length || tap6 === undefined) return { problems };
  return {
    problems,
    plan: {
      variant: rtx ? "rtx" : "softether",
      ...(rtx && site.router_address !== undefined
        ? { rtx: { routerAddress: format6(site.router_address), bridge: tapName } }
        : {}),
      vpsPrefix: vps.text,
      uplink: {
        interface: site.uplink_interface,
        address6: format6(uplink),
        ...(site.uplink_router !== undefined ? { router: format6(site.uplink_router) } : {}),
      },
      homePrefix: home.text,
      homePrefixLength: home.length,
      hub: site.hub,
      tap: {
        interface: tapName,
        address6: format6(tap6),
        ipv4: format4(tap4.address),
        ipv4Network: format4(tap4.network),
        ipv4Length: tap4.length,
      },
      dns: site.dns.map(format6),
      vms,
      retired: all.filter((v) => v.absent),
      // one /128 per declared address (the gateway, each VM): an address nobody declared is not
      // answered, so a flood of pings to random home addresses adds no neighbour entries
      ndp: [format6(tap6), ...vms.map((v) => v.address6)].map((a) => ({ target: `${a}/128`, mode: "static" })),
      ndpProxy: site.ndp_proxy,
      openings: vms.flatMap((v) => v.open.map((o) => ({ address: v.address6, ...o }))),
    },
  };
}

const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * The plan from values as a program gives them (deploy init, tests): the same schema and
 * relations as an inventory's; a problem's field is the inventory's (vps_prefix, vm1.home_ipv4).
 */
export function sitePlan(input: SiteInput): { plan?: SitePlan; problems: Problem[] } {
  const site = siteSchema.safeParse(
    drop({
      variant: input.variant,
      router_address: input.routerAddress,
      downlink: input.downlink,
      vps_prefix: input.vpsPrefix,
      uplink_interface: input.uplinkInterface,
      uplink_address: input.uplinkAddress,
      uplink_router: input.uplinkRouter,
      home_prefix: input.homePrefix,
      hub: input.hub,
      tap_host_index: input.tapHostIndex,
      tap_ipv4: input.tapIpv4,
      dns: input.dns,
    }),
  );
  const problems = site.success ? [] : schemaProblems(site.error.issues, (path) => ({ field: path }));
  const vms: VmInput[] = [];
  for (const vm of input.vms ?? []) {
    const r = vmSchema.safeParse(
      drop({
        home_host_index: vm.hostIndex,
        home_address: vm.address,
        home_ipv4: vm.ipv4,
        firewall_open: vm.open,
        home_mac: vm.mac,
        state: vm.state,
      }),
    );
    if (r.success) vms.push({ ...r.data, name: vm.name });
    else problems.push(...schemaProblems(r.error.issues, (path) => ({ field: `${vm.name}.${path}` })));
  }
  if (!site.success || problems.length) return { problems };
  return planFromVars(site.data, vms);
}
