import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { logReporter, teeReporter } from "../../src/output/log.js";
import { silentReporter } from "../../src/engine/reporter.js";

describe("--log FILE", () => {
  it("appends every line, timestamped, ok tasks and reasons included, to a 0600 file; no diff", () => {
    const path = join(mkdtempSync(join(tmpdir(), "hcd-log-")), "run.log");
    const log = logReporter(path, false, () => new Date("2026-12-02T10:00:00.000Z"));
    const r = teeReporter(silentReporter, log);
    log.line("deploy playbooks/site.ts (pid 1)");
    r.playStarted("vps", ["vps"]);
    r.task({ host: "vps", role: "radvd", task: "file /etc/radvd.conf", status: "ok" });
    r.task({
      host: "vps",
      role: "radvd",
      task: "file /etc/radvd.conf",
      status: "changed",
      why: ["update /etc/radvd.conf"],
      diff: [{ path: "/etc/radvd.conf", before: "old text\n", after: "new text\n" }],
    });
    r.task({ host: "vps", role: "x", task: "t", status: "failed", error: "exit 1\nsecond line" });
    r.hostFinished("vps", { recap: { ok: 1, changed: 1, failed: 1, unreachable: 0, skipped: 0 }, remoteScripts: 2 });
    log.close();
    expect(readFileSync(path, "utf8")).toBe(
      [
        "deploy playbooks/site.ts (pid 1)",
        "PLAY vps [vps]",
        "vps | radvd | file /etc/radvd.conf: ok",
        "vps | radvd | file /etc/radvd.conf: changed",
        "    - update /etc/radvd.conf",
        "vps | x | t: failed",
        "    ! exit 1",
        "    ! second line",
        "vps: done (2 remote scripts)",
      ]
        .map((l) => `2026-12-02T10:00:00.000Z ${l}\n`)
        .join(""),
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
