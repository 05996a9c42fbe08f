import type { Key } from "./keys.js";
import type { Probe } from "./read-tables.js";
import type { Secret } from "../secrets.js";

/** Before/after of one file, for --diff. `sensitive` hides the text (it holds secrets). */
export interface FileDiff {
  path: string;
  before: string | null;
  after: string | null;
  sensitive?: boolean;
}

/** One thing to do, with the reason a person reads. `script` is a POSIX shell fragment. */
export interface Step {
  why: string;
  script: string;
  diff?: FileDiff;
  /**
   * For changes that could cut the deploying session off (firewall, SSH port, uplink): the
   * step arms an automatic revert on the host; the engine then opens a NEW connection and runs
   * this script to cancel the revert. When no new connection can be made, the host reverts
   * by itself and the task fails with the reason.
   */
  confirm?: { script: string; revertAfterSeconds: number };
  /**
   * The step starts a change that completes after the task (detached, e.g. a removal that would
   * cut the session asking for it): the fresh read after the apply is not held against it; the
   * next run reads what it left.
   */
  deferred?: true;
}

export interface ProbeContext {
  /** --diff: probes may fetch the current content of files that differ. */
  diff: boolean;
}

/**
 * The resource contract: a read-only probe (shell fragment) and a pure parser, then a
 * pure `steps(current)`: what to do from the current state to the wanted one. The engine owns check mode.
 */
export interface Resource<S = unknown> {
  readonly kind: string;
  /** What a person reads in the task list: "file /etc/radvd.conf". */
  readonly name: string;
  /** State this resource reads (keys.file("/etc/x"), keys.unit("radvd.service"), ...). */
  readonly reads: readonly Key[];
  /** State its steps may change; "*" means anything (a package install, a command). */
  readonly writes: readonly Key[];
  /** Plain shell text, or probeText`...` with table look-ups (tableRead) in it. */
  probe(ctx: ProbeContext): string | Probe;
  /**
   * For resources that read one file's text: their state given that text (null: no file).
   * Lets the engine take the steps after an earlier edit of the same file without reading it back.
   */
  fromContent?(text: string | null): S;
  /**
   * Optional, and safe to leave out: what lets the engine run this probe faster. Without it
   * the probe runs in a subshell of its own, after the one before; both ways are correct.
   */
  readonly speed?: ProbeSpeed;
  /**
   * The probe's output holds secrets or password-equivalent hashes (SoftEther's ConfigGet):
   * it is never quoted in an error, only said to be unreadable.
   */
  readonly secretProbe?: boolean;
  parse(output: string, exitCode: number): S;
  steps(current: S): Step[];
}

/** How a probe may be run, for speed only (see Resource.speed). */
export interface ProbeSpeed {
  /** It waits on something slow (a daemon's client): start it first, beside the others. */
  readonly slow?: boolean;
  /**
   * It may run in the probe script's own shell (one fork less): it never exits, changes
   * directory, sets options or traps, runs no text of the user outside a subshell, and reads
   * no variable it did not set.
   */
  readonly inShell?: boolean;
}

/** Something to run once at the end of a role when a task that notifies it changed. */
export interface Handler {
  readonly id: string;
  readonly name: string;
  readonly script: string;
}

export interface TaskOptions {
  /** Overrides the resource's name in output ("title": `name` is a field of several resources). */
  title?: string;
  notify?: Handler | Handler[];
  tags?: string[];
}

export interface Task {
  readonly name: string;
  readonly resource: Resource;
  readonly notify: readonly Handler[];
  readonly tags: readonly string[];
}

export function task(resource: Resource, opts: TaskOptions = {}): Task {
  const notify = opts.notify === undefined ? [] : Array.isArray(opts.notify) ? opts.notify : [opts.notify];
  return { name: opts.title ?? resource.name, resource, notify, tags: opts.tags ?? [] };
}

/** Text that goes into a file; `sensitive` when it was made from secrets. */
export interface Content {
  readonly text: string;
  readonly sensitive: boolean;
}

export type ContentInput = string | Secret | Content;
