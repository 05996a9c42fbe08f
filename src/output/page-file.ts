import { renameSync, writeFileSync } from "node:fs";
import { DeployError } from "../errors.js";

/** Write a page whole (a temp file renamed into place): never a half-written file. */
export function writePage(path: string, html: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, html, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (cause) {
    throw new DeployError("input", `cannot write ${path}: ${(cause as Error).message}`, { file: path }, { cause });
  }
}
