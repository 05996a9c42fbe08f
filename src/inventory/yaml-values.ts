import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node, Pair, YAMLMap } from "yaml";
import type { Problem } from "../errors.js";
import { isSecret, Secret } from "../secrets.js";
import { isSecretRef, isVaultRef } from "./tags.js";
import type { Origin } from "./types.js";
import { openVault, type VaultKeys } from "./vault-keys.js";
import { ansibleTags } from "./yaml11.js";

/** What a secret that could not be read stands for where nothing connects (plan, listings): a value roles accept. */
export const UNREAD = "unread-secret";

/** One YAML file being read: where its values and problems come from. */
export interface YamlFile {
  file: string;
  lc: LineCounter;
  doc: Document;
  problems: Problem[];
  /** "owner:path" -> where it was set, for every key and list item (see nestedLines). */
  where: Map<string, Origin>;
  /** `deploy plan` and listings need no secrets: missing ones are not problems there. */
  lenientSecrets?: boolean;
  vault?: VaultKeys;
  /** The file was a whole vault: every text in it is a secret value. */
  secretFile?: boolean;
}

/** Parse YAML as Ansible reads it (yaml11.ts), with our secret tags and !vault. */
export function parseYaml(
  text: string,
  file: string,
  base: Omit<YamlFile, "file" | "lc" | "doc">,
): YamlFile | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lc,
    version: "1.1",
    customTags: ansibleTags as never,
    merge: true,
    uniqueKeys: true,
    prettyErrors: true,
  });
  const y: YamlFile = { ...base, file, lc, doc };
  for (const e of [...doc.errors, ...doc.warnings])
    y.problems.push({ file, line: e.linePos?.[0]?.line, message: `YAML: ${e.message.split("\n")[0]}` });
  if (doc.errors.length) return undefined;
  try {
    doc.toJS(); // unresolved aliases and the like only show up here
  } catch (e) {
    y.problems.push({
      file,
      message: `YAML: ${(e as Error).message.split("\n")[0]}`,
      hint: "an alias (*name) needs an anchor (&name) before it",
    });
    return undefined;
  }
  return y;
}

export function lineOf(y: YamlFile, node: Node | Pair | null | undefined): number | undefined {
  const n = node && "range" in node ? node : (node as Pair | undefined)?.key;
  const off = (n as Node | undefined)?.range?.[0];
  return off === undefined ? undefined : y.lc.linePos(off).line;
}

export const keyOf = (p: Pair) => String(isScalar(p.key) ? p.key.value : p.key);

/** `<<` (the parser gives a merge key a symbol for its value). */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return v === "<<" || (typeof v === "symbol" && v.description === "<<");
}

/**
 * The pairs of a mapping with YAML merge keys applied (`<<: *base`, `<<: [*a, *b]`): merged pairs
 * first, each key once, and the mapping's own keys over them.
 */
export function pairsOf(y: YamlFile, map: YAMLMap): Pair[] {
  const own = map.items.filter((p) => !isMergeKey(p.key));
  const merges = map.items.filter((p) => isMergeKey(p.key));
  if (!merges.length) return map.items as Pair[];
  const merged = new Map<string, Pair>();
  const ownKeys = new Set(own.map((p) => keyOf(p as Pair)));
  for (const m of merges) {
    const sources = isSeq(m.value) ? m.value.items : [m.value];
    for (const src of sources) {
      const target = isAlias(src) ? src.resolve(y.doc) : src;
      if (!isMap(target)) {
        y.problems.push({
          file: y.file,
          line: lineOf(y, m as Pair),
          field: "<<",
          message: "a merge key (<<) takes a mapping or a list of mappings",
        });
        continue;
      }
      for (const p of pairsOf(y, target as YAMLMap))
        if (!ownKeys.has(keyOf(p)) && !merged.has(keyOf(p))) merged.set(keyOf(p), p);
    }
  }
  return [...merged.values(), ...(own as Pair[])];
}

/** Record where every key inside a value was set ("group all:site.dns", "...:site.dns[1]"). */
export function nestedLines(y: YamlFile, prefix: string, node: unknown): void {
  if (isMap(node)) {
    for (const p of pairsOf(y, node as YAMLMap)) {
      const k = `${prefix}.${keyOf(p)}`;
      y.where.set(k, { file: y.file, line: lineOf(y, p) });
      nestedLines(y, k, p.value);
    }
  } else if (isSeq(node)) {
    node.items.forEach((x, i) => {
      y.where.set(`${prefix}[${i}]`, { file: y.file, line: lineOf(y, x as Node) });
      nestedLines(y, `${prefix}[${i}]`, x);
    });
  }
}

/** A mapping of variables: plain values, secrets resolved; `owner` keys where each was set. */
export function readVars(y: YamlFile, node: unknown, owner: string, field: string): Record<string, unknown> {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return {};
  if (!isMap(node)) {
    y.problems.push({
      file: y.file,
      line: lineOf(y, node as Node),
      field,
      message: "vars must be a mapping of names to values",
    });
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const pair of pairsOf(y, node as YAMLMap)) {
    const key = keyOf(pair);
    const line = lineOf(y, pair);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      y.problems.push({
        file: y.file,
        line,
        field: `${field}.${key}`,
        message: "variable names are letters, digits and _ and do not start with a digit",
      });
      continue;
    }
    y.where.set(`${owner}:${key}`, { file: y.file, line });
    nestedLines(y, `${owner}:${key}`, pair.value);
    out[key] = toValue(y, pair.value, `${field}.${key}`);
  }
  return out;
}

/** Turn YAML into plain values: aliases and merge keys resolved, secret tags and vaults opened. */
export function toValue(y: YamlFile, node: unknown, field: string): unknown {
  if (node === null || node === undefined) return null;
  const js = (node as Node & { toJS?: unknown }).toJS ? (node as Node).toJS(y.doc) : node;
  return resolveRefs(y, js, field, lineOf(y, node as Node));
}

function resolveRefs(y: YamlFile, v: unknown, field: string, line?: number): unknown {
  const problem = (message: string, hint?: string) => y.problems.push({ file: y.file, line, field, message, hint });
  if (isVaultRef(v)) {
    const r = openVault(v.text, y.vault);
    if ("error" in r) {
      if (!y.lenientSecrets || r.kind !== "no-password") problem(r.error, r.hint);
      return new Secret(UNREAD, field);
    }
    return new Secret(r.text, field);
  }
  if (isSecretRef(v)) {
    if (v.__secretRef === "secret") return new Secret(v.value, field);
    if (v.__secretRef === "env") {
      const val = process.env[v.value];
      if (val === undefined || val === "") {
        if (!y.lenientSecrets)
          problem(`secret from environment variable ${v.value} is not set`, `export ${v.value}=... before running`);
        return new Secret(y.lenientSecrets ? UNREAD : "", field);
      }
      return new Secret(val, field);
    }
    const path = resolve(dirname(y.file), v.value.replace(/^~(?=\/)/, homedir()));
    try {
      return new Secret(readFileSync(path, "utf8").replace(/\r?\n$/, ""), field);
    } catch (e) {
      if (!y.lenientSecrets) problem(`cannot read secret file ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
      return new Secret(y.lenientSecrets ? UNREAD : "", field);
    }
  }
  if (typeof v === "string") {
    // never passed on as a literal: it would reach a host as "{{ ... }}"
    if (/\{\{|\{%/.test(v))
      problem("templated inventory values are not supported", "write the value itself (Jinja2 is not evaluated here)");
    if (y.secretFile) new Secret(v, field); // registers it: masked in every output
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => resolveRefs(y, x, `${field}[${i}]`, line));
  if (v && typeof v === "object" && !isSecret(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveRefs(y, x, `${field}.${k}`, line)]));
  return v;
}
