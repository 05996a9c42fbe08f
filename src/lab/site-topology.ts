import type { LabTopology } from "./topology.js";

/**
 * The site of ../shared/domain.md on one machine. Only the provider side is addressed
 * before the playbook runs; the VPN, tap, radvd, ndppd, firewall and the VMs' addresses
 * all come from the playbook.
 *
 *   inet ── upstream ── vps (enp1s0: the VPS /64 is on-link at upstream)
 *              └────── homegw (eth0) ── homelan ── vm1, vm2
 */
export const SITE = {
  inet6: "2001:db8:ffff::10",
  inet4: "172.30.0.10",
  vpsPrefix: "2001:db8:0:8964::/64",
  vpsUplink6: "2001:db8:0:8964::2",
  vpsUplink4: "172.31.0.2",
  homegw4: "172.29.0.2",
} as const;

export function siteTopology(): LabTopology {
  return {
    name: "site",
    hosts: [
      {
        name: "inet",
        interfaces: [{ name: "eth0", network: "inet", addresses: [`${SITE.inet6}/64`, `${SITE.inet4}/24`] }],
        routes: ["-6 route add default via 2001:db8:ffff::1", "-4 route add default via 172.30.0.1"],
      },
      {
        name: "upstream",
        interfaces: [
          { name: "eth-inet", network: "inet", addresses: ["2001:db8:ffff::1/64", "172.30.0.1/24"] },
          // The VPS /64 is on-link here: every address of it is resolved by neighbour discovery.
          { name: "eth-vps", network: "vpsnet", addresses: ["2001:db8:0:8964::1/64", "172.31.0.1/24"] },
          { name: "eth-home", network: "homenet", addresses: ["172.29.0.1/24"] },
        ],
        sysctls: { "net.ipv6.conf.all.forwarding": "1", "net.ipv4.ip_forward": "1" },
      },
      {
        name: "vps",
        interfaces: [
          { name: "enp1s0", network: "vpsnet", addresses: [`${SITE.vpsUplink6}/64`, `${SITE.vpsUplink4}/24`] },
        ],
        routes: ["-6 route add default via 2001:db8:0:8964::1", "-4 route add default via 172.31.0.1"],
      },
      {
        name: "homegw",
        interfaces: [
          { name: "eth0", network: "homenet", addresses: [`${SITE.homegw4}/24`] },
          { name: "eth1", network: "homelan", noOffload: true },
        ],
        routes: ["-4 route add default via 172.29.0.1"],
      },
      { name: "vm1", interfaces: [{ name: "eth0", network: "homelan", noOffload: true }] },
      { name: "vm2", interfaces: [{ name: "eth0", network: "homelan", noOffload: true }] },
    ],
  };
}
