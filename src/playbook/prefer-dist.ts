// Module resolve hook, registered by the CLI when it runs from dist/: a playbook in this
// repository imports ../src/index.js and ../roles/x/index.js; with tsx those would load the
// TypeScript sources, a second copy of the engine beside the CLI's compiled one. Point them at
// the compiled files instead (when those are not older than the sources): one module graph,
// and no second compile at start-up.
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../../", import.meta.url).href;

function mtime(url: string): number {
  try {
    return statSync(fileURLToPath(url)).mtimeMs;
  } catch {
    return -1;
  }
}

type Next = (specifier: string, context: unknown) => Promise<{ url: string; format?: string | null }>;

export async function resolve(specifier: string, context: unknown, next: Next) {
  const r = await next(specifier, context);
  if (r.url.startsWith(ROOT)) {
    const m = /^(src|roles)\/(.+)\.ts$/.exec(r.url.slice(ROOT.length));
    if (m) {
      const dist = `${ROOT}dist/${m[1]}/${m[2]}.js`;
      const built = mtime(dist);
      if (built >= 0 && built >= mtime(r.url)) return { ...r, url: dist, format: "module" };
    }
  }
  return r;
}
