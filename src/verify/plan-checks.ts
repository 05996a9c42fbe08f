import { InputError, type Problem } from "../errors.js";
import type { CompiledPlay, CompiledRole } from "../engine/compile.js";
import { originOf, type Inventory } from "../inventory/types.js";
import type { Hop, VerifyCheck } from "../playbook/checks.js";

/** One check as verify runs it: where, after what, and what repairs it. */
export interface PlannedCheck {
  /** hop/id@host: unique in the run. */
  key: string;
  hop: string;
  id: string;
  /** The host the check is about (the one whose play or role declared it). */
  host: string;
  /** The host it runs on (undefined when it is skipped without running). */
  runOn?: string;
  title: string;
  /** "hop" (any host) or "hop@host": a failure there blocks this check. */
  after: string[];
  /** A script check, or the "as deployed" check of roles (their tasks in check mode). */
  check?: VerifyCheck;
  roles?: CompiledRole[];
  skip?: string;
  hint: string;
}

export interface CheckPlan {
  hops: Hop[];
  checks: PlannedCheck[];
  /** Hosts a check runs on: the declaring hosts and the vantage points they name. */
  runners: string[];
}

/**
 * Every check of a compiled playbook in the order verify runs them: hop by hop (the playbook's
 * order, then hops as they are first met), and within a hop in declaration order. A role's
 * "as deployed" check closes its hop on each host.
 */
export function planChecks(
  plays: CompiledPlay[],
  inv: Inventory,
  declaredHops: Hop[],
  playbookFile: string,
): CheckPlan {
  const problems: Problem[] = [];
  const hops = new Map(declaredHops.map((h) => [h.id, h]));
  const order = declaredHops.map((h) => h.id);
  const meet = (hop: string) => {
    if (!hops.has(hop)) {
      hops.set(hop, { id: hop, title: hop });
      order.push(hop);
    }
  };
  const repair = (hop: string, host: string, tags?: string[]) => {
    const h = hops.get(hop)!;
    const t = (tags ?? h.tags ?? [hop]).join(",");
    return [h.hint, `repair: deploy ${playbookFile} --tags ${t} --limit ${host}`].filter(Boolean).join("; ");
  };
  const planned: PlannedCheck[] = [];
  const keys = new Set<string>();
  const add = (c: Omit<PlannedCheck, "key" | "hint">, tags?: string[]) => {
    let key = `${c.hop}/${c.id}@${c.host}`;
    for (let n = 2; keys.has(key); n++) key = `${c.hop}/${c.id}-${n}@${c.host}`;
    keys.add(key);
    meet(c.hop);
    planned.push({ ...c, key, hint: repair(c.hop, c.host, tags) });
  };

  for (const play of plays) {
    for (const { host, roles, checks, optional } of play.hosts) {
      const h = inv.hosts.get(host)!;
      // a host that may be gone is not verified
      const gone = optional ? `${optional}: not verified` : undefined;
      for (const c of checks) {
        let runOn: string | undefined = host;
        let skip = gone ?? c.skip;
        if (typeof c.on === "string") runOn = c.on;
        else if (c.on) {
          const v = h.vars[c.on.vantage];
          if (v === undefined || v === null || v === "") {
            runOn = undefined;
            skip ??= `no vantage point: set ${c.on.vantage} for ${host} to an inventory host that can make this check`;
          } else runOn = String(v);
        }
        if (runOn !== undefined && !inv.hosts.has(runOn)) {
          const at = typeof c.on === "object" ? originOf(inv, h, c.on.vantage) : undefined;
          problems.push({
            file: at?.file ?? playbookFile,
            line: at?.line,
            field: typeof c.on === "object" ? `${host}.${c.on.vantage}` : `check ${c.hop}/${c.id} of ${host}`,
            message: `"${runOn}" is not a host of the inventory`,
            hint: "a vantage point is an inventory host verify can log in to",
          });
          continue;
        }
        add({
          hop: c.hop,
          id: c.id,
          host,
          runOn: skip ? undefined : runOn,
          title: c.title,
          after: c.after ?? [],
          check: c,
          skip,
        });
      }
      for (const r of roles) {
        add(
          {
            hop: r.hop ?? r.role,
            id: `${r.role}-as-deployed`,
            host,
            runOn: gone ? undefined : host,
            title: `role ${r.role} is as deployed (its tasks in check mode would change nothing)`,
            after: [],
            roles: [r],
            ...(gone ? { skip: gone } : {}),
          },
          [r.role],
        );
      }
    }
  }
  if (problems.length) throw new InputError(problems);
  for (const c of planned) for (const a of [...c.after, ...(hops.get(c.hop)?.after ?? [])]) meet(a.split("@")[0]!);
  const rank = new Map(order.map((id, i) => [id, i]));
  // stable: declaration order within a hop, "as deployed" after a host's other checks of the hop
  const checks = planned
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank.get(a.c.hop)! - rank.get(b.c.hop)! || Number(!!a.c.roles) - Number(!!b.c.roles) || a.i - b.i)
    .map((x) => x.c);
  const runners = [...new Set(checks.flatMap((c) => (c.runOn ? [c.runOn] : [])))];
  return { hops: order.map((id) => hops.get(id)!), checks, runners };
}
