// Where homecloud-deploy keeps what it can rebuild (the TypeScript transforms of playbooks):
// $XDG_CACHE_HOME (or ~/.cache)/homecloud-deploy/KIND, else a per-user folder in the temporary
// directory. What is read from a cache is run as code, so a folder is used only if it is a real
// folder (not a link), owned by us and writable by nobody else: a folder someone else made in
// /tmp is passed over, never trusted.
import { lstatSync, mkdirSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

function ours(dir: string, create: boolean): boolean {
  try {
    if (create) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === (process.getuid?.() ?? st.uid) && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * The usable cache folders for one kind of entry, best first (none when no candidate is safe).
 * To read, only folders that exist; to write (`create`), a missing one is made (mode 0700).
 */
export function cacheDirs(kind: string, create = false): string[] {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const candidates = [
    join(base, "homecloud-deploy", kind),
    join(tmpdir(), `homecloud-deploy-${kind}-${process.getuid?.() ?? "u"}`),
  ];
  return candidates.filter((d) => ours(d, create));
}
