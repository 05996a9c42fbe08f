import { dirname, resolve } from "node:path";
import { InputError, type Problem } from "../errors.js";
import { selectHosts } from "../inventory/patterns.js";
import type { Host, Inventory } from "../inventory/types.js";
import { issueProblems } from "../inventory/var-issues.js";
import type { z } from "zod";
import type { HostContext, Playbook } from "../playbook/define.js";
import type { VerifyCheck } from "../playbook/checks.js";
import type { Handler, Task } from "./types.js";
import { withTemplateBase } from "./template-base.js";

export interface CompiledTask {
  role: string;
  task: Task;
}

export interface CompiledRole {
  role: string;
  /** The role's own tags (its name, and what it adds): every task has them too. */
  tags?: readonly string[];
  /** The hop of `deploy verify` it builds. */
  hop?: string;
  tasks: CompiledTask[];
  handlers: Handler[];
}

export interface CompiledPlay {
  name: string;
  warnings: string[];
  /** `optional`: the note of a host that may be gone (HostContext.optional). */
  hosts: Array<{ host: string; roles: CompiledRole[]; checks: VerifyCheck[]; optional?: string }>;
}

export interface Selection {
  limit?: string;
  tags?: string[];
  skipTags?: string[];
}

function wanted(tags: readonly string[], sel: Selection): boolean {
  if (sel.skipTags?.some((t) => tags.includes(t))) return false;
  if (sel.tags?.length) return sel.tags.some((t) => t === "all" || tags.includes(t)) || tags.includes("always");
  return true;
}

/**
 * Turn a playbook and inventory into per-host task lists: hosts selected, role parameters
 * validated, tags applied. Every problem is collected; nothing connects anywhere.
 */
export function compile<P>(
  playbook: Playbook<P>,
  inv: Inventory,
  sel: Selection,
  playbookFile: string,
  /** deploy verify: keep a host that has checks but no task. */
  keepChecked = false,
): CompiledPlay[] {
  // a relative template path means one beside the playbook, as in Ansible
  return withTemplateBase(dirname(resolve(playbookFile)), () =>
    compilePlays(playbook, inv, sel, playbookFile, keepChecked),
  );
}

function compilePlays<P>(
  playbook: Playbook<P>,
  inv: Inventory,
  sel: Selection,
  playbookFile: string,
  keepChecked: boolean,
): CompiledPlay[] {
  const problems: Problem[] = [];
  if (!playbook || !Array.isArray(playbook.plays)) {
    throw new InputError([
      {
        file: playbookFile,
        message: "the playbook has no plays",
        hint: "export default definePlaybook({ name, plays: [...] })",
      },
    ]);
  }
  let limitHosts: Set<string> | undefined;
  if (sel.limit) {
    const r = selectHosts(inv, sel.limit, { field: "--limit" });
    problems.push(...r.problems);
    // an empty selection would run nothing and exit 0 (with --check: "nothing would change")
    if (!r.problems.length && !r.hosts.length)
      problems.push({ field: "--limit", message: `"${sel.limit}" selects no host of ${inv.file}` });
    limitHosts = new Set(r.hosts);
  }
  const plan = playbook.plan ? playbook.plan(inv) : (undefined as P);
  const plays: CompiledPlay[] = [];
  const tagsSeen = new Set<string>();
  playbook.plays.forEach((play, pi) => {
    const playName = play.name ?? (Array.isArray(play.hosts) ? play.hosts.join(",") : String(play.hosts));
    const where = { file: playbookFile, field: `plays[${pi}].hosts` };
    if (!play.roles && !play.tasks && !play.checks)
      problems.push({ file: playbookFile, field: `plays[${pi}]`, message: "a play needs roles, tasks or checks" });
    const sel2 = selectHosts(inv, play.hosts, where);
    const hosts = sel2.hosts.filter((h) => !limitHosts || limitHosts.has(h));
    const compiled: CompiledPlay = { name: playName, hosts: [], warnings: [] };
    // as Ansible: a play whose pattern names nothing in this inventory is skipped, with a note
    // (the rtx variant's router play on a softether site); a --limit that selects nothing is refused
    for (const p of sel2.problems)
      compiled.warnings.push(
        `play "${playName}": ${p.message}: ${hosts.length ? "those hosts are left out" : "skipped"}`,
      );
    for (const name of hosts) {
      const h = inv.hosts.get(name)!;
      let role = "";
      let optional: string | undefined;
      const ctx: HostContext = {
        name,
        vars: h.vars,
        groups: h.groups,
        warn: (m) => compiled.warnings.push(`${name}${role ? ` [${role}]` : ""}: ${m}`),
        optional: (note) => {
          optional = note;
        },
      };
      const roles: CompiledRole[] = [];
      const checks: VerifyCheck[] = [];
      const vars = playVars(play.vars, inv, h, play.name ?? playName, problems);
      if (vars === INVALID) continue;
      try {
        for (const ri of play.roles?.(ctx, plan, vars) ?? []) {
          const parsed = ri.schema.safeParse(ri.input);
          if (!parsed.success) {
            for (const issue of parsed.error.issues) {
              problems.push({
                file: playbookFile,
                field: `host ${name}, role ${ri.role}: ${issue.path.join(".") || "(params)"}`,
                message: issue.message,
              });
            }
            continue;
          }
          try {
            role = ri.role;
            const tasks = ri.build(parsed.data, ctx);
            checks.push(...ri.checks(parsed.data, ctx));
            role = "";
            for (const t of tasks) for (const tag of [...ri.tags, ...t.tags]) tagsSeen.add(tag);
            const included = tasks.filter((t) => wanted([...ri.tags, ...t.tags], sel));
            roles.push({
              role: ri.role,
              tags: ri.tags,
              hop: ri.hop,
              tasks: included.map((task) => ({ role: ri.role, task })),
              handlers: uniqueHandlers(included),
            });
          } catch (e) {
            problems.push({
              file: playbookFile,
              field: `host ${name}, role ${ri.role}`,
              message: (e as Error).message,
            });
          }
        }
        if (play.tasks) {
          const tag = play.name ?? "tasks";
          const all = play.tasks(ctx, plan, vars);
          for (const t of all) for (const x of [tag, ...t.tags]) tagsSeen.add(x);
          const tasks = all.filter((t) => wanted([tag, ...t.tags], sel));
          roles.push({
            role: tag,
            tags: [tag],
            tasks: tasks.map((task) => ({ role: tag, task })),
            handlers: uniqueHandlers(tasks),
          });
        }
        checks.push(...(play.checks?.(ctx, plan, vars) ?? []));
      } catch (e) {
        problems.push({ file: playbookFile, field: `plays[${pi}] for host ${name}`, message: (e as Error).message });
      }
      if (roles.some((r) => r.tasks.length) || (keepChecked && checks.length))
        compiled.hosts.push({
          host: name,
          roles: roles.filter((r) => r.tasks.length),
          checks,
          ...(optional ? { optional } : {}),
        });
    }
    plays.push(compiled);
  });
  // a tag no task has is a typo: it would select nothing and say all is well
  if (!problems.length) {
    for (const [flag, list] of [
      ["--tags", sel.tags],
      ["--skip-tags", sel.skipTags],
    ] as const) {
      for (const t of list ?? []) {
        if (!SPECIAL_TAGS.has(t) && !tagsSeen.has(t))
          problems.push({
            field: flag,
            message: `no task of ${playbookFile}${limitHosts ? " on the selected hosts" : ""} has the tag "${t}"`,
            hint: `tags: ${[...tagsSeen].sort().join(", ")}`,
          });
      }
    }
  }
  if (problems.length) throw new InputError(problems);
  return plays;
}

const INVALID = Symbol("invalid vars");

/**
 * A host's vars checked against the play's schema: typed, defaults applied. Each problem names
 * the variable and the inventory line that set it; a variable that is not there is "missing".
 */
function playVars(schema: z.ZodType | undefined, inv: Inventory, h: Host, play: string, problems: Problem[]): unknown {
  if (!schema) return h.vars;
  const r = schema.safeParse(h.vars);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    const key = String(issue.path[0] ?? "");
    const missing = h.vars[key] === undefined && issue.path.length === 1;
    if (!missing) {
      problems.push(...issueProblems(inv, h, [issue]));
      continue;
    }
    problems.push({
      file: inv.file,
      field: `${h.name}.${key}`,
      message: `missing: play "${play}" reads this inventory variable`,
      hint: `set ${key} for ${h.name} (in its host vars or a group's vars)`,
    });
  }
  return INVALID;
}

/** Ansible's special tags: always known. */
const SPECIAL_TAGS = new Set(["all", "always", "never", "tagged", "untagged"]);

function uniqueHandlers(tasks: Task[]): Handler[] {
  const seen = new Map<string, Handler>();
  for (const t of tasks) for (const h of t.notify) if (!seen.has(h.id)) seen.set(h.id, h);
  return [...seen.values()];
}
