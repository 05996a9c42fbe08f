import type { LabHost, LabTopology } from "../src/lab/topology.js";

/**
 * The site of ../shared/domain.md on one machine. Only the provider side is addressed
 * before the playbook runs; the VPN, tap, radvd, ndppd, firewall and the VMs' addresses
 * all come from the playbook.
 *
 *   inet ── upstream ── vps (enp1s0: the VPS /64 is on-link at upstream)
 *              └────── homegw (eth0) ── homelan ── vm1, vm2, vm3, vm4
 *
 * The hosts run the network stacks users have: the VPS's uplink is configured the way
 * cloud-init leaves an Ubuntu VPS (netplan: DHCPv4, its fixed IPv6 address, the default route
 * from RAs), and upstream plays the provider (systemd-networkd: RAs and a DHCPv4 server on the
 * VPS link). The VMs: vm1 systemd-networkd, vm2 netplan, vm3 NetworkManager, vm4 ifupdown.
 */
export const SITE = {
  inet6: "2001:db8:ffff::10",
  inet4: "172.30.0.10",
  /** The resolver on inet, and a name it answers (lab.yaml: site.dns, verify_resolve). */
  dns6: "2001:db8:ffff::53",
  dnsName: "www.lab.test",
  vpsPrefix: "2001:db8:0:8964::/64",
  vpsUplink6: "2001:db8:0:8964::2",
  /** The /64 a renumbered VPS moves to (the day-two test): on-link at upstream too. */
  vpsPrefix2: "2001:db8:0:8965::/64",
  vpsUplink4: "172.31.0.2",
  homegw4: "172.29.0.2",
} as const;

export function siteTopology(): LabTopology {
  return {
    name: "site",
    hosts: [
      internetHost(),
      {
        name: "upstream",
        interfaces: [
          { name: "eth-inet", network: "inet", addresses: ["2001:db8:ffff::1/64", "172.30.0.1/24"] },
          // The VPS /64 is on-link here: every address of it is resolved by neighbour discovery.
          // (its addresses come from systemd-networkd, below: it also sends the RAs and runs DHCP)
          // a fixed MAC: the router's link-local address is fe80::ff:fe00:1, the inventory's uplink_router
          { name: "eth-vps", network: "vpsnet", mac: "02:00:00:00:00:01" },
          { name: "eth-home", network: "homenet", addresses: ["172.29.0.1/24"] },
        ],
        sysctls: { "net.ipv6.conf.all.forwarding": "1", "net.ipv4.ip_forward": "1" },
        // the provider: RAs (the VPS's IPv6 default route) and DHCPv4 (its one address) on the VPS link
        files: {
          // a second /64 on the same link: the VPS renumbered (another instance, another provider)
          "/etc/systemd/network/10-eth-vps.network": providerLink({
            slaac: false,
            more: [SITE.vpsPrefix2.replace("::/64", "::1/64")],
          }),
        },
        enable: ["systemd-networkd.service"],
      },
      {
        name: "vps",
        interfaces: [{ name: "enp1s0", network: "vpsnet" }],
        // what cloud-init writes on an Ubuntu VPS: DHCPv4, the provider's fixed IPv6 address, RAs
        files: {
          "/etc/netplan/50-cloud-init.yaml": [
            "# written by cloud-init (the lab's stand-in)",
            "network:",
            "  version: 2",
            "  ethernets:",
            "    enp1s0:",
            "      dhcp4: true",
            `      addresses: ["${SITE.vpsUplink6}/64"]`,
            "",
          ].join("\n"),
          // Vultr's images run ufw: input and forward DROP, SSH allowed (its cloud-init does this)
          "/lib/systemd/system/lab-provider-ufw.service": [
            "[Unit]",
            "Description=The provider's image: ufw enabled, SSH allowed",
            "After=ufw.service",
            "ConditionPathExists=!/var/lib/lab-provider-ufw.done",
            "",
            "[Service]",
            "Type=oneshot",
            "ExecStart=/bin/sh -c 'ufw allow 22/tcp && ufw --force enable && touch /var/lib/lab-provider-ufw.done'",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            "",
          ].join("\n"),
        },
        enable: ["systemd-networkd.service", "lab-provider-ufw.service"],
        login: "ubuntu",
        ready: `ip -4 -o addr show dev enp1s0 | grep -q ' ${SITE.vpsUplink4}/' && ip -6 route show default dev enp1s0 | grep -q 'proto ra' && ufw status | grep -q 'Status: active'`,
      },
      {
        name: "homegw",
        interfaces: [
          { name: "eth0", network: "homenet", addresses: [`${SITE.homegw4}/24`] },
          { name: "eth1", network: "homelan", noOffload: true },
        ],
        routes: ["-4 route add default via 172.29.0.1"],
        login: "debian",
      },
      // systemd-networkd (enabled by static-address when it applies)
      {
        name: "vm1",
        interfaces: [{ name: "eth0", network: "homelan", noOffload: true, mac: "02:00:00:00:01:01" }],
        login: "debian",
      },
      {
        // Ubuntu Server: netplan, rendered by systemd-networkd
        name: "vm2",
        interfaces: [{ name: "eth0", network: "homelan", noOffload: true, mac: "02:00:00:00:01:02" }],
        files: {
          "/etc/netplan/50-cloud-init.yaml": "network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n",
        },
        enable: ["systemd-networkd.service"],
        login: "ubuntu",
      },
      {
        // a desktop or RHEL-like VM: NetworkManager (the lab's management link left to the lab)
        name: "vm3",
        interfaces: [{ name: "eth0", network: "homelan", noOffload: true, mac: "02:00:00:00:01:03" }],
        files: { "/etc/NetworkManager/conf.d/00-lab.conf": "[keyfile]\nunmanaged-devices=interface-name:mgmt0\n" },
        enable: ["NetworkManager.service"],
        login: "debian",
      },
      {
        // Debian with ifupdown
        name: "vm4",
        interfaces: [{ name: "eth0", network: "homelan", noOffload: true, mac: "02:00:00:00:01:04" }],
        files: { "/etc/network/interfaces.d/eth0": "auto eth0\niface eth0 inet manual\n" },
        enable: ["networking.service"],
        login: "debian",
      },
    ],
  };
}

/**
 * The provider's side of the VPS link (systemd-networkd on upstream): its router on the VPS /64
 * (RAs with the prefix, SLAAC allowed or not) and a DHCPv4 server for the VPS's one IPv4.
 * `more`: further addresses of the router on that link.
 */
export function providerLink(o: { slaac: boolean; more?: string[] }): string {
  return [
    "[Match]",
    "Name=eth-vps",
    "",
    "[Network]",
    "Address=2001:db8:0:8964::1/64",
    ...(o.more ?? []).map((a) => `Address=${a}`),
    "Address=172.31.0.1/24",
    "IPv6SendRA=yes",
    "DHCPServer=yes",
    "",
    "[IPv6SendRA]",
    "RouterLifetimeSec=1800",
    "",
    "[IPv6Prefix]",
    "Prefix=2001:db8:0:8964::/64",
    ...(o.slaac ? [] : ["AddressAutoconfiguration=no"]),
    "",
    "[DHCPServer]",
    "PoolOffset=2",
    "PoolSize=1",
    "EmitDNS=no",
    "",
  ].join("\n");
}

/** A systemd service unit, enabled for multi-user.target. */
export const labUnit = (description: string, body: string[], extra: string[] = []) =>
  [
    "[Unit]",
    `Description=${description}`,
    ...extra,
    "",
    "[Service]",
    ...body,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");

/**
 * The lab's internet: a host on both families behind upstream, with a resolver that answers for
 * lab.test (the inventory's site.dns); `more`: what else it serves (the field lab's mirror).
 */
export function internetHost(more: { files?: Record<string, string>; enable?: string[] } = {}): LabHost {
  return {
    name: "inet",
    interfaces: [
      { name: "eth0", network: "inet", addresses: [`${SITE.inet6}/64`, `${SITE.dns6}/64`, `${SITE.inet4}/24`] },
    ],
    routes: ["-6 route add default via 2001:db8:ffff::1", "-4 route add default via 172.30.0.1"],
    files: {
      "/lib/systemd/system/lab-dns.service": labUnit("The lab internet's resolver (lab.test)", [
        `ExecStart=/usr/sbin/dnsmasq --keep-in-foreground --no-resolv --no-hosts --pid-file= --user=nobody --bind-interfaces --listen-address=${SITE.dns6} --local=/lab.test/ --host-record=${SITE.dnsName},${SITE.inet6},${SITE.inet4}`,
      ]),
      ...more.files,
    },
    enable: ["lab-dns.service", ...(more.enable ?? [])],
  };
}
