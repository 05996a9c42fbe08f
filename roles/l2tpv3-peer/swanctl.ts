import { reveal, type Secret } from "../../src/index.js";
import { type RtxProposals, strongswanProposals } from "./proposals.js";

export interface SwanctlInput {
  /** The connection's name in swanctl (also the secret's). */
  name: string;
  local: string;
  remote: string;
  /** IKE identities; default: the addresses. A name is sent as a key id (the RTX's `key-id`). */
  localName?: string;
  remoteName?: string;
  proposals: RtxProposals;
  psk: Secret;
  /** trap: the first L2TP packet brings the SA up; start: initiate at load (the RTX's side). */
  startAction: "trap" | "start";
}

const identity = (address: string, name?: string) => (name ? `keyid:${name}` : address);

/**
 * One IKEv1 connection (the RTX's `ipsec ike` speaks IKEv1 unless told otherwise) with a
 * transport-mode child for UDP 1701 between the two addresses, and its pre-shared key. The key
 * is written base64-encoded (swanctl's `0s` form): no quoting of what the user chose.
 */
export function swanctlConf(c: SwanctlInput): string {
  const p = strongswanProposals(c.proposals);
  const lid = identity(c.local, c.localName);
  const rid = identity(c.remote, c.remoteName);
  return `# Managed by homecloud-deploy (role l2tpv3-peer)
connections {
  ${c.name} {
    version = 1
    local_addrs = ${c.local}
    remote_addrs = ${c.remote}
    proposals = ${p.ike}
    dpd_delay = 30s
    local {
      auth = psk
      id = ${lid}
    }
    remote {
      auth = psk
      id = ${rid}
    }
    children {
      l2tp {
        mode = transport
        local_ts = dynamic[udp/1701]
        remote_ts = dynamic[udp/1701]
        esp_proposals = ${p.esp}
        start_action = ${c.startAction}
        dpd_action = restart
      }
    }
  }
}
secrets {
  ike-${c.name} {
    id-local = ${lid}
    id-remote = ${rid}
    secret = 0s${Buffer.from(reveal(c.psk), "utf8").toString("base64")}
  }
}
`;
}
