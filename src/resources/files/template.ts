import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import type HandlebarsModule from "handlebars";
import type { Content } from "../../engine/types.js";
import { isSecret } from "../../secrets.js";
import { templateBase } from "../../engine/template-base.js";

// The package's own one-file build: the same code as its main entry, which requires some 40
// files one by one at every start.
const Handlebars = createRequire(import.meta.url)("handlebars/dist/handlebars.min.js") as typeof HandlebarsModule;
const hb = Handlebars.create();
const cache = new Map<string, HandlebarsTemplateDelegate>();

/** Replace Secrets by their values; report whether any was found. */
function revealAll(v: unknown, found: { any: boolean }): unknown {
  if (isSecret(v)) {
    found.any = true;
    return v.reveal();
  }
  if (Array.isArray(v)) return v.map((x) => revealAll(x, found));
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revealAll(x, found)]));
  }
  return v;
}

/** Render Handlebars text in strict mode: a missing variable is an error, nothing is HTML-escaped. */
export function renderText(source: string, data: object, name = "template"): Content {
  let fn = cache.get(source);
  if (!fn) {
    fn = hb.compile(source, { strict: true, noEscape: true });
    cache.set(source, fn);
  }
  const found = { any: false };
  try {
    return { text: fn(revealAll(data, found)), sensitive: found.any };
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message.split("\n")[0]}`);
  }
}

/**
 * Render a .hbs file with typed data: a file: URL (`new URL("./x.hbs", import.meta.url)`, beside
 * the module), an absolute path, or a path relative to the playbook's directory.
 */
export function template(file: string | URL, data: object): Content {
  const path = file instanceof URL ? fileURLToPath(file) : isAbsolute(file) ? file : resolve(templateBase(), file);
  return renderText(readFileSync(path, "utf8"), data, path);
}
