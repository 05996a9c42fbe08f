import {
  command,
  directory,
  apt,
  daemonReload,
  defineRole,
  file,
  handler,
  restartService,
  service,
  sysctl,
  template,
  unitActive,
  commandLine,
  quote,
  z,
} from "../../src/index.js";
import { addr6, format6, parsePrefix6 } from "../../src/net/index.js";

const target = z
  .string()
  .refine(
    (v) => (v.includes("/") ? typeof parsePrefix6(v) !== "string" : addr6(v) !== undefined),
    "not an IPv6 address or aligned prefix",
  );

/**
 * Answers neighbour discovery for the home prefix on the VPS uplink, so the provider's router
 * (which resolves every address of the /64 by NDP) sends the home prefix's traffic to the VPS.
 * Mode "daemon": ndppd with static rules. Mode "kernel": proxy_ndp and one proxy entry per address.
 */
export const ndppd = defineRole({
  name: "ndppd",
  params: z.object({
    uplink: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/),
    mode: z.enum(["daemon", "kernel"]).default("daemon"),
    /** daemon mode: prefixes or addresses answered with `static`. */
    rules: z.array(target).default([]),
    /** kernel mode: single addresses (the kernel proxies /128s only). */
    addresses: z.array(z.string().refine((v) => addr6(v) !== undefined, "not an IPv6 address")).default([]),
    router: z.boolean().default(true),
    timeout: z.number().int().positive().default(500),
    /** How long a failed lookup is cached (ms); keep it low so a VM in DAD is not unreachable for long. */
    ttl: z.number().int().positive().default(5000),
    routeTtl: z.number().int().positive().default(30000),
  }),
  hop: "ndp",
  checks: (p) =>
    p.mode === "daemon"
      ? [unitActive("ndp", "ndppd")]
      : [
          {
            hop: "ndp",
            id: "proxy-entries",
            title: `the kernel proxies NDP for ${p.addresses.length} address(es) on ${p.uplink}`,
            script: `ip -6 neigh show proxy dev ${p.uplink}`,
            judge: (r) => {
              const have = new Set(r.stdout.split("\n").map((l) => l.split(" ")[0]));
              const missing = p.addresses.filter((a) => !have.has(a));
              return { ok: !missing.length, note: missing.length ? `missing: ${missing.join(", ")}` : undefined };
            },
          },
        ],
  tasks: (p, host) => {
    const script = "/usr/local/lib/homecloud/proxy-ndp";
    const unit = "homecloud-proxy-ndp.service";
    const proxyNdp = `net.ipv6.conf.${p.uplink}.proxy_ndp`;
    if (p.mode === "daemon") {
      if (!p.rules.length) host.warn("ndppd has no rules: nothing will be answered");
      const restart = restartService("ndppd");
      return [
        // what kernel mode left, if it ran here before: its unit, its script, its proxy entries
        service({ name: unit, state: "stopped", enabled: false }),
        file({ path: `/etc/systemd/system/${unit}`, state: "absent", notify: daemonReload }),
        file({ path: script, state: "absent" }),
        command({
          title: `no kernel NDP proxy entries on ${p.uplink} (ndppd answers)`,
          run: commandLine("ip", "-6", "neigh", "flush", "proxy", "dev", p.uplink),
          onlyIf: `ip -6 neigh show proxy dev ${quote(p.uplink)} | grep -q .`,
        }),
        sysctl({ key: proxyNdp, value: 0 }),
        apt({ names: ["ndppd"] }),
        file({
          path: "/etc/ndppd.conf",
          content: template(new URL("./templates/ndppd.conf.hbs", import.meta.url), {
            ...p,
            router: p.router ? "yes" : "no",
            rules: p.rules.map((t) => ({ target: t })),
          }),
          // ndppd has no check mode: a trial start that keeps running for a second is valid, exit 255 is not
          validate:
            "timeout 1 ndppd -c %s >/dev/null 2>&1; rc=$?; if [ $rc -ne 124 ]; then timeout 1 ndppd -c %s 2>&1 | grep -i error; exit 1; fi",
          notify: restart,
        }),
        service({ name: "ndppd", state: "running", enabled: true }),
      ];
    }
    const reapply = handler("re-apply NDP proxy entries", `systemctl daemon-reload && systemctl restart ${unit}`);
    return [
      // what daemon mode left, if it ran here before
      service({ name: "ndppd", state: "stopped", enabled: false }),
      file({ path: "/etc/ndppd.conf", state: "absent" }),
      sysctl({ key: proxyNdp, value: 1 }),
      directory({ path: "/usr/local/lib/homecloud", mode: "0755" }),
      file({
        path: script,
        mode: "0755",
        // canonical text, as `ip -6 neigh show proxy` prints it (the script compares the two)
        content: template(new URL("./templates/proxy-ndp.sh.hbs", import.meta.url), {
          ...p,
          addresses: p.addresses.map((a) => format6(addr6(a)!)),
        }),
        notify: reapply,
      }),
      file({
        path: `/etc/systemd/system/${unit}`,
        content: template(new URL("./templates/proxy-ndp.service.hbs", import.meta.url), { uplink: p.uplink, script }),
        notify: [daemonReload, reapply],
      }),
      service({ name: unit, state: "running", enabled: true }),
    ];
  },
});

export default ndppd;
