// The in-thread way to load a TypeScript playbook: compiled to CommonJS (cached, see
// ts-cache.ts) and required, with Node's CommonJS resolver taught TypeScript's conventions and
// the prefer-dist mapping. Unlike module hooks (ts-hooks.ts), this starts no loader thread and
// sends no message per import: about 0.1 s less at every start. It needs require() of ES
// modules (Node 20.19+, 22.12+); a playbook it cannot load this way (top-level await, dynamic
// import, an ES-only package) is loaded through the hooks instead.
import Module, { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cached, esbuildOptions, store, TS_FILE } from "./ts-cache.js";
import { preferDist } from "./ts-hooks.js";

const require = createRequire(import.meta.url);

type Parent = { filename?: string | null } | undefined;
type Internals = {
  _resolveFilename(request: string, parent: Parent, isMain: boolean, options?: unknown): string;
  _extensions: Record<string, (m: { _compile(code: string, filename: string): void }, filename: string) => void>;
  _cache: Record<string, Module>;
};

/** This playbook needs the module hooks. */
export class NeedsHooks extends Error {}

/** Errors that say "not this way", not "this playbook is broken". */
const MODULE_SYSTEM = new Set(["ERR_REQUIRE_ESM", "ERR_REQUIRE_ASYNC_MODULE", "ERR_REQUIRE_CYCLE_MODULE", "ERR_PACKAGE_PATH_NOT_EXPORTED", "ERR_UNKNOWN_FILE_EXTENSION"]);
export function needsHooks(e: unknown): boolean {
  return e instanceof NeedsHooks || MODULE_SYSTEM.has((e as NodeJS.ErrnoException)?.code ?? "");
}

function toCommonJs(filename: string, source: string): string {
  const hit = cached("cjs", filename, source);
  if (hit !== undefined) return hit;
  if (/\bimport\s*\(/.test(source)) throw new NeedsHooks("dynamic import");
  const { transformSync } = require("esbuild") as typeof import("esbuild");
  let code: string;
  try {
    code = transformSync(source, esbuildOptions("cjs", filename)).code;
  } catch (e) {
    if (/top-level await/i.test((e as Error).message)) throw new NeedsHooks("top-level await");
    throw e;
  }
  store("cjs", filename, source, code);
  return code;
}

/** What dist/homecloud-deploy.cjs publishes when the command runs from it (scripts/bundle.mjs). */
type Bundle = { dir: string; modules: Record<string, () => unknown> };

/**
 * A file of dist/ that the running bundle holds is served from the bundle: a playbook gets the
 * modules the command itself runs on, not a second copy read from dist/.
 */
function fromBundle(M: Internals, file: string): void {
  const b = (globalThis as Record<symbol, Bundle | undefined>)[Symbol.for("homecloud-deploy.bundle")];
  if (!b || M._cache[file]) return;
  const get = b.modules[relative(b.dir, file)];
  if (!get) return;
  const m = new Module(file);
  m.filename = file;
  m.exports = get();
  m.loaded = true;
  M._cache[file] = m;
}

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  const M = Module as unknown as Internals;
  const resolveFilename = M._resolveFilename;
  M._resolveFilename = function (request, parent, isMain, options) {
    let file: string;
    try {
      file = resolveFilename.call(this, request, parent, isMain, options);
    } catch (e) {
      // "./x.js" names "./x.ts" in TypeScript
      if (!parent?.filename || !TS_FILE.test(parent.filename) || !/^\.\.?\/.*\.js$/.test(request)) throw e;
      try {
        file = resolveFilename.call(this, request.replace(/\.js$/, ".ts"), parent, isMain, options);
      } catch {
        throw e;
      }
    }
    if (TS_FILE.test(file)) {
      const mapped = preferDist(pathToFileURL(file).href);
      if (!mapped.endsWith(".ts")) file = fileURLToPath(mapped);
    }
    fromBundle(M, file);
    return file;
  };
  for (const ext of [".ts", ".mts", ".cts"]) M._extensions[ext] = (m, filename) => m._compile(toCommonJs(filename, readFileSync(filename, "utf8")), filename);
}

/** Load a .ts playbook in this thread; throws NeedsHooks (or a module-system error) when it cannot. */
export function requireTs(path: string): { default?: unknown } {
  install();
  return require(path) as { default?: unknown };
}
