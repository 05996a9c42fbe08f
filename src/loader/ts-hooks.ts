// Module hooks for playbooks written in TypeScript that the one-step transform leaves to them
// (ts-standalone.ts), registered by loadPlaybook; they run in Node's loader thread. Two jobs:
// - .ts modules are stripped of their types by esbuild; the result is cached by content, so a
//   playbook that did not change starts without esbuild at all;
// - in this repository, a playbook's imports of ../src, ../roles and ../site .ts files are pointed at
//   the compiled files in dist/ when those are not older than the sources: one module graph
//   beside the CLI's, and nothing compiled twice.
// "./x.js" also finds "./x.ts" (TypeScript's own convention), as does "./x" without extension.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cached, esbuildOptions, store, TS_FILE } from "./ts-cache.js";

const ROOT = new URL("../../../", import.meta.url).href;

type Context = { parentURL?: string; conditions?: readonly string[] };
type Resolved = { url: string; format?: string | null; shortCircuit?: boolean };
type NextResolve = (specifier: string, context: Context) => Promise<Resolved>;
type Loaded = { format: string; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean };
type NextLoad = (url: string, context: unknown) => Promise<Loaded>;

function mtime(url: string): number {
  try {
    return statSync(fileURLToPath(url)).mtimeMs;
  } catch {
    return -1;
  }
}

/** The compiled file of a source of this repository's src/ or roles/ (existing or not). */
export function distOf(url: string): string | undefined {
  const m = url.startsWith(ROOT) ? /^(src|roles|site)\/(.+)\.ts$/.exec(url.slice(ROOT.length)) : null;
  return m ? `${ROOT}dist/${m[1]}/${m[2]}.js` : undefined;
}

export function preferDist(url: string): string {
  const dist = distOf(url);
  if (!dist) return url;
  const built = mtime(dist);
  return built >= 0 && built >= mtime(url) ? dist : url;
}

export async function resolve(specifier: string, context: Context, next: NextResolve): Promise<Resolved> {
  let r: Resolved;
  try {
    r = await next(specifier, context);
  } catch (e) {
    const fromTs = !!context.parentURL && TS_FILE.test(context.parentURL);
    if (!fromTs || !/^\.\.?\//.test(specifier)) throw e;
    const tries = /\.js$/.test(specifier)
      ? [specifier.replace(/\.js$/, ".ts")]
      : /\.[a-z]+$/.test(specifier)
        ? []
        : [`${specifier}.ts`, `${specifier}/index.ts`];
    r = await firstOf(tries, context, next, e);
  }
  const url = preferDist(r.url);
  if (url !== r.url) return { url, format: "module", shortCircuit: true };
  if (url.startsWith("file:") && TS_FILE.test(url)) return { url, format: "module", shortCircuit: true };
  return r;
}

async function firstOf(tries: string[], context: Context, next: NextResolve, original: unknown): Promise<Resolved> {
  for (const t of tries) {
    try {
      return await next(t, context);
    } catch {
      /* try the next form */
    }
  }
  throw original;
}

async function transpile(path: string, source: string): Promise<string> {
  const hit = cached("esm", path, source);
  if (hit !== undefined) return hit.code;
  const { transform } = await import("esbuild");
  const out = await transform(source, esbuildOptions(path));
  store("esm", path, source, out.code);
  return out.code;
}

export async function load(url: string, context: unknown, next: NextLoad): Promise<Loaded> {
  if (!url.startsWith("file:") || !TS_FILE.test(url)) return next(url, context);
  const path = fileURLToPath(url);
  return { format: "module", source: await transpile(path, readFileSync(path, "utf8")), shortCircuit: true };
}
