import type { FileDiff } from "./types.js";

export type TaskStatus = "ok" | "changed" | "failed" | "skipped";

export interface TaskResult {
  host: string;
  role: string;
  task: string;
  status: TaskStatus;
  /** Why it changed (or would change), one line per step. */
  why?: string[];
  diff?: FileDiff[];
  error?: string;
}

export interface HostRecap {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  skipped: number;
}

export interface HostOutcome {
  recap: HostRecap;
  /** Why the host failed or was unreachable. */
  error?: string;
  /** SSH exec channels used on this host (each is at least one round trip). */
  remoteScripts: number;
}

export function emptyRecap(): HostRecap {
  return { ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0 };
}

/** Exit codes: a bit each, so a script can test them; documented in README. */
export const EXIT = {
  ok: 0,
  internal: 1,
  failed: 2,
  input: 3,
  unreachable: 4,
  drift: 8,
  /** deploy verify: a check failed. */
  verifyFailed: 16,
  interrupted: 130,
} as const;
