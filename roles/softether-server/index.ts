import {
  FORWARD_SECRET_CIPHERS,
  apt,
  softetherSeed,
  defineRole,
  service,
  softether,
  RunFact,
  unitActive,
  vpncmdScript,
  z,
  zSecret,
} from "../../src/index.js";

/** SoftEther VPN server on the VPS: a hub (SecureNAT off) with its users, bridged to a tap. */
export const softetherServer = defineRole({
  name: "softether-server",
  params: z.object({
    adminPassword: zSecret,
    /** Passwords the server may still have: to rotate adminPassword, give the old one here once. */
    previousAdminPasswords: z.array(zSecret).default([]),
    hub: z.string().regex(/^[A-Za-z0-9_-]{1,11}$/, "1-11 letters, digits, _ or - (the tap is tap_<hub>)"),
    hubPassword: zSecret.optional(),
    users: z.array(z.object({ name: z.string().min(1), password: zSecret })).min(1),
    /**
     * The policy of every user (they are the home gateways' cascades): one session at a time,
     * so a second client with the same password is refused while the cascade is up; no router
     * advertisements and no DHCP server from that side into the hub.
     */
    userPolicy: z
      .record(z.string(), z.union([z.number().int().min(0), z.boolean()]))
      .default({ MultiLogins: 1, RAFilter: true, DHCPNoServer: true, DHCPv6NoServer: true }),
    /** TCP listeners; the admin port (5555) must stay among them. */
    listeners: z.array(z.number().int().min(1).max(65535)).default([443, 5555]),
    /**
     * Learns the server's certificate (base64 DER) during the run, for the home gateway's
     * cascade to pin (softether-cascade's cascade.serverCert).
     */
    certificate: z.instanceof(RunFact).optional(),
  }),
  hop: "softether",
  checks: (p) => {
    const port = p.listeners.includes(5555) ? 5555 : p.listeners[0]!;
    const hub = new RegExp(`^${p.hub},Online,`, "mi");
    const bridge = new RegExp(`^\\d+,${p.hub},${p.hub.toLowerCase()},Operating`, "mi");
    return [
      unitActive("softether", "softether-vpnserver"),
      {
        hop: "softether",
        id: "hub",
        title: `hub ${p.hub} exists and is online`,
        ...vpncmdScript({ port, password: p.adminPassword, command: ["HubList"] }),
        judge: (r) => hub.test(r.stdout),
      },
      {
        hop: "softether",
        id: "listeners",
        title: `vpnserver listens on TCP ${p.listeners.join(", ")} only`,
        script: `ss -Hltnp | grep '"vpnserver"' | awk '{print $4}'`,
        show: "ss -ltnp (vpnserver's sockets)",
        judge: (r) => {
          const ports = [
            ...new Set(
              r.stdout
                .split("\n")
                .filter(Boolean)
                .map((a) => Number(a.replace(/.*:/, ""))),
            ),
          ];
          const extra = ports.filter((x) => !p.listeners.includes(x));
          const missing = p.listeners.filter((x) => !ports.includes(x));
          const note = [
            extra.length ? `also listening on ${extra.join(", ")}` : "",
            missing.length ? `not listening on ${missing.join(", ")}` : "",
          ]
            .filter(Boolean)
            .join("; ");
          return { ok: !note, note: note || undefined };
        },
      },
      {
        hop: "softether",
        id: "bridge",
        title: `hub ${p.hub} is bridged to tap_${p.hub.toLowerCase()} (local bridge operating)`,
        ...vpncmdScript({ port, password: p.adminPassword, command: ["BridgeList"] }),
        judge: (r) => bridge.test(r.stdout),
      },
    ];
  },
  tasks: (p) => [
    // before the install: the package starts vpnserver at once, and it must never run without our password
    ...softetherSeed({ adminPassword: p.adminPassword, listeners: p.listeners }),
    apt({ names: ["softether-vpnserver", "softether-vpncmd"] }),
    service({ name: "softether-vpnserver", state: "running", enabled: true }),
    softether({
      adminPassword: p.adminPassword,
      previousAdminPasswords: p.previousAdminPasswords,
      onServerCert: p.certificate ? (c) => (p.certificate as RunFact<string>).learn(c) : undefined,
      listeners: p.listeners,
      // nothing the site does not use answers the internet or calls out
      services: { keepalive: false, openvpn: false, sstp: false, udpPorts: [], cipher: FORWARD_SECRET_CIPHERS },
      // exactly this hub (DEFAULT goes), not listed to anonymous clients, no packet log of home traffic
      hubs: [
        {
          name: p.hub,
          password: p.hubPassword,
          secureNat: false,
          users: p.users.map((u) => ({ ...u, policy: p.userPolicy })),
          packetLog: false,
          enumerate: false,
        },
      ],
      bridges: [{ hub: p.hub, device: p.hub.toLowerCase(), tap: true }],
    }),
  ],
});

export default softetherServer;
