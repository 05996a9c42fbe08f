#!/usr/bin/env node
// The unit tests under Node 22 and 24 too (npm test runs them under this machine's Node): the
// CLI the tests spawn is the same Node's (its directory first on PATH), so the command, the
// loader and the library are exercised on each supported major. Usage: node scripts/unit-on-nodes.mjs [MAJOR...]
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { nodeOf } from "./node-of.mjs";

const majors = process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [22, 24];
const vitest = resolve("node_modules/vitest/vitest.mjs");
let failed = 0;
for (const major of majors) {
  const node = nodeOf(major);
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  console.log(`\n== unit tests under Node ${version} ==`);
  const r = spawnSync(node, [vitest, "run", "--project", "unit"], {
    stdio: "inherit",
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` },
  });
  if (r.status !== 0) {
    console.error(`unit tests failed under Node ${version} (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
