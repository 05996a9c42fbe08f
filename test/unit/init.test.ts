// deploy init: a project of the user's own, importing the site from the package; validated by
// the address plan before anything is written; never overwriting; usable as written.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const CLI = resolve("dist/site/cli.js");
const run = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: "utf8",
    input: "",
    env: {
      ...process.env,
      CI: "1",
      HCD_VPN_ADMIN_PASSWORD: "p1",
      HCD_VPN_HOME_PASSWORD: "p2",
      HCD_HOMEGW_ADMIN_PASSWORD: "p3",
    },
  });
const FLAGS = [
  "--vps-prefix=2001:db8:0:8964::/64",
  "--uplink-address=2001:db8:0:8964::2",
  "--home-prefix=2001:db8:0:8964:8964::/78",
  "--vps-host=vps.example.org",
  "--homegw-host=192.168.1.20",
  "--vm=web:16,BC:24:11:AA:BB:0C",
  "--vm=mail:17",
];

describe("deploy init", () => {
  it("writes a project whose playbook imports the site from the package; plan and --list-tasks work as written", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-init-"));
    const r = run(dir, "init", "site", ...FLAGS);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("npx deploy plan playbooks/site.ts");
    const project = join(dir, "site");
    expect(readFileSync(join(project, "playbooks/site.ts"), "utf8")).toContain('from "homecloud-deploy/site"');
    expect(readFileSync(join(project, ".gitignore"), "utf8")).toContain("secrets/");
    // a VM given its MAC is found by it on a first deploy; one without it is shown where it goes
    const inv = readFileSync(join(project, "inventory/hosts.yaml"), "utf8");
    expect(inv).toMatch(/ {8}web:\n {10}home_host_index: 16\n {10}home_mac: "BC:24:11:AA:BB:0C"\n/);
    expect(inv).toMatch(/ {8}mail:\n {10}home_host_index: 17\n {10}# home_mac: /);
    // the package, as npm i -D puts it in node_modules
    mkdirSync(join(project, "node_modules"));
    symlinkSync(resolve("."), join(project, "node_modules", "homecloud-deploy"));
    const plan = run(project, "plan", "playbooks/site.ts");
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/web +2001:db8:0:8964:8964::10\/78/);
    const tasks = run(project, "playbooks/site.ts", "--list-tasks");
    expect(tasks.status, tasks.stderr).toBe(0);
    expect(tasks.stdout).toContain("softether-server : ");
    expect(tasks.stdout).toContain("mail");
    // never overwrites
    const again = run(dir, "init", "site", ...FLAGS);
    expect(again.status).toBe(3);
    expect(again.stderr).toMatch(
      /would overwrite inventory\/hosts.yaml, playbooks\/site.ts, .gitignore, tsconfig.json/,
    );
  }, 60_000);

  it("checks the plan before writing anything; without a terminal, what is missing is named", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-init-"));
    const bad = run(dir, "init", "x", ...FLAGS.map((f) => f.replace("8964:8964::/78", "8965:8964::/78")));
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/--home-prefix: 2001:db8:0:8965:8964::\/78 does not lie inside the VPS prefix/);
    expect(existsSync(join(dir, "x"))).toBe(false);
    const missing = run(dir, "init", "y", "--vps-prefix=2001:db8:0:8964::/64");
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/--uplink-address: missing/);
    const mac = run(dir, "init", "z", ...FLAGS, "--vm=db:18,01:00:5e:00:00:01");
    expect(mac.status).toBe(3);
    expect(mac.stderr).toMatch(/--vm db \(home_mac\): "01:00:5e:00:00:01" is not a unicast MAC address/);
    expect(existsSync(join(dir, "y"))).toBe(false);
  });
});
