// Loads a CommonJS file the way require() does, but keeps V8's compiled code for it in the
// cache folder (cache-dir.ts) and hands it back to V8 on the next start: a large file then
// starts without being parsed and compiled again (Node 20 has no module compile cache of its own).
// The cache entry is named for the file, its size and time, Node's version and the machine
// architecture; V8 itself refuses an entry made with other flags, which is then made anew.
import Module, { createRequire } from "node:module";
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import vm from "node:vm";
import { cacheDirs } from "./cache-dir.js";

type Internals = {
  _cache: Record<string, Module>;
  _nodeModulePaths(dir: string): string[];
};

function readCache(dirs: string[], name: string): Buffer | undefined {
  for (const dir of dirs) {
    try {
      return readFileSync(join(dir, name));
    } catch {
      /* not there */
    }
  }
  return undefined;
}

function writeCache(dirs: string[], name: string, data: Buffer, stem: string): void {
  for (const dir of dirs) {
    try {
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      writeFileSync(tmp, data, { mode: 0o600 });
      renameSync(tmp, join(dir, name));
      // entries for earlier builds of the same file are of no more use
      for (const old of readdirSync(dir)) if (old.startsWith(stem) && old !== name) unlinkSync(join(dir, old));
      return;
    } catch {
      /* an unwritable cache only costs the next start a compile */
    }
  }
}

/** require(file) with a V8 code cache; the module is registered in require.cache like any other. */
export function requireWithCodeCache(file: string): unknown {
  const st = statSync(file);
  const stem = `${basename(file)}-`;
  const name = `${stem}${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.bin`;
  const cachedData = readCache(cacheDirs("v8"), name);
  // No import() inside: a script has no module loader of its own (Node 20's way to lend it one
  // prints an "experimental" warning), so the file must get import() from elsewhere.
  const script = new vm.Script(Module.wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
  const M = Module as unknown as Internals;
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = M._nodeModulePaths(dirname(file));
  M._cache[file] = mod;
  (script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  // made at exit, so that it also holds the functions this run compiled on the way
  if (!cachedData || script.cachedDataRejected) process.once("exit", () => writeCache(cacheDirs("v8", true), name, script.createCachedData(), stem));
  return mod.exports;
}
