import { redactValue } from "../secrets.js";
import { groupHosts } from "./patterns.js";
import type { Inventory } from "./types.js";

/** `ansible-inventory --list`'s document, every secret masked (see inventoryDocument). */
export function inventoryList(inv: Inventory, only?: ReadonlySet<string>): Record<string, unknown> {
  return redactValue(inventoryDocument(inv, only));
}

/**
 * `ansible-inventory --list`'s document: each group with its own hosts and its children (empty
 * keys and empty groups left out, all's hosts never listed), and `_meta.hostvars` with every
 * host's merged variables, secrets as they are (Secret objects): for code, never for output.
 */
export function inventoryDocument(inv: Inventory, only?: ReadonlySet<string>): Record<string, unknown> {
  const available = only ?? new Set(groupHosts(inv, "all"));
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  const format = (name: string) => {
    const g = inv.groups.get(name)!;
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (name !== "all") {
      const hosts = [...g.hosts].filter((h) => available.has(h));
      if (hosts.length) entry.hosts = hosts;
    }
    const children = [...g.children];
    if (children.length) entry.children = children;
    if (Object.keys(entry).length) out[name] = entry;
    for (const c of children) {
      if (seen.has(c)) continue;
      seen.add(c);
      format(c);
    }
  };
  format("all");
  const hostvars: Record<string, unknown> = {};
  for (const h of available) {
    const vars = inv.hosts.get(h)?.vars ?? {};
    if (Object.keys(vars).length) hostvars[h] = vars;
  }
  out._meta = { hostvars };
  return out;
}

/** `ansible-inventory --graph`: the group tree, children and hosts in inventory order, `|--` branches, `@` before groups. */
export function inventoryGraph(inv: Inventory, top = "all"): string {
  const lines: string[] = [];
  const walk = (name: string, depth: number) => {
    const pad = depth ? `${"  |".repeat(depth - 1)}  |--` : "";
    lines.push(`${pad}@${name}:`);
    const g = inv.groups.get(name)!;
    for (const c of g.children) walk(c, depth + 1);
    if (name !== "all") for (const h of g.hosts) lines.push(`${"  |".repeat(depth)}  |--${h}`);
  };
  walk(top, 0);
  return lines.join("\n") + "\n";
}
