import { closeSync, openSync, writeSync } from "node:fs";
import type { Reporter } from "../engine/reporter.js";
import { plainReporter } from "./plain.js";

/**
 * --log FILE (or DEPLOY_LOG): every line of a run, timestamped, appended to a private file
 * (0600): each play, every task with its status (ok ones too), the reason of every change, every
 * error, each host's end. No diffs (they hold file contents); errors reach it redacted, as they
 * reach the screen: no secret is written.
 */
export function logReporter(
  path: string,
  check: boolean,
  now: () => Date = () => new Date(),
): Reporter & {
  line(text: string): void;
  close(): void;
} {
  const fd = openSync(path, "a", 0o600);
  const stamp = (s: string) =>
    s
      .split("\n")
      .filter((l) => l.length)
      .map((l) => `${now().toISOString()} ${l}\n`)
      .join("");
  const write = (s: string) => writeSync(fd, stamp(s));
  const plain = plainReporter({ verbose: 2, diff: false, check, write });
  return { ...plain, line: (text) => write(`${text}\n`), close: () => closeSync(fd) };
}

/** Both reporters, in order (the screen's, then the log's). */
export function teeReporter(a: Reporter, b: Reporter): Reporter {
  return {
    playStarted: (n, h) => {
      a.playStarted(n, h);
      b.playStarted(n, h);
    },
    warning: (m) => {
      a.warning?.(m);
      b.warning?.(m);
    },
    hostStarted: (h) => {
      a.hostStarted(h);
      b.hostStarted(h);
    },
    progress: (h, t) => {
      a.progress(h, t);
      b.progress(h, t);
    },
    task: (r) => {
      a.task(r);
      b.task(r);
    },
    hostFinished: (h, o) => {
      a.hostFinished(h, o);
      b.hostFinished(h, o);
    },
    playFinished: async (n) => {
      await a.playFinished(n);
      await b.playFinished(n);
    },
  };
}
