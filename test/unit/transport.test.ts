import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { blob } from "../support/key-blob.js";
import type { DeployError, InputError } from "../../src/errors.js";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkHostKey,
  fingerprint,
  hostVerifierFor,
  knownHostsName,
  parseHostKeyPin,
  parseKnownHosts,
} from "../../src/transport/known-hosts.js";
import { commandLine, quote } from "../../src/transport/quote.js";
import { splitArgs, sshEffective } from "../../src/transport/ssh-config.js";
import { commandArgv, sessionArgs, setKeyTypes } from "../../src/transport/openssh.js";
import { writeFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";

describe("shell quoting", () => {
  const hostile = [
    "plain",
    "",
    "it's",
    "$(rm -rf /)",
    "`id`",
    "a;b",
    "a\nb",
    "a\\b",
    '"q"',
    "*",
    "-n",
    "~root",
    "a b\tc",
    "$HOME",
    "'",
    "''",
  ];
  it.each(hostile)("round-trips %j through sh unchanged", (s) => {
    expect(execFileSync("sh", ["-c", `printf '%s' ${quote(s)}`], { encoding: "utf8" })).toBe(s);
  });
  it("quotes each word of a command", () => {
    expect(commandLine("echo", "a b", "c")).toBe("echo 'a b' c");
  });
});

describe("known_hosts", () => {
  const k1 = blob("ssh-ed25519", "key-one");
  const k2 = blob("ssh-ed25519", "key-two");
  const salt = Buffer.from("0123456789abcdefghij");
  const hashed = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update("[10.0.0.1]:2222").digest("base64")}`;
  const file = parseKnownHosts(
    `# comment\nvps.example,192.0.2.1 ssh-ed25519 ${k1.toString("base64")}\n${hashed} ssh-ed25519 ${k2.toString("base64")}\n@revoked bad ssh-ed25519 ${k2.toString("base64")}\n`,
  );

  it("matches plain and hashed entries and the [host]:port form", () => {
    expect(knownHostsName("h", 22)).toBe("h");
    expect(knownHostsName("10.0.0.1", 2222)).toBe("[10.0.0.1]:2222");
    expect(checkHostKey(file, "192.0.2.1", k1)).toEqual({ status: "known" });
    expect(checkHostKey(file, "[10.0.0.1]:2222", k2)).toEqual({ status: "known" });
    expect(checkHostKey(file, "10.0.0.1", k2)).toEqual({ status: "unknown" });
  });
  it("says a different key of the same type is a changed key, with the expected fingerprint", () => {
    const v = checkHostKey(file, "vps.example", k2);
    expect(v).toEqual({ status: "changed", expected: [`ssh-ed25519 ${fingerprint(k1)}`], line: 2 });
  });
  it("refuses revoked keys", () => {
    expect(checkHostKey(file, "bad", k2)).toEqual({ status: "revoked" });
  });
});

describe("deploy_host_key: a host key pinned before first contact", () => {
  const k1 = blob("ssh-ed25519", "pinned-key-one");
  const k2 = blob("ssh-ed25519", "another-key-two");
  const target = (pins: string[], knownHostsFile: string) => ({
    name: "vps",
    alias: "vps",
    host: "192.0.2.9",
    port: 22,
    user: "debian",
    knownHostsFile,
    acceptNewHostKey: false,
    become: false,
    timeoutMs: 1000,
    hostKeyPins: pins.map((p) => parseHostKeyPin(p)!),
  });
  it("takes a whole public key (its type must match the blob's) or a SHA256 fingerprint", () => {
    expect(parseHostKeyPin(`ssh-ed25519 ${k1.toString("base64")} root@vps`)).toEqual({
      fingerprint: fingerprint(k1),
      keyType: "ssh-ed25519",
    });
    expect(parseHostKeyPin(fingerprint(k1))).toEqual({ fingerprint: fingerprint(k1) });
    expect(parseHostKeyPin(`ssh-rsa ${k1.toString("base64")}`)).toBeUndefined();
    expect(parseHostKeyPin("SHA256:short")).toBeUndefined();
    expect(parseHostKeyPin("AAAA")).toBeUndefined();
  });
  it("accepts and records the pinned key on first contact; refuses any other, naming both", () => {
    const kh = join(mkdtempSync(join(tmpdir(), "hcd-pin-")), "known_hosts");
    const other: { error?: DeployError } = {};
    expect(hostVerifierFor(target([fingerprint(k1)], kh), other)(k2)).toBe(false);
    expect(other.error?.message).toContain(
      `it presented ssh-ed25519 ${fingerprint(k2)}, deploy_host_key pins ${fingerprint(k1)}`,
    );
    expect(existsSync(kh)).toBe(false); // nothing recorded
    const ok: { error?: DeployError } = {};
    const said: string[] = [];
    expect(hostVerifierFor(target([`ssh-ed25519 ${k1.toString("base64")}`], kh), ok, (l) => said.push(l))(k1)).toBe(
      true,
    );
    // every key recorded is said, with its fingerprint and where it went
    expect(said).toEqual([
      `vps: recorded the host key of 192.0.2.9, ssh-ed25519 ${fingerprint(k1)} (the pinned one), in ${kh}`,
    ]);
    expect(checkHostKey(parseKnownHosts(readFileSync(kh, "utf8")), "192.0.2.9", k1)).toEqual({ status: "known" });
    // once on file, the pin and known_hosts must both agree
    expect(hostVerifierFor(target([fingerprint(k2)], kh), {})(k1)).toBe(false);
  });
  it("a host reinstalled with a new key (a rebuilt VPS): refused as changed, unless the inventory pins the new key, which then replaces the old entry", () => {
    const kh = join(mkdtempSync(join(tmpdir(), "hcd-pin-")), "known_hosts");
    const other = `192.0.2.77 ssh-ed25519 ${k1.toString("base64")}\n`;
    writeFileSync(kh, `${other}192.0.2.9 ssh-ed25519 ${k1.toString("base64")}\n`);
    const refused: { error?: DeployError } = {};
    expect(hostVerifierFor(target([], kh), refused)(k2)).toBe(false);
    expect(refused.error?.message).toMatch(/^HOST KEY OF 192\.0\.2\.9 HAS CHANGED/);
    const said: string[] = [];
    expect(hostVerifierFor(target([fingerprint(k2)], kh), {}, (l) => said.push(l))(k2)).toBe(true);
    expect(said).toEqual([
      `vps: the host key of 192.0.2.9 changed to the pinned one, ssh-ed25519 ${fingerprint(k2)}: it replaces ssh-ed25519 ${fingerprint(k1)} in ${kh}`,
    ]);
    const entries = parseKnownHosts(readFileSync(kh, "utf8"));
    expect(checkHostKey(entries, "192.0.2.9", k2)).toEqual({ status: "known" });
    expect(checkHostKey(entries, "192.0.2.9", k1).status).toBe("changed");
    // another host's entry stays
    expect(readFileSync(kh, "utf8").startsWith(other)).toBe(true);
  });
});

describe("ssh_config, as OpenSSH reads it (ssh -G)", () => {
  const dir = mkdtempSync(join(tmpdir(), "hcd-sshcfg-"));
  mkdirSync(join(dir, "conf.d"));
  writeFileSync(
    join(dir, "conf.d", "vps.conf"),
    "Host vps\n  HostName 192.0.2.10\n  Port 2222\n  HostKeyAlias vps-key\n",
  );
  const cfg = join(dir, "config");
  writeFileSync(
    cfg,
    `Include ${dir}/conf.d/*.conf\nMatch host vm* user admin\n  ProxyJump vps\nHost vps\n  User admin\n  IdentityFile ~/.ssh/vps_key\n  IdentityFile ~/.ssh/second_key\nHost *\n  User fallback\n  ServerAliveInterval 7\n`,
  );
  it("applies Include and Match and gives ssh's first value of each option", () => {
    const vps = sshEffective("vps", { configFile: cfg });
    expect(vps).toMatchObject({ hostname: "192.0.2.10", port: 2222, user: "admin", hostKeyAlias: "vps-key" });
    expect(!("error" in vps) && vps.identityFiles.slice(0, 2).map((f) => f.replace(/^.*\/\.ssh\//, ""))).toEqual([
      "vps_key",
      "second_key",
    ]);
    expect(sshEffective("vm1", { configFile: cfg, user: "admin" })).toMatchObject({
      proxyJump: "vps",
      serverAliveInterval: 7,
    });
    // Match user: not this user, no jump; the command line's user wins over User
    const other = sshEffective("vm1", { configFile: cfg, user: "ops", port: 2200 });
    expect(other).toMatchObject({ user: "ops", port: 2200 });
    expect("error" in other || other.proxyJump).toBeFalsy();
  });
  it("names ssh's own complaint about a broken config", () => {
    writeFileSync(join(dir, "bad"), "Host x\n  NoSuchOption yes\n");
    const r = sshEffective("x", { configFile: join(dir, "bad") });
    expect("error" in r && r.error).toMatch(/Bad configuration option: nosuchoption/i);
  });
  it("splits ansible_ssh_common_args as a shell would", () => {
    expect(splitArgs(`-o ProxyCommand="ssh -W %h:%p -q user@gw" -o 'ForwardAgent no' -C`)).toEqual([
      "-o",
      "ProxyCommand=ssh -W %h:%p -q user@gw",
      "-o",
      "ForwardAgent no",
      "-C",
    ]);
    expect(splitArgs(`-o "unterminated`)).toBeUndefined();
  });
  it("puts our host-key policy before the user's arguments (ssh keeps the first value)", () => {
    const t = {
      name: "vps",
      alias: "vps",
      host: "192.0.2.10",
      port: 2222,
      user: "admin",
      knownHostsFile: join(dir, "known hosts"),
      acceptNewHostKey: false,
      become: false,
      timeoutMs: 5000,
      sshArgs: ["-o", "StrictHostKeyChecking=no"],
      persistSeconds: 30,
    };
    setKeyTypes(t, ["ssh-ed25519"]);
    const argv = commandArgv(sessionArgs(t), t, "true");
    const opts = argv.flatMap((a, i) => (argv[i - 1] === "-o" ? [a] : []));
    const first = (k: string) => opts.find((x) => x.startsWith(`${k}=`));
    expect(first("StrictHostKeyChecking")).toBe("StrictHostKeyChecking=yes");
    expect(first("UserKnownHostsFile")).toBe(`UserKnownHostsFile="${dir}/known hosts"`);
    expect(first("HostKeyAlgorithms")).toBe("HostKeyAlgorithms=ssh-ed25519");
    expect(first("ControlPersist")).toBe("ControlPersist=30s");
    expect(first("PasswordAuthentication")).toBe("PasswordAuthentication=no");
    expect(argv.slice(-3)).toEqual(["--", "vps", "true"]);
    // ssh itself accepts the whole command line (-G stops before any connection)
    const r = sshEffective("vps", { configFile: cfg, args: argv.slice(0, -4) });
    expect(r).toMatchObject({ hostname: "192.0.2.10", user: "admin" });
  });
});

describe("--ssh-common-args and --ssh-extra-args", () => {
  it("are split as a shell would and come after the host's own ansible_ssh_*_args", async () => {
    const { parseRunArgs } = await import("../../src/cli/args.js");
    const { resolveTargets } = await import("../../src/inventory/connection.js");
    const { parseInventory } = await import("../../src/inventory/load.js");
    const args = parseRunArgs(["site.ts", "--ssh-common-args=-o 'ForwardAgent no'", "--ssh-extra-args=-C"]);
    expect(args.sshArgs).toEqual(["-o", "ForwardAgent no", "-C"]);
    const bad = (() => {
      try {
        parseRunArgs(["site.ts", "--ssh-extra-args=-o 'x"]);
      } catch (e) {
        return (e as InputError).problems;
      }
    })();
    expect(bad).toEqual([expect.objectContaining({ field: "--ssh-extra-args", message: "has an unmatched quote" })]);
    const dir = mkdtempSync(join(tmpdir(), "hcd-sshargs-"));
    const { inventory } = parseInventory(
      "all:\n  hosts:\n    a:\n      ansible_host: 192.0.2.7\n      ansible_ssh_common_args: -o ConnectionAttempts=2\n",
      join(dir, "inventory.yaml"),
    );
    const { targets, problems } = resolveTargets(inventory, ["a"], { sshArgs: args.sshArgs });
    expect(problems).toEqual([]);
    expect(targets.get("a")!.sshArgs).toEqual(["-o", "ConnectionAttempts=2", "-o", "ForwardAgent no", "-C"]);
  });
});
