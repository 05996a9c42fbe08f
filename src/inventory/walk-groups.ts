// The groups of one inventory source, walked as Ansible reads them: hosts (names, name:port,
// ranges) with their variables, vars, and children groups in turn. Problems are collected with
// file, line and field; nothing is thrown here.
import { isMap, isScalar } from "yaml";
import type { Node, YAMLMap } from "yaml";
import { expandHostKey } from "./host-names.js";
import type { Group, Inventory } from "./types.js";
import { keyOf, lineOf, pairsOf, readVars, type YamlFile } from "./yaml-values.js";

const GROUP_KEYS = new Set(["hosts", "vars", "children"]);
export const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The inventory being built from one or more sources; each source file is a YamlFile in turn. */
export interface Walk extends YamlFile {
  inv: Inventory;
  hostVars: Map<string, Record<string, unknown>>;
}

export function group(w: Walk, name: string, line?: number): Group {
  let g = w.inv.groups.get(name);
  if (!g) {
    g = { name, hosts: new Set(), children: new Set(), parents: new Set(), vars: {}, line };
    w.inv.groups.set(name, g);
  }
  return g;
}

export function walkGroup(w: Walk, name: string, node: unknown, field: string, line?: number): void {
  const g = group(w, name, line);
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return;
  if (!isMap(node)) {
    w.problems.push({
      file: w.file,
      line: lineOf(w, node as Node) ?? line,
      field,
      message: `group ${name} must be a mapping with hosts, vars or children`,
    });
    return;
  }
  for (const pair of pairsOf(w, node as YAMLMap)) {
    const key = keyOf(pair);
    const kline = lineOf(w, pair);
    if (!GROUP_KEYS.has(key)) {
      w.problems.push({
        file: w.file,
        line: kline,
        field: `${field}.${key}`,
        message: `unknown key "${key}" in group ${name}`,
        hint: "a group holds only hosts, vars and children",
      });
      continue;
    }
    const value = pair.value as unknown;
    if (key === "vars") {
      g.vars = { ...g.vars, ...readVars(w, value, `group ${name}`, `${field}.vars`) };
      continue;
    }
    if (value === null || (isScalar(value) && value.value === null)) continue;
    if (!isMap(value)) {
      w.problems.push({
        file: w.file,
        line: kline,
        field: `${field}.${key}`,
        message: `${key} must be a mapping (name: ...)`,
        hint: key === "hosts" ? "write each host as `name:` on its own line" : undefined,
      });
      continue;
    }
    for (const item of pairsOf(w, value as YAMLMap)) {
      const child = keyOf(item);
      const cline = lineOf(w, item);
      if (key === "hosts") addHosts(w, g, child, item.value, `${field}.hosts.${child}`, cline);
      else addChild(w, name, child, item.value, `${field}.${key}.${child}`, cline);
    }
  }
}

/** One `hosts:` entry of a group: a name, name:port or a range, each host with its variables. */
function addHosts(w: Walk, g: Group, key: string, value: unknown, field: string, line?: number): void {
  const names = expandHostKey(key);
  if ("error" in names) {
    w.problems.push({
      file: w.file,
      line,
      field,
      message: names.error,
      hint: "a host is a name, an address, name:port, or a range such as vm[1:3]",
    });
    return;
  }
  for (const name of names.names) {
    g.hosts.add(name);
    if (!w.inv.hosts.has(name)) w.inv.hosts.set(name, { name, vars: {}, origins: new Map(), groups: [], line });
    if (names.port !== undefined) w.where.set(`host ${name}:ansible_port`, { file: w.file, line });
    const hv = readVars(w, value, `host ${name}`, field);
    w.hostVars.set(name, {
      ...(w.hostVars.get(name) ?? {}),
      ...(names.port !== undefined ? { ansible_port: names.port } : {}),
      ...hv,
    });
  }
}

/** One `children:` entry of a group: a group name, walked in turn. */
function addChild(w: Walk, parent: string, child: string, value: unknown, field: string, line?: number): void {
  if (!NAME.test(child)) {
    w.problems.push({ file: w.file, line, field, message: `"${child}" is not a valid group name` });
    return;
  }
  if (child === "all") {
    w.problems.push({ file: w.file, line, field, message: "group all cannot be a child" });
    return;
  }
  group(w, parent).children.add(child);
  group(w, child, line).parents.add(parent);
  walkGroup(w, child, value, field, line);
}
