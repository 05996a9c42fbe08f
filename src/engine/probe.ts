import type { RemoteShell, RunResult } from "../transport/target.js";
import type { CompiledRole } from "./compile.js";
import { shDialect, type ProbeItem } from "./dialect.js";
import { newToken } from "./sections.js";
import type { Resource } from "./types.js";

/** A probe script on its way or back: its section token and what the host printed. */
export interface ProbeRun {
  token: string;
  result: RunResult;
}

export function probeItem(id: string, r: Resource, diff: boolean): ProbeItem {
  return [id, r.probe({ diff }), r.slowProbe, r.probeInShell];
}

/** The one remote script that reads every task of a host (and its kept notifications). */
export function runProbe(shell: RemoteShell, roles: CompiledRole[], diff: boolean): Promise<ProbeRun> {
  const d = shell.dialect ?? shDialect;
  const token = newToken();
  const tasks = roles.flatMap((r) => r.tasks);
  const items: ProbeItem[] = [...(d.pendingProbe !== undefined ? [["pending", d.pendingProbe, false, true] as ProbeItem] : []), ...tasks.map((t, i) => probeItem(`p${i}`, t.task.resource, diff))];
  const script = d.header + d.probes(token, items);
  return shell.run(script).then((result) => ({ token, result }));
}
