// The shell we send, checked: every host's probe script of the site (the read-table functions
// it runs with, then each task's fragment) through ShellCheck (Debian's shellcheck, POSIX sh).
// Excluded, with the reason: SC2320 ("$? refers to echo"): a section's status is its group's,
// `{ ...; } 2>&1; rc=$?`, which ShellCheck reads as the group's last echo.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/engine/compile.js";
import { shDialect } from "../../src/engine/dialect.js";
import { probeItem, probeScript } from "../../src/engine/probe.js";
import { tableFunctions } from "../../src/engine/read-tables.js";
import { loadInventory } from "../../src/inventory/load.js";
import site from "../../playbooks/site.js";

describe("ShellCheck over the scripts the site sends", () => {
  it("every host's probe script (the networkd, netplan, NetworkManager and ifupdown VMs included) is clean", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-shellcheck-"));
    const plays = compile(site, loadInventory("inventory/lab.yaml", { lenientSecrets: true }), {}, "site.ts");
    const found: string[] = [];
    let scripts = 0;
    for (const p of plays)
      for (const h of p.hosts) {
        const items = h.roles.flatMap((r) => r.tasks).map((t, i) => probeItem(`t${i}`, t.task.resource, true));
        const file = join(dir, `${p.name}-${h.host}.sh`.replace(/\s/g, "_"));
        writeFileSync(file, `${tableFunctions}\n${probeScript(shDialect, "tok", items).script}`);
        const r = spawnSync("shellcheck", ["-s", "sh", "-S", "warning", "-e", "SC2320", "-f", "gcc", file], {
          encoding: "utf8",
        });
        expect(r.error).toBeUndefined(); // shellcheck is installed (scripts/packages.txt)
        found.push(...r.stdout.split("\n").filter(Boolean));
        scripts++;
      }
    expect(scripts).toBeGreaterThanOrEqual(6);
    expect(found).toEqual([]);
  });
});
