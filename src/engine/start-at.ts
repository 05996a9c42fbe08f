import { InputError } from "../errors.js";
import type { CompiledPlay, CompiledRole } from "./compile.js";

/** A task's name as --start-at-task matches it: NAME, or ROLE : NAME (as Ansible prints it); * is a wildcard. */
function matches(pattern: string, role: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  return re.test(name) || re.test(`${role} : ${name}`);
}

/**
 * --start-at-task (as Ansible's): on each host, the tasks before the first one so named are left
 * out (handlers only they notified with them); plays before the one where it is first found run
 * nothing, plays after it run whole. A name no task has is bad input.
 */
export function startAtTask(plays: CompiledPlay[], pattern: string): CompiledPlay[] {
  let found = false;
  const out = plays.map((play) => {
    if (found) return play;
    const hosts = play.hosts.map((h) => {
      const roles: CompiledRole[] = [];
      let started = false;
      for (const r of h.roles) {
        const tasks = r.tasks.filter((t) => (started ||= matches(pattern, t.role, t.task.name)));
        if (!tasks.length) continue;
        const notified = new Set(tasks.flatMap((t) => t.task.notify));
        roles.push({ ...r, tasks, handlers: r.handlers.filter((x) => notified.has(x)) });
      }
      return { ...h, roles };
    });
    if (hosts.some((h) => h.roles.length)) found = true;
    return { ...play, hosts: hosts.filter((h) => h.roles.length || h.checks.length) };
  });
  if (!found)
    throw new InputError([
      {
        field: "--start-at-task",
        message: `no task of the selected hosts is named "${pattern}"`,
        hint: "deploy PLAYBOOK --list-tasks shows them (NAME, or ROLE : NAME; * matches anything)",
      },
    ]);
  return out;
}
