import type { CompiledTask } from "./compile.js";
import { type Key, keys, overlaps } from "./keys.js";
import type { SectionOutput } from "./sections.js";
import type { Resource, Step } from "./types.js";

/**
 * What the engine knows of each task's state on one host: read from a probe, or projected from
 * a file text an earlier change of the same run leaves. A state that could not be read keeps
 * the reason, and asking the task for its steps then fails with it.
 */
export class TaskStates {
  private readonly states: unknown[] = [];
  private readonly errors: Array<string | undefined> = [];

  constructor(private readonly tasks: readonly CompiledTask[]) {}

  /** Take a probe section (undefined: the probe printed nothing for it). */
  read(i: number, out: SectionOutput | undefined): void {
    const r = this.tasks[i]!.task.resource;
    try {
      if (!out) throw new Error("no probe output");
      this.set(i, r.parse(out.output, out.code));
    } catch (e) {
      const shown = out?.output && !r.secretProbe ? `\n${out.output.slice(0, 2000)}` : "";
      this.errors[i] = `cannot read state: ${(e as Error).message}${shown}`;
    }
  }

  set(i: number, state: unknown): void {
    this.states[i] = state;
    this.errors[i] = undefined;
  }

  /** The steps from the known state to the wanted one; throws when the state is unknown or the resource refuses it. */
  stepsFor(i: number): Step[] {
    const error = this.errors[i];
    if (error) throw new Error(error);
    return this.tasks[i]!.task.resource.steps(this.states[i]);
  }
}

/** Remember the texts these steps leave in files (a secret text is forgotten, never kept). */
export function recordTexts(texts: Map<string, string | null>, steps: Step[]): void {
  for (const st of steps) {
    if (st.diff?.sensitive) texts.delete(st.diff.path);
    else if (st.diff) texts.set(st.diff.path, st.diff.after);
  }
}

/**
 * The state of a content-reading resource from a file text an earlier change leaves, or
 * undefined when what it reads is not just that one file.
 */
export function project(
  r: Resource,
  dirty: Iterable<Key> & { has(k: Key): boolean },
  written: ReadonlyMap<string, string | null>,
): unknown {
  if (!r.fromContent || dirty.has(keys.anything)) return undefined;
  const trees = r.reads.filter((k) => k.kind === "tree");
  const path = trees.length === 1 ? trees[0]!.path : undefined;
  if (path === undefined || !written.has(path)) return undefined;
  // every dirty key that touches what it reads must be that very file
  for (const d of dirty)
    if (overlaps(r.reads, [d]) && !((d.kind === "tree" || d.kind === "entry") && d.path === path)) return undefined;
  return r.fromContent(written.get(path) ?? null);
}
