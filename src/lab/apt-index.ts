import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Where scripts/setup.sh puts the .deb files of scripts/lab-debs.txt: the lab's Debian mirror. */
export const LAB_DEBS = "/var/cache/homecloud-lab/debs";

/**
 * The Packages index of the .deb files in `dir`, as apt reads it from a flat repository
 * (`deb [trusted=yes] URL ./`: no Release file); each Filename is `prefix` + the file's name
 * (`rename`d: e.g. without the "%3a" of an epoch, which a web server would decode).
 */
export function packagesIndex(dir = LAB_DEBS, prefix = "./", rename: (f: string) => string = (f) => f): string {
  const debs = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".deb")) : [];
  if (!debs.length) throw new Error(`no .deb files in ${dir}: run scripts/setup.sh`);
  return debs
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const control = spawnSync("dpkg-deb", ["-f", path], { encoding: "utf8" });
      if (control.status !== 0) throw new Error(`dpkg-deb -f ${path}: ${control.stderr}`);
      const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
      return `${control.stdout.trimEnd()}\nFilename: ${prefix}${rename(f)}\nSize: ${statSync(path).size}\nSHA256: ${sha}\n`;
    })
    .join("\n");
}
