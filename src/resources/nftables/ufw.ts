import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";

export interface UfwOpeningsOptions extends TaskOptions {
  /** Ports open on the host itself, as ufw writes them: "443/tcp", "1194/udp". */
  allow: string[];
  /** Forwarding from one interface to another (ufw's "route allow in on A out on B"). */
  route: Array<{ in: string; out: string }>;
}

interface State {
  /** ufw not installed: nothing filters through it. */
  absent: boolean;
  active: boolean;
  /** Our rules as ufw lists them (`ufw show added`), without "ufw " and the comment. */
  ours: string[];
  /** Everyone else's rules, without a comment: one the same as ours is not added twice. */
  others: string[];
}

/** The comment that marks the rules we own; nobody else's rule is ever touched. */
const MARK = "homecloud-deploy";
/** What a host firewall's rule may name: a port as "443/tcp", an interface. */
export const PORT = /^\d{1,5}\/(tcp|udp)$/;
export const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

/**
 * What the site needs opened in ufw, where ufw is installed (Vultr's and Ubuntu's images run it
 * with DROP for input and forward: a packet any base chain drops is dropped, whatever our own
 * nftables table accepts). Only rules of ours (commented "homecloud-deploy") are added and
 * removed; ufw is never enabled, disabled or reset, and its defaults are left as they are.
 * Added while ufw is inactive too, so that enabling it later keeps the site working.
 */
/** The rules as ufw lists them, e.g. "allow 443/tcp", "route allow in on tap_vpn out on enp1s0". */
export function ufwRules(o: Pick<UfwOpeningsOptions, "allow" | "route">): string[] {
  return [...o.allow.map((p) => `allow ${p}`), ...o.route.map((r) => `route allow in on ${r.in} out on ${r.out}`)];
}

export function ufwOpenings(o: UfwOpeningsOptions): Task {
  for (const p of o.allow) if (!PORT.test(p)) throw new Error(`ufw: "${p}" is not PORT/tcp or PORT/udp`);
  for (const r of o.route)
    if (!IFNAME.test(r.in) || !IFNAME.test(r.out))
      throw new Error(`ufw: route ${r.in} -> ${r.out}: not interface names`);
  const want = ufwRules(o);
  const resource: Resource<State> = {
    kind: "ufw",
    name: `ufw: ${want.join(", ")}`,
    reads: [keys.tree("/etc/ufw"), keys.state("firewall", "ufw")],
    writes: [keys.tree("/etc/ufw"), keys.state("firewall", "ufw")],
    probe: () =>
      [
        "if ! command -v ufw >/dev/null 2>&1; then echo absent; exit 0; fi",
        "ufw status | head -1",
        "ufw show added | sed -n 's/^ufw /rule /p'",
      ].join("\n"),
    parse: (out) => {
      const lines = out.split("\n");
      const rules = lines.filter((l) => l.startsWith("rule ")).map((l) => l.slice(5));
      const mark = ` comment '${MARK}'`;
      return {
        absent: lines[0] === "absent",
        active: /^Status: active/m.test(out),
        ours: rules.filter((r) => r.endsWith(mark)).map((r) => r.slice(0, -mark.length)),
        others: rules.filter((r) => !r.endsWith(mark)).map((r) => r.replace(/ comment '.*'$/, "")),
      };
    },
    steps: (cur): Step[] => {
      if (cur.absent) return [];
      const note = cur.active ? "" : " (ufw is inactive: for when it is enabled)";
      const add = want.filter((r) => !cur.ours.includes(r) && !cur.others.includes(r));
      // what the host listed goes back into a script: only plain rules of the shapes we write
      const remove = cur.ours.filter((r) => !want.includes(r) && /^(route )?allow [A-Za-z0-9_./ -]+$/.test(r));
      return [
        ...add.map((r) => ({ why: `ufw ${r}${note}`, script: `ufw ${r} comment '${MARK}' >/dev/null` })),
        // "route allow ..." is deleted with "route delete allow ...", the others with "delete ..."
        ...remove.map((r) => ({
          why: `ufw: remove ${r} (no longer needed)`,
          script: r.startsWith("route ") ? `ufw route delete ${r.slice(6)} >/dev/null` : `ufw delete ${r} >/dev/null`,
        })),
      ];
    },
  };
  return task(resource, o);
}
