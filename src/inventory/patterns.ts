import type { Problem } from "../errors.js";
import type { Inventory } from "./types.js";

function hostsOfName(inv: Inventory, name: string): string[] | undefined {
  if (inv.hosts.has(name)) return [name];
  if (name === "all") return [...inv.hosts.keys()];
  const g = inv.groups.get(name);
  if (!g) return undefined;
  return [...inv.hosts.values()].filter((h) => h.groups.includes(name)).map((h) => h.name);
}

function glob(inv: Inventory, pat: string): string[] {
  const re = new RegExp("^" + pat.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
  const names = [...inv.hosts.keys()].filter((h) => re.test(h));
  for (const g of inv.groups.keys()) if (re.test(g)) names.push(...(hostsOfName(inv, g) ?? []));
  return names;
}

/**
 * Ansible host patterns: `vps`, `vps,homegw`, `vps:homegw`, `all:!vms`, `vms:&lab`, `h*`.
 * Hosts keep inventory order. Names that match nothing are problems.
 */
export function selectHosts(inv: Inventory, pattern: string | string[], where: Omit<Problem, "message">): { hosts: string[]; problems: Problem[] } {
  const parts = (Array.isArray(pattern) ? pattern : [pattern]).flatMap((p) => p.split(/[,:]/)).map((s) => s.trim()).filter(Boolean);
  const problems: Problem[] = [];
  let sel = new Set<string>();
  const plus: string[] = [];
  const minus: string[] = [];
  const and: string[][] = [];
  for (const part of parts) {
    const op = part[0] === "!" || part[0] === "&" ? part[0] : "";
    const name = op ? part.slice(1) : part;
    const hs = /[*?]/.test(name) ? glob(inv, name) : hostsOfName(inv, name);
    if (!hs || hs.length === 0) {
      if (!hs) problems.push({ ...where, message: `no host or group named "${name}" in ${inv.file}`, hint: `known groups: ${[...inv.groups.keys()].join(", ")}` });
      continue;
    }
    if (op === "!") minus.push(...hs);
    else if (op === "&") and.push(hs);
    else plus.push(...hs);
  }
  sel = new Set(plus);
  for (const a of and) sel = new Set([...sel].filter((h) => a.includes(h)));
  for (const m of minus) sel.delete(m);
  const ordered = [...inv.hosts.keys()].filter((h) => sel.has(h));
  return { hosts: ordered, problems };
}
