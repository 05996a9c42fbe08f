import type { RunSummary } from "../engine/run.js";

export function recapLines(summary: RunSummary, color: boolean): string[] {
  const c = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const width = Math.max(4, ...Object.keys(summary.hosts).map((h) => h.length));
  const lines = [summary.check ? "RECAP (check mode: changed = would change)" : "RECAP"];
  for (const [host, r] of Object.entries(summary.hosts)) {
    const state = r.unreachable ? c(31, "unreachable") : r.failed ? c(31, "failed") : r.changed ? c(33, "changed") : c(32, "ok");
    lines.push(`${host.padEnd(width)}  ok=${r.ok} changed=${r.changed} failed=${r.failed} unreachable=${r.unreachable} skipped=${r.skipped}  ${state}`);
    if (r.error) lines.push(...r.error.split("\n").slice(0, 12).map((l) => `${" ".repeat(width)}  ! ${l}`));
  }
  return lines;
}
