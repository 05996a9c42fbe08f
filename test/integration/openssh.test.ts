import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labPaths } from "../../src/lab/paths.js";
import { command } from "../../src/resources/commands/command.js";
import { address, apply, onHost, writeInventory } from "../support/lab.js";

// The SSH users already have: every host below is reached only through what its ssh_config
// says (Include, Match, ProxyCommand, ProxyJump over two hops, a second IdentityFile, a
// certificate, an encrypted key served by ssh-agent or unlocked by SSH_ASKPASS), so each test
// fails if that feature is ignored. The config is given as ssh -F, in ansible_ssh_common_args.

const RESTART_SSHD =
  "systemctl restart ssh; for i in $(seq 1 50); do ss -ltn | grep -q ':22 ' && break; sleep 0.1; done";
const PASSPHRASE = "correct horse battery staple";

let dir: string;
let cfg: string;
let kh: string;
let agent: ChildProcess | undefined;
const saved = { ...process.env };

const keygen = (path: string, passphrase = "") =>
  spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", "hcd-test", "-f", path], { stdio: "ignore" });

/** The LAN address of plain-lab host hN (reachable only from other lab hosts). */
const lan = (h: string) => `10.232.0.${Number(h.slice(1)) + 9}`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "hcd-openssh-"));
  // known_hosts: the lab's (management addresses) and every host's LAN address
  kh = join(dir, "known_hosts");
  const lanKeys = ["h1", "h2", "h3", "h4"].map((h) => {
    const pub = readFileSync(`${labPaths.host(h)}/root/etc/ssh/ssh_host_ed25519_key.pub`, "utf8").split(" ");
    return `${lan(h)} ${pub[0]} ${pub[1]}\n`;
  });
  writeFileSync(kh, readFileSync(labPaths.knownHosts(), "utf8") + lanKeys.join(""));
  const lab = join(dir, "lab_key");
  copyFileSync(labPaths.key(), lab);
  chmodSync(lab, 0o600);
  keygen(join(dir, "wrong_key"));
  // a key whose only right on h4 is a certificate from a user CA h4 trusts
  keygen(join(dir, "ca"));
  keygen(join(dir, "cert_key"));
  spawnSync("ssh-keygen", [
    "-q",
    "-s",
    join(dir, "ca"),
    "-I",
    "hcd-test",
    "-n",
    "root",
    "-V",
    "+1h",
    join(dir, "cert_key.pub"),
  ]);
  // not where ssh looks by itself (KEY-cert.pub): only CertificateFile finds it
  renameSync(join(dir, "cert_key-cert.pub"), join(dir, "root-cert.pub"));
  onHost(
    "h4",
    `printf '%s\\n' '${readFileSync(join(dir, "ca.pub"), "utf8").trim()}' > /etc/ssh/hcd_user_ca.pub && echo 'TrustedUserCAKeys /etc/ssh/hcd_user_ca.pub' > /etc/ssh/sshd_config.d/hcd-ca.conf && ${RESTART_SSHD}`,
  );
  // an encrypted key, authorized on h1
  keygen(join(dir, "enc_key"), PASSPHRASE);
  onHost(
    "h1",
    `printf '%s\\n' '${readFileSync(join(dir, "enc_key.pub"), "utf8").trim()}' >> /root/.ssh/authorized_keys`,
  );
  const askpass = join(dir, "askpass");
  writeFileSync(askpass, `#!/bin/sh\necho '${PASSPHRASE}'\n`, { mode: 0o700 });

  mkdirSync(join(dir, "conf.d"));
  writeFileSync(join(dir, "conf.d", "web.conf"), `Host web\n  HostName ${address("h3")}\n`);
  cfg = join(dir, "config");
  writeFileSync(
    cfg,
    [
      `Include ${dir}/conf.d/*.conf`,
      // the first IdentityFile is refused: only the second one logs in
      `Host web`,
      `  IdentityFile ${dir}/wrong_key`,
      `  IdentityFile ${lab}`,
      `Host matchy`,
      `  HostName ${address("h2")}`,
      `Match originalhost matchy user root`,
      `  IdentityFile ${lab}`,
      `Host jump1`,
      `  HostName ${address("h1")}`,
      `  IdentityFile ${lab}`,
      `Host jump2`,
      `  HostName ${lan("h2")}`,
      `  IdentityFile ${lab}`,
      `Host pc-behind`,
      `  HostName ${lan("h2")}`,
      `  IdentityFile ${lab}`,
      `  ProxyCommand ssh -F ${cfg} -W %h:%p jump1`,
      `Host twohop`,
      `  HostName ${lan("h3")}`,
      `  IdentityFile ${lab}`,
      `  ProxyJump jump1,jump2`,
      `Host certy`,
      `  HostName ${address("h4")}`,
      `  IdentityFile ${dir}/cert_key`,
      `  CertificateFile ${dir}/root-cert.pub`,
      `Host locked`,
      `  HostName ${address("h1")}`,
      `  IdentityFile ${dir}/enc_key`,
      `Host aliased`,
      `  HostName ${address("h2")}`,
      `  HostKeyAlias h2-by-alias`,
      `  IdentityFile ${lab}`,
      `Host *`,
      `  User root`,
      `  IdentitiesOnly yes`,
      `  UserKnownHostsFile ${kh}`,
      `  StrictHostKeyChecking yes`,
      "",
    ].join("\n"),
  );
  delete process.env.SSH_AUTH_SOCK;
  process.env.SSH_ASKPASS = askpass;
});

afterAll(() => {
  agent?.kill();
  process.env = saved;
  onHost("h4", `rm -f /etc/ssh/sshd_config.d/hcd-ca.conf /etc/ssh/hcd_user_ca.pub; ${RESTART_SSHD}`);
  onHost("h1", "sed -i '/hcd-test/d' /root/.ssh/authorized_keys");
});

/**
 * Run one command task on an inventory host (extraVars: its own variables, 4-space indented);
 * returns what the host saw as $SSH_CONNECTION.
 */
async function reach(name: string, real: string, extraVars = ""): Promise<{ error?: string; conn: string }> {
  const inv = writeInventory(
    `all:\n  vars:\n    ansible_ssh_common_args: -F ${cfg}\n    deploy_known_hosts_file: ${kh}\n  hosts:\n    ${name}:${
      extraVars ? `\n${extraVars.replace(/^/gm, "  ").trimEnd()}\n` : " {}\n"
    }`,
  );
  onHost(real, "rm -f /tmp/hcd-conn");
  const r = await apply(name, () => [command({ run: 'echo "$SSH_CONNECTION" > /tmp/hcd-conn' })], {
    inventory: inv,
  });
  const conn = onHost(real, "cat /tmp/hcd-conn 2>/dev/null; true").trim();
  return { error: r.hosts[name]?.error, conn };
}

describe("OpenSSH is the transport: what ssh_config says, ssh does", () => {
  it("an alias from an Included file, logged in with its second IdentityFile", async () => {
    const r = await reach("web", "h3");
    expect(r.error).toBeUndefined();
    expect(r.conn.split(" ")[2]).toBe(address("h3"));
  });

  it("a Match block (originalhost and user) gives the key", async () => {
    const r = await reach("matchy", "h2");
    expect(r.error).toBeUndefined();
    expect(r.conn.split(" ")[2]).toBe(address("h2"));
  });

  it("ProxyCommand through ssh -W: the host sees the jump host's LAN address", async () => {
    const r = await reach("pc-behind", "h2");
    expect(r.error).toBeUndefined();
    expect(r.conn.split(" ")[0]).toBe(lan("h1"));
  });

  it("ProxyJump over two hops: the host sees the second hop's address", async () => {
    const r = await reach("twohop", "h3");
    expect(r.error).toBeUndefined();
    expect(r.conn.split(" ")[0]).toBe(lan("h2"));
  });

  it("a user certificate from CertificateFile (the key alone is not authorized)", async () => {
    const r = await reach("certy", "h4");
    expect(r.error).toBeUndefined();
    expect(r.conn.split(" ")[2]).toBe(address("h4"));
    // without the certificate the same key is refused, in ssh's words with our hint
    writeFileSync(
      join(dir, "conf.d", "nocert.conf"),
      `Host nocert\n  HostName ${address("h4")}\n  IdentityFile ${dir}/cert_key\n`,
    );
    const refused = await reach("nocert", "h4");
    expect(refused.error).toMatch(/root@nocert|refused our key/);
    expect(refused.error).toMatch(/ssh says Permission denied \(publickey\)/);
    expect(refused.error).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("an encrypted key: served by ssh-agent, or its passphrase from SSH_ASKPASS", async () => {
    // no agent, no askpass: ssh cannot use the key
    process.env.SSH_ASKPASS_REQUIRE = "never";
    const none = await reach("locked", "h1");
    expect(none.error).toMatch(/refused our key/);
    // SSH_ASKPASS gives the passphrase
    process.env.SSH_ASKPASS_REQUIRE = "force";
    const askpass = await reach("locked", "h1", "    deploy_ssh_persist: 0\n");
    expect(askpass.error).toBeUndefined();
    expect(askpass.conn).not.toBe("");
    // an agent holding the key (added with the passphrase), asked for nothing
    const sock = join(dir, "agent.sock");
    agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
    for (let i = 0; i < 50 && spawnSync("test", ["-S", sock]).status !== 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    const added = spawnSync("ssh-add", [join(dir, "enc_key")], {
      env: { ...process.env, SSH_AUTH_SOCK: sock, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" },
      encoding: "utf8",
    });
    expect(added.status, added.stderr).toBe(0);
    process.env.SSH_AUTH_SOCK = sock;
    process.env.SSH_ASKPASS_REQUIRE = "never";
    try {
      const viaAgent = await reach("locked", "h1", "    deploy_ssh_persist: 0\n");
      expect(viaAgent.error).toBeUndefined();
      expect(viaAgent.conn).not.toBe("");
    } finally {
      delete process.env.SSH_AUTH_SOCK;
      delete process.env.SSH_ASKPASS_REQUIRE;
    }
  });

  it("HostKeyAlias: the host's key is looked up (and checked) under the alias", async () => {
    const aliasKh = join(dir, "known_hosts.alias");
    const pub = readFileSync(`${labPaths.host("h2")}/root/etc/ssh/ssh_host_ed25519_key.pub`, "utf8").split(" ");
    // the only entry: under the alias, not under the address
    writeFileSync(aliasKh, `h2-by-alias ${pub[0]} ${pub[1]}\n`);
    const r = await reach("aliased", "h2", `    deploy_known_hosts_file: ${aliasKh}\n    deploy_ssh_persist: 0\n`);
    expect(r.error).toBeUndefined();
    expect(r.conn.split(" ")[2]).toBe(address("h2"));
    // another key under the alias: refused as changed, named by the alias
    const other = readFileSync(`${labPaths.host("h3")}/root/etc/ssh/ssh_host_ed25519_key.pub`, "utf8").split(" ");
    writeFileSync(aliasKh, `h2-by-alias ${other[0]} ${other[1]}\n`);
    const changed = await reach(
      "aliased",
      "h2",
      `    deploy_known_hosts_file: ${aliasKh}\n    deploy_ssh_persist: 0\n`,
    );
    expect(changed.error).toMatch(/HOST KEY OF h2-by-alias HAS CHANGED/);
  });

  it("ControlPersist: a second run reuses the first run's connection; with deploy_ssh_persist 0 it does not", async () => {
    const a = await reach("web", "h3", "    deploy_ssh_persist: 30\n");
    const b = await reach("web", "h3", "    deploy_ssh_persist: 30\n");
    expect(a.error ?? b.error).toBeUndefined();
    // the same TCP connection: the same client port
    expect(b.conn).toBe(a.conn);
    const c = await reach("web", "h3", "    deploy_ssh_persist: 0\n");
    const d = await reach("web", "h3", "    deploy_ssh_persist: 0\n");
    expect(c.error ?? d.error).toBeUndefined();
    expect(d.conn).not.toBe(c.conn);
  });
});
