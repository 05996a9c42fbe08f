import { redact } from "../secrets.js";
import type { RemoteShell } from "../transport/target.js";
import { applyExecutor } from "./apply-batch.js";
import { checkExecutor, type Entry } from "./batch.js";
import type { CompiledRole, CompiledTask } from "./compile.js";
import { dialectOf } from "./dialect.js";
import { KeySet, keys, overlaps } from "./keys.js";
import { handlerStep, notifyMarkerStep, parsePending } from "./notify.js";
import { probeSections, runProbe, type ProbeRun } from "./probe.js";
import type { Reporter } from "./reporter.js";
import { emptyRecap, type HostRecap, type TaskResult } from "./results.js";
import { project, recordTexts, TaskStates } from "./task-states.js";
import type { Handler, Step } from "./types.js";

export interface HostRunOptions {
  check: boolean;
  diff: boolean;
  /** The first probe, already on its way (sent while earlier plays ran). */
  prefetched?: Promise<ProbeRun>;
  /** Checked between remote scripts: true once Ctrl-C was pressed. */
  interrupted: () => boolean;
  /**
   * Takes the host's run lock; called once, right before the first change. Resolves true
   * when another run changed the host since it was read: the host is then read again.
   */
  takeLock?: () => Promise<boolean>;
}

/**
 * Converge one host once, in check mode or for real by the same loop: read every task in one
 * probe script (or take the prefetched one); take each task's steps in order; gather them in
 * batches that the executor carries out, one remote script each (check mode: none). A batch is
 * cut where a task reads state that a change in it writes, unless the new state is known
 * (a file's text); in check mode it is never cut, and such a task's steps come from what was
 * read. A change that must be confirmed over a new connection ends its batch at once.
 */
export async function convergeOnce(
  shell: RemoteShell,
  host: string,
  roles: CompiledRole[],
  opts: HostRunOptions,
  reporter: Reporter,
  takeLock: () => Promise<void>,
): Promise<{ recap: HostRecap; error?: string }> {
  const recap = emptyRecap();
  const dialect = dialectOf(shell);
  const tasks: CompiledTask[] = roles.flatMap((r) => r.tasks);
  const report = (r: Omit<TaskResult, "host">) => {
    const result: TaskResult = { host, ...r, error: r.error === undefined ? undefined : redact(r.error) };
    recap[result.status === "ok" ? "ok" : result.status]++;
    reporter.task(result);
  };

  reporter.progress(host, "reading state");
  const first = await (opts.prefetched ?? runProbe(shell, roles, opts.diff));
  const sections = probeSections(first.token, first.result.stdout, first.copies);
  if (dialect.pendingProbe !== undefined && !sections.has("pending"))
    return {
      recap: { ...recap, failed: 1 },
      error: `the probe script did not run: exit ${first.result.code} ${first.result.stderr.trim()}`,
    };
  const pending = parsePending(sections.get("pending")?.output ?? "");
  const states = new TaskStates(tasks);
  tasks.forEach((_, i) => states.read(i, sections.get(`p${i}`)));

  const exec = opts.check
    ? checkExecutor(report)
    : applyExecutor({
        shell,
        dialect,
        host,
        tasks,
        states,
        diff: opts.diff,
        report,
        reporter,
        takeLock,
        interrupted: opts.interrupted,
      });
  let batch: Entry[] = [];
  /** What the batch's changes write, and the texts they leave in files (until read back). */
  const dirty = new KeySet();
  const written = new Map<string, string | null>();
  const flush = async (readFrom: number) => {
    const sent = batch;
    batch = [];
    const failure = await exec.carryOut(sent, readFrom);
    if (exec.readsBack) {
      dirty.clear();
      written.clear();
    }
    return failure;
  };

  let i = 0;
  for (const r of roles) {
    const notified: Handler[] = r.handlers.filter((h) => pending.has(h.id));
    for (const t of r.tasks) {
      const entry: Entry = { kind: "task", index: i, role: t.role, name: t.task.name, steps: [], why: [] };
      let unread = false;
      if (overlaps(t.task.resource.reads, dirty)) {
        const projected = project(t.task.resource, dirty, written);
        if (projected !== undefined) states.set(i, projected);
        else if (exec.readsBack) {
          const err = await flush(i);
          if (err) return { recap, error: err };
        } else unread = true;
      }
      let steps: Step[];
      try {
        steps = states.stepsFor(i);
      } catch (e) {
        const message = (e as Error).message;
        if (unread) steps = [];
        else {
          const err = await flush(tasks.length);
          report({ role: t.role, task: t.task.name, status: "failed", error: message });
          if (opts.check) {
            i++;
            continue;
          }
          return { recap, error: err ?? message };
        }
        Object.assign(entry, { unread: true, why: [`depends on the changes above (now: ${message.split("\n")[0]})`] });
      }
      if (steps.length || entry.unread) {
        for (const h of t.task.notify) if (!notified.some((n) => n.id === h.id)) notified.push(h);
        t.task.resource.writes.forEach((w) => dirty.add(w));
        recordTexts(written, steps);
      }
      if (steps.length)
        Object.assign(entry, {
          steps: [...(dialect.pendingProbe !== undefined ? t.task.notify.map(notifyMarkerStep) : []), ...steps],
          why: steps.map((s) => s.why),
        });
      batch.push(entry);
      if (steps.some((s) => s.confirm)) {
        // confirmed right away over a fresh connection, before anything else runs
        const err = await flush(i + 1);
        if (err) return { recap, error: err };
      }
      i++;
    }
    for (const h of notified) {
      batch.push({
        kind: "handler",
        index: -1,
        role: r.role,
        name: `handler: ${h.name}`,
        steps: [handlerStep(h)],
        why: [pending.has(h.id) ? `${h.name} (notified by an earlier run)` : h.name],
      });
      dirty.add(keys.anything);
    }
  }
  return { recap, error: await flush(tasks.length) };
}
