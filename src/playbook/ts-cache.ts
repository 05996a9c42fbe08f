// TypeScript -> JavaScript for playbooks, by esbuild, cached by content: a playbook that did
// not change loads without esbuild at all. Used by the in-thread loader (require-ts.ts) and
// by the module hooks (ts-hooks.ts).
import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDirs as safeCacheDirs } from "../cache-dir.js";

/** A TypeScript module's file name. */
export const TS_FILE = /\.[cm]?ts$/;

/** Bump when the transform options change: it is part of every cache key. */
const VERSION = "2";

const cacheDirs = (create = false) => safeCacheDirs("ts", create);

function key(format: string, path: string, source: string): string {
  return createHash("sha256").update(`${VERSION}\0${format}\0${path}\0${source}`).digest("hex");
}

export function cached(format: "esm" | "cjs", path: string, source: string): string | undefined {
  const k = key(format, path, source);
  for (const dir of cacheDirs()) {
    try {
      return readFileSync(join(dir, `${k}.js`), "utf8");
    } catch {
      /* not cached there */
    }
  }
  return undefined;
}

export function store(format: "esm" | "cjs", path: string, source: string, code: string): void {
  const k = key(format, path, source);
  for (const dir of cacheDirs(true)) {
    try {
      const tmp = join(dir, `.${k}.${process.pid}.tmp`);
      writeFileSync(tmp, code, { mode: 0o600 });
      renameSync(tmp, join(dir, `${k}.js`));
      return;
    } catch {
      /* an unwritable cache only costs the next run a transform */
    }
  }
}

/** The name of the variable that stands for import.meta.url in CommonJS output. */
export const META_URL = "__hcd_import_meta_url";

export function esbuildOptions(format: "esm" | "cjs", path: string) {
  return {
    loader: "ts" as const,
    format,
    target: "node20",
    sourcemap: "inline" as const,
    sourcefile: path,
    ...(format === "cjs"
      ? {
          define: { "import.meta.url": META_URL },
          banner: `const ${META_URL} = require("node:url").pathToFileURL(__filename).href;`,
        }
      : {}),
  };
}
