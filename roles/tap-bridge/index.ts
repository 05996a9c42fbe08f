import {
  addressesCheck,
  command,
  commandLine,
  directory,
  daemonReload,
  defineRole,
  file,
  handler,
  keys,
  quote,
  service,
  sysctl,
  uplinkAcceptRa,
  template,
  z,
} from "../../src/index.js";

const unitName = (tap: string) => `homecloud-tap-${tap}.service`;

/**
 * The tap's static addresses, applied now and on every start of vpnserver (a unit that is
 * part of softether-vpnserver.service), forwarding on, and accept_ra=2 on the uplink.
 */
export const tapBridge = defineRole({
  name: "tap-bridge",
  params: z.object({
    tap: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/),
    /** CIDR addresses, IPv6 and IPv4, e.g. 2001:db8:0:8964:8964::1/78, 10.89.64.1/24. */
    addresses: z.array(z.string().regex(/^[0-9A-Fa-f.:]+\/\d{1,3}$/)).min(1),
    routes: z.array(z.string()).default([]),
    uplink: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/),
    /**
     * IPv6 prefixes that always leave by the tap (the home prefix): a policy rule looks them up
     * in a table of their own before the main table, where a router advertisement on the
     * uplink (a PIO or RIO for the prefix or a part of it, from anyone on the provider's link)
     * could have put a better or longer route. With the tap gone, they are unreachable, never
     * sent elsewhere.
     */
    pin: z.array(z.string().regex(/^[0-9A-Fa-f:]+\/\d{1,3}$/)).default([]),
    pinTable: z.number().int().min(1).max(252).default(200),
  }),
  hop: "tap",
  checks: (p) => [
    {
      hop: "uplink",
      id: "address",
      title: `${p.uplink} has a global IPv6 address`,
      script: commandLine("ip", "-6", "-o", "addr", "show", "dev", p.uplink, "scope", "global"),
      judge: (r) => /\binet6 /.test(r.stdout),
    },
    {
      hop: "uplink",
      id: "default-route",
      title: `the IPv6 default route leaves by ${p.uplink}`,
      script: commandLine("ip", "-6", "route", "show", "default"),
      judge: (r) => new RegExp(`\\bdev ${p.uplink.replace(/\./g, "\\.")}\\b`).test(r.stdout),
    },
    {
      hop: "uplink",
      id: "forwarding",
      title: "IPv6 and IPv4 forwarding are on",
      script: "sysctl net.ipv6.conf.all.forwarding net.ipv4.ip_forward",
      judge: (r) => /net.ipv6.conf.all.forwarding = 1/.test(r.stdout) && /net.ipv4.ip_forward = 1/.test(r.stdout),
    },
    {
      hop: "uplink",
      id: "accept-ra",
      title: `${p.uplink} still accepts router advertisements while forwarding`,
      // the kernel's accept_ra = 2, or the stack's own RA handling: a default route learned from an RA
      script: `${commandLine("sysctl", "-n", `net.ipv6.conf.${p.uplink}.accept_ra`)}; ${commandLine("ip", "-6", "route", "show", "default", "dev", p.uplink, "proto", "ra")}`,
      judge: (r) =>
        /^2$/m.test(r.stdout) || /\bproto ra\b|^default via/m.test(r.stdout.split("\n").slice(1).join("\n")),
    },
    ...p.pin.map((pre) => ({
      hop: "tap",
      id: `pinned-${pre}`,
      title: `${pre} is looked up in table ${p.pinTable} first, and leaves by ${p.tap}`,
      script: `ip -6 rule show to ${quote(pre)}; ip -6 route show table ${p.pinTable}`,
      judge: (r: { stdout: string }) =>
        new RegExp(`lookup ${p.pinTable}\\b`).test(r.stdout) &&
        r.stdout.split("\n").some((l) => l.startsWith(`${pre} dev ${p.tap} `)),
    })),
    addressesCheck(
      { hop: "tap", id: "addresses", title: `${p.tap} has ${p.addresses.join(", ")}` },
      p.tap,
      p.addresses,
    ),
  ],
  tasks: (p) => {
    const script = `/usr/local/lib/homecloud/tap-up-${p.tap}`;
    const unit = unitName(p.tap);
    const reapply = handler(`re-apply addresses of ${p.tap}`, `systemctl daemon-reload && systemctl restart ${unit}`);
    return [
      sysctl({ key: "net.ipv6.conf.all.forwarding", value: 1 }),
      sysctl({ key: "net.ipv4.ip_forward", value: 1 }),
      // forwarding turns RA acceptance off; the uplink may learn its default route from RAs:
      // told the way its network stack listens (netplan, networkd, the kernel)
      uplinkAcceptRa({ interface: p.uplink }),
      directory({ path: "/usr/local/lib/homecloud", mode: "0755" }),
      file({
        path: script,
        mode: "0755",
        content: template(new URL("./templates/tap-up.sh.hbs", import.meta.url), p),
        notify: reapply,
      }),
      file({
        path: `/etc/systemd/system/${unit}`,
        content: template(new URL("./templates/unit.hbs", import.meta.url), { tap: p.tap, script }),
        notify: [daemonReload, reapply],
      }),
      service({ name: unit, enabled: true, state: "running" }),
      // an address removed behind our back: the unit stays "active" (a oneshot), so look
      command({
        run: script,
        unless: [
          ...p.addresses.map((a) => `ip -o addr show dev ${quote(p.tap)} | grep -qF ${quote(` ${a} `)}`),
          ...p.pin.map(
            (pre) =>
              `ip -6 rule show to ${quote(pre)} | grep -q ${quote(`lookup ${p.pinTable}`)} &&\n` +
              `  ip -6 route show table ${p.pinTable} ${quote(pre)} | grep -q ${quote(`dev ${p.tap}`)}`,
          ),
        ].join(" && "),
        affects: [keys.state("interface", p.tap)],
      }),
      // a tap this role served before (the hub renamed): its unit stopped, disabled and removed,
      // with its script; only this tap's are kept
      command({
        title: `units of other taps than ${p.tap} removed`,
        run: staleTapsScript(unit),
        unless: `! { ${stale(unit)}\n} | grep -q .`,
        affects: [keys.tree("/etc/systemd/system"), keys.tree("/usr/local/lib/homecloud")],
      }),
    ];
  },
});

/** The units of this role for other taps than the one kept (their paths, one a line). */
const stale = (keep: string) =>
  [
    "for f in /etc/systemd/system/homecloud-tap-*.service; do",
    `  [ -e "$f" ] && [ "\${f##*/}" != ${quote(keep)} ] && printf '%s\\n' "$f"`,
    "done",
  ].join("\n");

function staleTapsScript(keep: string): string {
  return [
    `${stale(keep)} | while read -r f; do`,
    "  u=${f##*/}",
    "  tap=${u#homecloud-tap-}",
    "  tap=${tap%.service}",
    '  systemctl disable --now "$u" >/dev/null 2>&1',
    '  rm -f "$f" "/usr/local/lib/homecloud/tap-up-$tap"',
    '  echo "removed $u"',
    "done",
    "systemctl daemon-reload",
  ].join("\n");
}

export default tapBridge;
