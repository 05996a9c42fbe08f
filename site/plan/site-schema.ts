// The site's inventory input as zod schemas: `all.vars.site` and each VM's variables. Each value is
// checked on its own here (its type, its format: an IPv6 prefix, an interface name, a private
// IPv4, ...) and parsed; the plan (site-plan.ts) then only weighs values against each other.
import { z } from "zod";
import {
  addr4,
  addr6,
  hostMask4,
  parseInterface4,
  parsePrefix6,
  type Prefix4,
  type Prefix6,
} from "../../src/net/prefix.js";

const must = (kind: string) => ({
  error: (i: { input?: unknown }) => `must be a ${kind}, not ${JSON.stringify(i.input)}`,
});
const text = () => z.string(must("text"));
// (not .int(): zod refuses integers beyond 2^53 there, which the plan says "does not fit")
const whole = () => z.number(must("whole number")).refine(Number.isInteger, must("whole number"));

/** A text parsed by `parse`: a value, or (a string) the reason it is not one. */
const parsed = <T>(parse: (s: string) => T | string) =>
  text().transform((s, ctx): T => {
    const v = parse(s);
    if (typeof v === "string") {
      ctx.addIssue({ code: "custom", message: v });
      return z.NEVER;
    }
    return v;
  });

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const ifname = () =>
  text().refine((s) => IFNAME.test(s), {
    error: (i) => `"${i.input}" is not a Linux interface name (at most 15 characters)`,
  });
const address6 = () => parsed((s) => addr6(s) ?? `"${s}" is not an IPv6 address`);

const privateIpv4 = (p: Prefix4): string | undefined => {
  const host = p.address & hostMask4(p.length);
  if (host === 0n || host === hostMask4(p.length))
    return `${p.text.split("/")[0]} is the network or broadcast address of its subnet`;
  const [first, second] = [Number(p.address >> 24n), Number((p.address >> 16n) & 255n)];
  if (!(first === 10 || (first === 172 && second >= 16 && second < 32) || (first === 192 && second === 168)))
    return `${p.text} is not a private IPv4 address (10/8, 172.16/12, 192.168/16): it is masqueraded`;
  return undefined;
};

/** all.vars.site */
export const siteSchema = z.strictObject(
  {
    /** What carries the home prefix from the VPS: SoftEther's tap, or an RTX's L2TPv3 link. */
    variant: text()
      .refine((v) => v === "softether" || v === "rtx", { error: (i) => `"${i.input}" is not a site variant` })
      .default("softether"),
    /** rtx variant: the router's IPv6 address (its tunnel endpoint). */
    router_address: address6().optional(),
    /** rtx variant: the bridge on the VPS that the L2TPv3 session joins (default br-home). */
    downlink: ifname().optional(),
    vps_prefix: parsed<Prefix6>((s) => {
      const p = parsePrefix6(s);
      return typeof p !== "string" && p.length > 64 ? `the VPS prefix ${p.text} is longer than /64` : p;
    }),
    uplink_interface: ifname().default("eth0"),
    uplink_address: address6(),
    /** The provider's router on the uplink (its link-local address): the only one whose RAs count. */
    uplink_router: parsed((s) => {
      const r = addr6(s);
      return r === undefined || r >> 118n !== 0x3fan ? `"${s}" is not a link-local IPv6 address (fe80::/10)` : r;
    }).optional(),
    home_prefix: parsed<Prefix6>((s) => {
      const p = parsePrefix6(s);
      return typeof p !== "string" && p.length > 124
        ? `the home prefix ${p.text} is too small for a gateway and VMs`
        : p;
    }),
    hub: text()
      .refine((h) => /^[A-Za-z0-9_-]{1,11}$/.test(h), {
        error: (i) => `hub name "${i.input}" must be 1 to 11 letters, digits, _ or -`,
      })
      .default("VPN"),
    tap_host_index: whole()
      .min(0, { error: (i) => `host index must be a whole number >= 0, not ${i.input}` })
      .default(1),
    tap_ipv4: parsed<Prefix4>((s) => {
      const p = parseInterface4(s);
      return typeof p === "string" ? p : (privateIpv4(p) ?? p);
    }),
    dns: z.array(address6(), must("list of texts")).default([]),
    /** Who answers neighbour solicitations for the home addresses on the uplink: ndppd, or the kernel's proxy_ndp. */
    ndp_proxy: z
      .enum(["ndppd", "kernel"], { error: (i) => `must be ndppd or kernel, not ${JSON.stringify(i.input)}` })
      .default("ndppd"),
  },
  { error: (i) => (i.code === "unrecognized_keys" ? "unknown key" : undefined) },
);

/** A VM's own variables (the other variables of the host are not the site's). */
export const vmSchema = z.looseObject({
  /** Host index inside the home prefix (e.g. 16 -> prefix::10), or a full address. */
  home_host_index: whole()
    .min(0, { error: (i) => `host index must be a whole number >= 0, not ${i.input}` })
    .optional(),
  home_address: address6().optional(),
  /** Private IPv4 inside the tap's IPv4 subnet. */
  home_ipv4: parsed((s) => addr4(s) ?? `"${s}" is not an IPv4 address`).optional(),
  /**
   * The MAC of its NIC on the home LAN (Proxmox: the VM's Hardware tab): a first deploy finds
   * the VM by it on the VPS's tap, before the VM has its address.
   */
  // YAML 1.1 (Ansible's too) reads an unquoted all-digit MAC such as 02:00:00:00:01:01 as a number
  home_mac: z
    .string({
      error: (i) =>
        typeof i.input === "number"
          ? "must be a text: quote the MAC (YAML reads 02:00:00:00:01:01 unquoted as a number in base 60)"
          : `must be a text, not ${JSON.stringify(i.input)}`,
    })
    .refine((s) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(s) && (Number.parseInt(s.slice(0, 2), 16) & 1) === 0, {
      error: (i) => `"${i.input}" is not a unicast MAC address such as 52:54:00:12:34:56`,
    })
    .transform((s) => s.toLowerCase())
    .optional(),
  /**
   * absent: the VM is retired: the VPS stops serving it (forwarding, openings, neighbour proxy)
   * and, where it can still be reached, its static configuration is removed.
   */
  state: z
    .enum(["present", "absent"], { error: (i) => `must be present or absent, not ${JSON.stringify(i.input)}` })
    .default("present"),
  /** "tcp/22", "udp/51820": what the firewall lets in from the internet. */
  firewall_open: z
    .array(
      parsed((s) => {
        const m = /^(tcp|udp)\/(\d{1,5})$/.exec(s);
        return m && Number(m[2]) >= 1 && Number(m[2]) <= 65535
          ? { proto: m[1] as "tcp" | "udp", port: Number(m[2]) }
          : `"${s}" is not proto/port such as tcp/22 or udp/51820`;
      }),
      must("list of texts"),
    )
    .default([]),
});

export type SiteVars = z.output<typeof siteSchema>;
export type VmVars = z.output<typeof vmSchema>;

/** What a type issue's hint shows, by key: a value of the right shape. */
export const EXAMPLES: Record<string, string> = {
  tap_host_index: "1",
  home_host_index: "16",
  home_mac: "52:54:00:12:34:56",
  dns: "[2001:db8::53]",
  firewall_open: "[tcp/22, tcp/443]",
};
