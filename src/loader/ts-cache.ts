// TypeScript -> JavaScript for playbooks, by esbuild, cached by content: a playbook that did
// not change loads without esbuild at all. Used by the one-step transform (ts-standalone.ts)
// and by the module hooks (ts-hooks.ts).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDirs as safeCacheDirs } from "../cache-dir.js";

/** A TypeScript module's file name. */
export const TS_FILE = /\.[cm]?ts$/;

/** Bump when the transform options change: it is part of every cache key. */
const VERSION = "3";

const cacheDirs = (create = false) => safeCacheDirs("ts", create);

/** The cache file name of a transform of `source` (at `path`) of this kind. */
export function cacheName(kind: string, path: string, source: string): string {
  const ext = { esm: "js", standalone: "mjs" }[kind] ?? "json";
  return `${createHash("sha256").update(`${VERSION}\0${kind}\0${path}\0${source}`).digest("hex")}.${ext}`;
}

/** A cached transform: its text and where it is, or undefined. */
export function cached(kind: string, path: string, source: string): { code: string; file: string } | undefined {
  const name = cacheName(kind, path, source);
  for (const dir of cacheDirs()) {
    try {
      return { code: readFileSync(join(dir, name), "utf8"), file: join(dir, name) };
    } catch {
      /* not cached there */
    }
  }
  return undefined;
}

/** Where a cached transform is, without reading it (a module to import needs only its path). */
export function cachedFile(kind: string, path: string, source: string): string | undefined {
  const name = cacheName(kind, path, source);
  return cacheDirs()
    .map((dir) => join(dir, name))
    .find((f) => existsSync(f));
}

/** Keep a transform; where it was written (undefined: no usable cache folder). */
export function store(kind: string, path: string, source: string, code: string): string | undefined {
  const name = cacheName(kind, path, source);
  for (const dir of cacheDirs(true)) {
    try {
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      writeFileSync(tmp, code, { mode: 0o600 });
      renameSync(tmp, join(dir, name));
      return join(dir, name);
    } catch {
      /* an unwritable cache only costs the next run a transform */
    }
  }
  return undefined;
}

export function esbuildOptions(path: string) {
  return {
    loader: "ts" as const,
    format: "esm" as const,
    target: "node20",
    sourcemap: "inline" as const,
    sourcefile: path,
  };
}
