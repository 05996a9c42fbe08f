// The playbook loader hooks: TypeScript stripped by esbuild and cached by content; TypeScript's
// import conventions resolved.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheHomeFor } from "../support/files.js";
import { load, resolve } from "../../src/loader/ts-hooks.js";

const dir = mkdtempSync(join(tmpdir(), "hcd-hooks-"));
const cache = join(dir, "cache");
cacheHomeFor(cache, { beforeAll, afterAll });

const nextLoad = async () => {
  throw new Error("a .ts file must not reach the default loader");
};

describe("the playbook loader hooks", () => {
  it("strips types, keeps import.meta and caches the result by content", async () => {
    const f = join(dir, "pb.ts");
    writeFileSync(f, "const n: number = 1;\nexport const where: string = import.meta.url;\nexport default n;\n");
    const a = await load(pathToFileURL(f).href, {}, nextLoad);
    expect(a.format).toBe("module");
    expect(String(a.source)).toMatch(/const n = 1;/);
    expect(String(a.source)).toMatch(/import\.meta\.url/);
    const cached = readdirSync(join(cache, "homecloud-deploy", "ts"));
    expect(cached).toHaveLength(1);
    expect(String((await load(pathToFileURL(f).href, {}, nextLoad)).source)).toBe(String(a.source));
    writeFileSync(f, "export default 2 as number;\n");
    expect(String((await load(pathToFileURL(f).href, {}, nextLoad)).source)).toMatch(/= 2;/);
    expect(readdirSync(join(cache, "homecloud-deploy", "ts"))).toHaveLength(2);
  });

  it("reports a syntax error with the file and position", async () => {
    const f = join(dir, "bad.ts");
    writeFileSync(f, "export default {{\n");
    await expect(load(pathToFileURL(f).href, {}, nextLoad)).rejects.toThrow(/bad\.ts:1:16: ERROR/);
  });

  it("finds ./x.ts for ./x.js and for ./x when imported from TypeScript, and only then", async () => {
    writeFileSync(join(dir, "helper.ts"), "export const h = 1;\n");
    const parentURL = pathToFileURL(join(dir, "pb.ts")).href;
    const seen: string[] = [];
    const next = async (s: string) => {
      seen.push(s);
      if (s === "./helper.ts") return { url: pathToFileURL(join(dir, "helper.ts")).href };
      throw Object.assign(new Error(`not found: ${s}`), { code: "ERR_MODULE_NOT_FOUND" });
    };
    expect(await resolve("./helper.js", { parentURL }, next)).toMatchObject({
      url: pathToFileURL(join(dir, "helper.ts")).href,
      format: "module",
    });
    expect(await resolve("./helper", { parentURL }, next)).toMatchObject({ format: "module" });
    await expect(resolve("./helper.js", { parentURL: pathToFileURL(join(dir, "x.mjs")).href }, next)).rejects.toThrow(
      /not found: \.\/helper\.js/,
    );
    await expect(resolve("./nothere.js", { parentURL }, next)).rejects.toThrow(/not found: \.\/nothere\.js/);
    expect(seen).toEqual([
      "./helper.js",
      "./helper.ts",
      "./helper",
      "./helper.ts",
      "./helper.js",
      "./nothere.js",
      "./nothere.ts",
    ]);
  });
});
