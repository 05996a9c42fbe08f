import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { Node, Pair, YAMLMap } from "yaml";
import { InputError, type Problem } from "../errors.js";
import { isSecret, Secret } from "../secrets.js";
import { isSecretRef, secretTags } from "./tags.js";
import type { Group, Host, Inventory } from "./types.js";

const GROUP_KEYS = new Set(["hosts", "vars", "children"]);
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

interface Walk {
  /** `deploy plan` needs no secrets: missing ones are not problems there. */
  lenientSecrets?: boolean;
  file: string;
  lc: LineCounter;
  problems: Problem[];
  inv: Inventory;
  hostVars: Map<string, Record<string, unknown>>;
}

function lineOf(w: Walk, node: Node | Pair | null | undefined): number | undefined {
  const n = node && "range" in node ? node : (node as Pair | undefined)?.key;
  const off = (n as Node | undefined)?.range?.[0];
  return off === undefined ? undefined : w.lc.linePos(off).line;
}

/** Turn YAML into plain values, resolving secret tags into Secrets. */
function toValue(w: Walk, node: unknown, field: string): unknown {
  if (node === null || node === undefined) return null;
  const js = (node as Node & { toJSON(): unknown }).toJSON ? (node as { toJSON(): unknown }).toJSON() : node;
  return resolveSecrets(w, js, field, lineOf(w, node as Node));
}

function resolveSecrets(w: Walk, v: unknown, field: string, line?: number): unknown {
  if (isSecretRef(v)) {
    if (v.__secretRef === "secret") return new Secret(v.value, field);
    if (v.__secretRef === "env") {
      const val = process.env[v.value];
      if (val === undefined || val === "") {
        if (!w.lenientSecrets) w.problems.push({ file: w.file, line, field, message: `secret from environment variable ${v.value} is not set`, hint: `export ${v.value}=... before running` });
        return new Secret("", field);
      }
      return new Secret(val, field);
    }
    const path = resolve(dirname(w.file), v.value.replace(/^~(?=\/)/, homedir()));
    try {
      return new Secret(readFileSync(path, "utf8").replace(/\r?\n$/, ""), field);
    } catch (e) {
      if (!w.lenientSecrets) w.problems.push({ file: w.file, line, field, message: `cannot read secret file ${path}: ${(e as NodeJS.ErrnoException).code ?? e}` });
      return new Secret("", field);
    }
  }
  if (Array.isArray(v)) return v.map((x, i) => resolveSecrets(w, x, `${field}[${i}]`, line));
  if (v && typeof v === "object" && !isSecret(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveSecrets(w, x, `${field}.${k}`, line)]));
  }
  return v;
}

function varsOf(w: Walk, node: unknown, owner: string, field: string): Record<string, unknown> {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return {};
  if (!isMap(node)) {
    w.problems.push({ file: w.file, line: lineOf(w, node as Node), field, message: "vars must be a mapping of names to values" });
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const pair of (node as YAMLMap).items) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const line = lineOf(w, pair);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      w.problems.push({ file: w.file, line, field: `${field}.${key}`, message: "variable names are letters, digits and _ and do not start with a digit" });
      continue;
    }
    if (line) w.inv.lines.set(`${owner}:${key}`, line);
    out[key] = toValue(w, pair.value, `${field}.${key}`);
  }
  return out;
}

function group(w: Walk, name: string, line?: number): Group {
  let g = w.inv.groups.get(name);
  if (!g) {
    g = { name, hosts: new Set(), children: new Set(), parents: new Set(), vars: {}, line };
    w.inv.groups.set(name, g);
  }
  return g;
}

function walkGroup(w: Walk, name: string, node: unknown, field: string, line?: number): void {
  const g = group(w, name, line);
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return;
  if (!isMap(node)) {
    w.problems.push({ file: w.file, line: lineOf(w, node as Node) ?? line, field, message: `group ${name} must be a mapping with hosts, vars or children` });
    return;
  }
  for (const pair of (node as YAMLMap).items) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const kline = lineOf(w, pair);
    if (!GROUP_KEYS.has(key)) {
      w.problems.push({ file: w.file, line: kline, field: `${field}.${key}`, message: `unknown key "${key}" in group ${name}`, hint: "a group holds only hosts, vars and children" });
      continue;
    }
    const value = pair.value as unknown;
    if (key === "vars") {
      g.vars = { ...g.vars, ...varsOf(w, value, `group ${name}`, `${field}.vars`) };
      continue;
    }
    if (value === null || (isScalar(value) && value.value === null)) continue;
    if (!isMap(value)) {
      w.problems.push({ file: w.file, line: kline, field: `${field}.${key}`, message: `${key} must be a mapping (name: ...)`, hint: key === "hosts" ? "write each host as `name:` on its own line" : undefined });
      continue;
    }
    for (const item of (value as YAMLMap).items) {
      const child = String(isScalar(item.key) ? item.key.value : item.key);
      const cline = lineOf(w, item);
      if (!NAME.test(child)) {
        w.problems.push({ file: w.file, line: cline, field: `${field}.${key}.${child}`, message: `"${child}" is not a valid ${key === "hosts" ? "host" : "group"} name` });
        continue;
      }
      if (key === "hosts") {
        g.hosts.add(child);
        if (!w.inv.hosts.has(child)) w.inv.hosts.set(child, { name: child, vars: {}, groups: [], line: cline });
        const hv = varsOf(w, item.value, `host ${child}`, `${field}.hosts.${child}`);
        w.hostVars.set(child, { ...(w.hostVars.get(child) ?? {}), ...hv });
      } else {
        if (child === "all") {
          w.problems.push({ file: w.file, line: cline, field: `${field}.children.all`, message: "group all cannot be a child" });
          continue;
        }
        g.children.add(child);
        group(w, child, cline).parents.add(name);
        walkGroup(w, child, item.value, `${field}.children.${child}`, cline);
      }
    }
  }
}

function depthOf(inv: Inventory, name: string, seen = new Set<string>()): number {
  if (name === "all" || seen.has(name)) return 0;
  seen.add(name);
  const g = inv.groups.get(name)!;
  const parents = [...g.parents];
  return 1 + (parents.length ? Math.max(...parents.map((p) => depthOf(inv, p, seen))) : 0);
}

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
      w.problems.push({ file: w.file, line: w.inv.groups.get(n)?.line, field: n, message: `groups form a cycle: ${[...path, n].join(" -> ")}` });
      return;
    }
    state.set(n, 1);
    for (const c of w.inv.groups.get(n)?.children ?? []) visit(c, [...path, n]);
    state.set(n, 2);
  };
  for (const n of w.inv.groups.keys()) visit(n, []);
}

/** Parse an inventory text; every problem is collected, none thrown one by one. */
export function parseInventory(text: string, file: string, opts: { lenientSecrets?: boolean } = {}): { inventory: Inventory; problems: Problem[] } {
  const lc = new LineCounter();
  const inv: Inventory = { file, hosts: new Map(), groups: new Map(), lines: new Map() };
  const w: Walk = { file, lc, problems: [], inv, hostVars: new Map(), lenientSecrets: opts.lenientSecrets };
  // YAML 1.1 like Ansible: yes/no/on/off are booleans.
  const doc = parseDocument(text, { lineCounter: lc, version: "1.1", customTags: secretTags, uniqueKeys: true, prettyErrors: true });
  for (const e of [...doc.errors, ...doc.warnings]) {
    const line = e.linePos?.[0]?.line;
    w.problems.push({ file, line, message: `YAML: ${e.message.split("\n")[0]}` });
  }
  if (doc.errors.length) return { inventory: inv, problems: w.problems };
  try {
    doc.toJS(); // unresolved aliases and the like only show up here
  } catch (e) {
    w.problems.push({ file, message: `YAML: ${(e as Error).message.split("\n")[0]}`, hint: "an alias (*name) needs an anchor (&name) before it" });
    return { inventory: inv, problems: w.problems };
  }
  const root = doc.contents;
  group(w, "all");
  if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) {
    w.problems.push({ file, message: "the inventory is empty", hint: "start it with `all:` and a `hosts:` or `children:` mapping" });
    return { inventory: inv, problems: w.problems };
  }
  if (!isMap(root)) {
    w.problems.push({ file, line: lineOf(w, root as Node), message: "the inventory must be a mapping of group names (e.g. `all:`)" });
    return { inventory: inv, problems: w.problems };
  }
  for (const pair of (root as YAMLMap).items) {
    const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const line = lineOf(w, pair);
    if (!NAME.test(name)) {
      w.problems.push({ file, line, field: name, message: `"${name}" is not a valid group name` });
      continue;
    }
    if (name !== "all") group(w, "all").children.add(name), group(w, name, line).parents.add("all");
    walkGroup(w, name, pair.value, name, line);
  }
  detectCycles(w);
  for (const g of inv.groups.values()) {
    if (g.name !== "all" && g.parents.size === 0) g.parents.add("all");
  }
  if (w.problems.length) return { inventory: inv, problems: w.problems };
  for (const h of inv.hosts.values()) {
    const groups = new Set<string>(["all"]);
    for (const g of inv.groups.values()) if (g.hosts.has(h.name)) ancestors(inv, g.name, groups);
    const ordered = [...groups].sort((a, b) => depthOf(inv, a) - depthOf(inv, b) || a.localeCompare(b));
    h.groups = ordered;
    h.vars = Object.assign({}, ...ordered.map((g) => inv.groups.get(g)!.vars), w.hostVars.get(h.name) ?? {});
  }
  if (inv.hosts.size === 0) w.problems.push({ file, message: "the inventory has no hosts" });
  return { inventory: inv, problems: w.problems };
}

export function loadInventory(file: string, opts: { lenientSecrets?: boolean } = {}): Inventory {
  if (!existsSync(file)) throw new InputError([{ file, message: "inventory file not found", hint: "give one with -i FILE" }]);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError([{ file, message: `cannot read the inventory: ${(e as NodeJS.ErrnoException).code}` }]);
  }
  const { inventory, problems } = parseInventory(text, file, opts);
  if (problems.length) throw new InputError(problems);
  return inventory;
}
