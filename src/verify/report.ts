import { redactValue } from "../secrets.js";
import type { CheckResult, VerifyReport } from "./run.js";

const LABEL = { pass: "PASS", fail: "FAIL", skip: "SKIP" } as const;
const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `        ${l}`)
    .join("\n");

/** One line per check: its status, hop, host (and where it ran) and title. */
export function checkLine(r: CheckResult): string {
  const where = r.on ? `${r.host} (from ${r.on})` : r.host;
  return `${LABEL[r.status]}  ${r.hop.padEnd(9)} ${where}: ${r.title}`;
}

/**
 * The report for a person: the first failing hop first with its evidence and hint, then what it
 * blocked, then every check in hop order (evidence of passes and skips with -v).
 */
export function verifyText(rep: VerifyReport, verbose: boolean): string {
  const out: string[] = [];
  const failed = rep.checks.filter((c) => c.status === "fail");
  const first = failed[0];
  if (first) {
    const hop = rep.hops.find((h) => h.id === first.hop);
    out.push(`FIRST FAILING HOP: ${first.hop}${hop && hop.title !== hop.id ? ` (${hop.title})` : ""}`, "");
    for (const c of failed.filter((c) => c.hop === first.hop)) {
      out.push(checkLine(c), indent(c.evidence));
      if (c.hint) out.push(indent(`hint: ${c.hint}`));
    }
    const blocked = rep.checks.filter((c) => c.blockedBy);
    if (blocked.length) {
      out.push("", "blocked (not run):");
      for (const c of blocked) out.push(`  ${c.host}: ${c.title}: blocked by ${c.blockedBy}`);
    }
    out.push("", "all checks:");
  }
  for (const c of rep.checks) {
    out.push(checkLine(c));
    if (c.status === "fail" && c.hop !== first?.hop) {
      out.push(indent(c.evidence));
      if (c.hint) out.push(indent(`hint: ${c.hint}`));
    } else if (verbose && c.status !== "fail") out.push(indent(c.evidence));
  }
  const n = (s: string) => rep.checks.filter((c) => c.status === s).length;
  const blocked = rep.checks.filter((c) => c.blockedBy).length;
  out.push(
    "",
    `${n("pass")} passed, ${n("fail")} failed, ${n("skip")} skipped${blocked ? ` (${blocked} blocked)` : ""}` +
      `${rep.unreachable.length ? `; unreachable: ${rep.unreachable.join(", ")}` : ""} in ${(rep.durationMs / 1000).toFixed(1)} s`,
  );
  return out.join("\n") + "\n";
}

/** The --json document of deploy verify. */
export function verifyJson(rep: VerifyReport): string {
  const doc = {
    exit_code: rep.exitCode,
    duration_ms: rep.durationMs,
    passed: rep.checks.every((c) => c.status !== "fail"),
    first_failing_hop: rep.checks.find((c) => c.status === "fail")?.hop ?? null,
    unreachable: rep.unreachable,
    hops: rep.hops.map((h) => ({ id: h.id, title: h.title })),
    checks: rep.checks.map((c) => ({
      id: c.key,
      hop: c.hop,
      host: c.host,
      ...(c.on ? { on: c.on } : {}),
      title: c.title,
      status: c.status,
      evidence: c.evidence,
      hint: c.hint ?? null,
      blocked_by: c.blockedBy ?? null,
      duration_ms: c.ms,
    })),
  };
  return JSON.stringify(redactValue(doc), null, 2) + "\n";
}
