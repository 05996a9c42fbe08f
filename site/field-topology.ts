import { LAB_DEBS, packagesIndex } from "../src/lab/apt-index.js";
import type { LabHost, LabTopology } from "../src/lab/topology.js";
import { internetHost, labUnit, providerLink, SITE } from "./lab-topology.js";

/**
 * The site as a user meets it, for the field rehearsal (scripts/rehearse.sh): the deploy runs on
 * a laptop at home, which reaches the hosts only the way a user's laptop does. It has no
 * management link; the others keep theirs for `lab exec` and teardown only.
 *
 *   inet (resolver, Debian mirror) ── upstream ── vps (enp1s0: DHCPv4, SLAAC; ufw; sudo user)
 *                                        └── home (IPv4 NAT, no IPv6) ── house LAN: laptop, homegw
 *   homegw (ens19) ── closed LAN ── vm1..vm4 (ens18; each on another network stack)
 *
 * The VPS and the home gateway come as fresh images: the site's packages not installed, no apt
 * lists, the lab's mirror as their only source, and (the VPS) unattended-upgrades holding the
 * dpkg lock for a while after boot.
 */
export const FIELD = {
  mirror: `${SITE.inet4}`,
  vpsMac: "02:00:00:00:00:02",
  /** The VPS's SLAAC address (EUI-64 of its MAC) and its DHCPv4 address. */
  vpsUplink6: "2001:db8:0:8964:0:ff:fe00:2",
  vpsUplink4: SITE.vpsUplink4,
  laptop4: "192.168.1.10",
  homegw4: "192.168.1.20",
  vmMac: (i: number) => `02:00:00:00:01:0${i}`,
  /** What a fresh image lacks: the site installs these from the mirror. */
  vpsPackages: ["softether-vpnserver", "softether-vpncmd", "softether-common", "radvd", "ndppd"],
  homegwPackages: ["softether-vpnserver", "softether-vpncmd", "softether-common"],
} as const;

const unit = labUnit;

/** A fresh cloud image as far as `packages` go: purged, no apt lists, the lab's mirror the only source (once). */
function freshImage(packages: readonly string[]): Record<string, string> {
  return {
    "/usr/local/sbin/lab-fresh-image": [
      "#!/bin/sh",
      "set -e",
      `DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ${packages.join(" ")} >/dev/null 2>&1 || true`,
      "rm -rf /etc/apt/sources.list.d/* /var/lib/apt/lists/* /var/cache/apt/*.bin",
      `echo 'deb [trusted=yes] http://${FIELD.mirror}/ ./' > /etc/apt/sources.list`,
      "touch /var/lib/lab-fresh-image.done",
      "",
    ].join("\n"),
    "/lib/systemd/system/lab-fresh-image.service": unit(
      "The provider's image: the site's packages not installed, no apt lists",
      ["Type=oneshot", "ExecStart=/bin/sh /usr/local/sbin/lab-fresh-image"],
      ["ConditionPathExists=!/var/lib/lab-fresh-image.done", "Before=ssh.service"],
    ),
  };
}

/** A closed-LAN VM on one network stack: NIC ens18 (Proxmox's name), its MAC fixed. */
function vm(i: number, files: Record<string, string>, enable: string[]): LabHost {
  return {
    name: `vm${i}`,
    interfaces: [{ name: "ens18", network: "closed", noOffload: true, mac: FIELD.vmMac(i) }],
    files,
    enable,
    login: "debian",
  };
}

export function fieldTopology(): LabTopology {
  return {
    name: "field",
    hosts: [
      internetHost({
        files: {
          // a Debian mirror (flat, trusted): the .deb files setup.sh downloaded, and their index
          // (linked under names without the "%3a" of an epoch: the web server would decode it)
          "/srv/mirror/Packages": packagesIndex(LAB_DEBS, "./debs/", (f) => f.replaceAll("%3a", "_")),
          "/usr/local/sbin/lab-mirror-links": [
            "mkdir -p /srv/mirror/debs",
            `for f in ${LAB_DEBS}/*.deb; do ln -sf "$f" "/srv/mirror/debs/$(basename "$f" | sed 's/%3a/_/g')"; done`,
            "",
          ].join("\n"),
          "/lib/systemd/system/lab-mirror.service": unit("A Debian mirror", [
            "ExecStartPre=/bin/sh /usr/local/sbin/lab-mirror-links",
            `ExecStart=/usr/bin/python3 -m http.server 80 --bind ${SITE.inet4} --directory /srv/mirror`,
          ]),
        },
        enable: ["lab-mirror.service"],
      }),
      {
        name: "upstream",
        interfaces: [
          { name: "eth-inet", network: "inet", addresses: ["2001:db8:ffff::1/64", "172.30.0.1/24"] },
          { name: "eth-vps", network: "vpsnet", mac: "02:00:00:00:00:01" },
          // the home's IPv4-only line
          { name: "eth-home", network: "isp", addresses: ["172.29.0.1/24"] },
        ],
        sysctls: { "net.ipv6.conf.all.forwarding": "1", "net.ipv4.ip_forward": "1" },
        files: {
          // the provider: RAs with the /64 for SLAAC (as Vultr's), DHCPv4 for the one IPv4
          "/etc/systemd/network/10-eth-vps.network": providerLink({ slaac: true }),
        },
        enable: ["systemd-networkd.service"],
      },
      {
        name: "vps",
        interfaces: [{ name: "enp1s0", network: "vpsnet", mac: FIELD.vpsMac }],
        files: {
          // what cloud-init writes on Vultr: DHCPv4 and SLAAC
          "/etc/netplan/50-cloud-init.yaml": [
            "# written by cloud-init (the lab's stand-in)",
            "network:",
            "  version: 2",
            "  ethernets:",
            "    enp1s0:",
            "      dhcp4: true",
            "      accept-ra: true",
            "",
          ].join("\n"),
          "/lib/systemd/system/lab-provider-ufw.service": unit(
            "The provider's image: ufw enabled, SSH allowed",
            [
              "Type=oneshot",
              "ExecStart=/bin/sh -c 'ufw allow 22/tcp && ufw --force enable && touch /var/lib/lab-provider-ufw.done'",
            ],
            ["After=ufw.service", "ConditionPathExists=!/var/lib/lab-provider-ufw.done"],
          ),
          // unattended-upgrades' first run after boot holds dpkg's lock (a POSIX lock, as apt takes it):
          // the first deploy meets it
          "/usr/local/lib/lab/unattended-upgrade": [
            "import fcntl, time",
            'lock = open("/var/lib/dpkg/lock-frontend", "w")',
            "fcntl.lockf(lock, fcntl.LOCK_EX)",
            "time.sleep(45)",
            "",
          ].join("\n"),
          "/lib/systemd/system/lab-unattended.service": unit(
            "unattended-upgrades' first run, holding the dpkg lock for 45 s",
            ["Type=simple", "ExecStart=/usr/bin/python3 /usr/local/lib/lab/unattended-upgrade"],
            ["After=lab-fresh-image.service"],
          ),
          ...freshImage(FIELD.vpsPackages),
        },
        enable: [
          "systemd-networkd.service",
          "lab-provider-ufw.service",
          "lab-fresh-image.service",
          "lab-unattended.service",
        ],
        login: "debian",
        ready: [
          `ip -4 -o addr show dev enp1s0 | grep -q ' ${FIELD.vpsUplink4}/'`,
          `ip -6 -o addr show dev enp1s0 | grep -q ' ${FIELD.vpsUplink6}/64'`,
          "ufw status | grep -q 'Status: active'",
          "[ -e /var/lib/lab-fresh-image.done ]",
        ].join(" && "),
      },
      {
        // the home router: IPv4 NAT to the ISP line, no IPv6 (the premise of the whole site)
        name: "home",
        interfaces: [
          { name: "eth-wan", network: "isp", addresses: ["172.29.0.2/24"] },
          { name: "eth-lan", network: "house", addresses: ["192.168.1.1/24"] },
        ],
        routes: ["-4 route add default via 172.29.0.1"],
        sysctls: { "net.ipv4.ip_forward": "1", "net.ipv6.conf.all.disable_ipv6": "1" },
        files: {
          "/etc/lab-nat.nft": [
            "table ip lab_nat {",
            "  chain postrouting {",
            "    type nat hook postrouting priority srcnat; policy accept;",
            '    oifname "eth-wan" masquerade',
            "  }",
            "}",
            "",
          ].join("\n"),
          "/lib/systemd/system/lab-nat.service": unit("The home router's NAT", [
            "Type=oneshot",
            "RemainAfterExit=yes",
            "ExecStart=/usr/sbin/nft -f /etc/lab-nat.nft",
          ]),
        },
        enable: ["lab-nat.service"],
      },
      {
        // the user's laptop: the controller. Only the house LAN: no management link at all
        name: "laptop",
        interfaces: [{ name: "eth0", network: "house", addresses: [`${FIELD.laptop4}/24`] }],
        routes: ["-4 route add default via 192.168.1.1"],
        sysctls: { "net.ipv6.conf.all.disable_ipv6": "1" },
        management: false,
        ready: "systemctl is-active -q multi-user.target",
      },
      {
        name: "homegw",
        interfaces: [
          { name: "eth0", network: "house", addresses: [`${FIELD.homegw4}/24`] },
          { name: "ens19", network: "closed", noOffload: true },
        ],
        routes: ["-4 route add default via 192.168.1.1"],
        files: freshImage(FIELD.homegwPackages),
        enable: ["lab-fresh-image.service"],
        login: "debian",
        ready: "[ -e /var/lib/lab-fresh-image.done ]",
      },
      vm(1, {}, []),
      vm(
        2,
        { "/etc/netplan/50-cloud-init.yaml": "network:\n  version: 2\n  ethernets:\n    ens18:\n      dhcp4: true\n" },
        ["systemd-networkd.service"],
      ),
      vm(3, { "/etc/NetworkManager/conf.d/00-lab.conf": "[keyfile]\nunmanaged-devices=interface-name:mgmt0\n" }, [
        "NetworkManager.service",
      ]),
      vm(4, { "/etc/network/interfaces.d/ens18": "auto ens18\niface ens18 inet manual\n" }, ["networking.service"]),
    ],
  };
}
