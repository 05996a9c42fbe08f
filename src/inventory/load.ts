import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node, Pair, YAMLMap } from "yaml";
import { InputError, type Problem } from "../errors.js";
import { isSecret, Secret } from "../secrets.js";
import { expandHostKey } from "./host-names.js";
import { isSecretRef } from "./tags.js";
import { ansibleTags } from "./yaml11.js";
import type { Group, Host, Inventory } from "./types.js";

/** What a secret that could not be read stands for where nothing connects (plan, listings): a value roles accept. */
const UNREAD = "unread-secret";

const GROUP_KEYS = new Set(["hosts", "vars", "children"]);
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

interface Walk {
  /** `deploy plan` needs no secrets: missing ones are not problems there. */
  lenientSecrets?: boolean;
  file: string;
  lc: LineCounter;
  doc: Document;
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
  // (toJS with the document resolves aliases and merge keys inside the value)
  const js = (node as Node & { toJS?: unknown }).toJS ? (node as Node).toJS(w.doc) : node;
  return resolveSecrets(w, js, field, lineOf(w, node as Node));
}

function resolveSecrets(w: Walk, v: unknown, field: string, line?: number): unknown {
  if (isSecretRef(v)) {
    if (v.__secretRef === "secret") return new Secret(v.value, field);
    if (v.__secretRef === "env") {
      const val = process.env[v.value];
      if (val === undefined || val === "") {
        if (!w.lenientSecrets) w.problems.push({ file: w.file, line, field, message: `secret from environment variable ${v.value} is not set`, hint: `export ${v.value}=... before running` });
        return new Secret(w.lenientSecrets ? UNREAD : "", field);
      }
      return new Secret(val, field);
    }
    const path = resolve(dirname(w.file), v.value.replace(/^~(?=\/)/, homedir()));
    try {
      return new Secret(readFileSync(path, "utf8").replace(/\r?\n$/, ""), field);
    } catch (e) {
      if (!w.lenientSecrets) w.problems.push({ file: w.file, line, field, message: `cannot read secret file ${path}: ${(e as NodeJS.ErrnoException).code ?? e}` });
      return new Secret(w.lenientSecrets ? UNREAD : "", field);
    }
  }
  if (Array.isArray(v)) return v.map((x, i) => resolveSecrets(w, x, `${field}[${i}]`, line));
  if (v && typeof v === "object" && !isSecret(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveSecrets(w, x, `${field}.${k}`, line)]));
  }
  return v;
}

/**
 * The pairs of a mapping with YAML merge keys applied (`<<: *base`, `<<: [*a, *b]`): merged pairs
 * first, each key once, and the mapping's own keys over them.
 */
function pairsOf(w: Walk, map: YAMLMap): Pair[] {
  const own = map.items.filter((p) => !isMergeKey(p.key));
  const merges = map.items.filter((p) => isMergeKey(p.key));
  if (!merges.length) return map.items as Pair[];
  const merged = new Map<string, Pair>();
  const ownKeys = new Set(own.map((p) => String(isScalar(p.key) ? p.key.value : p.key)));
  for (const m of merges) {
    const sources = isSeq(m.value) ? m.value.items : [m.value];
    for (const src of sources) {
      const target = isAlias(src) ? src.resolve(w.doc) : src;
      if (!isMap(target)) {
        w.problems.push({ file: w.file, line: lineOf(w, m), field: "<<", message: "a merge key (<<) takes a mapping or a list of mappings" });
        continue;
      }
      for (const p of pairsOf(w, target as YAMLMap)) {
        const k = String(isScalar(p.key) ? p.key.value : p.key);
        if (!ownKeys.has(k) && !merged.has(k)) merged.set(k, p as Pair);
      }
    }
  }
  return [...merged.values(), ...(own as Pair[])];
}

/** `<<` (the parser gives a merge key a symbol for its value). */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return v === "<<" || (typeof v === "symbol" && v.description === "<<");
}

/** The line of every key inside a value ("group all:site.dns"), so a problem points at its own line. */
function nestedLines(w: Walk, prefix: string, node: unknown): void {
  if (isMap(node)) {
    for (const p of pairsOf(w, node as YAMLMap)) {
      const k = `${prefix}.${String(isScalar(p.key) ? p.key.value : p.key)}`;
      const l = lineOf(w, p);
      if (l) w.inv.lines.set(k, l);
      nestedLines(w, k, p.value);
    }
  } else if (isSeq(node)) {
    node.items.forEach((x, i) => {
      const l = lineOf(w, x as Node);
      if (l) w.inv.lines.set(`${prefix}[${i}]`, l);
      nestedLines(w, `${prefix}[${i}]`, x);
    });
  }
}

function varsOf(w: Walk, node: unknown, owner: string, field: string): Record<string, unknown> {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return {};
  if (!isMap(node)) {
    w.problems.push({ file: w.file, line: lineOf(w, node as Node), field, message: "vars must be a mapping of names to values" });
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const pair of pairsOf(w, node as YAMLMap)) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const line = lineOf(w, pair);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      w.problems.push({ file: w.file, line, field: `${field}.${key}`, message: "variable names are letters, digits and _ and do not start with a digit" });
      continue;
    }
    if (line) w.inv.lines.set(`${owner}:${key}`, line);
    nestedLines(w, `${owner}:${key}`, pair.value);
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
  for (const pair of pairsOf(w, node as YAMLMap)) {
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
    for (const item of pairsOf(w, value as YAMLMap)) {
      const child = String(isScalar(item.key) ? item.key.value : item.key);
      const cline = lineOf(w, item);
      if (key === "hosts") {
        const names = expandHostKey(child);
        if ("error" in names) {
          w.problems.push({ file: w.file, line: cline, field: `${field}.hosts.${child}`, message: names.error, hint: "a host is a name, an address, name:port, or a range such as vm[1:3]" });
          continue;
        }
        for (const name of names.names) {
          g.hosts.add(name);
          if (!w.inv.hosts.has(name)) w.inv.hosts.set(name, { name, vars: {}, groups: [], line: cline });
          const hv = varsOf(w, item.value, `host ${name}`, `${field}.hosts.${child}`);
          w.hostVars.set(name, { ...(w.hostVars.get(name) ?? {}), ...(names.port !== undefined ? { ansible_port: names.port } : {}), ...hv });
        }
        continue;
      }
      if (!NAME.test(child)) {
        w.problems.push({ file: w.file, line: cline, field: `${field}.${key}.${child}`, message: `"${child}" is not a valid group name` });
        continue;
      }
      {
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

function withoutPriority(vars: Record<string, unknown>): Record<string, unknown> {
  if (!("ansible_group_priority" in vars)) return vars;
  const { ansible_group_priority: _, ...rest } = vars;
  return rest;
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
  const w: Walk = { file, lc, doc: undefined as unknown as Document, problems: [], inv, hostVars: new Map(), lenientSecrets: opts.lenientSecrets };
  // YAML 1.1 as Ansible reads it (see yaml11.ts): yes/no/on/off are booleans, y/n are not.
  const doc = parseDocument(text, { lineCounter: lc, version: "1.1", customTags: ansibleTags as never, merge: true, uniqueKeys: true, prettyErrors: true });
  w.doc = doc;
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
  // as in Ansible: ungrouped is all's first child; it holds the hosts that are in no other group
  group(w, "ungrouped").parents.add("all");
  w.inv.groups.get("all")!.children.add("ungrouped");
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
  const ungrouped = inv.groups.get("ungrouped")!;
  for (const h of inv.hosts.keys()) {
    if (![...inv.groups.values()].some((g) => g.name !== "all" && g.name !== "ungrouped" && g.hosts.has(h))) ungrouped.hosts.add(h);
    else ungrouped.hosts.delete(h);
  }
  const memo = new Map<string, number>();
  for (const h of inv.hosts.values()) {
    const groups = new Set<string>(["all"]);
    for (const g of inv.groups.values()) if (g.hosts.has(h.name)) ancestors(inv, g.name, groups);
    const key = (n: string) => [depthOf(inv, n, memo), priorityOf(inv.groups.get(n)!)] as const;
    const ordered = [...groups].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1] || byCodePoint(a, b));
    h.groups = ordered;
    // (ansible_group_priority orders groups; like Ansible, it is no variable of the hosts)
    h.vars = Object.assign({}, ...ordered.map((g) => withoutPriority(inv.groups.get(g)!.vars)), w.hostVars.get(h.name) ?? {});
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
