// Issue 16, done when: an Ansible project with group_vars/, host_vars/, vault-encrypted files and
// inline vault values runs with `deploy PLAYBOOK -i inventory/ --vault-password-file F`.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { put } from "../support/files.js";
import { encryptVault } from "../../src/inventory/vault.js";
import { address, baseVars, onHost } from "../support/lab.js";

describe("an Ansible project", () => {
  it("converges a host with vars from group_vars/, host_vars/, a vault file and an inline vault value; the secret never shows", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-proj-"));
    const pw = put(dir, ".vault-pass", "proj-pass-3\n");
    const secret = 'db-pw-"q"-9e2';
    const inline = encryptVault(secret, "proj-pass-3").trimEnd().replace(/^/gm, "            ");
    put(
      dir,
      "inventory/hosts.yml",
      `all:\n  vars:\n${baseVars()}  children:\n    web:\n      hosts:\n        h3:\n          ansible_host: ${address("h3")}\n          db_password: !vault |\n${inline}\n`,
    );
    put(dir, "inventory/group_vars/all.yml", "motd: from group_vars/all\nweb_port: 80\n");
    put(dir, "inventory/group_vars/web/main.yml", "web_port: 8080\n");
    put(dir, "inventory/host_vars/h3.yml", encryptVault("motd: from an encrypted host_vars file\n", "proj-pass-3"));
    onHost("h3", "rm -rf /srv/project; mkdir -p /srv/project");
    const run = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        ["dist/site/cli.js", "test/integration/project/playbook.ts", "-i", join(dir, "inventory"), ...extra],
        { encoding: "utf8", env: { ...process.env, CI: "1" } },
      );
    const noPass = run();
    expect(noPass.status).toBe(3);
    expect(noPass.stderr).toMatch(
      /hosts.yml:11 all.children.web.hosts.h3.db_password: an Ansible Vault value and no vault password/,
    );
    const r = run("--vault-password-file", pw, "--diff", "-v");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(onHost("h3", "cat /srv/project/motd")).toBe("from an encrypted host_vars file on h3:8080\n");
    expect(onHost("h3", "cat /srv/project/db-password")).toBe(secret);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stdout).not.toContain("from an encrypted host_vars file"); // a vault file's texts are secrets too
    const again = run("--vault-password-file", pw, "--json");
    expect(JSON.parse(again.stdout).hosts.h3.changed).toBe(0);
    expect(again.stdout).not.toContain(secret);
  });
});
