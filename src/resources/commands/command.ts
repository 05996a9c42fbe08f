import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { type Key, keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { quote } from "../../transport/quote.js";

export interface CommandOptions extends TaskOptions {
  /** A shell command line, run with sh on the host. */
  run: string;
  /** Skip when this path exists. */
  creates?: string;
  /** Skip unless this path exists. */
  removes?: string;
  /** Skip when this command succeeds. */
  unless?: string;
  /** Run only when this command succeeds. */
  onlyIf?: string;
  /** State it may change (default: anything). Narrowing it saves a re-read. */
  affects?: Key[];
}

/** The shell test that is true when the command must run. */
export function guardTest(opts: CommandOptions): string | undefined {
  const parts: string[] = [];
  if (opts.creates) parts.push(`[ ! -e ${quote(opts.creates)} ]`);
  if (opts.removes) parts.push(`[ -e ${quote(opts.removes)} ]`);
  if (opts.unless) parts.push(`! ( ${opts.unless} ) >/dev/null 2>&1`);
  if (opts.onlyIf) parts.push(`( ${opts.onlyIf} ) >/dev/null 2>&1`);
  return parts.length ? parts.join(" && ") : undefined;
}

/** A command, idempotent through its guards (creates, removes, unless, onlyIf). */
export function command(opts: CommandOptions): Task {
  const guard = guardTest(opts);
  const resource: Resource<boolean> = {
    kind: "command",
    name: `command ${opts.run.length > 50 ? opts.run.slice(0, 47) + "..." : opts.run}`,
    reads: [
      ...(opts.creates ? [keys.tree(opts.creates)] : []),
      ...(opts.removes ? [keys.tree(opts.removes)] : []),
      ...(opts.unless || opts.onlyIf ? [keys.anything] : []),
    ],
    writes: opts.affects ?? [keys.anything],
    // user text (unless, onlyIf) stays in a subshell of its own
    speed: { inShell: !opts.unless && !opts.onlyIf },
    probe: () => (guard ? `if ${guard}; then echo run; else echo skip; fi` : "echo run"),
    parse: (out) => out.trim().split("\n").pop() === "run",
    steps: (mustRun): Step[] => {
      if (!mustRun) return [];
      // The guard is tested again when the step runs: the probe may be stale by then.
      const script = guard ? `if ${guard}; then\n${opts.run}\nfi` : opts.run;
      return [{ why: guard ? `guard says run: ${opts.run}` : `run: ${opts.run}`, script }];
    },
  };
  return task(resource, opts);
}
