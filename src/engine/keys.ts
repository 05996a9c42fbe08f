/**
 * Staleness: a task's probe result is stale when an earlier task in the same apply batch
 * changed state it reads. Keys are "kind:name"; paths overlap when one contains the other;
 * "*" overlaps everything.
 */
export function overlaps(reads: readonly string[], dirty: ReadonlySet<string>): boolean {
  if (dirty.size === 0) return false;
  if (dirty.has("*") || reads.includes("*")) return true;
  for (const r of reads) {
    if (dirty.has(r)) return true;
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
