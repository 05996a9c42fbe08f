import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { blob } from "../support/key-blob.js";
import type { DeployError } from "../../src/errors.js";
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
import { lookupSshConfig, parseSshConfig } from "../../src/transport/ssh-config.js";
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
    host: "192.0.2.9",
    port: 22,
    user: "debian",
    useAgent: false,
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
});

describe("~/.ssh/config", () => {
  const cfg = parseSshConfig(
    `Host vps\n  HostName 192.0.2.10\n  User admin\n  Port 2222\n  IdentityFile ~/.ssh/vps_key\nHost vm*\n  ProxyJump vps\nHost *\n  User fallback\n  Port 22\n`,
  );
  it("gives the first value of each option, as ssh does", () => {
    expect(lookupSshConfig(cfg, "vps", "/home/u")).toEqual({
      hostName: "192.0.2.10",
      user: "admin",
      port: 2222,
      identityFile: ["/home/u/.ssh/vps_key"],
    });
    expect(lookupSshConfig(cfg, "vm1", "/home/u")).toEqual({ proxyJump: "vps", user: "fallback", port: 22 });
  });
});
