import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InputError } from "../errors.js";
import type { Playbook } from "./define.js";
import { TS_FILE } from "./ts-cache.js";

let hooked = false;

/** A TypeScript playbook: in this thread when it can be (require-ts.ts), else through module hooks (ts-hooks.ts). */
async function importTs(path: string): Promise<{ default?: unknown }> {
  // the library first: what it imports is then loaded once, without any detour
  await import("../index.js");
  const { requireTs, needsHooks } = await import("./require-ts.js");
  try {
    if (!hooked) return requireTs(path);
  } catch (e) {
    if (!needsHooks(e)) throw e;
  }
  if (!hooked) {
    // Once hooks are registered, every module still to load is resolved through Node's loader
    // thread, one message at a time.
    const { register } = await import("node:module");
    register("./ts-hooks.js", import.meta.url);
    hooked = true;
  }
  return import(pathToFileURL(path).href);
}

/** Import a playbook module (.ts made JavaScript on the fly, see importTs) and check its default export. */
export async function loadPlaybook(file: string): Promise<Playbook<unknown>> {
  const path = resolve(file);
  if (!existsSync(path)) throw new InputError([{ file, message: "playbook file not found" }]);
  let mod: { default?: unknown };
  try {
    mod = TS_FILE.test(path) ? await importTs(path) : await import(pathToFileURL(path).href);
  } catch (e) {
    const msg = (e as Error).message.split("\n").slice(0, 4).join("\n");
    throw new InputError([{ file, message: `cannot load the playbook: ${msg}` }]);
  }
  const pb = mod.default as Playbook<unknown> | undefined;
  if (!pb || typeof pb !== "object" || !Array.isArray((pb as Playbook).plays)) {
    throw new InputError([{ file, message: "the module does not export a playbook", hint: "end it with `export default definePlaybook({ name, plays: [...] })`" }]);
  }
  return pb;
}
