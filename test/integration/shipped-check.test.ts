// The shipped inventories, run for real as a user would first run them (--check), from a
// network namespace with no network at all: every input is accepted (never exit 3), and every
// host is reported unreachable in ssh's words, one line each.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const NS = `hcd-empty-${process.pid}`;
const INVENTORIES = readdirSync("inventory").filter((f) => f.endsWith(".yaml") && f !== "lab.yaml");

beforeAll(() => {
  expect(spawnSync("ip", ["netns", "add", NS]).status).toBe(0);
});
afterAll(() => {
  spawnSync("ip", ["netns", "del", NS]);
});

describe("the shipped inventories, --check with no network", () => {
  for (const inv of INVENTORIES)
    it(`${inv}: accepted as shipped; every host unreachable, in one line each`, () => {
      const envs = Object.fromEntries(
        [...readFileSync(`inventory/${inv}`, "utf8").matchAll(/!env ([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => [
          m[1]!,
          "placeholder-secret-1",
        ]),
      );
      const args = ["--check", "--json", "--timeout", "2"];
      const run = spawnSync(
        "ip",
        [
          "netns",
          "exec",
          NS,
          process.execPath,
          "dist/site/cli.js",
          "playbooks/site.ts",
          "-i",
          `inventory/${inv}`,
          ...args,
        ],
        { encoding: "utf8", env: { ...process.env, ...envs, CI: "1", DEPLOY_SSH_PERSIST: "0" } },
      );
      expect(run.status, run.stderr).toBe(4);
      const doc = JSON.parse(run.stdout) as { hosts: Record<string, { unreachable: number; error?: string }> };
      expect(Object.keys(doc.hosts).length).toBeGreaterThan(2);
      for (const [host, h] of Object.entries(doc.hosts)) {
        expect(h.unreachable, host).toBe(1);
        expect(h.error, host).toMatch(/cannot reach|cannot resolve|jump host/);
        expect(h.error).not.toMatch(/\n\s+at /);
      }
    }, 120_000);
});
