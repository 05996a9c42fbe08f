import { keys, quote, type Resource, type Step, type Task, task } from "../../src/index.js";

export interface L2tpLinkInput {
  local: string;
  remote: string;
  tunnelId: number;
  peerTunnelId: number;
  sessionId: number;
  peerSessionId: number;
  /** Hex, 8 or 16 digits: the cookie this end sends (cookie) and expects (peerCookie). */
  cookie?: string;
  peerCookie?: string;
  /** The session's ethernet device, e.g. l2tpeth0. */
  device: string;
  /** The bridge that carries the home prefix, and its addresses (CIDR). */
  bridge: string;
  addresses: string[];
}

export const NO_L2TP =
  "this kernel has no L2TP support: `ip l2tp` cannot reach the kernel's L2TP netlink family (modules l2tp_netlink, l2tp_eth). Load them or use a kernel that has them; nothing of the tunnel was made";

/**
 * The shell that makes the static tunnel, its session and the bridge: run by the role when the
 * live state differs, and by the unit at every boot. Each piece is made only when missing or
 * different, so running it again changes nothing.
 */
export function upScript(l: L2tpLinkInput): string {
  const [b, d] = [quote(l.bridge), quote(l.device)];
  const t = `tunnel_id ${l.tunnelId}`;
  const cookies = l.cookie ? ` cookie ${l.cookie}` : "";
  const peerCookies = l.peerCookie ? ` peer_cookie ${l.peerCookie}` : "";
  return `#!/bin/sh
# Managed by homecloud-deploy (role l2tpv3-peer): the L2TPv3 link to the router, bridged.
set -e
if ! ip l2tp show tunnel >/dev/null 2>&1; then
  echo ${quote(NO_L2TP)} >&2
  exit 3
fi
ip link show ${b} >/dev/null 2>&1 || ip link add ${b} type bridge
ip link set ${b} up
${l.addresses.map((a) => `ip address replace ${a} dev ${b}`).join("\n")}
if ! ip l2tp show tunnel ${t} | grep -qxF ${quote(tunnelLine(l))}; then
  ip l2tp del tunnel ${t} 2>/dev/null || true
  ip l2tp add tunnel ${t} peer_tunnel_id ${l.peerTunnelId} encap udp local ${l.local} remote ${l.remote} udp_sport 1701 udp_dport 1701
fi
if ! ip l2tp show session ${t} session_id ${l.sessionId} | grep -qxF ${quote(sessionLine(l))}; then
  ip l2tp del session ${t} session_id ${l.sessionId} 2>/dev/null || true
  ip l2tp add session name ${d} ${t} session_id ${l.sessionId} peer_session_id ${l.peerSessionId}${cookies}${peerCookies}
fi
ip link set ${d} master ${b}
ip link set ${d} up
`;
}

/** The lines of `ip l2tp show` that say the tunnel and the session are the ones wanted. */
const tunnelLine = (l: L2tpLinkInput) => `  From ${l.local} to ${l.remote}`;
const sessionLine = (l: L2tpLinkInput) => `  Peer session ${l.peerSessionId}, tunnel ${l.peerTunnelId}`;

interface LinkState {
  supported: boolean;
  tunnel: boolean;
  session: boolean;
  bridged: boolean;
  missing: string[];
}

/** The live tunnel, session and bridge, read with `ip l2tp show` and `ip link`/`ip addr`. */
export function l2tpLink(l: L2tpLinkInput): Task {
  const [b, d] = [quote(l.bridge), quote(l.device)];
  const t = `tunnel_id ${l.tunnelId}`;
  const resource: Resource<LinkState> = {
    kind: "l2tp",
    name: `l2tp tunnel ${l.tunnelId} session ${l.sessionId} to ${l.remote} (${l.device} in ${l.bridge})`,
    reads: [
      keys.state("interface", l.bridge),
      keys.state("interface", l.device),
      keys.state("l2tp", String(l.tunnelId)),
    ],
    writes: [
      keys.state("interface", l.bridge),
      keys.state("interface", l.device),
      keys.state("l2tp", String(l.tunnelId)),
    ],
    probe: () =>
      [
        `if ip l2tp show tunnel >/dev/null 2>&1; then echo supported; else echo unsupported; fi`,
        `ip l2tp show tunnel ${t} 2>/dev/null | grep -qxF ${quote(tunnelLine(l))} && echo tunnel-ok`,
        `ip l2tp show session ${t} session_id ${l.sessionId} 2>/dev/null | grep -qxF ${quote(sessionLine(l))} && echo session-ok`,
        `ip -o link show ${d} 2>/dev/null | grep -q ' master '${b}' ' && echo bridged`,
        `echo "addresses $(ip -o addr show dev ${b} 2>/dev/null | awk '{print $4}' | tr '\\n' ' ')"`,
        "true",
      ].join("\n"),
    parse: (out) => {
      const lines = out.split("\n");
      const have = (lines.find((x) => x.startsWith("addresses ")) ?? "").split(/\s+/).slice(1);
      return {
        supported: lines[0] === "supported",
        tunnel: lines.includes("tunnel-ok"),
        session: lines.includes("session-ok"),
        bridged: lines.includes("bridged"),
        missing: l.addresses.filter((a) => !have.includes(a)),
      };
    },
    steps: (cur): Step[] => {
      if (!cur.supported) throw new Error(NO_L2TP);
      const wrong = [
        ...(cur.tunnel ? [] : [`tunnel ${l.tunnelId}`]),
        ...(cur.session ? [] : [`session ${l.sessionId}`]),
        ...(cur.bridged ? [] : [`${l.device} in ${l.bridge}`]),
        ...cur.missing.map((a) => `${a} on ${l.bridge}`),
      ];
      return wrong.length ? [{ why: `make ${wrong.join(", ")}`, script: upScript(l) }] : [];
    },
  };
  return task(resource, {});
}
