// Loading TypeScript playbooks in this thread (CommonJS output of esbuild, required), and the
// fallback to module hooks for what that cannot load.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { NeedsHooks, needsHooks, requireTs } from "../../src/playbook/require-ts.js";

// inside the repository, so that bare imports resolve from its node_modules
const dir = mkdtempSync(join(resolve("test"), ".tmp-require-ts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const put = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));

describe("the in-thread TypeScript loader", () => {
  it("loads a playbook with its local TypeScript imports (./x.js, ./x), bare packages, and import.meta.url", () => {
    put("helper.ts", "export const port: number = 8080;\n");
    put("other.ts", "export default 'other' as string;\n");
    const pb = put("pb.ts", 'import { port } from "./helper.js";\nimport other from "./other";\nimport { parse } from "yaml";\nexport default { port, other, y: parse("a: 1") as { a: number }, url: import.meta.url, t: new URL("./templates/x", import.meta.url).pathname };\n');
    const mod = requireTs(pb).default as Record<string, unknown>;
    expect(mod).toEqual({ port: 8080, other: "other", y: { a: 1 }, url: pathToFileURL(pb).href, t: join(dir, "templates/x") });
  });

  it("hands over to the module hooks for top-level await and dynamic import", () => {
    const tla = put("tla.ts", "const x = await Promise.resolve(1);\nexport default x;\n");
    const dyn = put("dyn.ts", 'export default () => import("./helper.js");\n');
    expect(() => requireTs(tla)).toThrow(NeedsHooks);
    expect(() => requireTs(dyn)).toThrow(NeedsHooks);
    expect(needsHooks(Object.assign(new Error("x"), { code: "ERR_REQUIRE_ESM" }))).toBe(true);
    expect(needsHooks(new Error("boom at import"))).toBe(false);
  });

  it("reports a playbook's own errors as they are", () => {
    expect(() => requireTs(put("throws.ts", "throw new Error('boom at import');\n"))).toThrow(/boom at import/);
    expect(() => requireTs(put("syntax.ts", "export default {{\n"))).toThrow(/syntax\.ts:1:16: ERROR/);
  });
});

describe("loadPlaybook (as built: the hooks are a compiled file)", () => {
  it("loads a playbook with top-level await through the module hooks", async () => {
    const { loadPlaybook } = (await import(pathToFileURL(resolve("dist/src/playbook/load.js")).href)) as typeof import("../../src/playbook/load.js");
    const pb = put("await.ts", 'import { definePlaybook } from "../../src/index.js";\nconst hosts: string = await Promise.resolve("all");\nexport default definePlaybook({ name: "awaited", plays: [{ hosts, tasks: () => [] }] });\n');
    expect((await loadPlaybook(pb)).name).toBe("awaited");
  });
});
