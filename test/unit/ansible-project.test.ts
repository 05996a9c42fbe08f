// Issue 16: an Ansible project as it is (group_vars/, host_vars/, Vault, inventory folders,
// several -i, ansible.cfg), against Debian's ansible-core and ansible-vault.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { put } from "../support/files.js";
import { findAnsibleConfig, parseAnsibleConfig } from "../../src/cli/ansible-cfg.js";
import { inventoryDocument } from "../../src/inventory/list.js";
import { loadInventory } from "../../src/inventory/load.js";
import { passwordFromFile, type VaultKeys } from "../../src/inventory/vault-keys.js";
import { decryptVault, encryptVault, parseVault } from "../../src/inventory/vault.js";
import { isSecret, redact } from "../../src/secrets.js";

const ENV = {
  ...process.env,
  ANSIBLE_NOCOLOR: "1",
  ANSIBLE_DEPRECATION_WARNINGS: "False",
  ANSIBLE_INVENTORY_UNPARSED_FAILED: "True",
};
const PW = "vault-pw-7c1";
const work = mkdtempSync(join(tmpdir(), "hcd-project-"));
const pwFile = join(work, "vault-pass");
writeFileSync(pwFile, PW + "\n");
const labPw = join(work, "lab-pass");
writeFileSync(labPw, "lab-pw-2\n");
const KEYS: VaultKeys = [
  { password: PW, from: pwFile },
  { label: "lab", password: "lab-pw-2", from: `lab@${labPw}` },
];

const ansibleVault = (args: string[], input?: string) =>
  execFileSync("ansible-vault", args, { env: ENV, input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
/** A value made by ansible-vault encrypt_string, as the YAML that holds it ("!vault |" block). */
const encryptString = (value: string, id = pwFile) =>
  ansibleVault(["encrypt_string", "--vault-id", id, "--stdin-name", "v"], value).replace(/^v: /, "");

describe("Ansible Vault against ansible-vault", () => {
  it("opens what encrypt_string and encrypt made (1.1 and 1.2 with a vault id), and ansible-vault opens ours", () => {
    for (const [value, id] of [
      ["plain", pwFile],
      ['q"uote\\back ünï', pwFile],
      ["labeled", `lab@${labPw}`],
    ] as const) {
      const block = encryptString(value, id);
      const text = block.replace(/^!vault \|\n/, "").replace(/^ +/gm, "");
      const env = parseVault(text);
      expect(env.version).toBe(id.startsWith("lab@") ? "1.2" : "1.1");
      expect(decryptVault(env, id.startsWith("lab@") ? "lab-pw-2" : PW)).toBe(value);
      expect(decryptVault(env, "wrong")).toBeUndefined();
    }
    const f = put(work, "whole.yml", "a: 1\nb: two\n");
    ansibleVault(["encrypt", "--vault-password-file", pwFile, f]);
    expect(decryptVault(parseVault(readFileSync(f, "utf8")), PW)).toBe("a: 1\nb: two\n");
    const ours = put(work, "ours.yml", encryptVault("made: here\n", "lab-pw-2", "lab"));
    expect(ansibleVault(["view", "--vault-id", `lab@${labPw}`, ours])).toBe("made: here\n");
  }, 120_000);

  it("refuses a tampered vault", () => {
    const env = parseVault(encryptVault("secret text", PW));
    expect(decryptVault(env, PW)).toBe("secret text");
    env.ciphertext[3]! ^= 1;
    expect(decryptVault(env, PW)).toBeUndefined();
    expect(() => parseVault("$ANSIBLE_VAULT;1.1;AES256\n3a3b")).toThrow(/does not hold a salt/);
  }, 120_000);

  it("reads a password file, or runs an executable one", () => {
    const script = put(work, "pass.sh", `#!/bin/sh\necho '${PW}'\n`);
    chmodSync(script, 0o755);
    expect(passwordFromFile(script)).toBe(PW);
    expect(passwordFromFile(pwFile)).toBe(PW);
  }, 120_000);
});

/** A project: an inventory folder with two files, group_vars/ and host_vars/ trees, vaults, a second -i. */
function project(): { dir: string; sources: string[]; playbookDir: string; clear: Map<string, string> } {
  const dir = mkdtempSync(join(work, "p-"));
  const clear = new Map<string, string>();
  /** A `!vault |` block whose lines sit under a key indented by `indent`. */
  const vaulted = (value: string, id: string | undefined, indent: number) => {
    const block = encryptString(value, id);
    clear.set(
      block
        .replace(/^!vault \|\n/, "")
        .replace(/^ +/gm, "")
        .trim(),
      value,
    );
    return block.replace(/^ +/gm, " ".repeat(indent + 2));
  };
  put(
    dir,
    "inventory/10-hosts.yml",
    `all:\n  vars:\n    level: inventory-all\n    from_inv_all: yes\n  children:\n    web:\n      vars:\n        level: inventory-web\n        only_web: inv\n      hosts:\n        web[1:2]:\n    db:\n      hosts:\n        db1:\n          level: inventory-host\n          db_password: ${vaulted('db "pw" 1', undefined, 10)}`,
  );
  put(
    dir,
    "inventory/20-more.yaml",
    `web:\n  hosts:\n    web3:\n  children:\n    edge:\n      hosts:\n        web1:\n`,
  );
  put(dir, "inventory/README.md", "not an inventory\n");
  put(dir, "inventory/group_vars/all.yml", "level: group_vars-all\nshared: [1, 2]\n");
  put(dir, "inventory/group_vars/web/10-main.yml", "level: group_vars-web\nweb_port: 80\n");
  put(dir, "inventory/group_vars/web/20-more.yaml", "web_port: 8080\n");
  put(dir, "inventory/group_vars/web/.hidden.yml", "web_port: 1\n");
  put(dir, "inventory/group_vars/edge", "edge_only: true\nlevel: group_vars-edge\n");
  put(
    dir,
    "inventory/host_vars/web1.yml",
    `host_note: web1 file\nlabeled: ${vaulted("lab secret", `lab@${labPw}`, 0)}`,
  );
  const whole = put(dir, "inventory/host_vars/db1.yml", "level: host_vars-db1\nwhole_vault_text: from a vault file\n");
  ansibleVault(["encrypt", "--vault-password-file", pwFile, whole]);
  put(dir, "play/group_vars/all.yml", "play_all: yes\nlevel: play-all\n");
  put(dir, "play/group_vars/db.yml", "play_db: 1\n");
  put(dir, "play/host_vars/web2.yml", "level: play-host-web2\n");
  const extra = put(dir, "extra/inv.yml", `db:\n  vars:\n    level: extra-db\n  hosts:\n    db2:\n`);
  put(dir, "extra/group_vars/db.yml", "extra_db_file: 1\n");
  return { dir, sources: [join(dir, "inventory"), extra], playbookDir: join(dir, "play"), clear };
}

/** A copy with every Secret in clear (for comparing inside the test; never printed). */
function revealAll(v: unknown): unknown {
  if (isSecret(v)) return v.reveal();
  if (Array.isArray(v)) return v.map(revealAll);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revealAll(x)]));
  return v;
}

function problemsOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (
      (e as { problems?: Array<{ file?: string; line?: number; field?: string; message: string }> }).problems ?? []
    )
      .map((p) => `${p.file}:${p.line} ${p.field}: ${p.message}`)
      .join("\n");
  }
  return "";
}

function loadOrSay(...args: Parameters<typeof loadInventory>) {
  try {
    return loadInventory(...args);
  } catch (e) {
    throw new Error(
      problemsOf(() => {
        throw e;
      }),
    );
  }
}

describe("an Ansible project read as ansible-inventory reads it", () => {
  it("every host's merged vars and every group agree: group_vars/host_vars trees, vault values and files, a folder and a second -i", () => {
    const p = project();
    const args = p.sources.flatMap((s) => ["-i", s]);
    const ref = JSON.parse(
      execFileSync(
        "ansible-inventory",
        [...args, "--list", "--vault-id", pwFile, "--vault-id", `lab@${labPw}`, "--playbook-dir", p.playbookDir],
        { env: ENV, encoding: "utf8", cwd: work },
      ),
    );
    // ansible-inventory leaves inline vault values encrypted: open them with what we know they hold
    const opened = JSON.parse(JSON.stringify(ref), (_k, v) =>
      v && typeof v === "object" && "__ansible_vault" in v ? p.clear.get(String(v.__ansible_vault).trim()) : v,
    );
    const inv = loadOrSay(p.sources, { vault: KEYS, playbookDir: p.playbookDir });
    const ours = revealAll(inventoryDocument(inv)) as typeof ref;
    expect(ours).toEqual(opened);
    // a few of the surprising ones, said plainly
    const hv = ours._meta.hostvars;
    expect(hv.db2.level).toBe("play-all"); // group_vars/all beats the db group's vars in the inventory file
    expect(hv.web3.level).toBe("group_vars-web"); // group_vars/<group> beats both
    expect(hv.web1.level).toBe("group_vars-edge"); // group_vars/<group> beats group_vars/all
    expect(hv.web2.level).toBe("play-host-web2");
    expect(hv.db1.level).toBe("host_vars-db1");
    expect(hv.web1.web_port).toBe(8080);
    // vault values are secrets from the start; strings of a vault file are masked too
    expect(isSecret(inv.hosts.get("db1")!.vars.db_password)).toBe(true);
    expect(redact("from a vault file")).toBe("********");
  }, 120_000);

  it("names the file and line of a vault value no password opens, and of a templated value", () => {
    const p = project();
    expect(
      problemsOf(() =>
        loadInventory(p.sources, { vault: [{ password: "wrong", from: "wrong-file" }], playbookDir: p.playbookDir }),
      ),
    ).toMatch(/no vault password given opens this value/);
    try {
      loadInventory(p.sources, { playbookDir: p.playbookDir });
      expect.unreachable();
    } catch (e) {
      const first = (e as { problems: Array<{ file?: string; line?: number; message: string }> }).problems[0];
      expect(`${first!.file}:${first!.line}`).toBe(`${p.sources[0]}/10-hosts.yml:16`); // the line of db_password
      expect(first!.message).toMatch(/an Ansible Vault value and no vault password to open it/);
    }
    const t = put(
      p.dir,
      "templated.yml",
      'all:\n  vars:\n    url: "https://{{ inventory_hostname }}/"\n  hosts:\n    h:\n',
    );
    expect(problemsOf(() => loadInventory(t))).toMatch(
      /templated.yml:3 .*url: templated inventory values are not supported/,
    );
  }, 120_000);
});

describe("ansible.cfg", () => {
  it("carries inventory, remote_user, private_key_file, vault_password_file and forks, paths from its folder", () => {
    const cfg = parseAnsibleConfig(
      "[defaults]\ninventory = inventory/, extra.yml\nremote_user = admin\nprivate_key_file = ~/.ssh/deploy\nvault_password_file = .vault-pass\nforks = 7 ; comment\n[ssh_connection]\npipelining = True\n",
      "/proj/ansible.cfg",
    );
    expect(cfg).toMatchObject({
      inventory: ["/proj/inventory", "/proj/extra.yml"],
      remoteUser: "admin",
      vaultPasswordFile: "/proj/.vault-pass",
      forks: 7,
    });
    expect(cfg.privateKeyFile).toMatch(/\/\.ssh\/deploy$/);
  }, 120_000);
  it("refuses to turn host key checking off", () => {
    expect(() => parseAnsibleConfig("[defaults]\nhost_key_checking = False\n", "/proj/ansible.cfg")).toThrow(
      /1 problem/,
    );
    try {
      parseAnsibleConfig("[defaults]\nhost_key_checking = False\n", "/proj/ansible.cfg");
    } catch (e) {
      expect((e as { problems: Array<{ line: number; message: string }> }).problems[0]).toMatchObject({
        line: 2,
        message: "host key checking cannot be turned off here",
      });
    }
  }, 120_000);
});

describe("the command line of an Ansible project", () => {
  const deploy = (args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}) =>
    spawnSync(process.execPath, [join(process.cwd(), "dist/site/cli.js"), ...args], {
      encoding: "utf8",
      cwd: opts.cwd,
      input: opts.input,
      env: { ...process.env, CI: "1", ANSIBLE_CONFIG: "", ...opts.env },
    });

  it("deploy vault encrypt-string makes a value ansible reads back, from stdin (never argv)", () => {
    const r = deploy(["vault", "encrypt-string", "--vault-id", `lab@${labPw}`, "--name", "db_pass"], {
      input: 'va"l\\ue',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^db_pass: !vault \|\n {10}\$ANSIBLE_VAULT;1\.2;AES256;lab\n/);
    const inv = put(work, "es/inv.yml", `all:\n  hosts:\n    h:\n      ${r.stdout.replace(/\n(?=.)/g, "\n      ")}`);
    const out = execFileSync(
      "ansible",
      ["-i", inv, "h", "-m", "debug", "-a", "var=db_pass", "--vault-id", `lab@${labPw}`],
      { env: ENV, encoding: "utf8" },
    );
    expect(out).toContain('"db_pass": "va\\"l\\\\ue"');
  }, 120_000);

  it("an encrypted inventory file, opened with ANSIBLE_VAULT_PASSWORD_FILE or --vault-id", () => {
    const inv = put(work, "enc/inv.yml", "all:\n  hosts:\n    enc1:\n      role: secret-host\n");
    ansibleVault(["encrypt", "--vault-id", `lab@${labPw}`, inv]);
    const byEnv = deploy(["inventory", "-i", inv, "--list-hosts"], { env: { ANSIBLE_VAULT_PASSWORD_FILE: labPw } });
    expect(byEnv.stdout, byEnv.stderr).toBe("enc1\n");
    const byId = deploy(["inventory", "-i", inv, "--host", "enc1", "--vault-id", `lab@${labPw}`]);
    expect(JSON.parse(byId.stdout)).toEqual({ role: "********" }); // the texts of an encrypted file are secrets
    const none = deploy(["inventory", "-i", inv, "--list"]);
    expect(none.status).toBe(3);
    expect(none.stderr).toMatch(/inv.yml:1: an Ansible Vault value \(vault id lab\) and no vault password/);
  }, 120_000);

  it("finds ansible.cfg as Ansible does and takes its inventory; refuses one in a world-writable folder", () => {
    const dir = mkdtempSync(join(work, "cfg-"));
    put(dir, "hosts.yml", "all:\n  hosts:\n    from-cfg:\n");
    put(dir, "ansible.cfg", "[defaults]\ninventory = hosts.yml\n");
    expect(deploy(["inventory", "--list-hosts"], { cwd: dir }).stdout).toBe("from-cfg\n");
    expect(findAnsibleConfig(dir, {}).file).toBe(join(dir, "ansible.cfg"));
    expect(findAnsibleConfig("/", { ANSIBLE_CONFIG: join(dir, "ansible.cfg") }).file).toBe(join(dir, "ansible.cfg"));
    chmodSync(dir, 0o777);
    const open = findAnsibleConfig(dir, {});
    expect(open.file === undefined || open.file !== join(dir, "ansible.cfg")).toBe(true);
    expect(open.warning).toMatch(/world-writable/);
    chmodSync(dir, 0o755);
  }, 120_000);
});
