// deploy init's questions and options: light, read by the command table at every start.
import { type OptionSpec, options } from "../src/cli/options.js";

/** What `deploy init` asks for: the option, the question, and the default (none: it must be given). */
export const FIELDS = [
  ["vps-prefix", "the /64 your provider routes to the VPS", undefined],
  ["uplink-address", "the VPS's own IPv6 address in it", undefined],
  ["uplink-interface", "the VPS's uplink NIC (enp1s0 on Vultr)", "enp1s0"],
  ["home-prefix", "the longer prefix carried home (e.g. PREFIX:8964::/78)", undefined],
  ["hub", "the SoftEther hub (its tap is tap_<hub>)", "VPN"],
  ["tap-ipv4", "the tap's private IPv4 (masqueraded)", "10.89.64.1/24"],
  ["vps-host", "how you reach the VPS (an address or an ssh_config alias)", undefined],
  ["homegw-host", "how you reach the home gateway", undefined],
  ["user", "the login user of your hosts (a cloud image's sudo user)", "debian"],
] as const;

const ARGS: Record<string, string> = {
  "vps-prefix": "P",
  "uplink-address": "A",
  "uplink-interface": "IF",
  "home-prefix": "P",
  hub: "NAME",
  "tap-ipv4": "A/LEN",
  "vps-host": "ADDRESS",
  "homegw-host": "ADDRESS",
  user: "USER",
};

export const INIT_OPTIONS = options({
  ...(Object.fromEntries(
    FIELDS.map(([name, question, dflt]) => [
      name,
      { type: "string", arg: ARGS[name], help: `${question}${dflt ? ` (default ${dflt})` : ""}` },
    ]),
  ) as Record<(typeof FIELDS)[number][0], OptionSpec & { type: "string" }>),
  dns: { type: "string", multiple: true, arg: "A", help: "a resolver the VMs use (as often as needed)" },
  "vpn-server": {
    type: "string",
    arg: "ADDRESS",
    help: "the VPS as the home gateway reaches it (default: --vps-host)",
  },
  vm: {
    type: "string",
    multiple: true,
    arg: "NAME:INDEX[,MAC]",
    help: "a VM, its host index and the MAC of its NIC on the home LAN (default vm1:16)",
  },
});

export const INIT_USAGE = `usage: deploy init [DIR] [--vps-prefix P] [--uplink-address A] [--uplink-interface IF]
                   [--home-prefix P] [--hub NAME] [--tap-ipv4 A/LEN] [--dns A]... [--vm NAME:INDEX[,MAC]]...
                   [--vps-host ADDRESS] [--homegw-host ADDRESS] [--vpn-server ADDRESS] [--user USER]`;
