// `deploy inventory` and `deploy PLAYBOOK --list-hosts/--list-tasks`: what a run would touch, without connecting.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const deploy = (...args: string[]) =>
  spawnSync(process.execPath, ["dist/site/cli.js", ...args], { encoding: "utf8", env: { ...process.env, CI: "1" } });

describe("deploy inventory", () => {
  it("--list prints ansible-inventory's document with every secret masked", () => {
    const r = deploy("inventory", "-i", "inventory/lab.yaml", "--list");
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.all.children).toEqual(["ungrouped", "vps", "homegw", "vms", "vantage", "router"]);
    expect(doc.vms.hosts).toEqual(["vm1", "vm2", "vm3", "vm4"]);
    expect(doc._meta.hostvars.vm1.home_host_index).toBe(16);
    expect(doc._meta.hostvars.vps.vpn_admin_password).toBe("********");
  });

  it("--host, --graph and --list-hosts in selection order", () => {
    expect(JSON.parse(deploy("inventory", "-i", "inventory/lab.yaml", "--host", "vm2").stdout).home_ipv4).toBe(
      "10.89.64.11",
    );
    const g = deploy("inventory", "-i", "inventory/lab.yaml", "--graph", "vms");
    expect(g.stdout).toBe("@vms:\n  |--vm1\n  |--vm2\n  |--vm3\n  |--vm4\n");
    const l = deploy("inventory", "-i", "inventory/lab.yaml", "--list-hosts", "--limit", "vms:vps");
    expect(l.stdout).toBe("vm1\nvm2\nvm3\nvm4\nvps\n");
  });
});

describe("deploy PLAYBOOK --list-hosts / --list-tasks", () => {
  it("prints each play's hosts and tasks after limit and tags, and connects nowhere", () => {
    const r = deploy("playbooks/site.ts", "-i", "inventory/lab.yaml", "--list-tasks", "--limit", "vms[1]");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      "  play #3 (home VMs): 1 host\n    vm2\n      static-address : addresses of eth0: 2001:db8:0:8964:8964::11/78 10.89.64.11/24",
    );
    expect(r.stdout).not.toContain("vm1");
    const h = deploy("playbooks/site.ts", "-i", "inventory/lab.yaml", "--list-hosts", "--tags", "radvd");
    expect(h.stdout).toMatch(/play #1 \(vps\): 1 host\n {4}vps\n/);
    expect(h.stdout).toMatch(/play #3 \(home VMs\): 0 hosts/);
  });
});

describe("a play whose pattern names nothing in the inventory", () => {
  it("is skipped with a warning, as Ansible does (the router play on a softether site); a --limit that selects nothing is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-norouter-"));
    const inv = join(dir, "hosts.yaml");
    const text = readFileSync("inventory/lab.yaml", "utf8");
    writeFileSync(inv, text.slice(0, text.indexOf("    router:")));
    const r = deploy("playbooks/site.ts", "-i", inv, "--list-hosts");
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`warning: play "router": no host or group named "router" in ${inv}: skipped`);
    expect(r.stdout).toMatch(/play #4 \(router\): 0 hosts/);
    expect(r.stdout).toMatch(/play #1 \(vps\): 1 host\n {4}vps\n/);
    const l = deploy("playbooks/site.ts", "-i", inv, "--list-hosts", "--limit", "router");
    expect(l.status).toBe(3);
    expect(l.stderr).toMatch(/--limit: no host or group named "router"/);
  });
});

describe("--help on every subcommand, and deploy help SUB", () => {
  for (const sub of ["plan", "verify", "inventory", "vault", "lab"])
    it(`deploy ${sub} --help, -h and deploy help ${sub}: its own usage, exit 0, nothing else done`, () => {
      for (const args of [
        [sub, "--help"],
        [sub, "-h"],
        ["help", sub],
      ]) {
        const r = deploy(...args);
        expect(r.status, args.join(" ")).toBe(0);
        expect(r.stdout, args.join(" ")).toMatch(new RegExp(`^usage: deploy ${sub} `));
        expect(r.stderr).toBe("");
      }
    });
  it("lab hosts --help prints the usage and does nothing else; a --help after lab exec's -- is the command's", () => {
    const r = deploy("lab", "hosts", "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: deploy lab up \[--topology site\|field\|plain\]/);
    const e = deploy("lab", "exec", "no-such-host", "--", "ls", "--help");
    expect(e.stdout).not.toMatch(/^usage:/);
    expect(e.stderr).toMatch(/no-such-host/);
  });
  it("deploy help with an unknown command is bad input", () => {
    const r = deploy("help", "nope");
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/no command "nope"/);
  });
});
