import {
  apt,
  daemonReload,
  defineRole,
  directory,
  file,
  handler,
  secret,
  service,
  sysctl,
  uplinkAcceptRa,
  unitActive,
  z,
  zSecret,
} from "../../src/index.js";
import { addr6, format6 } from "../../src/net/index.js";
import { l2tpLink, upScript } from "./l2tp-link.js";
import { rtxProposals } from "./proposals.js";
import { swanctlConf } from "./swanctl.js";

const ipv6 = z
  .string()
  .refine((v) => addr6(v) !== undefined, "not an IPv6 address")
  .transform((v) => format6(addr6(v)!));
const ifname = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, "not a Linux interface name (at most 15 characters)");
const id = z.number().int().min(1).max(4294967295);
const cookie = z.string().regex(/^([0-9a-fA-F]{8}|[0-9a-fA-F]{16})$/, "8 or 16 hex digits (a 4- or 8-byte cookie)");
const word = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, "one word: letters, digits, _ . @ -");

export const CONNECTION = "homecloud-l2tpv3";
export const SWANCTL_FILE = `/etc/swanctl/conf.d/${CONNECTION}.conf`;
const UNIT = "homecloud-l2tpv3.service";
const SCRIPT = "/usr/local/lib/homecloud/l2tpv3-up";

/**
 * The VPS end of the older variant: strongSwan's IKE with a transport-mode ESP policy for UDP
 * 1701 to the router, a static L2TPv3 tunnel and session (`ip l2tp`, no control connection: the
 * RTX's `l2tpv3-raw`), and the bridge that carries the home prefix in the tap's place.
 */
export const l2tpv3Peer = defineRole({
  name: "l2tpv3-peer",
  params: z.object({
    /** The VPS uplink's address and the router's, over which IKE, ESP and L2TP run. */
    local: ipv6,
    remote: ipv6,
    uplink: ifname,
    ipsec: z.object({
      proposals: rtxProposals,
      psk: zSecret,
      localName: word.optional(),
      remoteName: word.optional(),
    }),
    l2tp: z.object({
      tunnelId: id.default(1),
      peerTunnelId: id.default(1),
      sessionId: id.default(1),
      peerSessionId: id.default(1),
      cookie: cookie.optional(),
      peerCookie: cookie.optional(),
      device: ifname.default("l2tpeth0"),
    }),
    /** The downlink: the bridge the session joins, with the home prefix's gateway addresses. */
    bridge: z.object({
      name: ifname.default("br-home"),
      /** CIDR, e.g. 2001:db8:0:8964:8964::1/78, 10.89.64.1/24. */
      addresses: z.array(z.string().regex(/^[0-9A-Fa-f.:]+\/\d{1,3}$/, "not an address/prefix length")).min(1),
    }),
  }),
  hop: "l2tp",
  checks: (p) => [
    unitActive("l2tp", "strongswan"),
    {
      hop: "l2tp",
      id: "ike-sa",
      title: `the IKE SA with ${p.remote} is established`,
      script: `swanctl --list-sas --ike ${CONNECTION}`,
      judge: (r) => /ESTABLISHED/.test(r.stdout),
    },
    {
      hop: "l2tp",
      id: "esp-sa",
      title: "the ESP SA for UDP 1701 is installed",
      script: `swanctl --list-sas --ike ${CONNECTION}`,
      judge: (r) => /l2tp: #\d+, reqid \d+, INSTALLED, TRANSPORT/.test(r.stdout),
    },
    {
      hop: "l2tp",
      id: "session",
      title: `L2TP session ${p.l2tp.sessionId} of tunnel ${p.l2tp.tunnelId} exists and ${p.l2tp.device} is in ${p.bridge.name}`,
      script: `ip l2tp show session tunnel_id ${p.l2tp.tunnelId} session_id ${p.l2tp.sessionId} && ip -o link show ${p.l2tp.device}`,
      judge: (r) => new RegExp(`master ${p.bridge.name} `).test(r.stdout),
    },
  ],
  tasks: (p) => {
    const link = {
      local: p.local,
      remote: p.remote,
      ...p.l2tp,
      bridge: p.bridge.name,
      addresses: p.bridge.addresses,
    };
    const load = handler("load the IPsec configuration", "swanctl --load-all --noprompt");
    const reapply = handler("re-apply the L2TPv3 link", `systemctl daemon-reload && systemctl restart ${UNIT}`);
    return [
      apt({ names: ["charon-systemd", "strongswan-swanctl"] }),
      sysctl({ key: "net.ipv6.conf.all.forwarding", value: 1 }),
      sysctl({ key: "net.ipv4.ip_forward", value: 1 }),
      // forwarding turns RA acceptance off; the uplink may learn its default route from RAs:
      // told the way its network stack listens (netplan, networkd, the kernel)
      uplinkAcceptRa({ interface: p.uplink }),
      file({
        path: SWANCTL_FILE,
        mode: "0600",
        content: secret(
          swanctlConf({
            name: CONNECTION,
            local: p.local,
            remote: p.remote,
            localName: p.ipsec.localName,
            remoteName: p.ipsec.remoteName,
            proposals: p.ipsec.proposals,
            psk: p.ipsec.psk,
            startAction: "trap",
          }),
        ),
        notify: load,
      }),
      service({ name: "strongswan", state: "running", enabled: true }),
      // the live link first: on a kernel without L2TP this fails with the reason, in check mode too
      l2tpLink(link),
      directory({ path: "/usr/local/lib/homecloud", mode: "0755" }),
      file({ path: SCRIPT, mode: "0755", content: upScript(link) }),
      file({
        path: `/etc/systemd/system/${UNIT}`,
        content: unitFile(),
        notify: [daemonReload, reapply],
      }),
      service({ name: UNIT, enabled: true, state: "running" }),
    ];
  },
});

function unitFile(): string {
  return `# Managed by homecloud-deploy (role l2tpv3-peer)
[Unit]
Description=L2TPv3 link to the home router, bridged
After=network-online.target strongswan.service
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${SCRIPT}

[Install]
WantedBy=multi-user.target
`;
}

export default l2tpv3Peer;
