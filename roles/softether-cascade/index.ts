import { readFileSync } from "node:fs";
import {
  FORWARD_SECRET_CIPHERS,
  nftTable,
  renderText,
  type Task,
  softetherSeed,
  directory,
  apt,
  daemonReload,
  defineRole,
  reveal,
  RunFact,
  secret,
  file,
  service,
  softether,
  sysctl,
  template,
  unitActive,
  vpncmdScript,
  z,
  zSecret,
} from "../../src/index.js";

const t = (name: string) => new URL(`./templates/${name}`, import.meta.url);

/**
 * The home gateway: SoftEther in the bridge role. A hub bridged to the NIC of the closed home
 * LAN, a cascade to the VPS hub, accept_ra=0 on that NIC, and a watchdog that restarts
 * SoftEther when the cascade dropped (Debian 12's SoftEther never recovers from a drop by
 * itself: see templates/watchdog.sh.hbs) or stays down.
 */
export const softetherCascade = defineRole({
  name: "softether-cascade",
  params: z.object({
    adminPassword: zSecret,
    /** Passwords the server may still have: to rotate adminPassword, give the old one here once. */
    previousAdminPasswords: z.array(zSecret).default([]),
    hub: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .default("HOME"),
    /** The NIC of the closed home LAN. */
    nic: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/),
    cascade: z.object({
      name: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/)
        .default("vps"),
      server: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(443),
      hub: z.string().min(1),
      user: z.string().min(1),
      password: zSecret,
      /**
       * The server's certificate, the only one the cascade accepts: base64 DER, or learned in
       * the run from the server's play (softether-server's certificate). Absent: not checked.
       */
      serverCert: z.union([z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/), z.instanceof(RunFact)]).optional(),
    }),
    listeners: z.array(z.number().int().min(1).max(65535)).default([5555]),
    /**
     * The home gateway's own input filter (a table of ours, inet homecloud-gw): only SSH (tcpIn)
     * and the trusted interfaces get in, nothing from the bridged home LAN; the cascade is an
     * outgoing connection. Timed revert unless we can log in again, as the VPS's firewall.
     */
    firewall: z
      .object({
        enabled: z.boolean().default(true),
        tcpIn: z.array(z.number().int().min(1).max(65535)).default([22]),
        trustedInterfaces: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/)).default([]),
        revertAfterSeconds: z.number().int().min(10).default(60),
      })
      .prefault({}),
    watchdog: z
      .object({
        enabled: z.boolean().default(true),
        maxDownSeconds: z.number().int().min(20).default(60),
        intervalSeconds: z.number().int().min(2).default(5),
      })
      .default({ enabled: true, maxDownSeconds: 60, intervalSeconds: 5 }),
  }),
  hop: "cascade",
  checks: (p) => {
    const status = vpncmdScript({
      port: p.listeners.includes(5555) ? 5555 : p.listeners[0]!,
      password: p.adminPassword,
      hub: p.hub,
      command: ["CascadeStatusGet", p.cascade.name],
    });
    // a cascade (re)connects within seconds of a deploy: wait up to 30 s for it
    const script = [
      "i=0",
      `while out=$(${status.script} 2>&1); ! printf '%s\\n' "$out" | grep -q '^Session Status,.*Established'; do`,
      '  i=$((i+1)); [ "$i" -ge 15 ] && break; sleep 2',
      "done",
      `printf '%s\\n' "$out" |`,
      "  grep -E '^(Session Status|Server Name|Port Number|Virtual Hub Name|Current Session has been Established since|Number of Established Sessions|Error)' ||",
      `  printf '%s\\n' "$out" | tail -5`,
      `printf '%s\\n' "$out" | grep -q '^Session Status,.*Established'`,
    ].join("\n");
    const pinned = vpncmdScript({
      port: p.listeners.includes(5555) ? 5555 : p.listeners[0]!,
      password: p.adminPassword,
      hub: p.hub,
      command: ["CascadeGet", p.cascade.name],
    });
    return [
      unitActive("cascade", "softether-vpnserver"),
      ...(p.cascade.serverCert === undefined
        ? []
        : [
            {
              hop: "cascade",
              id: "server-cert-checked",
              title: `cascade ${p.cascade.name} accepts only the pinned server certificate`,
              ...pinned,
              judge: (r: { stdout: string }) => /^Verify Server Certificate,Enable/m.test(r.stdout),
            },
          ]),
      {
        hop: "cascade",
        id: "established",
        title: `cascade ${p.cascade.name} to ${p.cascade.server}:${p.cascade.port} hub ${p.cascade.hub} is Established`,
        script,
        show: `${status.show}  (waits up to 30 s for Established)`,
      },
    ];
  },
  tasks: (p) => {
    const script = "/usr/local/lib/homecloud/cascade-watchdog";
    const tasks = [
      // before the install: the package starts vpnserver at once, and it must never run without our password
      ...softetherSeed({ adminPassword: p.adminPassword, listeners: p.listeners }),
      apt({ names: ["softether-vpnserver", "softether-vpncmd"] }),
      // the bridged NIC must not learn a route into its own tunnel
      sysctl({ key: `net.ipv6.conf.${p.nic}.accept_ra`, value: 0 }),
      // nor keep a link-local address through which the home LAN reaches this host (SoftEther
      // bridges with packet sockets: the kernel's IPv6 on the NIC is not needed for that)
      sysctl({ key: `net.ipv6.conf.${p.nic}.disable_ipv6`, value: 1 }),
      ...(p.firewall.enabled ? gatewayFirewall(p.nic, p.firewall) : []),
      service({ name: "softether-vpnserver", state: "running", enabled: true }),
      softether({
        adminPassword: p.adminPassword,
        previousAdminPasswords: p.previousAdminPasswords,
        listeners: p.listeners,
        services: { keepalive: false, openvpn: false, sstp: false, udpPorts: [], cipher: FORWARD_SECRET_CIPHERS },
        hubs: [
          {
            name: p.hub,
            secureNat: false,
            users: [],
            cascades: [
              {
                ...p.cascade,
                online: true,
                serverCert:
                  p.cascade.serverCert instanceof RunFact
                    ? () => (p.cascade.serverCert as RunFact<string>).value()
                    : p.cascade.serverCert,
              },
            ],
            packetLog: false,
            enumerate: false,
          },
        ],
        bridges: [{ hub: p.hub, device: p.nic }],
      }),
    ];
    if (!p.watchdog.enabled) {
      return [
        ...tasks,
        service({ name: "homecloud-cascade-watchdog.timer", state: "stopped", enabled: false }),
        // no copy of the password where nothing needs it
        file({ path: "/etc/homecloud/cascade-watchdog.password", state: "absent" }),
      ];
    }
    const names = { cascade: p.cascade.name, script, interval: p.watchdog.intervalSeconds };
    return [
      ...tasks,
      directory({ path: "/etc/homecloud", mode: "0755" }),
      directory({ path: "/usr/local/lib/homecloud", mode: "0755" }),
      // the password alone in its own file, as data: nothing sources it
      file({
        path: "/etc/homecloud/cascade-watchdog.password",
        mode: "0600",
        owner: "root",
        content: secret(`${reveal(p.adminPassword)}\n`, "softether-cascade adminPassword"),
      }),
      file({
        path: "/etc/homecloud/cascade-watchdog.conf",
        mode: "0644",
        owner: "root",
        content: template(t("watchdog.conf.hbs"), {
          port: 5555,
          hub: p.hub,
          cascade: p.cascade.name,
          maxDown: p.watchdog.maxDownSeconds,
        }),
      }),
      file({ path: script, mode: "0755", content: template(t("watchdog.sh.hbs"), {}) }),
      file({
        path: "/etc/systemd/system/homecloud-cascade-watchdog.service",
        content: template(t("watchdog.service.hbs"), names),
        notify: daemonReload,
      }),
      file({
        path: "/etc/systemd/system/homecloud-cascade-watchdog.timer",
        content: template(t("watchdog.timer.hbs"), names),
        notify: daemonReload,
      }),
      service({ name: "homecloud-cascade-watchdog.timer", state: "running", enabled: true }),
    ];
  },
});

function gatewayFirewall(
  nic: string,
  f: { tcpIn: number[]; trustedInterfaces: string[]; revertAfterSeconds: number },
): Task[] {
  const table = "homecloud-gw";
  const path = `/etc/nftables.d/${table}.nft`;
  return [
    apt({ names: ["nftables"] }),
    nftTable({
      family: "inet",
      name: table,
      body: renderText(readFileSync(t("firewall.nft.hbs"), "utf8"), { nic, ...f }, "firewall.nft.hbs").text,
      persistPath: path,
      revertAfterSeconds: f.revertAfterSeconds,
    }),
    file({
      path: `/etc/systemd/system/homecloud-gw-firewall.service`,
      content: template(t("firewall.service.hbs"), { table, path }),
      notify: daemonReload,
    }),
    service({ name: "homecloud-gw-firewall.service", enabled: true }),
  ];
}

export default softetherCascade;
