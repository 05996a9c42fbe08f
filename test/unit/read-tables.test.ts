// The stat/sha256 tables of a probe script give exactly what one process per file gives.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { apt, directory, file } from "../../src/index.js";
import { shDialect, type ProbeItem } from "../../src/engine/dialect.js";
import { fillTables, probeText, tableRead } from "../../src/engine/read-tables.js";
import type { Resource } from "../../src/engine/types.js";

/** A probe item as the engine makes it (in the script's own shell when the resource allows). */
const item = (id: string, r: Resource): ProbeItem => probeItem(id, r, false);
import { parseSections } from "../../src/engine/sections.js";
import { probeItem } from "../../src/engine/probe.js";

const sh = (script: string) => spawnSync("sh", ["-c", script], { encoding: "utf8" });

describe("the probe's read tables", () => {
  it("read every file as a process per file would, names alike or not, plain or quoted, present or not", () => {
    const d = mkdtempSync(join(tmpdir(), "hcd-tables-"));
    mkdirSync(join(d, "x"));
    const files: Record<string, string> = {
      a: "one\n",
      "x/a": "two\n",
      "b  c": "spaced\n",
      "x/a.bak": "",
      "tab\tname": "t\n",
    };
    for (const [n, c] of Object.entries(files)) writeFileSync(join(d, n), c);
    chmodSync(join(d, "x/a"), 0o600);
    symlinkSync(join(d, "a"), join(d, "link"));
    const names = [...Object.keys(files), "missing", "link", "x"];
    const tasks = names.flatMap((n) => [
      file({ path: join(d, n), content: "other\n" }),
      directory({ path: join(d, n) }),
    ]);
    const items = tasks.map((t, i) => item(`p${i}`, t.resource));
    const script = shDialect.probes("TOK", items);
    expect(script.match(/^\{$/gm)).toHaveLength(items.length); // each in the script's own shell, no subshell
    const together = sh(shDialect.header + script);
    const sections = parseSections("TOK", together.stdout);
    // each fragment alone: no table, so every read is its own process
    items.forEach(([id, fragment]) => {
      const alone = sh(shDialect.header + fragment);
      expect(sections.get(id)?.output.trim(), `${id}: ${fragment.split("\n")[0]}`).toBe(alone.stdout.trim());
    });
    const shas = [...together.stdout.matchAll(/^sha (\S+)$/gm)].map((m) => m[1]);
    expect(shas).toHaveLength(5);
    expect(new Set(shas).size).toBe(5); // five texts; the symlink itself has no sha
  });

  it("fills the tables from what the look-ups declare, never from the shell text", () => {
    const declared = probeText`${tableRead.stat("/srv/a")}; x=1; ${tableRead.stat("/srv/b")}`;
    expect(declared.script).toBe("hcd_stat /srv/a; x=1; hcd_stat /srv/b");
    expect(fillTables([declared])).toMatch(/stat -c '[^']*' -- \/srv\/a \/srv\/b 2>/);
    expect(fillTables([{ script: "hcd_stat /srv/a; hcd_stat /srv/b", tables: {} }])).toBe("");
  });

  it("fills the tables with one stat and one sha256sum for the plain paths only", () => {
    const items = ["/srv/a", "/srv/b", "/srv/with space"].map((p, i) =>
      item(`p${i}`, file({ path: p, content: "x" }).resource),
    );
    const script = shDialect.probes("TOK", items);
    expect(script.match(/\bstat -c/g)).toHaveLength(1);
    expect(script).toMatch(/sha256sum -- \/srv\/a \/srv\/b 2>/);
    expect(script).not.toMatch(/sha256sum -- [^\n]*with/);
  });

  it("read packages as dpkg-query per task would, installed, absent and unknown", () => {
    const groups = [["dpkg", "no-such-package-hcd"], ["coreutils"], ["dash", "bash"], ["zlib1g"]];
    const items = groups.map((g, i) => item(`p${i}`, apt({ names: g }).resource));
    const script = shDialect.probes("TOK", items);
    expect(script.match(/dpkg-query -W/g)).toHaveLength(1);
    const sections = parseSections("TOK", sh(shDialect.header + script).stdout);
    items.forEach(([id, fragment], i) => {
      const alone = sh(
        `dpkg-query -W -f='\${Package}\\t\${db:Status-Abbrev}\\n' ${groups[i]!.join(" ")} 2>/dev/null; true`,
      );
      expect(sections.get(id)?.output.trim(), fragment).toBe(alone.stdout.trim());
    });
    expect(sections.get("p0")?.output).toMatch(/^dpkg\tii/);
  });
});
