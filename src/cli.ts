#!/usr/bin/env node
// The command. Built, it runs from one file that holds the command, the library and their
// packages (dist/homecloud-deploy.cjs, made by scripts/bundle.mjs), loaded with a V8 code cache:
// about 0.15 s less at every start than resolving, reading and compiling some 300 modules.
// Help and version, a run from the sources, or DEPLOY_NO_BUNDLE=1: from the modules.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { answersAlone, cliMain } from "./cli/main.js";

type Bundle = { cliMain(argv: string[]): Promise<number> };

async function start(argv: string[]): Promise<number> {
  const bundle = fileURLToPath(new URL("../homecloud-deploy.cjs", import.meta.url));
  if (answersAlone(argv) || process.env.DEPLOY_NO_BUNDLE || !existsSync(bundle)) return cliMain(argv);
  const { requireWithCodeCache } = await import("./code-cache.js");
  // the file's import() of what it does not hold (a playbook, esbuild) comes here (scripts/bundle.mjs)
  (globalThis as Record<symbol, unknown>)[Symbol.for("homecloud-deploy.import")] = (url: string) => import(url);
  return (requireWithCodeCache(bundle) as Bundle).cliMain(argv);
}

start(process.argv.slice(2)).then((code) => process.exit(code));
