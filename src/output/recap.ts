import type { RunSummary } from "../engine/run.js";
import { forPerson } from "./sink.js";

/** RECAP lines for a person: host names and errors pass through the sink before any colour is added. */
export function recapLines(summary: RunSummary, color: boolean): string[] {
  const c = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const width = Math.max(4, ...Object.keys(summary.hosts).map((h) => h.length));
  const lines = [summary.check ? "RECAP (check mode: changed = would change)" : "RECAP"];
  for (const [host, r] of Object.entries(summary.hosts)) {
    const state = r.unreachable
      ? c(31, "unreachable")
      : r.failed
        ? c(31, "failed")
        : r.changed
          ? c(33, "changed")
          : c(32, "ok");
    lines.push(
      `${forPerson(host).padEnd(width)}  ok=${r.ok} changed=${r.changed} failed=${r.failed} unreachable=${r.unreachable} skipped=${r.skipped}  ${state}`,
    );
    if (r.error)
      lines.push(
        ...forPerson(r.error)
          .split("\n")
          .slice(0, 12)
          .map((l) => `${" ".repeat(width)}  ! ${l}`),
      );
  }
  return lines;
}
