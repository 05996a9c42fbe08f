// deploy verify's runner: hop order, blocking, vantage points, unreachable hosts, masking.
// Check scripts run in a real local sh; only the transport is replaced (the lab's e2e tests
// run them over SSH on the site).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DeployError, InputError } from "../../src/errors.js";
import { parseInventory } from "../../src/inventory/load.js";
import { definePlaybook, defineRole, z } from "../../src/playbook/define.js";
import type { VerifyCheck } from "../../src/playbook/checks.js";
import { secret } from "../../src/secrets.js";
import { quote } from "../../src/transport/quote.js";
import type { RemoteShell, SshTarget } from "../../src/transport/target.js";
import { verifyJson, verifyText } from "../../src/verify/report.js";
import { runVerify } from "../../src/verify/run.js";

const INVENTORY = `
all:
  vars:
    ansible_user: root
  children:
    gw: { hosts: { gw: { ansible_host: 192.0.2.1 } } }
    vms:
      hosts:
        vm1: { ansible_host: 192.0.2.2, verify_from: probe }
        vm2: { ansible_host: 192.0.2.3, verify_from: nowhere }
        vm3: { ansible_host: 192.0.2.4 }
    outside: { hosts: { probe: { ansible_host: 192.0.2.9 } } }
`;

/** A shell that runs each script in a local sh; `down` hosts refuse the connection. */
function localShells(ran: Array<{ on: string; script: string }>, down: string[] = []) {
  return async (t: SshTarget): Promise<RemoteShell> => {
    if (down.includes(t.name)) throw new DeployError("connect", `${t.name}: connection refused`, { host: t.name });
    return {
      target: t,
      remoteScripts: 0,
      async runScript(script) {
        ran.push({ on: t.name, script });
        const r = spawnSync("sh", ["-c", script], { encoding: "utf8", env: { ...process.env, HOST: t.name } });
        return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
      },
      runScriptFresh: () => Promise.reject(new Error("not used")),
      close: async () => {},
    };
  };
}

const check = (hop: string, id: string, script: string, more: Partial<VerifyCheck> = {}): VerifyCheck => ({
  hop,
  id,
  title: `${hop} ${id}`,
  script,
  ...more,
});

function playbook(broken: { gw?: boolean; vm1?: boolean } = {}) {
  return definePlaybook({
    name: "t",
    hops: [
      { id: "link", title: "the link" },
      { id: "vm", title: "the VMs", after: ["link"] },
      { id: "outside", title: "from outside", tags: ["fw"] },
    ],
    plays: [
      { hosts: "gw", checks: () => [check("link", "up", broken.gw ? "echo down; exit 1" : "echo up")] },
      {
        hosts: "vms",
        checks: (h) => [
          check("vm", "address", h.name === "vm1" && broken.vm1 ? "echo none; exit 1" : "echo ok"),
          check("outside", "port", 'echo "from $HOST"', { on: { vantage: "verify_from" }, after: [`vm@${h.name}`] }),
        ],
      },
    ],
  });
}

const inv = (text = INVENTORY) => {
  const { inventory, problems } = parseInventory(text, "inv.yaml");
  expect(problems).toEqual([]);
  return inventory;
};
/** vm2's vantage point is a host of the inventory. */
const goodInv = () => inv(INVENTORY.replace("verify_from: nowhere", "verify_from: probe"));

describe("deploy verify", () => {
  it("runs hop by hop; a vantage point runs the check, an unset one makes it SKIP, never PASS", async () => {
    const ran: Array<{ on: string; script: string }> = [];
    const inv2 = goodInv();
    const rep = await runVerify(playbook(), inv2, { connect: localShells(ran), playbookFile: "site.ts" });
    expect(rep.exitCode).toBe(0);
    expect(rep.checks.map((c) => `${c.key} ${c.status}`)).toEqual([
      "link/up@gw pass",
      "vm/address@vm1 pass",
      "vm/address@vm2 pass",
      "vm/address@vm3 pass",
      "outside/port@vm1 pass",
      "outside/port@vm2 pass",
      "outside/port@vm3 skip",
    ]);
    expect(rep.checks.find((c) => c.key === "outside/port@vm1")!.on).toBe("probe");
    expect(rep.checks.find((c) => c.key === "outside/port@vm1")!.evidence).toContain("from probe");
    expect(rep.checks.find((c) => c.key === "outside/port@vm3")!.evidence).toMatch(/set verify_from for vm3/);
    // the link's check ran before any VM's
    expect(ran[0]!.on).toBe("gw");
  });

  it("names the first failing hop; what depends on it is blocked, not run; the rest still runs", async () => {
    const ran: Array<{ on: string; script: string }> = [];
    const inv2 = goodInv();
    const rep = await runVerify(playbook({ vm1: true }), inv2, { connect: localShells(ran), playbookFile: "site.ts" });
    expect(rep.exitCode).toBe(16);
    const by = (k: string) => rep.checks.find((c) => c.key === k)!;
    expect(by("vm/address@vm1").status).toBe("fail");
    expect(by("vm/address@vm1").hint).toBe("repair: deploy site.ts --tags vm --limit vm1");
    expect(by("vm/address@vm1").evidence).toContain("none");
    // vm1's port check depends on vm@vm1 only: blocked; vm2's runs
    expect(by("outside/port@vm1")).toMatchObject({ status: "skip", blockedBy: "vm/address@vm1" });
    expect(by("outside/port@vm2").status).toBe("pass");
    expect(ran.filter((r) => r.on === "probe")).toHaveLength(1);
    const text = verifyText(rep, false);
    expect(text.split("\n")[0]).toBe("FIRST FAILING HOP: vm (the VMs)");
    expect(text).toContain("vm1: outside port: blocked by vm/address@vm1");
    const doc = JSON.parse(verifyJson(rep));
    expect(doc.first_failing_hop).toBe("vm");
    expect(doc.checks.find((c: { id: string }) => c.id === "outside/port@vm1").blocked_by).toBe("vm/address@vm1");

    // a hop's own dependencies: the link failing blocks every VM check
    const rep2 = await runVerify(playbook({ gw: true }), inv2, { connect: localShells([]) });
    expect(rep2.checks.filter((c) => c.hop === "vm").every((c) => c.blockedBy === "link/up@gw")).toBe(true);
    expect(rep2.checks.filter((c) => c.hop === "outside").every((c) => c.status === "skip")).toBe(true);
  });

  it("a vantage point that is not an inventory host is bad input (file, line, field), before any connection", async () => {
    const ran: Array<{ on: string; script: string }> = [];
    const err = await runVerify(playbook(), inv(), { connect: localShells(ran) }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems[0]).toMatchObject({ file: "inv.yaml", line: 10, field: "vm2.verify_from" });
    expect(ran).toEqual([]);
  });

  it("an unreachable host fails its own checks; the others are still checked (exit 16 | 4)", async () => {
    const inv2 = goodInv();
    const rep = await runVerify(playbook(), inv2, { connect: localShells([], ["vm2"]) });
    expect(rep.exitCode).toBe(16 | 4);
    expect(rep.unreachable).toEqual(["vm2"]);
    const by = (k: string) => rep.checks.find((c) => c.key === k)!;
    expect(by("vm/address@vm2")).toMatchObject({ status: "fail" });
    expect(by("vm/address@vm2").evidence).toMatch(/vm2 is unreachable: .*connection refused/);
    expect(by("vm/address@vm1").status).toBe("pass");
    expect(by("outside/port@vm1").status).toBe("pass");
  });

  it("masks secrets in evidence, text and JSON; a role's checks and its as-deployed check sit in its hop", async () => {
    const pw = secret("verify-pw-'\"\\-1");
    const role = defineRole({
      name: "svc",
      hop: "link",
      params: z.object({}),
      tasks: () => [],
      checks: () => [check("link", "login", `printf '%s\\n' "pw=$PW"; exit 1`)],
    });
    const pb = definePlaybook({
      name: "t",
      plays: [
        {
          hosts: "gw",
          roles: () => [role({})],
          checks: () => [
            check("link", "echo", `echo ${JSON.stringify(pw.reveal())}`),
            check("link", "quoted", `printf '%s\\n' ${quote(pw.reveal())}`),
          ],
        },
      ],
    });
    const rep = await runVerify(pb, inv(), { connect: localShells([]) });
    // a role without tasks has no as-deployed check; the role's check and the play's both ran
    expect(rep.checks.map((c) => c.key)).toEqual(["link/login@gw", "link/echo@gw", "link/quoted@gw"]);
    const all = verifyText(rep, true) + verifyJson(rep);
    expect(all).not.toContain(pw.reveal());
    expect(all).not.toContain(JSON.stringify(pw.reveal()).slice(1, -1));
    expect(all).not.toContain(quote(pw.reveal()));
    expect(all).toContain("********");
    expect(all).toContain("(the check's script holds a secret: not shown)");
  });
});
