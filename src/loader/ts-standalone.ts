// The one-step way to load a TypeScript playbook: esbuild turns it into one ES module whose
// imports are absolute file URLs (resolved as Node resolves them, the repository's ../src and
// ../roles pointed at dist/), kept in the transform cache and imported from there. No loader
// thread is started and no import passes through a hook. A playbook that needs more than that
// (its own .ts modules, import.meta beyond url/dirname/filename, an import() of a computed
// name) is loaded through the module hooks instead (ts-hooks.ts): `Standalone.NO` says so.
import { builtinModules } from "node:module";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cached, cachedFile, store, TS_FILE } from "./ts-cache.js";
import { distOf, preferDist } from "./ts-hooks.js";

/** What the cached module was made from: files it imports, and the sources of the dist/ files among them. */
interface Manifest {
  imports: string[];
  builtFrom: Array<[dist: string, source: string]>;
}

const BUILTIN = new Set(builtinModules);
const mtime = (f: string) => (existsSync(f) ? statSync(f).mtimeMs : -1);

/** The cached module still stands for the playbook: every import is there, no dist/ file is older than its source. */
function valid(m: Manifest): boolean {
  return m.imports.every((f) => existsSync(f)) && m.builtFrom.every(([d, s]) => mtime(d) >= mtime(s));
}

/** The file URL of the standalone module for this playbook, or undefined when it needs the hooks. */
export async function standaloneUrl(path: string): Promise<string | undefined> {
  const source = readFileSync(path, "utf8");
  const manifest = cached("standalone-manifest", path, source);
  if (manifest) {
    const m = JSON.parse(manifest.code) as Manifest | null;
    if (m === null) return undefined;
    const hit = cachedFile("standalone", path, source);
    if (hit && valid(m)) return pathToFileURL(hit).href;
  }
  const built = await build(path);
  if (built === "for now") return undefined;
  store("standalone-manifest", path, source, JSON.stringify(built?.manifest ?? null));
  if (!built) return undefined;
  const file = store("standalone", path, source, built.code);
  return file ? pathToFileURL(file).href : undefined;
}

/** `forNow`: only because dist/ is older than a source of this repository (not to be remembered). */
class NeedsHooks extends Error {
  constructor(
    message: string,
    readonly forNow = false,
  ) {
    super(message);
  }
}

async function build(path: string): Promise<{ code: string; manifest: Manifest } | undefined | "for now"> {
  const esbuild = await import("esbuild");
  const url = pathToFileURL(path).href;
  const manifest: Manifest = { imports: [], builtFrom: [] };
  let result: Awaited<ReturnType<typeof esbuild.build>>;
  try {
    result = await esbuild.build({
      entryPoints: [path],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      // as Node resolves: no "module" condition, no "module" main field
      conditions: [],
      mainFields: ["main"],
      sourcemap: "inline",
      logLevel: "silent",
      define: {
        "import.meta.url": JSON.stringify(url),
        "import.meta.filename": JSON.stringify(path),
        "import.meta.dirname": JSON.stringify(dirname(path)),
      },
      plugins: [
        {
          name: "every-import-external",
          setup(b) {
            b.onResolve({ filter: /.*/ }, async (args) => {
              if (args.kind === "entry-point" || args.pluginData === "inner") return undefined;
              if (args.path.startsWith("node:") || BUILTIN.has(args.path)) return { path: args.path, external: true };
              const r = await b.resolve(args.path, {
                kind: args.kind,
                resolveDir: args.resolveDir,
                importer: args.importer,
                pluginData: "inner",
              });
              if (r.errors.length) return { errors: r.errors };
              let file = r.path;
              if (TS_FILE.test(file)) {
                const mapped = preferDist(pathToFileURL(file).href);
                if (mapped.endsWith(".ts"))
                  throw new NeedsHooks(`imports ${args.path}, a TypeScript module`, distOf(mapped) !== undefined);
                manifest.builtFrom.push([fileURLToPath(mapped), file]);
                file = fileURLToPath(mapped);
              }
              manifest.imports.push(file);
              return { path: pathToFileURL(file).href, external: true };
            });
          },
        },
      ],
    });
  } catch (e) {
    const why =
      e instanceof NeedsHooks
        ? e
        : (e as { errors?: Array<{ detail?: unknown }> }).errors?.find((x) => x.detail instanceof NeedsHooks)?.detail;
    if (why instanceof NeedsHooks) return why.forNow ? "for now" : undefined;
    throw e;
  }
  // An import() of a computed name, or import.meta.resolve, would be taken from the cache folder.
  // (Read conservatively: such text in a string also sends the playbook to the hooks, which is
  // only slower.)
  const code = result.outputFiles?.[0]?.text ?? "";
  if (result.warnings.length || /\bimport\.meta\b|\bimport\s*\((?!\s*"(?:file|node):)/.test(code)) return undefined;
  return { code, manifest };
}
