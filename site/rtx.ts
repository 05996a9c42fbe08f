// The site's rtx variant: ONE parameter set for the link between the RTX at home and the VPS
// (inventory var `l2tpv3_link`), from which both ends' role parameters are derived, so the
// proposals, the key, the identities and the L2TP identifiers cannot disagree.
import { z, zSecret } from "../src/index.js";
import type { SitePlan } from "./plan/index.js";
import { l2tpv3Peer } from "../roles/l2tpv3-peer/index.js";
import { rtxProposals } from "../roles/l2tpv3-peer/proposals.js";
import { yamahaL2tpv3, yamahaL2tpv3Fields } from "../roles/yamaha-l2tpv3/index.js";

const id = z.number().int().min(1).max(65535);
const word = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, "one word: letters, digits, _ . @ -");
const cookie = z.string().regex(/^([0-9a-fA-F]{8}|[0-9a-fA-F]{16})$/, "8 or 16 hex digits");

/** all.vars.l2tpv3_link: what both ends must agree on. */
export const l2tpv3LinkVar = z.object({
  /** The router's encapsulation: l2tpv3-raw meets the VPS's static `ip l2tp` tunnel. */
  mode: z.enum(["l2tpv3-raw", "l2tpv3"]).default("l2tpv3-raw"),
  psk: zSecret,
  proposals: rtxProposals,
  /** IKE identities as names (key ids); default: the two addresses. */
  names: z.object({ router: word, vps: word }).optional(),
  /** The VPS's static tunnel and session: its own ids, and the router's (peer_*). */
  tunnel_id: id.default(1),
  peer_tunnel_id: id.default(1),
  session_id: id.default(1),
  peer_session_id: id.default(1),
  cookie: cookie.optional(),
  peer_cookie: cookie.optional(),
});
export type L2tpv3Link = z.output<typeof l2tpv3LinkVar>;

/** The router host's own var rtx_l2tpv3: what only the RTX has (its numbering, LAN bridge). */
export const rtxOwnVar = z.object({
  tunnel: z.number().int().min(1).max(100).default(1),
  ipsec: z
    .object({
      gateway: id.default(1),
      policy: id.default(101),
      transport: id.default(1),
      keepalive: z.boolean().default(true),
    })
    .prefault({}),
  /** mode l2tpv3 only: the control connection's settings (see the yamaha-l2tpv3 role). */
  l2tp: yamahaL2tpv3Fields.l2tp,
  bridge: yamahaL2tpv3Fields.bridge,
});
export type RtxOwn = z.output<typeof rtxOwnVar>;

const rtxOf = (plan: SitePlan) => {
  if (!plan.rtx) throw new Error("the rtx variant's plays need site.variant: rtx");
  return plan.rtx;
};

/** The router's end: the yamaha-l2tpv3 role. */
export function routerRole(plan: SitePlan, link: L2tpv3Link, own: RtxOwn) {
  const rtx = rtxOf(plan);
  return yamahaL2tpv3({
    mode: link.mode,
    tunnel: own.tunnel,
    local: rtx.routerAddress,
    remote: plan.uplink.address6,
    ipsec: {
      gateway: own.ipsec.gateway,
      policy: own.ipsec.policy,
      transport: own.ipsec.transport,
      encryption: link.proposals.esp.encryption,
      hash: link.proposals.esp.hash,
      ike: {
        ...link.proposals.ike,
        keepalive: own.ipsec.keepalive,
        localName: link.names?.router,
        remoteName: link.names?.vps,
      },
      psk: link.psk,
    },
    l2tp: own.l2tp,
    bridge: own.bridge,
  });
}

/** The VPS's end: the l2tpv3-peer role; its bridge is the site's downlink. */
export function peerRole(plan: SitePlan, link: L2tpv3Link) {
  const rtx = rtxOf(plan);
  return l2tpv3Peer({
    local: plan.uplink.address6,
    remote: rtx.routerAddress,
    uplink: plan.uplink.interface,
    ipsec: { proposals: link.proposals, psk: link.psk, localName: link.names?.vps, remoteName: link.names?.router },
    l2tp: {
      tunnelId: link.tunnel_id,
      peerTunnelId: link.peer_tunnel_id,
      sessionId: link.session_id,
      peerSessionId: link.peer_session_id,
      cookie: link.cookie,
      peerCookie: link.peer_cookie,
    },
    bridge: {
      name: rtx.bridge,
      addresses: [`${plan.tap.address6}/${plan.homePrefixLength}`, `${plan.tap.ipv4}/${plan.tap.ipv4Length}`],
    },
  });
}
