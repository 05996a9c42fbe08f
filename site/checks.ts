// What `deploy verify playbooks/site.ts` checks beyond each role's own checks: the paths between
// hosts (the VMs' own in vm-checks.ts). Addresses come from the site plan; vantage points from the inventory:
//   verify_from: a host outside the site (the internet's view: firewall openings, NAT)
//   verify_link_from: a host on the VPS uplink's link (the provider's router's view: NDP)
//   verify_outside_ipv6 / verify_outside_ipv4: an address outside the site the VMs should reach
//   verify_resolve: a name the VMs' resolvers (site.dns) answer
import {
  type HostContext,
  type Hop,
  type Secret,
  type VerifyCheck,
  commandLine,
  pingCheck,
  quote,
  tcpCheck,
  vpncmdScript,
} from "../src/index.js";
import { addr6, parsePrefix6, inPrefix6 } from "../src/net/index.js";
import type { SitePlan } from "./plan/index.js";

export const SITE_HOPS: Hop[] = [
  {
    id: "uplink",
    title: "the VPS uplink: address, default route, forwarding, RAs",
    hint: "the provider's address and route on the VPS; forwarding and accept_ra come from tap-bridge",
    tags: ["tap-bridge"],
  },
  {
    id: "host-firewall",
    title: "ufw or firewalld on the VPS: the site's traffic allowed through them",
    hint: "a firewall of the provider's image drops what it does not allow, whatever our nftables table accepts",
    tags: ["firewall"],
  },
  { id: "softether", title: "SoftEther VPN server on the VPS: hub and local bridge", tags: ["softether-server"] },
  // the rtx variant: the router's tunnel config, then the link as the VPS sees it
  { id: "rtx", title: "the RTX's tunnel configuration (over its CLI)", tags: ["yamaha-l2tpv3"] },
  {
    id: "l2tp",
    title: "the L2TPv3/IPsec link on the VPS: IKE and ESP SAs, the session in the downlink bridge",
    hint: "swanctl --list-sas and the charon log on the VPS (journalctl -u strongswan); ip l2tp show session",
    tags: ["l2tpv3-peer"],
  },
  {
    id: "tap",
    title: "the tap's addresses on the VPS",
    after: ["softether"],
    hint: "homecloud-tap-*.service puts them back at each start of vpnserver",
    tags: ["tap-bridge"],
  },
  {
    id: "cascade",
    title: "the cascade from the home gateway to the VPS hub",
    after: ["softether"],
    hint: "the cascade's status on the home gateway (vpncmd CascadeStatusGet), the VPS's listener on 443, the watchdog",
    tags: ["softether-cascade"],
  },
  {
    id: "radvd",
    title: "radvd: the home prefix advertised to the VMs",
    after: ["tap"],
    hint: "radvd on the VPS's tap; RAs cross the cascade to the home LAN",
    tags: ["radvd"],
  },
  {
    id: "ndp",
    title: "NDP proxy: the VPS answers for the VMs' addresses on its uplink",
    hint: "ndppd's rules on the uplink; without them the provider cannot deliver to the home prefix",
    tags: ["ndppd"],
  },
  { id: "vm", title: "the VMs' static addresses and default routes", tags: ["static-address"] },
  {
    id: "reach",
    title: "the VMs reach the VPS and back",
    after: ["tap", "cascade"],
    hint: "with addresses and routes right, look at the home gateway's bridge and the cascade",
    tags: ["static-address", "softether-cascade"],
  },
  { id: "firewall", title: "the VPS's nftables table and what it lets in", tags: ["firewall"] },
  { id: "nat", title: "IPv4 through the VPS's NAT", after: ["tap", "cascade"], tags: ["firewall", "tap-bridge"] },
];

/** A port the firewall must not let in to this VM: the first of a few that the VM does not open. */
const notOpened = (vm: SitePlan["vms"][number]) =>
  [9090, 8081, 5000, 12345].find((p) => !vm.open.some((o) => o.proto === "tcp" && o.port === p))!;

export const vantageAddress = (host: HostContext, key: string) => {
  const v = host.vars[key];
  return typeof v === "string" && v ? v : undefined;
};

/** Checks made from the VPS play: the cascade seen from the hub, NDP, the VPS reaching the VMs, the firewall from outside. */
/** The VPS's checks; the hub's admin password and home user in the softether variant only. */
export function siteVpsChecks(_host: HostContext, p: SitePlan, admin?: Secret, homeUser?: string): VerifyCheck[] {
  const userRow = new RegExp(`^[^,\\n]*,[^,\\n]*,[^,\\n]*,${homeUser},`, "m");
  const checks: VerifyCheck[] = [
    ...(admin && homeUser
      ? [
          {
            hop: "cascade",
            id: "session-on-hub",
            title: `the home gateway's cascade (user ${homeUser}) is a session on hub ${p.hub}`,
            ...vpncmdScript({ port: 5555, password: admin, hub: p.hub, command: ["SessionList"] }),
            judge: (r: { stdout: string }) => userRow.test(r.stdout),
          },
        ]
      : []),
    ...(admin && homeUser ? softetherFromOutside(p) : []),
    ...(p.uplink.router ? [uplinkRouterOnly(p.uplink.interface, p.uplink.router)] : []),
    {
      hop: "ndp",
      id: "rules-cover-vms",
      ...(p.ndpProxy === "kernel"
        ? {
            title: `a kernel NDP proxy entry on ${p.uplink.interface} covers every VM address`,
            script: `ip -6 neigh show proxy dev ${quote(p.uplink.interface)} | cut -d' ' -f1`,
            show: `ip -6 neigh show proxy dev ${p.uplink.interface}`,
          }
        : {
            title: `an ndppd rule on ${p.uplink.interface} covers every VM address`,
            script: "sed -n 's/^[[:space:]]*rule[[:space:]]\\{1,\\}\\([^[:space:]]*\\).*/\\1/p' /etc/ndppd.conf",
            show: "rules in /etc/ndppd.conf",
          }),
      judge: (r) => {
        const rules = r.stdout.split("\n").filter(Boolean);
        const covered = (a: string) =>
          rules.some((rule) => {
            const pre = parsePrefix6(rule.includes("/") ? rule : `${rule}/128`);
            const v = addr6(a);
            return typeof pre !== "string" && v !== undefined && inPrefix6(v, pre);
          });
        const missing = p.vms.filter((vm) => !covered(vm.address6)).map((vm) => vm.address6);
        return {
          ok: r.code === 0 && !missing.length,
          note: missing.length ? `not covered: ${missing.join(", ")}` : undefined,
        };
      },
    },
  ];
  for (const vm of p.vms) {
    // the vantage's own kernel solicits: its entry for the address is flushed first (volatile
    // state, no file), so the answer seen is a fresh one
    checks.push({
      hop: "ndp",
      id: `ns-${vm.name}`,
      title: `a neighbour solicitation for ${vm.name}'s ${vm.address6} is answered on the uplink's link`,
      on: { vantage: "verify_link_from" },
      script: [
        `a=${quote(vm.address6)}`,
        `dev=$(ip -6 route get "$a" | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p')`,
        'ip -6 neigh flush to "$a" dev "$dev"',
        'ping -6 -n -c 1 -w 3 "$a" >/dev/null 2>&1',
        'ip -6 neigh show to "$a" dev "$dev"',
      ].join("\n"),
      show: `ip -6 neigh flush to ${vm.address6}; ping -c1 ${vm.address6}; ip -6 neigh show to ${vm.address6}`,
      judge: (r) => /lladdr/.test(r.stdout) && !/FAILED|INCOMPLETE/.test(r.stdout),
    });
    checks.push(
      pingCheck(
        {
          hop: "reach",
          id: `vps-to-${vm.name}`,
          title: `the VPS reaches ${vm.name} at ${vm.address6}`,
          after: [`vm@${vm.name}`],
        },
        vm.address6,
      ),
    );
    for (const o of vm.open) {
      const base = {
        hop: "firewall",
        id: `open-${vm.name}-${o.proto}-${o.port}`,
        title: `from outside, ${vm.name} is reached on allowed ${o.proto}/${o.port}`,
        on: { vantage: "verify_from" },
        after: [`reach@${vm.name}`, "ndp"],
      };
      checks.push(
        o.proto === "tcp"
          ? tcpCheck(base, vm.address6, o.port, "reached")
          : {
              ...base,
              script: "true",
              skip: "a UDP opening cannot be proven from outside without a listener on the VM",
            },
      );
    }
    const closed = notOpened(vm);
    checks.push(
      tcpCheck(
        {
          hop: "firewall",
          id: `closed-${vm.name}-tcp-${closed}`,
          title: `from outside, ${vm.name}'s tcp/${closed} (not allowed) is filtered`,
          on: { vantage: "verify_from" },
          after: [`reach@${vm.name}`, "ndp"],
        },
        vm.address6,
        closed,
        "filtered",
      ),
    );
  }
  return checks;
}

/**
 * The VPN server as the internet sees it: administration refused before any password (the
 * server's source IP restriction, adminip.txt), and none of SoftEther's other default TCP
 * listeners answering. Made from the verify_from vantage point, which needs vpncmd for the first.
 */
function softetherFromOutside(p: SitePlan): VerifyCheck[] {
  const at = `[${p.uplink.address6}]:443`;
  const on = { vantage: "verify_from" };
  return [
    {
      hop: "softether",
      id: "admin-refused-outside",
      title: `from outside, SoftEther administration on ${at} is refused before any password`,
      on,
      // a wrong password on purpose: the refusal must come before the password is looked at
      script: `command -v vpncmd >/dev/null || { echo "no vpncmd"; exit 0; }; printf 'not-the-password\\n' | timeout 15 vpncmd ${quote(at)} /SERVER /CSV /CMD About 2>&1 | tail -3`,
      show: `vpncmd ${at} /SERVER /CMD About (with a wrong password)`,
      judge: (r) => {
        if (/^no vpncmd/m.test(r.stdout))
          return { ok: false, note: "vpncmd is not installed on the vantage point (apt install softether-vpncmd)" };
        if (/Error code: 109\)/.test(r.stdout)) return { ok: true, note: "refused: source IP restriction" };
        if (/Access has been denied|Error code: 9\)/.test(r.stdout))
          return { ok: false, note: "the server asked for the password: administration is open to the internet" };
        return { ok: false, note: "no refusal seen" };
      },
    },
    {
      // the firewall's work (vpnserver itself listens on 5555): in its hop, so an emptied table is named "firewall"
      hop: "firewall",
      id: "softether-ports-filtered",
      title: `from outside, SoftEther's other default ports tcp/992, 1194, 5555 do not answer on the uplink`,
      on,
      // the three at once: each waits its 4 s for an answer that must not come. Each prints its
      // lines in ONE write: nc writes its message in pieces, and three at once would interleave
      script: [992, 1194, 5555]
        .map(
          (port) =>
            `(out=$(timeout 8 nc -v -z -w 4 ${quote(p.uplink.address6)} ${port} 2>&1); rc=$?; printf '%s\\nnc %s exit %s\\n' "$out" ${port} "$rc") &`,
        )
        .concat("wait")
        .join("\n"),
      show: `nc -v -z -w 4 ${p.uplink.address6} 992|1194|5555`,
      judge: (r) => {
        if (/not found/.test(r.stdout)) return { ok: false, note: "nc (netcat) is not installed on the vantage point" };
        // "Connection to A 5555 port [tcp/*] succeeded!", "connect to A port 5555 (tcp) failed: Connection refused"
        const answered = [992, 1194, 5555].filter((port) =>
          r.stdout
            .split("\n")
            .some((l) => (l.includes(` ${port} `) || l.includes(`port ${port} `)) && /succeeded|open|refused/i.test(l)),
        );
        const ran = [992, 1194, 5555].every((port) => new RegExp(`^nc ${port} exit`, "m").test(r.stdout));
        if (!ran) return { ok: false, note: "not every probe finished" };
        return {
          ok: !answered.length,
          note: answered.length ? `answered: ${answered.join(", ")}` : "no answer on any: filtered",
        };
      },
    },
  ];
}

/**
 * Only the provider's router is the VPS's IPv6 default router. (The rule that drops other
 * stations' RAs is the firewall's: its hop checks the table as deployed.)
 */
function uplinkRouterOnly(uplink: string, router: string): VerifyCheck {
  return {
    hop: "uplink",
    id: "default-router-is-the-providers",
    title: `the IPv6 default route on ${uplink} goes via the provider's router ${router} only`,
    script: commandLine("ip", "-6", "route", "show", "default"),
    judge: (r) => {
      const vias = [...r.stdout.matchAll(/via (\S+) dev (\S+)/g)].filter((m) => m[2] === uplink).map((m) => m[1]);
      const others = vias.filter((v) => v !== router);
      if (others.length) return { ok: false, note: `another default router on ${uplink}: ${others.join(", ")}` };
      return { ok: vias.length > 0, note: vias.length ? undefined : `no default route via ${router} on ${uplink}` };
    },
  };
}
