import type { TaskResult } from "./results.js";
import type { FileDiff, Step } from "./types.js";

/** One task or handler of a batch, in task order. A task with no steps is ok as it is. */
export interface Entry {
  kind: "task" | "handler";
  /** The task's index on the host; -1 for a handler. */
  index: number;
  role: string;
  name: string;
  steps: Step[];
  /** What a person reads: the reasons of the steps, without the engine's bookkeeping. */
  why: string[];
  /**
   * Check mode: the state could not be read before the changes above exist (a daemon not
   * installed yet). The task is a change to come, not a failure.
   */
  unread?: boolean;
}

export type Report = (r: Omit<TaskResult, "host">) => void;

/**
 * Carries out a batch. `carryOut` also re-reads the batch's tasks and every task from `readFrom`
 * on, when `readsBack`; it returns the failure that ends the host's run, if any.
 */
export interface Executor {
  readonly readsBack: boolean;
  carryOut(batch: Entry[], readFrom: number): Promise<string | undefined>;
}

/** Check mode: the same batches, sent nowhere; each change is reported as one to come. */
export function checkExecutor(report: Report): Executor {
  return {
    readsBack: false,
    async carryOut(batch) {
      for (const e of batch) {
        if (e.steps.length || e.unread)
          report({ role: e.role, task: e.name, status: "changed", why: e.why, diff: diffsOf(e.steps) });
        else report({ role: e.role, task: e.name, status: "ok" });
      }
      return undefined;
    },
  };
}

export function diffsOf(steps: Step[]): FileDiff[] | undefined {
  const d = steps.map((s) => s.diff).filter((x): x is FileDiff => !!x);
  return d.length ? d : undefined;
}
