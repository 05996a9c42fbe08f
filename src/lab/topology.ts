/** A lab described as data: hosts, the links between them, their addresses. */
export interface LabInterface {
  /** Name inside the host, e.g. "enp1s0". */
  name: string;
  /** The lab network (a bridge in the lab's switch namespace) it plugs into. */
  network: string;
  /** Addresses configured before boot (provider side only), CIDR form. */
  addresses?: string[];
  /** A fixed MAC address (so its link-local address is known, e.g. the provider's router). */
  mac?: string;
  /** Turn TSO/GSO off (SoftEther local bridges on veth need it). */
  noOffload?: boolean;
}

export interface LabHost {
  name: string;
  interfaces: LabInterface[];
  /** `ip route` arguments run in the host's namespace before boot, e.g. "-6 default via 2001:db8::1". */
  routes?: string[];
  /** net.* sysctls set in the host's namespace before boot. */
  sysctls?: Record<string, string>;
  /**
   * The host's image: files written into its root before the first boot (path under /, text;
   * mode 0600 for paths ending .yaml or .nmconnection, as netplan and NetworkManager want) and
   * units enabled (e.g. its network stack: NetworkManager, networking, systemd-networkd).
   */
  files?: Record<string, string>;
  enable?: string[];
  /** A shell test inside the host that must pass before `lab up` returns (e.g. a DHCP lease). */
  ready?: string;
  /**
   * A cloud image's login: this user with NOPASSWD sudo and the lab key, root login off (as
   * Ubuntu's and Debian's cloud images come). Without it: root logs in with the lab key.
   */
  login?: string;
  /**
   * false: no management link at all (a host that must reach the others only the way it would in
   * the field, e.g. a user's laptop at home); lab up then waits for its `ready` test, not its sshd.
   */
  management?: boolean;
}

export interface LabTopology {
  name: string;
  hosts: LabHost[];
}

/** Whether a host of the topology has a management link (see LabHost.management). */
export function isManaged(topology: LabTopology, name: string): boolean {
  return topology.hosts.find((x) => x.name === name)?.management !== false;
}

export const MGMT_PREFIX = "10.231.0";
export const MGMT_GATEWAY = `${MGMT_PREFIX}.1`;

/** Management address of the i-th host (0-based): reachable from this machine only. */
export function mgmtAddress(index: number): string {
  if (index > 200) throw new Error("the lab supports at most 200 hosts");
  return `${MGMT_PREFIX}.${index + 10}`;
}

/** N plain hosts h1..hN on one LAN bridge with private IPv4 and documentation IPv6. */
export function plainTopology(count: number): LabTopology {
  if (!Number.isInteger(count) || count < 1 || count > 200)
    throw new Error(`--hosts must be a whole number from 1 to 200, not ${count}`);
  return {
    name: `plain-${count}`,
    hosts: Array.from({ length: count }, (_, i) => ({
      name: `h${i + 1}`,
      interfaces: [
        {
          name: "eth1",
          network: "lan",
          addresses: [`10.232.0.${i + 10}/24`, `2001:db8:100::${(i + 10).toString(16)}/64`],
        },
      ],
    })),
  };
}
