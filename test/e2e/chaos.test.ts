// Chaos on the site lab: for each phase of a run and each fault, on one host at a time, the
// other hosts finish, the exit code, recap and --json are complete, no stack trace, no temp file
// and no secret left on any host, and the next run converges. (Promises 1 and 8.)
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labPaths } from "../../src/lab/paths.js";
import { address, onHost } from "../support/lab.js";
import {
  FAULTS,
  PHASES,
  arm,
  busy,
  fired,
  heal,
  installHook,
  leaks,
  removeHook,
  tempFiles,
  type Fault,
  type Phase,
} from "./chaos/fixture.js";

const HOSTS = ["vm1", "vm2", "homegw"];
const SECRET = `chaos-secret-${Date.now().toString(36)}-"q'uote\\back`;
let inventory = "";
let run = 0;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the chaos playbook through the real command; with `killWhenFired`, SIGKILL it once the fault fired on that host. */
async function deploy(runId: number, extra: string[], killWhenFired?: string): Promise<Outcome> {
  const child = spawn(process.execPath, ["dist/site/cli.js", "test/e2e/chaos/playbook.ts", "-i", inventory, ...extra], {
    // each run logs in anew (no master kept from the last run: the login phase is this run's own)
    env: { ...process.env, CI: "1", HCD_CHAOS_RUN: String(runId), DEPLOY_SSH_PERSIST: "0" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<Outcome>((r) => child.once("exit", (code, signal) => r({ code, signal, stdout, stderr })));
  if (killWhenFired) {
    const t0 = Date.now();
    while (!fired(killWhenFired) && child.exitCode === null && Date.now() - t0 < 60_000)
      await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
  }
  return exited;
}

/** Wait for the host's scripts of the killed or lost run to end (the hook sleeping, at most 30 s). */
async function settle(host: string): Promise<void> {
  for (let i = 0; i < 150 && busy(host); i++) await new Promise((r) => setTimeout(r, 200));
}

const RECAP_LINE = (h: string) =>
  new RegExp(`^${h} +ok=\\d+ changed=\\d+ failed=\\d+ unreachable=\\d+ skipped=\\d+ `, "m");

function expectComplete(o: Outcome, target: string, json: boolean): void {
  const all = o.stdout + o.stderr;
  expect(all, "a stack trace").not.toMatch(/\n\s+at .+:\d+:\d+\)?\n|Unhandled|uncaught/i);
  if (json) {
    const doc = JSON.parse(o.stdout) as {
      exit_code: number;
      hosts: Record<string, { failed: number; unreachable: number; changed: number; error?: string }>;
    };
    expect(doc.exit_code).toBe(o.code);
    expect(Object.keys(doc.hosts).sort()).toEqual([...HOSTS].sort());
    for (const h of HOSTS.filter((x) => x !== target))
      expect(doc.hosts[h], h).toMatchObject({ failed: 0, unreachable: 0 });
    expect(doc.hosts[target]!.failed + doc.hosts[target]!.unreachable).toBe(1);
    expect(doc.hosts[target]!.error).toBeTruthy();
  } else {
    expect(o.stdout).toMatch(/^RECAP$/m);
    for (const h of HOSTS) expect(o.stdout).toMatch(RECAP_LINE(h));
    for (const h of HOSTS.filter((x) => x !== target))
      expect(o.stdout).toMatch(new RegExp(`^${h} +ok=\\d+ changed=[1-9]\\d* failed=0 unreachable=0 `, "m"));
    expect(o.stdout).toMatch(new RegExp(`^${target} .*(failed=1|unreachable=1)`, "m"));
  }
  // the healthy hosts converged to this run
  for (const h of HOSTS.filter((x) => x !== target))
    expect(onHost(h, "cat /etc/hcd-chaos/state"), h).toBe(`run ${run}\n`);
}

/** What the target ends as: lost hosts are unreachable (4); a change that could not be confirmed fails (2). */
const EXPECTED_EXIT: Record<Phase, number[]> = {
  login: [4],
  probe: [4],
  lock: [4],
  apply: [4],
  confirmation: [2, 4],
  handler: [4],
};

describe("chaos: one host fails at each phase of a run", () => {
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-chaos-"));
    writeFileSync(join(dir, "secret"), SECRET + "\n", { mode: 0o600 });
    inventory = join(dir, "chaos.yaml");
    writeFileSync(
      inventory,
      [
        "all:",
        "  vars:",
        // the site lab's cloud-image logins: a sudo user, root login off
        "    ansible_become: true",
        `    ansible_ssh_private_key_file: ${labPaths.key()}`,
        `    deploy_known_hosts_file: ${labPaths.knownHosts()}`,
        "    deploy_timeout: 5",
        "    deploy_server_alive_interval: 1",
        "    deploy_server_alive_count_max: 3",
        `    chaos_secret: !file ${join(dir, "secret")}`,
        "  children:",
        "    chaos:",
        "      hosts:",
        ...HOSTS.flatMap((h) => [
          `        ${h}:`,
          `          ansible_host: ${address(h)}`,
          `          ansible_user: ${h === "vm2" ? "ubuntu" : "debian"}`,
        ]),
        "",
      ].join("\n"),
    );
    for (const h of HOSTS) installHook(h);
    const first = await deploy(++run, []);
    expect(first.code, first.stdout + first.stderr).toBe(0);
  }, 120_000);

  afterAll(() => {
    for (const h of HOSTS) removeHook(h);
  });

  const cases = PHASES.flatMap((phase, p) =>
    FAULTS.map((fault, f) => ({ phase, fault, target: HOSTS[(p + f) % HOSTS.length]! })),
  );
  const matrix: string[] = [];

  for (const { phase, fault, target } of cases)
    it(`${phase} × ${fault} on ${target}`, () => scenario(phase, fault, target), 300_000);

  async function scenario(phase: Phase, fault: Fault, target: string): Promise<void> {
    arm(target, phase, fault);
    const id = ++run;
    const json = fault === "stop";
    const o = await deploy(id, json ? ["--json"] : [], fault === "kill" ? target : undefined);
    expect(fired(target), `the ${fault} fault fired at ${phase} on ${target}\n${o.stdout}${o.stderr}`).toBe(true);
    heal(target);
    if (fault === "kill") expect(o.signal).toBe("SIGKILL");
    else {
      expect(EXPECTED_EXIT[phase], o.stdout + o.stderr).toContain(o.code);
      expectComplete(o, target, json);
    }
    await settle(target);
    for (const h of HOSTS) {
      expect(tempFiles(h), `temp files on ${h}`).toEqual([]);
      expect(leaks(h, [SECRET], ["/etc/hcd-chaos/secret"]), `the secret outside its file on ${h}`).toEqual([]);
    }
    // the next run converges (waiting for the lock a lost session may still hold)
    const next = await deploy(id, ["--lock-timeout", "120"]);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    for (const h of HOSTS) expect(onHost(h, "cat /etc/hcd-chaos/state"), h).toBe(`run ${id}\n`);
    matrix.push(
      `${phase} × ${fault} on ${target}: ${fault === "kill" ? "killed" : `exit ${o.code}`}; next run exit ${next.code}`,
    );
  }

  it("prints the phases × faults matrix", () => {
    console.log(["chaos matrix:", ...matrix].join("\n  "));
    expect(matrix.length).toBe(cases.length);
  });
});
