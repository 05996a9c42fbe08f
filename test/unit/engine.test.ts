import { describe, expect, it } from "vitest";
import { startAtTask } from "../../src/engine/start-at.js";
import { keys, overlaps } from "../../src/engine/keys.js";
import { newToken, parseSections, section } from "../../src/engine/sections.js";
import { compile } from "../../src/engine/compile.js";
import { parseInventory } from "../../src/inventory/load.js";
import { definePlaybook, defineRole, z } from "../../src/playbook/define.js";
import { file } from "../../src/index.js";
import { jsonDocument } from "../../src/output/json.js";
import { renderDiff } from "../../src/output/diff.js";
import { renderText } from "../../src/resources/files/template.js";
import { secret, redact } from "../../src/secrets.js";
import { InputError } from "../../src/errors.js";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shDialect, type ProbeItem } from "../../src/engine/dialect.js";
import { NOTIFY_DIR, parsePending, pendingProbe } from "../../src/engine/notify.js";
import { probeScript, probeSections } from "../../src/engine/probe.js";

describe("sections", () => {
  it("frames many fragments in one script and splits their output with exit codes", () => {
    const tk = newToken();
    const script = [
      section(tk, "a", "echo one; echo two"),
      section(tk, "b", "printf 'no newline'; exit 3"),
      section(tk, "c", `echo '@@${tk.slice(0, 5)} fake end 0'`),
    ].join("\n");
    const out = execFileSync("sh", ["-s"], { input: script, encoding: "utf8" });
    const s = parseSections(tk, out);
    expect(s.get("a")).toEqual({ output: "one\ntwo", code: 0 });
    expect(s.get("b")).toEqual({ output: "no newline", code: 3 });
    expect(s.get("c")!.code).toBe(0);
  });
  it("stops a script at the first failed step", () => {
    const tk = newToken();
    const script = [
      section(tk, "s0", "exit 4", { stopOnError: true }),
      section(tk, "s1", "echo never", { stopOnError: true }),
    ].join("\n");
    const s = parseSections(tk, execFileSync("sh", ["-s"], { input: script, encoding: "utf8" }));
    expect(s.get("s0")!.code).toBe(4);
    expect(s.has("s1")).toBe(false);
  });
  it("runs identical probe fragments once and gives every copy the output", () => {
    const tk = newToken();
    const count = 'echo x >> "$HCD_COUNT"; echo same';
    const items: ProbeItem[] = [
      ["p0", count],
      ["p1", "echo other; exit 2"],
      ["p2", count],
      ["p3", count, false, true],
      ["p4", count],
    ];
    const { script, copies } = probeScript(shDialect, tk, items);
    expect([...copies]).toEqual([
      ["p2", "p0"],
      ["p4", "p0"],
    ]);
    const counter = join(mkdtempSync(join(tmpdir(), "hcd-probe-")), "count");
    const s = probeSections(
      tk,
      execFileSync("sh", ["-s"], {
        input: shDialect.header + script,
        encoding: "utf8",
        env: { ...process.env, HCD_COUNT: counter },
      }),
      copies,
    );
    expect(readFileSync(counter, "utf8")).toBe("x\nx\n"); // p0 and p3 (it runs in the shell itself: another fragment)
    for (const id of ["p0", "p2", "p3", "p4"]) expect(s.get(id)).toEqual({ output: "same", code: 0 });
    expect(s.get("p1")).toEqual({ output: "other", code: 2 });
  });
  it("lists kept notifications without a process, and nothing when there are none", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-notify-"));
    const probe = (d: string) =>
      execFileSync("sh", ["-c", pendingProbe().replaceAll(NOTIFY_DIR, d)], { encoding: "utf8" });
    expect(probe(join(dir, "missing"))).toBe("");
    expect(probe(dir)).toBe("");
    for (const f of ["0123456789abcdef", "fedcba9876543210"]) writeFileSync(join(dir, f), "");
    expect(parsePending(probe(dir))).toEqual(new Set(["0123456789abcdef", "fedcba9876543210"]));
  });
});

describe("keys: which reads a change makes outdated", () => {
  it.each([
    [[keys.tree("/etc/a")], [keys.tree("/etc/a")], true],
    [[keys.tree("/etc/a/b")], [keys.tree("/etc/a")], true],
    [[keys.tree("/etc/a")], [keys.tree("/etc/a/b")], true],
    [[keys.tree("/etc/ab")], [keys.tree("/etc/a")], false],
    [[keys.unit("radvd.service")], [keys.tree("/etc/radvd.conf")], false],
    [[keys.unit("x")], [keys.anything], true],
    [[keys.anything], [keys.unit("x")], true],
    [[keys.unit("x")], [keys.state("sysctl", "x")], false],
    [[keys.unit("x")], [keys.unit("x")], true],
    [keys.file("/srv/a/f"), [keys.entry("/srv/a")], false],
    [[keys.entry("/srv/a/f")], [keys.tree("/srv/a")], true],
    [[keys.entry("/srv/a")], [keys.entry("/srv/a")], true],
    [[keys.tree("/srv/a")], [keys.entry("/srv/a")], false],
  ])("%j read after %j written -> %s", (reads, dirty, want) => expect(overlaps(reads, dirty)).toBe(want));
});

describe("compile", () => {
  const inv = parseInventory(
    "all:\n  children:\n    web:\n      hosts:\n        a:\n        b:\n          port: eighty\n",
    "i.yaml",
  ).inventory;
  const role = defineRole({
    name: "web",
    params: z.object({ port: z.number().int().min(1).max(65535) }),
    tasks: (p) => [file({ path: "/etc/port", content: `${p.port}\n` })],
  });
  it("validates role parameters from the inventory per host, all problems at once", () => {
    const pb = definePlaybook({
      name: "t",
      plays: [{ hosts: "web", roles: (h) => [role({ port: (h.vars.port as number) ?? 80 }), role({ port: 0 })] }],
    });
    try {
      compile(pb, inv, {}, "pb.ts");
      expect.unreachable();
    } catch (e) {
      const msgs = (e as InputError).problems.map((p) => `${p.field}: ${p.message}`);
      expect(msgs.some((m) => m.startsWith("host b, role web: port"))).toBe(true);
      expect(msgs.filter((m) => m.includes("Too small") || m.includes(">=1"))).toHaveLength(2);
    }
  });
  it("applies tags and limit", () => {
    const pb = definePlaybook({
      name: "t",
      plays: [{ hosts: "all", roles: () => [role({ port: 1 })], tasks: () => [file({ path: "/x", content: "" })] }],
    });
    const only = compile(pb, inv, { tags: ["web"], limit: "a" }, "pb.ts");
    expect(only[0]!.hosts.map((h) => h.host)).toEqual(["a"]);
    expect(only[0]!.hosts[0]!.roles.map((r) => r.role)).toEqual(["web"]);
    const skip = compile(pb, inv, { skipTags: ["web"] }, "pb.ts");
    expect(skip[0]!.hosts[0]!.roles.map((r) => r.role)).toEqual(["tasks"]);
  });
  it("--start-at-task: each host starts at the first task so named; later plays run whole; an unknown name is bad input", () => {
    const pb = definePlaybook({
      name: "t",
      plays: [
        { name: "one", hosts: "all", tasks: () => ["/a", "/b", "/c"].map((p) => file({ path: p, content: "" })) },
        {
          name: "two",
          hosts: "a",
          tasks: () => [file({ path: "/d", content: "" }), file({ path: "/b", content: "" })],
        },
      ],
    });
    const names = (plays: ReturnType<typeof compile>) =>
      plays.map((p) =>
        p.hosts.map((h) => `${h.host}: ${h.roles.flatMap((r) => r.tasks.map((t) => t.task.name)).join(", ")}`),
      );
    expect(names(startAtTask(compile(pb, inv, {}, "pb.ts"), "file /b"))).toEqual([
      ["a: file /b, file /c", "b: file /b, file /c"],
      ["a: file /d, file /b"],
    ]);
    // ROLE : NAME, and a wildcard; found only in the second play: the first runs nothing
    expect(names(startAtTask(compile(pb, inv, {}, "pb.ts"), "two : file /d*"))).toEqual([[], ["a: file /d, file /b"]]);
    expect(() => startAtTask(compile(pb, inv, {}, "pb.ts"), "file /nope")).toThrow(InputError);
  });
  it("skips a play that names an unknown group, with a warning (as Ansible); refuses a --limit that selects nothing", () => {
    const pb = definePlaybook({ name: "t", plays: [{ name: "p", hosts: "nope", tasks: () => [] }] });
    const [play] = compile(pb, inv, {}, "pb.ts");
    expect(play!.hosts).toEqual([]);
    expect(play!.warnings).toEqual([expect.stringMatching(/^play "p": no host or group named "nope" in .*: skipped$/)]);
    const some = definePlaybook({ name: "t", plays: [{ name: "q", hosts: ["a", "nope"], tasks: () => [] }] });
    expect(compile(some, inv, {}, "pb.ts")[0]!.warnings[0]).toMatch(/those hosts are left out$/);
    expect(() => compile(pb, inv, { limit: "nope" }, "pb.ts")).toThrow(InputError);
  });
});

describe("templates and secrets", () => {
  it("renders strictly: a missing variable is an error", () => {
    expect(renderText("a={{a}}", { a: "<x>" }).text).toBe("a=<x>");
    expect(() => renderText("a={{b}}", { a: 1 }, "t.hbs")).toThrow(/t.hbs: .*"b" not defined/);
  });
  it("renders secrets in clear into the file but marks the content sensitive", () => {
    const c = renderText("pw={{pw}}", { pw: secret("tpl-secret-value") });
    expect(c).toEqual({ text: "pw=tpl-secret-value", sensitive: true });
  });
  it("masks secret values in any text and never prints a Secret", () => {
    const s = secret("mask-me-please");
    expect(redact("x mask-me-please y")).toBe("x ******** y");
    expect(`${s}`).toBe("********");
    expect(JSON.stringify({ s })).toBe('{"s":"********"}');
  });
  it("hides the content of sensitive files in diffs", () => {
    expect(renderDiff({ path: "/p", before: "a", after: "b", sensitive: true })).not.toMatch(/^[+-][ab]$/m);
    expect(renderDiff({ path: "/p", before: "a\n", after: "b\n" })).toMatch(/^-a$\n^\+b$/m);
  });
});

describe("--json document", () => {
  it("has hosts with counts and tasks with host, role, task, status", () => {
    secret("json-secret-xyz");
    const doc = JSON.parse(
      jsonDocument({
        check: true,
        warnings: [],
        exitCode: 8,
        durationMs: 5,
        hosts: { a: { ok: 1, changed: 1, failed: 0, unreachable: 0, skipped: 0, remoteScripts: 1 } },
        tasks: [
          { host: "a", role: "r", task: "t1", status: "ok" },
          {
            host: "a",
            role: "r",
            task: "t2",
            status: "changed",
            why: ["json-secret-xyz changed"],
            diff: [{ path: "/f", before: null, after: "x\n" }],
          },
        ],
      }),
    );
    expect(doc.hosts.a).toMatchObject({ ok: 1, changed: 1, failed: 0, unreachable: 0 });
    expect(doc.tasks[1]).toMatchObject({ host: "a", role: "r", task: "t2", status: "changed" });
    expect(doc.tasks[1].diff).toContain("+x");
    expect(JSON.stringify(doc)).not.toContain("json-secret-xyz");
  });
});
