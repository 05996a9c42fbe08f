import { createHash, createHmac, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DeployError } from "../errors.js";
import type { HostKeyPin, SshTarget } from "./target.js";

/** One usable line of a known_hosts file. */
export interface KnownHost {
  patterns: string[]; // plain patterns, or one "|1|salt|hash" entry
  keyType: string;
  key: Buffer;
  marker?: "@revoked" | "@cert-authority";
  line: number;
}

export function parseKnownHosts(text: string): KnownHost[] {
  const out: KnownHost[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const parts = line.split(/\s+/);
    let marker: KnownHost["marker"];
    if (parts[0] === "@revoked" || parts[0] === "@cert-authority") marker = parts.shift() as KnownHost["marker"];
    if (parts.length < 3) return;
    const [hosts, keyType, b64] = parts as [string, string, string];
    out.push({ patterns: hosts.split(","), keyType, key: Buffer.from(b64, "base64"), marker, line: i + 1 });
  });
  return out;
}

/** The name ssh looks up: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".") +
      "$",
    "i",
  );
  return re.test(name);
}

export function entryMatches(entry: KnownHost, name: string): boolean {
  let matched = false;
  for (const p of entry.patterns) {
    if (p.startsWith("|1|")) {
      const [, , salt, hash] = p.split("|");
      const h = createHmac("sha1", Buffer.from(salt ?? "", "base64"))
        .update(name)
        .digest("base64");
      if (h === hash) matched = true;
    } else if (p.startsWith("!")) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

/** The key type named inside an SSH public key blob. */
export function keyTypeOf(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString("latin1");
}

export function fingerprint(blob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

export type HostKeyVerdict =
  | { status: "known" }
  | { status: "unknown" }
  | { status: "changed"; expected: string[]; line: number }
  | { status: "revoked" };

/** Decide whether a presented key matches what known_hosts says for this host name. */
export function checkHostKey(entries: KnownHost[], name: string, blob: Buffer): HostKeyVerdict {
  const forHost = entries.filter((e) => entryMatches(e, name) && e.marker !== "@cert-authority");
  if (forHost.some((e) => e.marker === "@revoked" && e.key.equals(blob))) return { status: "revoked" };
  const plain = forHost.filter((e) => !e.marker);
  if (plain.some((e) => e.key.equals(blob))) return { status: "known" };
  // Unlike OpenSSH's default, a key of another type is not "unknown": anyone who can stand in
  // for a known host would only need to offer another type. A host with any key on file is known.
  if (plain.length > 0)
    return {
      status: "changed",
      expected: plain.map((e) => `${e.keyType} ${fingerprint(e.key)}`),
      line: plain[0]?.line ?? 0,
    };
  return { status: "unknown" };
}

/** The key types on file for a host name: the only ones to negotiate with it. */
export function knownKeyTypes(entries: KnownHost[], name: string): string[] {
  return [...new Set(entries.filter((e) => !e.marker && entryMatches(e, name)).map((e) => e.keyType))];
}

/** SSH host key algorithms that prove a key of this type (an RSA key signs with SHA-2 first). */
export function hostKeyAlgorithms(keyTypes: string[]): string[] {
  return [...new Set(keyTypes.flatMap((t) => (t === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [t])))];
}

export function readKnownHosts(path: string): KnownHost[] {
  return existsSync(path) ? parseKnownHosts(readFileSync(path, "utf8")) : [];
}

/** Remove the plain entries for `name` (not @revoked or @cert-authority lines), then record `blob`. */
export function replaceHostKey(path: string, name: string, blob: Buffer): void {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const drop = new Set(
    parseKnownHosts(text)
      .filter((e) => !e.marker && entryMatches(e, name))
      .map((e) => e.line),
  );
  const kept = text.split("\n").filter((_, i) => !drop.has(i + 1));
  writeFileSync(path, kept.join("\n"), { mode: 0o600 });
  recordHostKey(path, name, blob);
}

/** Record a new key as a hashed entry, as `ssh -o HashKnownHosts=yes` would. */
export function recordHostKey(path: string, name: string, blob: Buffer): void {
  const salt = randomBytes(20);
  const hash = createHmac("sha1", salt).update(name).digest("base64");
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  appendFileSync(path, `|1|${salt.toString("base64")}|${hash} ${keyTypeOf(blob)} ${blob.toString("base64")}\n`, {
    mode: 0o600,
  });
}

/**
 * The host-key policy: a key on file is accepted; a new one only when the target opts in
 * (then recorded); a changed or revoked one never. A refusal is left in `refusal` for the
 * connecting code to throw (the caller only hears "false").
 */
export function hostVerifierFor(
  t: SshTarget,
  refusal: { error?: DeployError },
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
) {
  const name = t.hostKeyAlias ?? knownHostsName(t.host, t.port);
  return (blob: Buffer): boolean => {
    const fp = `${keyTypeOf(blob)} ${fingerprint(blob)}`;
    const pins = t.hostKeyPins ?? [];
    if (pins.length && !pins.some((p) => p.fingerprint === fingerprint(blob))) {
      refusal.error = new DeployError(
        "hostkey",
        `host key of ${name} is not the pinned one: it presented ${fp}, deploy_host_key pins ${pins.map((p) => `${p.keyType ?? ""} ${p.fingerprint}`.trim()).join(", ")}; refusing to connect`,
        { host: t.name, field: "deploy_host_key" },
        {
          hint: "compare with the key your provider's console shows for this host; if the host was reinstalled, pin its new key",
        },
      );
      return false;
    }
    const verdict = checkHostKey(readKnownHosts(t.knownHostsFile), name, blob);
    if (verdict.status === "known") return true;
    // a pinned key needs no trust on first use: it is recorded, as an accepted new key would be
    if (verdict.status === "unknown" && (t.acceptNewHostKey || pins.length)) {
      recordHostKey(t.knownHostsFile, name, blob);
      // as ssh does: the person sees every key trusted on first use (a pinned one was checked)
      const file = t.knownHostsFile.replace(/[\x00-\x1f\x7f]/g, "?");
      say(`${t.name}: recorded the host key of ${name}, ${fp}${pins.length ? " (the pinned one)" : ""}, in ${file}`);
      return true;
    }
    // the inventory pins the key it presents (checked above): a host reinstalled with a new key
    // (a rebuilt VPS) is trusted by that pin; its old entries give way
    if (verdict.status === "changed" && pins.length) {
      replaceHostKey(t.knownHostsFile, name, blob);
      const file = t.knownHostsFile.replace(/[\x00-\x1f\x7f]/g, "?");
      say(
        `${t.name}: the host key of ${name} changed to the pinned one, ${fp}: it replaces ${verdict.expected.join(", ")} in ${file}`,
      );
      return true;
    }
    if (verdict.status === "unknown") {
      refusal.error = new DeployError(
        "hostkey",
        `host key of ${name} is not known (${fp}); refusing to connect`,
        { host: t.name, file: t.knownHostsFile },
        {
          hint: `check the fingerprint, then rerun with --accept-new-host-keys (or set deploy_accept_new_host_key: true) to record it`,
        },
      );
    } else if (verdict.status === "changed") {
      refusal.error = changedKey(t, name, fp, verdict.expected, verdict.line);
    } else {
      refusal.error = new DeployError(
        "hostkey",
        `host key of ${name} (${fp}) is marked @revoked in ${t.knownHostsFile}`,
        { host: t.name },
      );
    }
    return false;
  };
}

export function changedKey(
  t: SshTarget,
  name: string,
  presented: string,
  expected: string[],
  line: number,
): DeployError {
  return new DeployError(
    "hostkey",
    `HOST KEY OF ${name} HAS CHANGED: it presented ${presented}, ${t.knownHostsFile}:${line} expects ${expected.join(", ")}; refusing to connect`,
    { host: t.name, file: t.knownHostsFile, line },
    {
      hint: `if the host was really reinstalled, remove the old entry (ssh-keygen -R '${name}' -f ${t.knownHostsFile}) and connect again; no option accepts a changed key`,
    },
  );
}

/** A deploy_host_key value: a whole public key ("TYPE BASE64 [comment]") or "SHA256:..." of one. */
export function parseHostKeyPin(text: string): HostKeyPin | undefined {
  const t = text.trim();
  if (/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(t)) return { fingerprint: t.replace(/=$/, "") };
  const m = /^([a-z0-9@.-]+) ([A-Za-z0-9+/]+={0,2})(?: .*)?$/.exec(t);
  if (!m) return undefined;
  const blob = Buffer.from(m[2]!, "base64");
  // the blob names its own type first: it must be the one written before it
  if (blob.length < 8 || keyTypeOf(blob) !== m[1]) return undefined;
  return { fingerprint: fingerprint(blob), keyType: m[1]! };
}
