// Every inventory this repository ships is one a user starts from: the site playbook must take
// it as it is (secrets from the environment stand in with placeholders), and plan it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const INVENTORIES = readdirSync("inventory").filter((f) => f.endsWith(".yaml") && f !== "lab.yaml");

const cli = (args: string[], inv: string) => {
  const envs = Object.fromEntries(
    [...readFileSync(`inventory/${inv}`, "utf8").matchAll(/!env ([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => [
      m[1]!,
      "placeholder-secret-1",
    ]),
  );
  return spawnSync(process.execPath, ["dist/site/cli.js", ...args, "-i", `inventory/${inv}`], {
    encoding: "utf8",
    env: { ...process.env, ...envs, CI: "1" },
  });
};

describe("the shipped inventories", () => {
  it("are at least the softether and the rtx examples", () =>
    expect(INVENTORIES).toEqual(expect.arrayContaining(["hosts.yaml", "hosts-rtx.yaml"])));
  for (const inv of INVENTORIES)
    it(`${inv}: the site playbook lists its tasks, README's --tags radvd --limit vps, and plans it`, () => {
      for (const args of [
        ["playbooks/site.ts", "--list-tasks"],
        ["playbooks/site.ts", "--list-tasks", "--tags", "radvd", "--limit", "vps"],
        ["plan", "playbooks/site.ts"],
      ]) {
        const r = cli(args, inv);
        expect(r.status, `${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(0);
      }
    }, 30_000);
});

describe("one source of truth for a VM's address", () => {
  it("hosts.yaml's VMs have no ansible_host: they are reached at their planned addresses, through the VPS", async () => {
    const { loadInventory } = await import("../../src/inventory/load.js");
    const { prepareRun } = await import("../../src/engine/run.js");
    const site = (await import("../../playbooks/site.js")).default;
    const { targets } = prepareRun(site, loadInventory("inventory/hosts.yaml", { lenientSecrets: true }), {
      limit: "vms",
    });
    expect(targets.get("vm1")?.host).toBe("2001:db8:0:8964:8964::10");
    expect(targets.get("vm2")?.host).toBe("2001:db8:0:8964:8964::11");
    // the lab reaches them over its management network: an address outside the home prefix is the host's own
    // (without the lab's key file, which exists only while a lab has been brought up)
    const dir = mkdtempSync(join(tmpdir(), "hcd-labinv-"));
    const labInv = join(dir, "lab.yaml");
    writeFileSync(
      labInv,
      readFileSync("inventory/lab.yaml", "utf8").replace(/^\s*ansible_ssh_private_key_file:.*\n/m, ""),
    );
    const lab = prepareRun(site, loadInventory(labInv, { lenientSecrets: true }), { limit: "vm1" });
    expect(lab.targets.get("vm1")?.host).toBe("10.231.0.14");
  });
});
