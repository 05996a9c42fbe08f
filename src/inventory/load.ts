import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { isMap, isScalar } from "yaml";
import type { Node, YAMLMap } from "yaml";
import { InputError, type Problem } from "../errors.js";
import type { Group, Inventory } from "./types.js";
import { isVaultText } from "./vault.js";
import { openVault, type VaultKeys } from "./vault-keys.js";
import { composeVars } from "./compose.js";
import { keyOf, lineOf, pairsOf, parseYaml } from "./yaml-values.js";
import { group, NAME, type Walk, walkGroup } from "./walk-groups.js";

export interface LoadOptions {
  /** `deploy plan` and listings need no secrets: missing ones are not problems there. */
  lenientSecrets?: boolean;
  /** The run's vault passwords (--vault-password-file, --vault-id, ...). */
  vault?: VaultKeys;
  /** The playbook's folder: its group_vars/ and host_vars/ are read too, over the inventory's. */
  playbookDir?: string;
}

/** A group's depth as Ansible counts it: the longest path down from all (all is 0). */
function depthOf(inv: Inventory, name: string, memo = new Map<string, number>(), path = new Set<string>()): number {
  if (name === "all") return 0;
  const known = memo.get(name);
  if (known !== undefined) return known;
  if (path.has(name)) return 0; // a cycle: reported elsewhere
  path.add(name);
  const parents = [...(inv.groups.get(name)?.parents ?? [])];
  const d = 1 + (parents.length ? Math.max(...parents.map((p) => depthOf(inv, p, memo, path))) : 0);
  path.delete(name);
  memo.set(name, d);
  return d;
}

/** ansible_group_priority (default 1): ties of depth are broken by it, then by name. */
function priorityOf(g: Group): number {
  const p = g.vars.ansible_group_priority;
  return typeof p === "number" ? p : typeof p === "string" && /^-?\d+$/.test(p) ? Number(p) : 1;
}

/** Python's string order (code points), as Ansible sorts groups: "Zed" < "alpha", "web-1" < "web1" < "web_1". */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function ancestors(inv: Inventory, name: string, acc = new Set<string>()): Set<string> {
  if (acc.has(name)) return acc;
  acc.add(name);
  for (const p of inv.groups.get(name)?.parents ?? []) ancestors(inv, p, acc);
  return acc;
}

function detectCycles(w: Walk): void {
  const state = new Map<string, number>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) {
      w.problems.push({
        file: w.file,
        line: w.inv.groups.get(n)?.line,
        field: n,
        message: `groups form a cycle: ${[...path, n].join(" -> ")}`,
      });
      return;
    }
    state.set(n, 1);
    for (const c of w.inv.groups.get(n)?.children ?? []) visit(c, [...path, n]);
    state.set(n, 2);
  };
  for (const n of w.inv.groups.keys()) visit(n, []);
}

/** Read one inventory source's text into the inventory being built. */
function readSource(b: Build, text: string, file: string): void {
  let secretFile = false;
  if (isVaultText(text)) {
    const r = openVault(text, b.opts.vault);
    if ("error" in r) {
      b.problems.push({ file, line: 1, message: r.error, hint: r.hint });
      return;
    }
    [text, secretFile] = [r.text, true];
  }
  const y = parseYaml(text, file, {
    problems: b.problems,
    where: b.inv.where,
    lenientSecrets: b.opts.lenientSecrets,
    vault: b.opts.vault,
    secretFile,
  });
  if (!y) return;
  const w: Walk = { ...y, inv: b.inv, hostVars: b.hostVars };
  const root = y.doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) {
    b.problems.push({
      file,
      message: "the inventory is empty",
      hint: "start it with `all:` and a `hosts:` or `children:` mapping",
    });
    return;
  }
  if (!isMap(root)) {
    b.problems.push({
      file,
      line: lineOf(w, root as Node),
      message: "the inventory must be a mapping of group names (e.g. `all:`)",
    });
    return;
  }
  for (const pair of pairsOf(w, root as YAMLMap)) {
    const name = keyOf(pair);
    const line = lineOf(w, pair);
    if (!NAME.test(name)) {
      b.problems.push({ file, line, field: name, message: `"${name}" is not a valid group name` });
      continue;
    }
    if (name !== "all") {
      group(w, "all").children.add(name);
      group(w, name, line).parents.add("all");
    }
    walkGroup(w, name, pair.value, name, line);
  }
  detectCycles(w);
}

interface Build {
  inv: Inventory;
  hostVars: Map<string, Record<string, unknown>>;
  problems: Problem[];
  opts: LoadOptions;
}

function newBuild(sources: string[], opts: LoadOptions): Build {
  const inv: Inventory = {
    file: sources[0] ?? "inventory",
    sources,
    hosts: new Map(),
    groups: new Map(),
    where: new Map(),
    allVars: {},
    allOrigins: new Map(),
  };
  const all = {
    name: "all",
    hosts: new Set<string>(),
    children: new Set<string>(),
    parents: new Set<string>(),
    vars: {},
  };
  // as in Ansible: ungrouped is all's first child; it holds the hosts that are in no other group
  inv.groups.set("all", all);
  inv.groups.set("ungrouped", {
    name: "ungrouped",
    hosts: new Set(),
    children: new Set(),
    parents: new Set(["all"]),
    vars: {},
  });
  all.children.add("ungrouped");
  return { inv, hostVars: new Map(), problems: [], opts };
}

/** Groups, depths and every host's variables, once all sources are read. */
function finish(b: Build, varsBases: string[]): void {
  const inv = b.inv;
  for (const g of inv.groups.values())
    if (g.name !== "all" && g.parents.size === 0) {
      g.parents.add("all");
      inv.groups.get("all")!.children.add(g.name);
    }
  if (b.problems.length) return;
  const ungrouped = inv.groups.get("ungrouped")!;
  for (const h of inv.hosts.keys()) {
    if (![...inv.groups.values()].some((g) => g.name !== "all" && g.name !== "ungrouped" && g.hosts.has(h)))
      ungrouped.hosts.add(h);
    else ungrouped.hosts.delete(h);
  }
  const memo = new Map<string, number>();
  for (const h of inv.hosts.values()) {
    const groups = new Set<string>(["all"]);
    for (const g of inv.groups.values()) if (g.hosts.has(h.name)) ancestors(inv, g.name, groups);
    const key = (n: string) => [depthOf(inv, n, memo), priorityOf(inv.groups.get(n)!)] as const;
    h.groups = [...groups].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1] || byCodePoint(a, b));
  }
  composeVars(
    inv,
    b.hostVars,
    varsBases,
    {
      problems: b.problems,
      where: inv.where,
      lenientSecrets: b.opts.lenientSecrets,
      vault: b.opts.vault,
      cache: new Map(),
    },
    b.opts.playbookDir,
  );
  if (inv.hosts.size === 0) b.problems.push({ file: inv.file, message: "the inventory has no hosts" });
}

/** Parse an inventory text (no vars files beside it); every problem is collected, none thrown one by one. */
export function parseInventory(
  text: string,
  file: string,
  opts: LoadOptions = {},
): { inventory: Inventory; problems: Problem[] } {
  const b = newBuild([file], opts);
  readSource(b, text, file);
  finish(b, []);
  return { inventory: b.inv, problems: b.problems };
}

/** Ansible's inventory folders: every file in name order (subfolders too), but hidden ones, backups and non-inventory files. */
const IGNORED_NAMES =
  /^(\.|group_vars$|host_vars$|vars_plugins$)|~$|\.(pyc|pyo|swp|bak|rpm|md|txt|rst|orig|ini|cfg|retry)$/;

const MAX_FILES = 200;

/** A source's inventory files; a folder is walked (symlinks to folders are not), at most MAX_FILES entries. */
function filesOfSource(path: string, seen = { n: 0 }): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const n of readdirSync(path).sort()) {
    if (IGNORED_NAMES.test(n)) continue;
    if (++seen.n > MAX_FILES) throw new TooMany();
    const p = join(path, n);
    const st = lstatSync(p);
    if (st.isDirectory()) out.push(...filesOfSource(p, seen));
    else if (st.isFile() && ["", ".yml", ".yaml", ".json"].includes(extname(n))) out.push(p);
  }
  return out;
}

class TooMany extends Error {}

/**
 * Load one or more inventory sources (files or folders, merged in order, as several -i are),
 * with the group_vars/ and host_vars/ beside each source and beside the playbook.
 */
export function loadInventory(sources: string | string[], opts: LoadOptions = {}): Inventory {
  const list = typeof sources === "string" ? [sources] : sources;
  const b = newBuild(list, opts);
  for (const src of list) {
    if (!existsSync(src)) {
      b.problems.push({
        file: src,
        message: "inventory file not found",
        hint: "give one with -i FILE (or a folder of them)",
      });
      continue;
    }
    let files: string[];
    try {
      files = filesOfSource(src);
    } catch (e) {
      if (!(e instanceof TooMany)) throw e;
      b.problems.push({
        file: src,
        message: `more than ${MAX_FILES} entries: not an inventory folder`,
        hint: "give the inventory file, or a folder that holds only inventory files",
      });
      continue;
    }
    if (!files.length)
      b.problems.push({
        file: src,
        message: "no inventory file in this folder (YAML: no extension, .yml, .yaml or .json)",
      });
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        b.problems.push({ file, message: `cannot read the inventory: ${(e as NodeJS.ErrnoException).code}` });
        continue;
      }
      readSource(b, text, file);
    }
  }
  if (b.problems.length) throw new InputError(b.problems);
  // a folder's vars files are inside it; a file's beside it
  finish(
    b,
    list.map((s) => (statSync(s).isDirectory() ? s : dirname(s))),
  );
  if (b.problems.length) throw new InputError(b.problems);
  return b.inv;
}
