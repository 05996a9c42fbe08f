import {
  apt,
  defineRole,
  file,
  firewalldDiffers,
  firewalldOpenings,
  firewalldProbe,
  firewalldRefused,
  parseFirewalld,
  nftTable,
  renderText,
  service,
  daemonReload,
  ufwOpenings,
  ufwRules,
  z,
} from "../../src/index.js";
import { readFileSync } from "node:fs";
import { addr4, addr6, parseInterface4, parsePrefix6 } from "../../src/net/index.js";

const ifname = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/);
const t = (name: string) => readFileSync(new URL(`./templates/${name}`, import.meta.url), "utf8");

/**
 * The VPS's nftables: one table we own (`inet homecloud`), replaced atomically after `nft -c`,
 * with a timed automatic revert that the tool cancels only after it logged in again.
 */
export const firewall = defineRole({
  name: "firewall",
  params: z.object({
    uplink: ifname,
    tap: ifname,
    /** Private IPv4 of the home side, masqueraded out of the uplink. */
    natSource: z
      .string()
      .refine((v) => typeof parseInterface4(v) !== "string", "not an IPv4 network such as 10.89.64.0/24"),
    /** Inbound IPv6 address/port pairs forwarded to the home VMs. */
    openings: z
      .array(
        z.object({
          address: z.string().refine((v) => addr6(v) !== undefined, "not an IPv6 address"),
          proto: z.enum(["tcp", "udp"]),
          port: z.number().int().min(1).max(65535),
        }),
      )
      .default([]),
    /**
     * The prefix that lives behind the tap: dropped when it comes from the uplink (spoofed), and
     * nothing else leaves from the tap (anti-spoofing both ways).
     */
    homePrefix: z
      .string()
      .refine((v) => typeof parsePrefix6(v) !== "string", "not an aligned IPv6 prefix")
      .optional(),
    /**
     * The home hosts the plan declares (IPv6, IPv4): when given, only they are forwarded, both
     * ways; an address nobody declared is neither reachable nor able to leave.
     */
    homeHosts6: z.array(z.string().refine((v) => addr6(v) !== undefined, "not an IPv6 address")).default([]),
    homeHosts4: z.array(z.string().refine((v) => addr4(v) !== undefined, "not an IPv4 address")).default([]),
    /** ICMPv6 types forwarded from the uplink to the home hosts (besides errors of tracked flows). */
    icmp6In: z
      .array(
        z.enum(["echo-request", "destination-unreachable", "packet-too-big", "time-exceeded", "parameter-problem"]),
      )
      .default(["echo-request", "destination-unreachable", "packet-too-big", "time-exceeded", "parameter-problem"]),
    /**
     * The provider's routers on the uplink (link-local addresses): router advertisements from
     * any other station on the provider's link are dropped before the kernel or networkd read
     * them, so nobody else can become the VPS's default router. Empty: every RA is read.
     */
    uplinkRouters: z
      .array(
        z.string().refine((v) => /^fe[89ab][0-9a-f]:/i.test(v) && addr6(v) !== undefined, "not a link-local address"),
      )
      .default([]),
    /** Input: TCP ports open on the VPS itself (SSH, SoftEther listeners). */
    tcpIn: z.array(z.number().int().min(1).max(65535)).default([22, 443]),
    udpIn: z.array(z.number().int().min(1).max(65535)).default([]),
    /** Interfaces trusted for input (e.g. a management network). */
    inputInterfaces: z.array(ifname).default([]),
    inputPolicy: z.enum(["drop", "accept"]).default("drop"),
    /**
     * firewalld on the host, where it runs: "open" (the site's zone and policies are added to
     * it), "opened" (you opened the site's traffic in firewalld yourself: left alone), or
     * "refuse" (the task fails with what to open).
     */
    firewalld: z.enum(["open", "opened", "refuse"]).default("open"),
    revertAfterSeconds: z.number().int().min(10).default(60),
  }),
  checks: (p) => [
    {
      hop: "firewall",
      id: "table",
      title: "nftables table inet homecloud is loaded",
      script: "nft list table inet homecloud | head -3",
      judge: (r) => /table inet homecloud/.test(r.stdout),
    },
    {
      hop: "host-firewall",
      id: "ufw",
      title: "ufw, where it runs, lets the site's traffic through",
      script: "command -v ufw >/dev/null 2>&1 || { echo 'no ufw'; exit 0; }; ufw status | head -1; ufw show added",
      show: "ufw status; ufw show added",
      judge: (r) => {
        if (/^no ufw/m.test(r.stdout)) return { ok: true, note: "ufw is not installed" };
        if (!/^Status: active/m.test(r.stdout)) return { ok: true, note: "ufw is installed but not active" };
        const have = r.stdout.split("\n").map((l) => l.replace(/ comment '.*'$/, ""));
        const missing = ufwRules(ufwOf(p)).filter((rule) => !have.includes(`ufw ${rule}`));
        return {
          ok: !missing.length,
          note: missing.length
            ? `ufw is active and drops what the site needs: no ${missing.join(", ")}`
            : "ufw is active, the site's rules are in it",
        };
      },
    },
    {
      hop: "host-firewall",
      id: "firewalld",
      title: "firewalld, where it runs, lets the site's traffic through",
      script: firewalldProbe(),
      show: "firewall-cmd --get-active-zones; firewall-cmd --info-policy=homecloud-in",
      judge: (r) => {
        const st = parseFirewalld(r.stdout);
        if (st.stopped) return { ok: true, note: "firewalld is not running" };
        if (p.firewalld !== "open") return { ok: true, note: `firewalld runs; firewall_firewalld: ${p.firewalld}` };
        const missing = firewalldDiffers(st, { allow: ufwOf(p).allow, tap: p.tap }, "runtime");
        return {
          ok: !missing.length,
          note: missing.length
            ? `firewalld runs and drops what the site needs: ${missing.join(", ")} missing or changed (run the deploy again)`
            : "firewalld runs, the site's zone and policies are in it",
        };
      },
    },
  ],
  tasks: (p, host) => {
    if (!p.tcpIn.includes(22))
      host.warn("TCP 22 is not in tcpIn: SSH may be cut off (the change reverts itself if we cannot log in again)");
    const path = "/etc/nftables.d/homecloud.nft";
    const body = renderText(t("homecloud.nft.hbs"), p, "homecloud.nft.hbs").text;
    return [
      // before anything: a host whose firewalld would drop the site's traffic is refused
      ...(p.firewalld === "refuse"
        ? [
            firewalldRefused({
              needs: `${ufwOf(p).allow.join(", ")}, forwarding between ${p.tap} and ${p.uplink}`,
            }),
          ]
        : []),
      // a host that runs firewalld (Fedora's, Rocky's images) drops what its zones do not allow
      ...(p.firewalld === "open" ? [firewalldOpenings({ allow: ufwOf(p).allow, tap: p.tap, uplink: p.uplink })] : []),
      apt({ names: ["nftables"] }),
      nftTable({
        family: "inet",
        name: "homecloud",
        body,
        persistPath: path,
        revertAfterSeconds: p.revertAfterSeconds,
      }),
      file({
        path: "/etc/systemd/system/homecloud-firewall.service",
        content: renderText(t("unit.hbs"), { family: "inet", table: "homecloud", path }),
        notify: daemonReload,
      }),
      service({ name: "homecloud-firewall.service", enabled: true }),
      // a host that also runs ufw (Vultr's and Ubuntu's images) drops what ufw does not allow
      ufwOpenings(ufwOf(p)),
    ];
  },
});

/** What the site needs from ufw: the input ports, and forwarding both ways between tap and uplink. */
function ufwOf(p: { tcpIn: number[]; udpIn: number[]; uplink: string; tap: string }) {
  return {
    allow: [...p.tcpIn.map((n) => `${n}/tcp`), ...p.udpIn.map((n) => `${n}/udp`)],
    route: [
      { in: p.tap, out: p.uplink },
      { in: p.uplink, out: p.tap },
    ],
  };
}

export default firewall;
