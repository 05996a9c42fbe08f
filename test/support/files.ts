import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Write a file under a folder, making the folders it needs; its path. */
export function put(root: string, rel: string, text: string): string {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

/**
 * The text with each `[from, to]` made, where every `from` occurs exactly once: an edit of a
 * fixture that no longer finds its line must fail the test, not leave the fixture unchanged.
 */
export function edited(text: string, edits: Array<[string, string]>): string {
  for (const [from, to] of edits) {
    const n = text.split(from).length - 1;
    if (n !== 1) throw new Error(`fixture edit: ${JSON.stringify(from)} occurs ${n} times, not once`);
    text = text.replace(from, () => to);
  }
  return text;
}

/** For the tests of a file: the user's cache folder is `dir` (XDG_CACHE_HOME), put back after. */
export function cacheHomeFor(
  dir: string,
  hooks: { beforeAll(f: () => void): void; afterAll(f: () => void): void },
): void {
  let saved: string | undefined;
  hooks.beforeAll(() => {
    saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = dir;
  });
  hooks.afterAll(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  });
}
