// Inventories and host patterns against the reference: Debian's ansible-core
// (`ansible-inventory --list`, `ansible PATTERN --list-hosts`), installed by scripts/setup.sh.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { inventoryGraph, inventoryList } from "../../src/inventory/list.js";
import { parseInventory } from "../../src/inventory/load.js";
import { selectHosts } from "../../src/inventory/patterns.js";
import { INVENTORIES, PATTERN_INVENTORY, PATTERNS } from "../corpus/inventories.js";

const run = promisify(execFile);
const ENV = {
  ...process.env,
  ANSIBLE_NOCOLOR: "1",
  ANSIBLE_LOCALHOST_WARNING: "False",
  ANSIBLE_INVENTORY_UNPARSED_FAILED: "True",
  ANSIBLE_DEPRECATION_WARNINGS: "False",
};
const dir = mkdtempSync(join(tmpdir(), "hcd-ansible-"));

/** Run many reference calls two at a time (the machine has two cores). */
async function pool<T, R>(items: T[], f: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    [0, 1, 2].map(async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!, i);
      }
    }),
  );
  return out;
}

describe("inventories read as ansible-inventory --list reads them", () => {
  const reference = new Map<string, unknown>();
  const graphs = new Map<string, string>();
  beforeAll(async () => {
    await pool(
      INVENTORIES.filter((c) => !c.refused),
      async (c, i) => {
        const f = join(dir, `inv${i}.yaml`);
        writeFileSync(f, c.yaml);
        const r = await run("ansible-inventory", ["-i", f, "--list"], { env: ENV });
        reference.set(c.name, JSON.parse(r.stdout));
        if (i < 12) graphs.set(c.name, (await run("ansible-inventory", ["-i", f, "--graph"], { env: ENV })).stdout);
      },
    );
  }, 240_000);

  it("draws the same --graph", () => {
    expect(graphs.size).toBe(12);
    for (const [name, graph] of graphs) {
      const { inventory } = parseInventory(INVENTORIES.find((c) => c.name === name)!.yaml, "inv.yaml");
      expect(inventoryGraph(inventory), name).toBe(graph);
    }
  });

  it("has a corpus of at least 30 inventories", () => {
    expect(INVENTORIES.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of INVENTORIES) {
    it(c.name, () => {
      const { inventory, problems } = parseInventory(c.yaml, "inv.yaml");
      if (c.refused) {
        expect(problems.map((p) => p.message).join("\n")).toMatch(c.refused);
        return;
      }
      expect(problems).toEqual([]);
      // every group's hosts and children, every host's merged vars
      expect(inventoryList(inventory)).toEqual(reference.get(c.name));
    });
  }
});

describe("host patterns chosen as `ansible PATTERN --list-hosts` chooses them", () => {
  const reference = new Map<string, { hosts: string[]; warned: boolean }>();
  const file = join(dir, "patterns.yaml");
  beforeAll(async () => {
    writeFileSync(file, PATTERN_INVENTORY);
    await pool(PATTERNS, async (p) => {
      const r = await run("ansible", [p, "-i", file, "--list-hosts"], { env: ENV });
      const hosts = r.stdout
        .split("\n")
        .slice(1)
        .map((l) => l.trim())
        .filter(Boolean);
      reference.set(p, { hosts, warned: /Could not match supplied host pattern/.test(r.stderr) });
    });
  }, 240_000);

  it("has at least 40 patterns", () => {
    expect(PATTERNS.length).toBeGreaterThanOrEqual(40);
  });

  for (const p of PATTERNS) {
    it(p, () => {
      const { inventory } = parseInventory(PATTERN_INVENTORY, "patterns.yaml");
      const ours = selectHosts(inventory, p, {});
      const ref = reference.get(p)!;
      if (ref.warned) {
        // Ansible warns and goes on with fewer hosts; we refuse the part that matches nothing
        expect(ours.problems.length).toBeGreaterThan(0);
        return;
      }
      expect(ours.problems).toEqual([]);
      expect(ours.hosts).toEqual(ref.hosts);
    });
  }
});
