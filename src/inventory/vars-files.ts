import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { isMap, isScalar } from "yaml";
import type { Problem } from "../errors.js";
import type { Origin } from "./types.js";
import { isVaultText } from "./vault.js";
import { openVault, type VaultKeys } from "./vault-keys.js";
import { parseYaml, readVars } from "./yaml-values.js";

const EXTENSIONS = [".yml", ".yaml", ".json"];

/**
 * The files Ansible's host_group_vars plugin reads for one group or host under a base folder:
 * `group_vars/NAME` (a file, or a folder whose files are read in name order, subfolders too),
 * else the first of NAME.yml, NAME.yaml, NAME.json. Hidden files and `~` backups are skipped;
 * in a folder, only files with those extensions or none.
 */
export function varsFilesFor(base: string, kind: "group_vars" | "host_vars", name: string): string[] {
  const dir = join(base, kind);
  if (!isDir(dir)) return [];
  for (const ext of ["", ...EXTENSIONS]) {
    const p = join(dir, name + ext);
    if (!existsSync(p)) continue;
    return isDir(p) ? filesIn(p) : [p];
  }
  return [];
}

function filesIn(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    if (n.startsWith(".") || n.endsWith("~")) continue;
    const p = join(dir, n);
    const ext = extname(n);
    if (isDir(p) && !ext) out.push(...filesIn(p));
    else if (!isDir(p) && (!ext || EXTENSIONS.includes(ext))) out.push(p);
  }
  return out;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export interface VarsFileContext {
  problems: Problem[];
  where: Map<string, Origin>;
  lenientSecrets?: boolean;
  vault?: VaultKeys;
  cache: Map<string, Record<string, unknown>>;
}

/** A vars file's variables (its owner for `where` is "file PATH"); a whole-vault file is opened first. */
export function readVarsFile(path: string, ctx: VarsFileContext): Record<string, unknown> {
  const hit = ctx.cache.get(path);
  if (hit) return hit;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    ctx.problems.push({ file: path, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}` });
    return {};
  }
  const secretFile = isVaultText(text);
  if (secretFile) {
    const r = openVault(text, ctx.vault);
    if ("error" in r) {
      if (!ctx.lenientSecrets || r.kind !== "no-password")
        ctx.problems.push({ file: path, line: 1, message: r.error, hint: r.hint });
      ctx.cache.set(path, {});
      return {};
    }
    text = r.text;
  }
  const y = parseYaml(text, path, {
    problems: ctx.problems,
    where: ctx.where,
    lenientSecrets: ctx.lenientSecrets,
    vault: ctx.vault,
    secretFile,
  });
  let vars: Record<string, unknown> = {};
  const root = y?.doc.contents;
  if (y && root && !(isScalar(root) && (root.value === null || root.value === ""))) {
    if (!isMap(root)) ctx.problems.push({ file: path, message: "a vars file must hold a mapping of names to values" });
    else vars = readVars(y, root, `file ${path}`, path.split("/").slice(-2).join("/"));
  }
  ctx.cache.set(path, vars);
  return vars;
}
