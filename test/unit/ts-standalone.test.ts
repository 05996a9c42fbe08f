// The one-step transform of TypeScript playbooks: one ES module in the transform cache whose
// imports are absolute, or "use the hooks" when the playbook needs more.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheHomeFor, put as putIn } from "../support/files.js";
import { standaloneUrl } from "../../src/loader/ts-standalone.js";

const dir = mkdtempSync(join(tmpdir(), "hcd-standalone-"));
const cache = join(dir, "cache");
cacheHomeFor(cache, { beforeAll, afterAll });
const put = (rel: string, text: string) => putIn(dir, rel, text);

describe("the one-step transform of a TypeScript playbook", () => {
  it("makes one module in the cache whose imports and import.meta are those of the playbook's place", async () => {
    put("pb/lib/helper.mjs", "export const helper = (n) => n * 2;\n");
    const pb = put(
      "pb/site.ts",
      'import { join } from "node:path";\nimport { helper } from "./lib/helper.mjs";\nconst n: number = helper(21);\nexport default { n, url: import.meta.url, dir: import.meta.dirname, j: join("a", "b") };\n',
    );
    const url = await standaloneUrl(pb);
    expect(url).toBeDefined();
    expect(fileURLToPath(url!).startsWith(join(cache, "homecloud-deploy", "ts"))).toBe(true);
    const mod = (await import(url!)).default;
    expect(mod).toEqual({ n: 42, url: pathToFileURL(pb).href, dir: join(dir, "pb"), j: "a/b" });
    // the second time, from the cache, without esbuild
    expect(await standaloneUrl(pb)).toBe(url);
  });

  it("is made again when a file it imports is gone", async () => {
    put("pb2/lib/h.mjs", "export const h = 1;\n");
    const pb = put("pb2/site.ts", 'import { h } from "./lib/h.mjs";\nexport default { h };\n');
    expect(await standaloneUrl(pb)).toBeDefined();
    rmSync(join(dir, "pb2/lib/h.mjs"));
    await expect(standaloneUrl(pb)).rejects.toThrow(/Could not resolve "\.\/lib\/h\.mjs"/);
  });

  it("leaves to the hooks a playbook with its own TypeScript modules, a computed import() or import.meta.resolve", async () => {
    put("pb3/lib/ts-helper.ts", "export const x: number = 1;\n");
    expect(
      await standaloneUrl(put("pb3/a.ts", 'import { x } from "./lib/ts-helper.js";\nexport default { x };\n')),
    ).toBeUndefined();
    expect(
      await standaloneUrl(put("pb3/b.ts", 'const name = "./lib/x.mjs";\nexport default await import(name);\n')),
    ).toBeUndefined();
    expect(
      await standaloneUrl(put("pb3/c.ts", 'export default { where: import.meta.resolve("node:fs") };\n')),
    ).toBeUndefined();
  });

  it("reports a syntax error with the file and position", async () => {
    await expect(standaloneUrl(put("pb4/bad.ts", "export default {{\n"))).rejects.toThrow(/bad\.ts:1:16/);
  });
});
