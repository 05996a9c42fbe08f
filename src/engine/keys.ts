/**
 * What a resource reads and what its steps may change, as typed keys. A read is outdated when
 * an earlier change of the same batch wrote a key that overlaps it; the engine then reads it
 * again (or, for a file whose new text it knows, takes that text).
 */
export type Key =
  /** A path and everything under it: a file's content, a tree removed. */
  | { readonly kind: "tree"; readonly path: string }
  /** One directory entry alone (making a directory changes no file below it). */
  | { readonly kind: "entry"; readonly path: string }
  /** Any other state, by a name of its area: a unit, a sysctl, a package, an interface. */
  | { readonly kind: "state"; readonly area: string; readonly name: string }
  /** Everything (a package install, a command of unknown effect). */
  | { readonly kind: "anything" };

export const keys = {
  tree: (path: string): Key => ({ kind: "tree", path }),
  entry: (path: string): Key => ({ kind: "entry", path }),
  /** A file: its content and its entry. */
  file: (path: string): Key[] => [keys.tree(path), keys.entry(path)],
  state: (area: string, name: string): Key => ({ kind: "state", area, name }),
  unit: (unit: string): Key => keys.state("unit", unit),
  anything: { kind: "anything" } as Key,
};

const under = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith("/") ? dir : `${dir}/`);

/** One read key overlaps one written key. */
function overlap(read: Key, written: Key): boolean {
  if (read.kind === "anything" || written.kind === "anything") return true;
  if (read.kind === "state" || written.kind === "state")
    return (
      read.kind === "state" && written.kind === "state" && read.area === written.area && read.name === written.name
    );
  // an entry is changed by itself, or by a tree change (removal) above or at it
  if (read.kind === "entry")
    return written.kind === "entry" ? read.path === written.path : under(read.path, written.path);
  // a tree is changed by a change inside it, or by a tree change above it
  return written.kind === "tree" && (under(read.path, written.path) || under(written.path, read.path));
}

export function overlaps(reads: readonly Key[], written: Iterable<Key>): boolean {
  for (const w of written) for (const r of reads) if (overlap(r, w)) return true;
  return false;
}

/** The keys written by the changes of a batch. */
export class KeySet implements Iterable<Key> {
  private readonly byId = new Map<string, Key>();
  add(k: Key): void {
    this.byId.set(JSON.stringify(k), k);
  }
  has(k: Key): boolean {
    return this.byId.has(JSON.stringify(k));
  }
  clear(): void {
    this.byId.clear();
  }
  [Symbol.iterator](): Iterator<Key> {
    return this.byId.values();
  }
}
