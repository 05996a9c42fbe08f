import { addressesCheck, commandLine, defineRole, interfaceAddresses, resolvers, z } from "../../src/index.js";

/** A home VM's static IPv6 (home prefix) and private IPv4, with the tap addresses as gateways. */
export const staticAddress = defineRole({
  name: "static-address",
  params: z.object({
    interface: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/),
    address6: z.string(),
    prefixLength6: z.number().int().min(1).max(128),
    gateway6: z.string(),
    ipv4: z.string().optional(),
    prefixLength4: z.number().int().min(8).max(30).optional(),
    gateway4: z.string().optional(),
    /** auto: the stack that manages the interface (netplan, NetworkManager, networkd, ifupdown). */
    method: z.enum(["auto", "networkd", "ifupdown", "netplan", "networkmanager"]).default("auto"),
    /** The default routes' metric; default: the stack's own. */
    metric: z.number().int().min(0).max(4294967295).optional(),
    /**
     * Router advertisements: off by default. The gateways are static, so an RA can only add
     * routes, and any station on the LAN can send one (a rogue RA would take the VM's traffic).
     */
    acceptRa: z.boolean().default(false),
    /**
     * Resolvers, in the stack's own DNS setting (RDNSS is not read with RAs off), and in
     * /etc/resolv.conf where nothing manages it (no systemd-resolved, resolvconf or NetworkManager).
     */
    dns: z.array(z.string().regex(/^[0-9A-Fa-f:.]+$/)).default([]),
    /**
     * absent: what this role gave the VM is taken away (our file of any stack, the addresses,
     * the default routes), detached a few seconds later; /etc/resolv.conf is left as it is.
     */
    state: z.enum(["present", "absent"]).default("present"),
  }),
  hop: "vm",
  checks: (p) => {
    if (p.state === "absent") return [];
    const addresses = [`${p.address6}/${p.prefixLength6}`, ...(p.ipv4 ? [`${p.ipv4}/${p.prefixLength4 ?? 24}`] : [])];
    const gateways = [p.gateway6, ...(p.ipv4 && p.gateway4 ? [p.gateway4] : [])];
    return [
      addressesCheck(
        { hop: "vm", id: "addresses", title: `${p.interface} has ${addresses.join(", ")}` },
        p.interface,
        addresses,
      ),
      {
        hop: "vm",
        id: "default-routes",
        title: `default routes via ${gateways.join(" and ")} on ${p.interface}`,
        script: `${commandLine("ip", "-6", "route", "show", "default")}; ${commandLine("ip", "-4", "route", "show", "default")}`,
        judge: (r) => {
          // a route learned from an RA may share the default with ours: "nexthop via G dev IF"
          const hops = [...r.stdout.matchAll(/via (\S+) dev (\S+)/g)]
            .filter((m) => m[2] === p.interface)
            .map((m) => m[1]);
          const missing = gateways.filter((g) => !hops.includes(g));
          return {
            ok: !missing.length,
            note: missing.length ? `no default route via ${missing.join(", ")}` : undefined,
          };
        },
      },
    ];
  },
  tasks: (p) => [
    interfaceAddresses({
      interface: p.interface,
      addresses: [`${p.address6}/${p.prefixLength6}`, ...(p.ipv4 ? [`${p.ipv4}/${p.prefixLength4 ?? 24}`] : [])],
      gateway6: p.gateway6,
      gateway4: p.ipv4 ? p.gateway4 : undefined,
      method: p.method,
      metric: p.metric,
      acceptRa: p.acceptRa,
      dns: p.dns,
      state: p.state,
    }),
    // where no resolver manager carries the stack's DNS setting into /etc/resolv.conf
    ...(p.dns.length && p.state === "present" ? [resolvers({ servers: p.dns })] : []),
  ],
});

export default staticAddress;
