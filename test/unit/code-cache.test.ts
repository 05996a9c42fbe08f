// The V8 code cache the command starts with (src/code-cache.ts), the folders it may live in
// (src/cache-dir.ts), and the one-file build it is for (scripts/bundle.mjs).
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cacheDirs } from "../../src/cache-dir.js";

const scratch = mkdtempSync(join(tmpdir(), "hcd-code-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `code` in a fresh Node with its cache in `cache`; returns what it printed. */
function node(code: string, cache: string, cwd = resolve(".")): string {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd, encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: cache, TMPDIR: join(cache, "tmp") } });
  expect(r.stderr).toBe("");
  return r.stdout;
}

describe("cache folders", () => {
  it("uses a private folder of ours (made only to write), and passes over one that others could write, another user's, or a link", () => {
    const base = join(scratch, "dirs");
    mkdirSync(join(base, "tmp"), { recursive: true });
    process.env.XDG_CACHE_HOME = base;
    const oldTmp = process.env.TMPDIR;
    process.env.TMPDIR = join(base, "tmp");
    try {
      const [mine, tmp] = [join(base, "homecloud-deploy", "k"), join(base, "tmp", `homecloud-deploy-k-${process.getuid!()}`)];
      // reading makes nothing; writing makes both, private
      expect(cacheDirs("k")).toEqual([]);
      expect(existsSync(mine) || existsSync(tmp)).toBe(false);
      expect(cacheDirs("k", true)).toEqual([mine, tmp]);
      expect(cacheDirs("k")).toEqual([mine, tmp]);
      expect(lstatSync(mine).mode & 0o777).toBe(0o700);
      chmodSync(tmp, 0o777);
      expect(cacheDirs("k")).toEqual([mine]);
      chmodSync(tmp, 0o700);
      if (process.getuid!() === 0) {
        chownSync(tmp, 65534, 65534);
        expect(cacheDirs("k")).toEqual([mine]);
      }
      rmSync(tmp, { recursive: true });
      symlinkSync(mine, tmp);
      expect(cacheDirs("k")).toEqual([mine]);
    } finally {
      process.env.TMPDIR = oldTmp;
      delete process.env.XDG_CACHE_HOME;
    }
  });
});

describe("requireWithCodeCache", () => {
  const mod = join(scratch, "mod.cjs");
  const load = `import { requireWithCodeCache } from ${JSON.stringify(resolve("src/code-cache.ts"))};
const m = requireWithCodeCache(${JSON.stringify(mod)});
const { createRequire } = await import("node:module");
console.log(JSON.stringify({ value: m.value, same: createRequire(import.meta.url)(${JSON.stringify(mod)}) === m, dir: m.dir }));`;
  const entries = (cache: string) => readdirSync(join(cache, "homecloud-deploy", "v8"));

  it("loads a CommonJS file as require() would, and keeps its compiled code for the next start", () => {
    const cache = join(scratch, "c1");
    mkdirSync(join(cache, "tmp"), { recursive: true });
    writeFileSync(mod, 'exports.value = 41 + 1; exports.dir = __dirname; \n');
    const first = JSON.parse(node(load, cache));
    expect(first).toEqual({ value: 42, same: true, dir: scratch });
    const [entry] = entries(cache);
    expect(entry).toMatch(new RegExp(`^mod\\.cjs-${process.version}-${process.arch}-\\d+-\\d+\\.bin$`));
    const made = statSync(join(cache, "homecloud-deploy", "v8", entry)).mtimeMs;
    // the entry is used, not made again
    expect(JSON.parse(node(load, cache))).toEqual(first);
    expect(entries(cache)).toEqual([entry]);
    expect(statSync(join(cache, "homecloud-deploy", "v8", entry)).mtimeMs).toBe(made);
    // a new build of the file: its own entry, the old one removed
    writeFileSync(mod, 'exports.value = 7; exports.dir = "changed"; \n');
    expect(JSON.parse(node(load, cache))).toEqual({ value: 7, same: true, dir: "changed" });
    expect(entries(cache)).toHaveLength(1);
    expect(entries(cache)[0]).not.toBe(entry);
  });

  it("runs the file right even when the cache entry is garbage", () => {
    const cache = join(scratch, "c2");
    mkdirSync(join(cache, "tmp"), { recursive: true });
    writeFileSync(mod, 'exports.value = 5; exports.dir = 1; \n');
    node(load, cache);
    const [entry] = entries(cache);
    writeFileSync(join(cache, "homecloud-deploy", "v8", entry), "not V8 code at all");
    expect(JSON.parse(node(load, cache)).value).toBe(5);
    // refused by V8, then made anew
    expect(statSync(join(cache, "homecloud-deploy", "v8", entry)).size).toBeGreaterThan(100);
  });
});

describe("the one-file build (as built by npm run build)", () => {
  it("serves a TypeScript playbook the command's own modules, and its roles, not second copies", () => {
    const dir = mkdtempSync(join(resolve("test"), ".tmp-bundle-"));
    try {
      const pb = join(dir, "pb.ts");
      writeFileSync(
        pb,
        [
          'import { definePlaybook } from "../../src/index.js";',
          'import { radvd } from "../../roles/radvd/index.js";',
          'const b = (globalThis as any)[Symbol.for("homecloud-deploy.bundle")];',
          'process.stderr.write(`bundle ${!!b} library ${b?.modules["src/index.js"]().definePlaybook === definePlaybook} role ${b?.modules["roles/radvd/index.js"]().radvd === radvd}\\n`);',
          'export default definePlaybook({ name: "x", plays: [] });',
        ].join("\n"),
      );
      writeFileSync(join(dir, "inv.yaml"), "all:\n  hosts:\n    nowhere:\n      ansible_host: 192.0.2.1\n");
      const run = (env: Record<string, string> = {}) => spawnSync(process.execPath, ["dist/src/cli.js", pb, "-i", join(dir, "inv.yaml")], { encoding: "utf8", env: { ...process.env, CI: "1", ...env } });
      const bundled = run();
      expect(bundled.stderr).toBe("bundle true library true role true\n");
      expect(bundled.status).toBe(0);
      const modules = run({ DEPLOY_NO_BUNDLE: "1" });
      expect(modules.stderr).toBe("bundle false library false role false\n");
      expect(modules.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
