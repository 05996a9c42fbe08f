import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { probeText, tableRead } from "../../engine/read-tables.js";
import { commandLine } from "../../transport/quote.js";

export interface AptOptions extends TaskOptions {
  names: string[];
  state?: "present" | "absent";
  /** Run apt-get update before installing (only when something is missing). */
  updateCache?: boolean;
  /**
   * As Ansible's cache_valid_time: before installing, run apt-get update when the package lists
   * are older than this many seconds (a cloud image's lists date from when it was built).
   */
  cacheValidTime?: number;
}

/** dpkg-query lines `name<TAB>status-abbrev` -> installed package names. */
export function parseDpkgQuery(out: string): Set<string> {
  const installed = new Set<string>();
  for (const l of out.split("\n")) {
    const [name, status] = l.split("\t");
    if (name && status?.startsWith("ii")) installed.add(name.split(":")[0]!);
  }
  return installed;
}

/** How long apt waits for another apt or dpkg (unattended-upgrades) to let go of its lock, in seconds. */
const LOCK_WAIT = ["-o", "DPkg::Lock::Timeout=600"];

/** Debian packages installed (or absent), with apt-get. */
export function apt(opts: AptOptions): Task {
  if (opts.cacheValidTime !== undefined && !(opts.cacheValidTime >= 0))
    throw new Error(`apt: cacheValidTime must be a number of seconds >= 0, not ${opts.cacheValidTime}`);
  for (const n of opts.names)
    if (!/^[a-z0-9][a-z0-9+.-]+$/.test(n)) throw new Error(`apt: "${n}" is not a Debian package name`);
  const names = [...opts.names].sort();
  const resource: Resource<Set<string>> = {
    kind: "apt",
    name: `packages ${names.join(" ")}`,
    reads: names.map((n) => keys.state("package", n)),
    writes: [keys.anything],
    speed: { inShell: true },
    probe: () => probeText`${tableRead.pkgs(names)}; true`,
    parse: (out) => parseDpkgQuery(out),
    steps: (installed): Step[] => {
      const env = "DEBIAN_FRONTEND=noninteractive";
      if ((opts.state ?? "present") === "absent") {
        const rm = names.filter((n) => installed.has(n));
        return rm.length
          ? [
              {
                why: `remove ${rm.join(" ")}`,
                script: `${env} ${commandLine("apt-get", ...LOCK_WAIT, "remove", "-y", "-q", ...rm)}`,
              },
            ]
          : [];
      }
      const missing = names.filter((n) => !installed.has(n));
      if (!missing.length) return [];
      // A fresh cloud image: its lists may be empty (then apt-get update first, whatever
      // updateCache says), and unattended-upgrades may hold the dpkg lock for minutes after
      // the first boot (then wait for it, as a person would, instead of failing).
      const update = commandLine("apt-get", ...LOCK_WAIT, "update", "-q");
      const unknown = missing.map((n) => `! apt-cache show ${commandLine(n)} >/dev/null 2>&1`).join(" || ");
      const stale =
        opts.cacheValidTime !== undefined
          ? ` || [ $(( $(date +%s) - $(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo 0) )) -gt ${Math.floor(opts.cacheValidTime)} ]`
          : "";
      const refresh = opts.updateCache ? `${update} && ` : `if ${unknown}${stale}; then ${update} || exit 1; fi\n`;
      return [
        {
          why: `install ${missing.join(" ")}`,
          script: `${refresh}${env} ${commandLine("apt-get", ...LOCK_WAIT, "install", "-y", "-q", "--no-install-recommends", "-o", "Dpkg::Options::=--force-confold", ...missing)}`,
        },
      ];
    },
  };
  return task(resource, opts);
}
