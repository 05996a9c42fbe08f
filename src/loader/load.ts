import { existsSync } from "node:fs";
import { register } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InputError } from "../errors.js";
import type { Playbook } from "../playbook/define.js";
import { TS_FILE } from "./ts-cache.js";
import { standaloneUrl } from "./ts-standalone.js";

let hooked = false;

/**
 * The URL to import for a TypeScript playbook: its one-step transform (ts-standalone.ts), or
 * the file itself through Node's documented loader hooks when the playbook needs them.
 */
async function typescriptUrl(path: string): Promise<string> {
  const standalone = await standaloneUrl(path);
  if (standalone) return standalone;
  if (!hooked) {
    // The library first, in this thread: once hooks are registered, every module still to load
    // is resolved and loaded through Node's loader thread, one message at a time.
    await import("../index.js");
    register("./ts-hooks.js", import.meta.url);
    hooked = true;
  }
  return pathToFileURL(path).href;
}

/** Import a playbook module (a .ts one as typescriptUrl says) and check its default export. */
export async function loadPlaybook(file: string): Promise<Playbook<unknown>> {
  const path = resolve(file);
  if (!existsSync(path)) throw new InputError([{ file, message: "playbook file not found" }]);
  let mod: { default?: unknown };
  try {
    mod = await import(TS_FILE.test(path) ? await typescriptUrl(path) : pathToFileURL(path).href);
  } catch (e) {
    const msg = (e as Error).message.split("\n").slice(0, 4).join("\n");
    throw new InputError([{ file, message: `cannot load the playbook: ${msg}` }]);
  }
  const pb = mod.default as Playbook<unknown> | undefined;
  if (!pb || typeof pb !== "object" || !Array.isArray((pb as Playbook).plays)) {
    throw new InputError([
      {
        file,
        message: "the module does not export a playbook",
        hint: "end it with `export default definePlaybook({ name, plays: [...] })`",
      },
    ]);
  }
  return pb;
}
