import type { RunSummary } from "../engine/run.js";
import { redactValue } from "../secrets.js";
import { renderDiff } from "./diff.js";

/** The one JSON document of --json. In check mode "changed" means "would change". */
export function jsonDocument(s: RunSummary): string {
  const doc = {
    check: s.check,
    exit_code: s.exitCode,
    duration_ms: s.durationMs,
    warnings: s.warnings,
    hosts: Object.fromEntries(
      Object.entries(s.hosts).map(([h, r]) => [
        h,
        {
          ok: r.ok,
          changed: r.changed,
          failed: r.failed,
          unreachable: r.unreachable,
          skipped: r.skipped,
          remote_scripts: r.remoteScripts,
          ...(r.error ? { error: r.error } : {}),
        },
      ]),
    ),
    tasks: s.tasks.map((t) => ({
      host: t.host,
      role: t.role,
      task: t.task,
      status: t.status,
      ...(t.why?.length ? { why: t.why } : {}),
      ...(t.error ? { error: t.error } : {}),
      ...(t.diff ? { diff: t.diff.map(renderDiff).join("") } : {}),
    })),
  };
  return JSON.stringify(redactValue(doc), null, 2) + "\n";
}
