import { isIPv6 } from "node:net";
import type { Problem } from "../errors.js";
import type { Inventory } from "./types.js";

/**
 * Ansible's host patterns, as `ansible PATTERN --list-hosts` reads them (ansible-core's
 * InventoryManager; the differential test in test/unit/patterns-ansible.test.ts holds us to it):
 *
 * - With a comma, the pattern is split on commas only (IPv6 names and host:port survive); without
 *   one, a pattern that is one address stays whole, else it is split on colons outside brackets.
 * - Plain parts are taken first (a union in their order), then `&` parts intersect and `!` parts
 *   subtract; a pattern with no plain part starts from `all`.
 * - A part names groups (every host under them) and, when no group matched or it is a glob or
 *   regex, hosts; `*`, `?`, `[seq]`, `[!seq]` are fnmatch globs, `~` starts a regex; a subscript
 *   picks from what the part selected: `vms[0]`, `vms[-1]`, `vms[1:]`, `vms[0:2]` (inclusive).
 * - Hosts come in pattern order, then group order, each once.
 */
export function splitPattern(pattern: string | readonly string[]): string[] {
  if (typeof pattern !== "string") return pattern.flatMap((p) => splitPattern(p));
  let parts: string[];
  if (pattern.includes(",")) parts = pattern.split(",");
  else if (isOneAddress(pattern)) parts = [pattern];
  else parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return parts.map((p) => p.trim()).filter(Boolean);
}

const RANGE = String.raw`\[[a-zA-Z0-9]+:[a-zA-Z0-9]+(?::[0-9]+)?\]`;
const LABEL = `(?:[a-zA-Z0-9_-]|${RANGE})+`;
const HOSTNAME = new RegExp(String.raw`^${LABEL}(?:\.${LABEL})*$`);
const HOSTPORT = new RegExp(String.raw`^(${LABEL}(?:\.${LABEL})*):(\d+)$`);

/** One host name or address (Ansible's parse_address, ranges allowed): never split on its colons. */
function isOneAddress(p: string): boolean {
  if (HOSTNAME.test(p) || HOSTPORT.test(p)) return true;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(p);
  if (bracketed) return isIPv6(bracketed[1]!.replace(/\[[0-9a-f]+:[0-9a-f]+\]/gi, "0"));
  return isIPv6(p.replace(/\[[0-9a-fA-F]+:[0-9a-fA-F]+\]/g, "0"));
}

/** Plain parts first, then intersections, then exclusions; `all` when nothing is plain. */
function orderParts(parts: string[]): string[] {
  const plain = parts.filter((p) => p[0] !== "!" && p[0] !== "&");
  const and = parts.filter((p) => p[0] === "&");
  const not = parts.filter((p) => p[0] === "!");
  return [...(plain.length ? plain : ["all"]), ...and, ...not];
}

/** Python's fnmatch.translate: a whole-name match, case-sensitive. */
export function fnmatchRegex(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      let j = i + 1;
      if (glob[j] === "!") j++;
      if (glob[j] === "]") j++;
      while (j < glob.length && glob[j] !== "]") j++;
      if (j >= glob.length) re += "\\[";
      else {
        let body = glob.slice(i + 1, j).replace(/\\/g, "\\\\");
        if (body[0] === "!") body = "^" + body.slice(1);
        else if (body[0] === "^") body = "\\" + body;
        re += `[${body}]`;
        i = j;
      }
    } else re += c!.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^(?:${re})$`, "s");
}

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/;

function splitSubscript(part: string): { expr: string; sub?: [number, number | undefined] } {
  if (part[0] === "~") return { expr: part };
  const m = SUBSCRIPT.exec(part);
  if (!m) return { expr: part };
  if (m[2] !== undefined) return { expr: m[1]!, sub: [Number(m[2]), undefined] };
  return { expr: m[1]!, sub: [Number(m[3]), m[5] ? Number(m[5]) : -1] };
}

function applySubscript(hosts: string[], sub: [number, number | undefined]): string[] {
  const [start, end] = sub;
  if (end === undefined) {
    const h = hosts[start < 0 ? hosts.length + start : start];
    return h === undefined ? [] : [h];
  }
  return hosts.slice(start, end === -1 ? hosts.length : end + 1);
}

/** Every host under a group: its own first, then its children's, level by level, each once. */
export function groupHosts(inv: Inventory, name: string): string[] {
  const out = new Set<string>();
  const seen = new Set<string>([name]);
  let level = [name];
  while (level.length) {
    const next: string[] = [];
    for (const g of level) {
      for (const h of inv.groups.get(g)?.hosts ?? []) out.add(h);
      for (const c of inv.groups.get(g)?.children ?? [])
        if (!seen.has(c)) {
          seen.add(c);
          next.push(c);
        }
    }
    level = next;
  }
  return [...out];
}

/** The hosts one part names, or undefined when it names no group and no host. */
function matchPart(inv: Inventory, expr: string): string[] | undefined {
  let re: RegExp;
  try {
    re = expr[0] === "~" ? new RegExp(`^(?:${expr.slice(1)})`) : fnmatchRegex(expr);
  } catch {
    return undefined;
  }
  const groups = [...inv.groups.keys()].filter((g) => re.test(g));
  const out = new Set<string>();
  for (const g of groups) for (const h of groupHosts(inv, g)) out.add(h);
  if (!groups.length || expr[0] === "~" || /[.?*[]/.test(expr))
    for (const h of inv.hosts.keys()) if (re.test(h)) out.add(h);
  if (!groups.length && !out.size) return undefined;
  return [...out];
}

/**
 * Select hosts by an Ansible pattern (or a list of them). A part that names no group and no
 * host is a problem: Ansible only warns and goes on with fewer hosts than were meant.
 */
export function selectHosts(
  inv: Inventory,
  pattern: string | readonly string[],
  where: Omit<Problem, "message">,
): { hosts: string[]; problems: Problem[] } {
  const problems: Problem[] = [];
  let hosts: string[] = [];
  for (const part of orderParts(splitPattern(pattern))) {
    const op = part[0] === "!" || part[0] === "&" ? part[0] : "";
    const { expr, sub } = splitSubscript(op ? part.slice(1) : part);
    let matched = matchPart(inv, expr);
    if (matched === undefined) {
      problems.push({
        ...where,
        message: `no host or group ${/[*?[~]/.test(expr) ? "matches" : "named"} "${expr}" in ${inv.file}`,
        hint: `groups: ${[...inv.groups.keys()].join(", ")}`,
      });
      matched = [];
    }
    if (sub) matched = applySubscript(matched, sub);
    if (op === "!") hosts = hosts.filter((h) => !matched!.includes(h));
    else if (op === "&") hosts = hosts.filter((h) => matched!.includes(h));
    else hosts.push(...matched.filter((h) => !hosts.includes(h)));
  }
  return { hosts, problems };
}
