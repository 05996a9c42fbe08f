import type { RemoteShell, RunResult } from "../transport/target.js";
import type { CompiledRole } from "./compile.js";
import { dialectOf, type Dialect, type ProbeItem } from "./dialect.js";
import { asProbe } from "./read-tables.js";
import { newToken, parseSections, type SectionOutput } from "./sections.js";
import type { Resource } from "./types.js";

/** A probe script on its way or back: its section token, what the host printed, and the copies (see probeScript). */
export interface ProbeRun {
  token: string;
  result: RunResult;
  copies: Map<string, string>;
}

/**
 * The probe part of a script. Probes only read, so two identical fragments (five line edits
 * of one file each read it) print the same: each distinct one runs once, and `copies` says
 * which section stands for which (copy id -> id that ran).
 */
export function probeScript(
  d: Dialect,
  token: string,
  items: ProbeItem[],
): { script: string; copies: Map<string, string> } {
  const first = new Map<string, string>();
  const copies = new Map<string, string>();
  const run: ProbeItem[] = [];
  for (const item of items) {
    const key = JSON.stringify(item.slice(1));
    const id = first.get(key);
    if (id === undefined) {
      first.set(key, item[0]);
      run.push(item);
    } else copies.set(item[0], id);
  }
  return { script: d.probes(token, run), copies };
}

/** Sections parsed from a probe's output, with the copies filled in. */
export function probeSections(token: string, stdout: string, copies: Map<string, string>): Map<string, SectionOutput> {
  const secs = parseSections(token, stdout);
  for (const [copy, id] of copies) {
    const s = secs.get(id);
    if (s) secs.set(copy, s);
  }
  return secs;
}

export function probeItem(id: string, r: Resource, diff: boolean): ProbeItem {
  const p = asProbe(r.probe({ diff }));
  return [id, p.script, r.speed?.slow, r.speed?.inShell, p.tables];
}

/** The one remote script that reads every task of a host (and its kept notifications). */
export function runProbe(shell: RemoteShell, roles: CompiledRole[], diff: boolean): Promise<ProbeRun> {
  const d = dialectOf(shell);
  const token = newToken();
  const tasks = roles.flatMap((r) => r.tasks);
  const items: ProbeItem[] = [
    ...(d.pendingProbe !== undefined ? [["pending", d.pendingProbe, false, true] as ProbeItem] : []),
    ...tasks.map((t, i) => probeItem(`p${i}`, t.task.resource, diff)),
  ];
  const { script, copies } = probeScript(d, token, items);
  return shell.runScript(d.header + script).then((result) => ({ token, result, copies }));
}
