import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Write a file under a folder, making the folders it needs; its path. */
export function put(root: string, rel: string, text: string): string {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}
