import { apt, defineRole, file, restartService, service, template, unitActive, z } from "../../src/index.js";
import { parsePrefix6 } from "../../src/net/index.js";

const onoff = (b: boolean) => (b ? "on" : "off");

/** radvd advertising the home prefix on the tap; radvd.conf validated before it replaces the old one. */
export const radvd = defineRole({
  name: "radvd",
  params: z.object({
    interface: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/),
    prefixes: z
      .array(
        z.object({
          prefix: z.string().refine((v) => typeof parsePrefix6(v) !== "string", "not an aligned IPv6 prefix"),
          autonomous: z.boolean().default(false),
          routerAddr: z.boolean().default(true),
        }),
      )
      .min(1),
    managed: z.boolean().default(false),
    other: z.boolean().default(false),
    rdnss: z.array(z.string()).default([]),
    minInterval: z.number().min(3).default(30),
    maxInterval: z.number().min(4).default(120),
  }),
  checks: () => [unitActive("radvd", "radvd")],
  tasks: (p, host) => {
    for (const x of p.prefixes) {
      const len = Number(x.prefix.split("/")[1]);
      if (x.autonomous && len !== 64)
        host.warn(
          `AdvAutonomous is on for ${x.prefix}, which is not a /64: hosts will not autoconfigure addresses from it (give them static addresses or DHCPv6)`,
        );
    }
    const restart = restartService("radvd");
    const conf = template(new URL("./templates/radvd.conf.hbs", import.meta.url), {
      ...p,
      managed: onoff(p.managed),
      other: onoff(p.other),
      prefixes: p.prefixes.map((x) => ({
        prefix: x.prefix,
        autonomous: onoff(x.autonomous),
        routerAddr: onoff(x.routerAddr),
      })),
    });
    return [
      apt({ names: ["radvd"] }),
      file({
        path: "/etc/radvd.conf",
        content: conf,
        mode: "0644",
        validate: "radvd --configtest -C %s",
        notify: restart,
      }),
      service({ name: "radvd", state: "running", enabled: true }),
    ];
  },
});

export default radvd;
