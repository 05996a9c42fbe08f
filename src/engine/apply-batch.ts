import type { RemoteShell } from "../transport/target.js";
import type { Entry, Executor, Report } from "./batch.js";
import { diffsOf } from "./batch.js";
import type { CompiledTask } from "./compile.js";
import { confirmAll } from "./confirm.js";
import type { Dialect } from "./dialect.js";
import { probeItem, probeScript, probeSections } from "./probe.js";
import { asProbe } from "./read-tables.js";
import type { Reporter } from "./reporter.js";
import { newToken, parseSections } from "./sections.js";
import type { TaskStates } from "./task-states.js";

export interface ApplyContext {
  shell: RemoteShell;
  dialect: Dialect;
  host: string;
  tasks: readonly CompiledTask[];
  states: TaskStates;
  diff: boolean;
  report: Report;
  reporter: Reporter;
  /** Awaited before the first change of the run (takes the host's run lock). */
  takeLock: () => Promise<void>;
  interrupted: () => boolean;
}

/** Apply: each batch in one remote script, then convergence checked by a fresh read. */
export function applyExecutor(c: ApplyContext): Executor {
  return { readsBack: true, carryOut: (batch, readFrom) => applyBatch(c, batch, readFrom) };
}

/**
 * Run the batch's steps in one script, which stops at the first failed step. The same script
 * then reads the batch's own tasks again (convergence is checked, not assumed) and every task
 * from `readFrom` on.
 */
async function applyBatch(c: ApplyContext, batch: Entry[], readFrom: number): Promise<string | undefined> {
  const ok = (e: Entry) => c.report({ role: e.role, task: e.name, status: "ok" });
  if (!batch.some((e) => e.steps.length)) {
    batch.forEach(ok);
    return undefined;
  }
  if (c.interrupted()) {
    batch.filter((e) => !e.steps.length).forEach(ok);
    return "interrupted before the next change";
  }
  await c.takeLock();
  const d = c.dialect;
  const tk = newToken();
  const parts: string[] = [d.header];
  batch.forEach((e, b) =>
    e.steps.forEach((s, k) => parts.push(d.section(tk, `s${b}.${k}`, s.script, { stopOnError: true }))),
  );
  const verify = batch
    .filter((e) => e.kind === "task" && e.steps.length && c.tasks[e.index]!.task.resource.kind !== "command")
    .map((e) => e.index);
  const reread = [...new Set([...verify, ...c.tasks.map((_, i) => i).filter((i) => i >= readFrom)])];
  const probe = probeScript(
    d,
    tk,
    reread.map((i) => probeItem(`p${i}`, c.tasks[i]!.task.resource, c.diff)),
  );
  parts.push(probe.script);
  const n = batch.filter((e) => e.steps.length).length;
  c.reporter.progress(c.host, `applying ${n} change${n > 1 ? "s" : ""}`);
  c.reporter.applying?.(
    c.host,
    batch.filter((e) => e.kind === "task" && e.steps.length).map((e) => ({ role: e.role, task: e.name })),
  );
  const r = await c.shell.runScript(parts.join("\n"));
  const secs = probeSections(tk, r.stdout, probe.copies);
  reread.forEach((i) => c.states.read(i, secs.get(`p${i}`)));
  // after a failed step nothing ran, not even the re-reads
  const allRan = batch.every((e, b) => e.steps.every((_, k) => secs.get(`s${b}.${k}`)?.code === 0));
  let failure: string | undefined;
  for (const [b, e] of batch.entries()) {
    if (!e.steps.length) {
      ok(e);
      continue;
    }
    if (failure) {
      c.report({ role: e.role, task: e.name, status: "skipped" });
      continue;
    }
    const outs = e.steps.map((_, k) => secs.get(`s${b}.${k}`));
    const bad = outs.findIndex((o) => o?.code !== 0);
    if (bad >= 0) {
      const o = outs[bad];
      failure = `${e.steps[bad]!.why}: ${o ? `exit ${o.code}` : "did not run"}${o?.output ? `\n${o.output.trim()}` : r.stderr ? `\n${r.stderr.trim()}` : ""}`;
      c.report({ role: e.role, task: e.name, status: "failed", error: failure });
      continue;
    }
    failure = (await confirmAll(c.shell, e.steps)) ?? (await confirmed(c, e, allRan && verify.includes(e.index)));
    c.report({
      role: e.role,
      task: e.name,
      status: failure ? "failed" : "changed",
      why: e.why,
      ...(failure ? { error: failure } : { diff: diffsOf(e.steps) }),
    });
  }
  return failure;
}

/** After a confirmation, the task's state read again; then, when it was, that it converged. */
async function confirmed(c: ApplyContext, e: Entry, check: boolean): Promise<string | undefined> {
  if (e.kind !== "task") return undefined;
  if (e.steps.some((st) => st.confirm)) {
    // the confirmation changed what the task reads (it records the change): read it again
    const tk = newToken();
    const again = await c.shell.runScript(
      c.dialect.header +
        c.dialect.section(tk, "p", asProbe(c.tasks[e.index]!.task.resource.probe({ diff: c.diff })).script),
    );
    c.states.read(e.index, parseSections(tk, again.stdout).get("p"));
  }
  if (!check || e.steps.some((st) => st.deferred)) return undefined;
  let left: string[];
  try {
    left = c.states.stepsFor(e.index).map((s) => s.why);
  } catch (err) {
    left = [(err as Error).message];
  }
  return left.length ? `applied, but a fresh read still differs: ${left.join("; ")}` : undefined;
}
