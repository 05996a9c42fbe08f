/**
 * Staleness: a task's probe result is stale when an earlier task in the same apply batch
 * changed state it reads. Keys are "kind:name"; "path:P" is P and everything under it (paths
 * overlap when one contains the other); "node:P" is the entry P alone (creating a directory
 * changes no file below it); "*" overlaps everything.
 */
export function overlaps(reads: readonly string[], dirty: ReadonlySet<string>): boolean {
  if (dirty.size === 0) return false;
  if (dirty.has("*") || reads.includes("*")) return true;
  for (const r of reads) {
    if (dirty.has(r)) return true;
    if (r.startsWith("node:")) {
      // an entry is changed by itself, or by a subtree change (removal) above or at it
      const p = r.slice(5);
      for (const d of dirty)
        if (d.startsWith("path:") && (p === d.slice(5) || p.startsWith(d.slice(5).replace(/\/?$/, "/")))) return true;
      continue;
    }
    if (r.startsWith("path:")) {
      const p = r.slice(5);
      for (const d of dirty) {
        if (!d.startsWith("path:")) continue;
        const q = d.slice(5);
        if (p.startsWith(q.endsWith("/") ? q : q + "/") || q.startsWith(p.endsWith("/") ? p : p + "/")) return true;
      }
    }
  }
  return false;
}
