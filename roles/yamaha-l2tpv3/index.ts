import { defineRole, reveal, rtxTunnel, z, zSecret } from "../../src/index.js";
import { addr4, addr6 } from "../../src/net/index.js";

const ipv4 = z.string().refine((v) => addr4(v) !== undefined, "not an IPv4 address (router ids are in IPv4 form)");
/** IPv6 literal or FQDN */
const endpoint = z
  .string()
  .refine(
    (v) => addr6(v) !== undefined || /^(?=.{1,253}$)([a-zA-Z0-9-]{1,63}\.)+[a-zA-Z]{2,63}$/.test(v),
    "not an IPv6 address or a domain name",
  );
const word = z.string().regex(/^[^\s"']{1,64}$/, "one word, no spaces or quotes");
const id = z.number().int().min(1).max(65535);

/**
 * The older variant of the site: a YAMAHA RTX router at home with an L2TPv3/IPsec tunnel
 * over IPv6 to the VPS, bridged with its LAN.
 */
const paramsObject = z.object({
  /**
   * l2tpv3: the L2TPv3 control connection (another RTX, or a control daemon, is the peer).
   * l2tpv3-raw: no control connection; the peer is a static Linux `ip l2tp` tunnel.
   */
  mode: z.enum(["l2tpv3", "l2tpv3-raw"]).default("l2tpv3"),
  tunnel: z.number().int().min(1).max(100).default(1),
  local: endpoint,
  remote: endpoint,
  ipsec: z.object({
    gateway: id.default(1),
    policy: id.default(101),
    transport: id.default(1),
    encryption: z.enum(["aes-cbc", "aes256-cbc", "3des-cbc"]).default("aes-cbc"),
    hash: z.enum(["sha-hmac", "sha256-hmac", "md5-hmac"]).default("sha-hmac"),
    ike: z
      .object({
        encryption: z.enum(["aes-cbc", "aes256-cbc", "3des-cbc"]).optional(),
        hash: z.enum(["sha", "sha256", "md5"]).optional(),
        group: z.enum(["modp768", "modp1024", "modp1536", "modp2048"]).optional(),
        keepalive: z.boolean().default(true),
        /** IKE identities: addresses (default: the endpoints) or names (key-id). */
        localName: word.optional(),
        remoteName: word.optional(),
      })
      .default({ keepalive: true }),
    psk: zSecret,
  }),
  /** The control connection's settings: required in mode l2tpv3, refused in l2tpv3-raw. */
  l2tp: z
    .object({
      hostname: word,
      authSecret: zSecret.optional(),
      keepalive: z.boolean().default(true),
      localRouterId: ipv4,
      remoteRouterId: ipv4,
      remoteEndId: word,
    })
    .optional(),
  /** e.g. { name: "bridge1", members: ["lan1"], address: "192.168.100.1/24" }; null: not bridged. */
  bridge: z
    .object({
      name: z.string().regex(/^bridge\d+$/),
      members: z.array(z.string().regex(/^(lan|tunnel)\d+$/)).min(1),
      address: z
        .string()
        .regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/)
        .optional(),
    })
    .nullable()
    .default(null),
});
/** The parameters' fields, for a playbook that takes some of them from elsewhere (site-rtx.ts). */
export const yamahaL2tpv3Fields = paramsObject.shape;

export const yamahaL2tpv3 = defineRole({
  name: "yamaha-l2tpv3",
  params: paramsObject.superRefine((p, ctx) => {
    if (p.mode === "l2tpv3" && !p.l2tp)
      ctx.addIssue({
        code: "custom",
        path: ["l2tp"],
        message: "mode l2tpv3 needs the control connection's settings",
      });
    if (p.mode === "l2tpv3-raw" && p.l2tp)
      ctx.addIssue({
        code: "custom",
        path: ["l2tp"],
        message: "mode l2tpv3-raw has no control connection: leave l2tp out",
      });
  }),
  hop: "rtx",
  // over the RTX CLI (the deploy's own transport): the running config read with `show config`.
  // The tunnel's and the SA's live status (`show status tunnel`, `show ipsec sa`) are not checked
  // yet: their output is not in YAMAHA's command reference we could find.
  checks: (p) => [
    {
      hop: "rtx",
      id: "tunnel-enabled",
      title: `tunnel ${p.tunnel} is enabled in the router's running config`,
      script: "show config",
      judge: (r) => {
        const ok = new RegExp(`^\\s*tunnel enable ${p.tunnel}\\s*$`, "m").test(r.stdout);
        return { ok, note: ok ? undefined : `no "tunnel enable ${p.tunnel}" line` };
      },
    },
  ],
  tasks: (p) => {
    const g = p.ipsec.gateway;
    const fqdn = addr6(p.local) === undefined || addr6(p.remote) === undefined;
    for (const [what, v] of [
      ["psk", p.ipsec.psk],
      ["l2tp.authSecret", p.l2tp?.authSecret],
    ] as const) {
      if (v !== undefined && /\s/.test(reveal(v))) throw new Error(`${what}: the RTX CLI takes one word, no spaces`);
    }
    const control = p.l2tp
      ? [
          "l2tp always-on on",
          `l2tp hostname ${p.l2tp.hostname}`,
          p.l2tp.authSecret ? `l2tp tunnel auth on ${reveal(p.l2tp.authSecret)}` : "l2tp tunnel auth off",
          `l2tp keepalive use ${p.l2tp.keepalive ? "on" : "off"}`,
          `l2tp local router-id ${p.l2tp.localRouterId}`,
          `l2tp remote router-id ${p.l2tp.remoteRouterId}`,
          `l2tp remote end-id ${p.l2tp.remoteEndId}`,
        ]
      : [];
    const lines = [
      `tunnel encapsulation ${p.mode}`,
      fqdn ? `tunnel endpoint name ${p.local} ${p.remote} fqdn` : `tunnel endpoint address ${p.local} ${p.remote}`,
      `ipsec tunnel ${p.ipsec.policy}`,
      `ipsec sa policy ${p.ipsec.policy} ${g} esp ${p.ipsec.encryption} ${p.ipsec.hash}`,
      ...(p.ipsec.ike.keepalive ? [`ipsec ike keepalive use ${g} on`] : []),
      ...(p.ipsec.ike.encryption ? [`ipsec ike encryption ${g} ${p.ipsec.ike.encryption}`] : []),
      ...(p.ipsec.ike.hash ? [`ipsec ike hash ${g} ${p.ipsec.ike.hash}`] : []),
      ...(p.ipsec.ike.group ? [`ipsec ike group ${g} ${p.ipsec.ike.group}`] : []),
      p.ipsec.ike.localName
        ? `ipsec ike local name ${g} ${p.ipsec.ike.localName} key-id`
        : `ipsec ike local address ${g} ${p.local}`,
      `ipsec ike pre-shared-key ${g} text ${reveal(p.ipsec.psk)}`,
      p.ipsec.ike.remoteName
        ? `ipsec ike remote name ${g} ${p.ipsec.ike.remoteName} key-id`
        : `ipsec ike remote address ${g} ${p.remote}`,
      ...control,
      `tunnel enable ${p.tunnel}`,
    ];
    const bridgeName = p.bridge?.name ?? "bridge1";
    const top = [
      `ipsec transport ${p.ipsec.transport} ${p.ipsec.policy} udp 1701`,
      "l2tp service on l2tpv3",
      ...(p.bridge ? [`bridge member ${p.bridge.name} ${[...p.bridge.members, `tunnel${p.tunnel}`].join(" ")}`] : []),
      ...(p.bridge?.address ? [`ip ${p.bridge.name} address ${p.bridge.address}`] : []),
    ];
    return [
      rtxTunnel({
        tunnel: p.tunnel,
        lines,
        top,
        ownedTopKeys: [
          `ipsec transport ${p.ipsec.transport}`,
          `bridge member ${bridgeName}`,
          `ip ${bridgeName} address`,
        ],
      }),
    ];
  },
});

export default yamahaL2tpv3;
