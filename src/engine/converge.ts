import { redact } from "../secrets.js";
import type { RemoteShell } from "../transport/target.js";
import type { CompiledRole, CompiledTask } from "./compile.js";
import { confirmAll } from "./confirm.js";
import { shDialect } from "./dialect.js";
import type { HostRunOptions } from "./host-run.js";
import { overlaps } from "./keys.js";
import { notifyMarkerStep, handlerStep, parsePending } from "./notify.js";
import { probeItem, probeScript, probeSections, runProbe } from "./probe.js";
import type { Reporter } from "./reporter.js";
import { emptyRecap, type HostRecap, type TaskResult } from "./results.js";
import { newToken, parseSections } from "./sections.js";
import type { Handler, Resource, Step } from "./types.js";

interface Entry {
  kind: "task" | "handler";
  index: number; // task index, or -1 for handlers
  role: string;
  name: string;
  steps: Step[];
}

/**
 * Converge one host once: probe every task in one script (or take the prefetched probe); plan
 * each; apply changes in batches (one script each), cut only where a task reads state that an
 * earlier change in the batch wrote; the probes that follow a batch travel in the same script.
 * `lock` is awaited before the first batch.
 */
export async function convergeOnce(shell: RemoteShell, host: string, roles: CompiledRole[], opts: HostRunOptions, reporter: Reporter, lock: () => Promise<void>): Promise<{ recap: HostRecap; error?: string }> {
  const recap = emptyRecap();
  const d = shell.dialect ?? shDialect;
  const HEADER = d.header;
  const section = d.section;
  const tasks: CompiledTask[] = roles.flatMap((r) => r.tasks);
  const ctx = { diff: opts.diff };
  const report = (r: Omit<TaskResult, "host">) => {
    const result: TaskResult = { host, ...r, error: r.error === undefined ? undefined : redact(r.error) };
    recap[result.status === "ok" ? "ok" : result.status]++;
    reporter.task(result);
  };

  // 1. One probe for everything (possibly sent before this play started: see run.ts).
  reporter.progress(host, "reading state");
  const first = await (opts.prefetched ?? runProbe(shell, roles, opts.diff));
  const res = first.result;
  const sections = probeSections(first.token, res.stdout, first.copies);
  if (d.pendingProbe !== undefined && !sections.has("pending")) return { recap: { ...recap, failed: 1 }, error: `the probe script did not run: exit ${res.code} ${res.stderr.trim()}` };
  const pending = parsePending(sections.get("pending")?.output ?? "");
  const states: unknown[] = [];
  const readErrors: Array<string | undefined> = [];
  const parseInto = (i: number, out: { output: string; code: number } | undefined) => {
    try {
      if (!out) throw new Error("no probe output");
      states[i] = tasks[i].task.resource.parse(out.output, out.code);
      readErrors[i] = undefined;
    } catch (e) {
      const shown = out?.output && !tasks[i].task.resource.secretProbe ? `\n${out.output.slice(0, 2000)}` : "";
      readErrors[i] = `cannot read state: ${(e as Error).message}${shown}`;
    }
  };
  tasks.forEach((_, i) => parseInto(i, sections.get(`p${i}`)));

  const planOf = (i: number): Step[] => {
    if (readErrors[i]) throw new Error(readErrors[i]);
    return tasks[i].task.resource.plan(states[i]);
  };

  // 2. Check mode: plan only. A task that reads a file an earlier task would edit is planned
  // against the text that edit would leave, as the real run does (see project()).
  if (opts.check) {
    let i = 0;
    const wouldChange = new Set<string>();
    const wouldWrite = new Map<string, string | null>();
    for (const r of roles) {
      const notified = new Set<string>(r.handlers.filter((h) => pending.has(h.id)).map((h) => h.id));
      for (const t of r.tasks) {
        try {
          if (overlaps(t.task.resource.reads, wouldChange)) {
            const projected = project(t.task.resource, wouldChange, wouldWrite);
            if (projected !== undefined) [states[i], readErrors[i]] = [projected, undefined];
          }
          const steps = planOf(i);
          if (steps.length) t.task.notify.forEach((h) => notified.add(h.id));
          if (steps.length) t.task.resource.writes.forEach((w) => wouldChange.add(w));
          recordTexts(wouldWrite, steps);
          report({ role: t.role, task: t.task.name, status: steps.length ? "changed" : "ok", why: steps.map((s) => s.why), diff: diffsOf(steps) });
        } catch (e) {
          // A state that cannot be read before earlier changes exist (a daemon not installed or
          // not started yet) is a change to come, not a failure.
          if (overlaps(t.task.resource.reads, wouldChange)) {
            t.task.resource.writes.forEach((w) => wouldChange.add(w));
            t.task.notify.forEach((h) => notified.add(h.id));
            report({ role: t.role, task: t.task.name, status: "changed", why: [`depends on the changes above (now: ${(e as Error).message.split("\n")[0]})`] });
          } else report({ role: t.role, task: t.task.name, status: "failed", error: (e as Error).message });
        }
        i++;
      }
      for (const h of r.handlers.filter((x) => notified.has(x.id))) report({ role: r.role, task: `handler: ${h.name}`, status: "changed", why: [pending.has(h.id) ? "notified by an earlier run" : "notified"] });
    }
    return { recap };
  }

  // 3. Apply.
  let batch: Entry[] = [];
  const dirty = new Set<string>();
  /** New texts of files written by the current batch (not secret ones). */
  const written = new Map<string, string | null>();

  /**
   * Apply the batch in one script. The same script then re-reads the batch's own tasks
   * (convergence is checked, not assumed) and every task from `probeFrom` on.
   */
  const flush = async (probeFrom: number): Promise<string | undefined> => {
    if (!batch.length) return undefined;
    if (opts.interrupted()) return "interrupted before the next change";
    await lock();
    const tk = newToken();
    const parts: string[] = [HEADER];
    batch.forEach((e, b) => e.steps.forEach((s, k) => parts.push(section(tk, `s${b}.${k}`, s.script, { stopOnError: true }))));
    const verifyIdx = batch.filter((e) => e.kind === "task" && tasks[e.index].task.resource.kind !== "command").map((e) => e.index);
    const probeIdx = [...new Set([...verifyIdx, ...tasks.map((_, i) => i).filter((i) => i >= probeFrom)])];
    const probe = probeScript(d, tk, probeIdx.map((i) => probeItem(`p${i}`, tasks[i].task.resource, opts.diff)));
    parts.push(probe.script);
    reporter.progress(host, `applying ${batch.length} change${batch.length > 1 ? "s" : ""}`);
    const r = await shell.run(parts.join("\n"));
    const secs = probeSections(tk, r.stdout, probe.copies);
    probeIdx.forEach((i) => parseInto(i, secs.get(`p${i}`)));
    let failure: string | undefined;
    // The script stops at the first failed step: then nothing after it ran, not even the re-reads.
    const allRan = batch.every((e, b) => e.steps.every((_, k) => secs.get(`s${b}.${k}`)?.code === 0));
    for (const [b, e] of batch.entries()) {
      if (failure) {
        report({ role: e.role, task: e.name, status: "skipped" });
        continue;
      }
      const outs = e.steps.map((_, k) => secs.get(`s${b}.${k}`));
      const bad = outs.findIndex((o) => !o || o.code !== 0);
      const why = e.steps.map((s) => s.why).filter((w) => !w.startsWith("record notification"));
      if (bad >= 0) {
        const o = outs[bad];
        failure = `${e.steps[bad].why}: ${o ? `exit ${o.code}` : "did not run"}${o?.output ? `\n${o.output.trim()}` : r.stderr ? `\n${r.stderr.trim()}` : ""}`;
        report({ role: e.role, task: e.name, status: "failed", error: failure });
        continue;
      }
      const confirmError = await confirmAll(shell, e.steps);
      if (confirmError) {
        failure = confirmError;
        report({ role: e.role, task: e.name, status: "failed", why, error: failure });
        continue;
      }
      if (e.kind === "task" && e.steps.some((st) => st.confirm)) {
        // the confirmation changed what the task reads (it records the change): read it again
        const tk2 = newToken();
        const again = await shell.run(HEADER + section(tk2, "p", tasks[e.index].task.resource.probe(ctx)));
        parseInto(e.index, parseSections(tk2, again.stdout).get("p"));
      }
      if (allRan && e.kind === "task" && verifyIdx.includes(e.index)) {
        let left: string[];
        try {
          left = planOf(e.index).map((s) => s.why);
        } catch (err) {
          left = [(err as Error).message];
        }
        if (left.length) {
          failure = `applied, but a fresh read still differs: ${left.join("; ")}`;
          report({ role: e.role, task: e.name, status: "failed", why, error: failure });
          continue;
        }
      }
      report({ role: e.role, task: e.name, status: "changed", why, diff: diffsOf(e.steps) });
    }
    batch = [];
    dirty.clear();
    written.clear();
    return failure;
  };

  let i = 0;
  for (const r of roles) {
    const notified: Handler[] = r.handlers.filter((h) => pending.has(h.id));
    for (const t of r.tasks) {
      if (overlaps(t.task.resource.reads, dirty)) {
        // A file edited earlier in this batch, whose new text we know, is all this task reads:
        // plan against that text instead of paying a round trip to read it back.
        const projected = project(t.task.resource, dirty, written);
        if (projected !== undefined) {
          states[i] = projected;
          readErrors[i] = undefined;
        } else {
          const err = await flush(i);
          if (err) return { recap, error: err };
        }
      }
      let steps: Step[];
      try {
        steps = planOf(i);
      } catch (e) {
        const err = await flush(tasks.length);
        report({ role: t.role, task: t.task.name, status: "failed", error: (e as Error).message });
        return { recap, error: err ?? (e as Error).message };
      }
      if (steps.length) {
        const marks = t.task.notify.filter((h) => !notified.some((n) => n.id === h.id));
        notified.push(...marks);
        batch.push({ kind: "task", index: i, role: t.role, name: t.task.name, steps: [...(d.pendingProbe !== undefined ? t.task.notify.map(notifyMarkerStep) : []), ...steps] });
        t.task.resource.writes.forEach((w) => dirty.add(w));
        recordTexts(written, steps);
        if (steps.some((s) => s.confirm)) {
          // confirm right away over a fresh connection, before anything else runs
          const err = await flush(i + 1);
          if (err) return { recap, error: err };
        }
      } else report({ role: t.role, task: t.task.name, status: "ok" });
      i++;
    }
    for (const h of notified) {
      batch.push({ kind: "handler", index: -1, role: r.role, name: `handler: ${h.name}`, steps: [handlerStep(h)] });
      dirty.add("*");
    }
  }
  const err = await flush(tasks.length);
  return { recap, error: err };
}

/** Remember the texts these steps leave in files (a secret text is forgotten, never kept). */
function recordTexts(texts: Map<string, string | null>, steps: Step[]): void {
  for (const st of steps) {
    if (st.diff?.sensitive) texts.delete(st.diff.path);
    else if (st.diff) texts.set(st.diff.path, st.diff.after);
  }
}

/** The state of a content-reading resource from a file text written earlier in the batch. */
function project(r: Resource, dirty: ReadonlySet<string>, written: ReadonlyMap<string, string | null>): unknown {
  if (!r.fromContent || dirty.has("*")) return undefined;
  const paths = r.reads.filter((k) => k.startsWith("path:")).map((k) => k.slice(5));
  if (paths.length !== 1 || !written.has(paths[0])) return undefined;
  // every dirty key that touches what it reads must be that very file
  for (const d of dirty) if (overlaps(r.reads, new Set([d])) && d !== `path:${paths[0]}` && d !== `node:${paths[0]}`) return undefined;
  return r.fromContent(written.get(paths[0]) ?? null);
}

function diffsOf(steps: Step[]) {
  const d = steps.map((s) => s.diff).filter((x): x is NonNullable<typeof x> => !!x);
  return d.length ? d : undefined;
}
