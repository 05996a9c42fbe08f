import type { HostOutcome, TaskResult } from "./results.js";

/** What the engine tells whoever shows progress: listr2 on a TTY, plain lines, or nothing (--json). */
export interface Reporter {
  playStarted(name: string, hosts: string[]): void;
  /** Something the user should know that does not stop the run. */
  warning?(message: string): void;
  hostStarted(host: string): void;
  /** A task is being read/applied (for spinners). */
  progress(host: string, text: string): void;
  /** The tasks whose changes are being carried out now (one remote script). */
  applying?(host: string, tasks: Array<{ role: string; task: string }>): void;
  task(result: TaskResult): void;
  hostFinished(host: string, outcome: HostOutcome): void;
  playFinished(name: string): Promise<void> | void;
}

export const silentReporter: Reporter = {
  playStarted() {},
  hostStarted() {},
  progress() {},
  task() {},
  hostFinished() {},
  playFinished() {},
};
