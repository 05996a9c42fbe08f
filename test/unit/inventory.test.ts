import { describe, expect, it } from "vitest";
import { parseInventory } from "../../src/inventory/load.js";
import { resolveTargets } from "../../src/inventory/connection.js";
import { selectHosts } from "../../src/inventory/patterns.js";
import { isSecret } from "../../src/secrets.js";

const SITE = `
all:
  vars:
    ansible_user: admin
    color: all
  children:
    vps:
      vars:
        color: vps
      hosts:
        vps1:
          ansible_host: 192.0.2.10
          ansible_port: 2222
          color: host
    home:
      vars:
        color: home
      children:
        vms:
          vars:
            color: vms
          hosts:
            vm1:
            vm2:
              ansible_become: yes
`;

describe("inventory", () => {
  it("reads Ansible's format with the usual precedence: all < parent group < child group < host", () => {
    const { inventory, problems } = parseInventory(SITE, "site.yaml");
    expect(problems).toEqual([]);
    expect([...inventory.hosts.keys()]).toEqual(["vps1", "vm1", "vm2"]);
    expect(inventory.hosts.get("vps1")!.vars.color).toBe("host");
    expect(inventory.hosts.get("vm1")!.vars.color).toBe("vms");
    expect(inventory.hosts.get("vm1")!.groups).toEqual(["all", "home", "vms"]);
    expect(inventory.hosts.get("vm2")!.vars.ansible_become).toBe(true); // YAML 1.1 yes
    expect(inventory.hosts.get("vm2")!.vars.ansible_user).toBe("admin");
  });

  it("selects hosts by Ansible patterns", () => {
    const { inventory } = parseInventory(SITE, "site.yaml");
    const sel = (p: string) => selectHosts(inventory, p, {});
    expect(sel("vps").hosts).toEqual(["vps1"]);
    expect(sel("home").hosts).toEqual(["vm1", "vm2"]);
    expect(sel("all:!vms").hosts).toEqual(["vps1"]);
    expect(sel("vps,vm2").hosts).toEqual(["vps1", "vm2"]);
    expect(sel("home:&vms").hosts).toEqual(["vm1", "vm2"]);
    expect(sel("vm*").hosts).toEqual(["vm1", "vm2"]);
    expect(sel("nope").problems[0]!.message).toMatch(/no host or group named "nope"/);
  });

  it("turns !env, !file and !secret into secrets", () => {
    process.env.HCD_TEST_PW = "from-env-pw";
    const { inventory, problems } = parseInventory(
      "all:\n  hosts:\n    a:\n      pw: !env HCD_TEST_PW\n      tok: !secret inline-tok\n",
      "s.yaml",
    );
    expect(problems).toEqual([]);
    const v = inventory.hosts.get("a")!.vars;
    expect(isSecret(v.pw) && v.pw.reveal()).toBe("from-env-pw");
    expect(String(v.tok)).toBe("********");
  });

  it("names the file, line and field of every problem at once", () => {
    const bad =
      "all:\n  hosts:\n    a:\n      pw: !env HCD_SURELY_UNSET\n  bogus: 1\n  children:\n    g:\n      hosts: [x]\n";
    const { problems } = parseInventory(bad, "bad.yaml");
    expect(problems.map((p) => `${p.file}:${p.line} ${p.message}`)).toEqual([
      expect.stringMatching(/^bad.yaml:4 secret from environment variable HCD_SURELY_UNSET is not set/),
      expect.stringMatching(/^bad.yaml:5 unknown key "bogus"/),
      expect.stringMatching(/^bad.yaml:8 hosts must be a mapping/),
    ]);
  });

  it("reports broken YAML with its line", () => {
    const { problems } = parseInventory("all:\n  hosts:\n    a: [\n", "broken.yaml");
    expect(problems[0]!.line).toBeGreaterThan(0);
    expect(problems[0]!.message).toMatch(/^YAML:/);
  });

  it("validates connection variables with their line", () => {
    const { inventory } = parseInventory(
      "all:\n  hosts:\n    a:\n      ansible_port: 70000\n      ansible_become: maybe\n      ansible_ssh_private_key_file: /nonexistent/key\n      ansible_ssh_common_args: -o X\n      deploy_ssh_pipelining: 1\n",
      "c.yaml",
    );
    const { problems } = resolveTargets(inventory, ["a"]);
    const text = problems.map((p) => `${p.line} ${p.field} ${p.message}`);
    expect(text).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^4 a.ansible_port ansible_port must be a whole number/),
        expect.stringMatching(/^5 a.ansible_become ansible_become must be true or false/),
        expect.stringMatching(/^6 a.ansible_ssh_private_key_file cannot read the private key/),
        expect.stringMatching(/^8 a.deploy_ssh_pipelining unknown connection variable/),
        // ssh's own words for arguments it refuses, at the variable that holds them
        expect.stringMatching(
          /^7 a.ansible_ssh_common_args ssh cannot use its configuration for a: .*no argument after keyword "x"/,
        ),
      ]),
    );
  });

  it("resolves a jump host from the inventory and detects loops", () => {
    const { inventory } = parseInventory(
      "all:\n  vars:\n    ansible_user: root\n  hosts:\n    vps:\n      ansible_host: 192.0.2.1\n    vm:\n      ansible_host: 10.0.0.5\n      deploy_jump: vps\n    jx:\n      deploy_jump: jy\n    jy:\n      deploy_jump: jx\n",
      "j.yaml",
    );
    const { targets, problems } = resolveTargets(inventory, ["vm", "jx"]);
    expect(targets.get("vm")!.jump?.host).toBe("192.0.2.1");
    expect(targets.has("vps")).toBe(false);
    expect(problems.some((p) => /loop/.test(p.message))).toBe(true);
  });
});
