import { Listr } from "listr2";
import type { Reporter } from "../engine/reporter.js";
import type { HostOutcome, TaskResult } from "../engine/results.js";
import { renderDiff } from "./diff.js";
import { forPerson } from "./sink.js";

interface HostLine {
  resolve: () => void;
  reject: (e: Error) => void;
  setTitle?: (s: string) => void;
  setOutput?: (s: string) => void;
  counts: { ok: number; changed: number; failed: number };
  lines: string[];
}

/**
 * A listr2 task list per play: one line per host with a spinner and its current task,
 * then its counts; changed tasks (and diffs) printed under it when the host finishes.
 */
export function listrReporter(opts: { verbose: number; diff: boolean; check: boolean }): Reporter {
  let hosts = new Map<string, HostLine>();
  let list: Promise<unknown> | undefined;
  return {
    playStarted(name, names) {
      hosts = new Map(
        names.map((h) => [
          h,
          { resolve: () => {}, reject: () => {}, counts: { ok: 0, changed: 0, failed: 0 }, lines: [] },
        ]),
      );
      const l = new Listr(
        names.map((h) => ({
          title: forPerson(h),
          task: (_ctx: unknown, t: { title: string; output: string }) =>
            new Promise<void>((resolve, reject) => {
              const line = hosts.get(h)!;
              Object.assign(line, {
                resolve,
                reject,
                setTitle: (s: string) => (t.title = s),
                setOutput: (s: string) => (t.output = s),
              });
            }),
        })),
        {
          concurrent: true,
          exitOnError: false,
          rendererOptions: { collapseErrors: false, showErrorMessage: true },
          renderer: "default",
        },
      );
      process.stdout.write(forPerson(`PLAY ${name}`) + "\n");
      list = l.run().catch(() => undefined);
    },
    hostStarted() {},
    warning(m) {
      process.stdout.write(forPerson(`WARNING ${m}`) + "\n");
    },
    progress(host, text) {
      hosts.get(host)?.setOutput?.(forPerson(text));
    },
    task(r: TaskResult) {
      const line = hosts.get(r.host);
      if (!line) return;
      if (r.status === "ok") line.counts.ok++;
      if (r.status === "changed") line.counts.changed++;
      if (r.status === "failed") line.counts.failed++;
      line.setOutput?.(forPerson(r.task));
      if (r.status === "changed" || r.status === "failed" || opts.verbose >= 1) {
        line.lines.push(`  ${r.status === "changed" && opts.check ? "would change" : r.status}: [${r.role}] ${r.task}`);
        if (r.why && r.status !== "ok") line.lines.push(...r.why.map((w) => `      - ${w}`));
        if (r.error) line.lines.push(...r.error.split("\n").map((w) => `      ! ${w}`));
        if (opts.diff && r.diff)
          for (const d of r.diff) line.lines.push(forPerson(renderDiff(d)).replace(/^/gm, "      ").trimEnd());
      }
    },
    hostFinished(host, o: HostOutcome) {
      const line = hosts.get(host);
      if (!line) return;
      const c = line.counts;
      line.setTitle?.(
        forPerson(
          `${host}: ok=${c.ok} ${opts.check ? "would change" : "changed"}=${c.changed}${c.failed ? ` failed=${c.failed}` : ""}`,
        ),
      );
      if (o.error) line.reject(new Error(forPerson(o.error.split("\n")[0] ?? "")));
      else line.resolve();
    },
    async playFinished() {
      await list;
      for (const [host, line] of hosts) {
        if (line.lines.length) process.stdout.write(`${host}:\n`);
        for (const l of line.lines) process.stdout.write(forPerson(l) + "\n");
      }
    },
  };
}
