import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DeployError } from "../errors.js";
import {
  changedKey,
  checkHostKey,
  entryMatches,
  fingerprint,
  hostVerifierFor,
  keyTypeOf,
  knownKeyTypes,
  readKnownHosts,
} from "./known-hosts.js";
import {
  connectionArgs,
  controlDir,
  hostKeyName,
  hostKeyPolicyArgs,
  keyTypes as keyTypesOnFile,
  sshFailure,
  sshProgram,
} from "./openssh.js";
import type { SshTarget } from "./target.js";

/**
 * Learn the key a host presents without logging in: ssh records it in a scratch known_hosts
 * file, then offers no way to authenticate ("Permission denied"). Through the same proxies
 * and jump hosts as the real connection; nothing is sent that could be used elsewhere.
 */
export async function probeHostKey(t: SshTarget, keyTypes?: string[]): Promise<{ blob?: Buffer; said: string }> {
  const dir = mkdtempSync(join(controlDir(), "probe-"));
  const kh = join(dir, "known_hosts");
  const noAuth = [
    "PreferredAuthentications=none",
    "BatchMode=yes",
    "PubkeyAuthentication=no",
    "HostbasedAuthentication=no",
    "GSSAPIAuthentication=no",
    "HashKnownHosts=no",
    "ControlMaster=no",
    "ControlPath=none",
  ].flatMap((x) => ["-o", x]);
  const args = [
    ...(t.sshConfigFile ? ["-F", t.sshConfigFile] : []),
    ...hostKeyPolicyArgs(t, keyTypes, kh, false),
    ...noAuth,
    ...connectionArgs(t),
    "-T",
    "--",
    t.alias,
    "true",
  ];
  try {
    const said = await new Promise<string>((resolve) => {
      const child = spawn(sshProgram(), args, { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
      const timer = setTimeout(() => child.kill("SIGTERM"), t.timeoutMs * 2 + 5000);
      child.on("error", (e) => {
        clearTimeout(timer);
        resolve(`${err}${e.message}\n`);
      });
      child.on("close", () => {
        clearTimeout(timer);
        resolve(err);
      });
    });
    let text = "";
    try {
      text = readFileSync(kh, "utf8");
    } catch {
      /* no key was seen */
    }
    const b64 = text.split("\n")[0]?.split(/\s+/)[2];
    return { blob: b64 ? Buffer.from(b64, "base64") : undefined, said };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Before a host's first connection: the key types to negotiate with it. A host with keys on
 * file (pinned ones, when it has pins) gets only those types. A host with none is probed, and
 * its key checked by our policy (pinned, or --accept-new-host-keys, else refused) and recorded.
 */
export async function keyTypesFor(t: SshTarget, say?: (line: string) => void): Promise<string[]> {
  const name = hostKeyName(t);
  const pins = t.hostKeyPins ?? [];
  const onFile = readKnownHosts(t.knownHostsFile).filter((e) => !e.marker && entryMatches(e, name));
  const usable = pins.length ? onFile.filter((e) => pins.some((p) => p.fingerprint === fingerprint(e.key))) : onFile;
  if (usable.length) return [...new Set(usable.map((e) => e.keyType))];
  const pinnedTypes = [...new Set(pins.flatMap((p) => (p.keyType ? [p.keyType] : [])))];
  const probe = await probeHostKey(
    t,
    onFile.length === 0 && pins.length && pins.every((p) => p.keyType) ? pinnedTypes : undefined,
  );
  if (!probe.blob) throw sshFailure(t, probe.said);
  const refusal: { error?: DeployError } = {};
  if (!hostVerifierFor(t, refusal, say)(probe.blob)) throw refusal.error!;
  return knownKeyTypes(readKnownHosts(t.knownHostsFile), name);
}

/** ssh refused the host's key: probe it to say what it presented and what is on file. */
export async function hostKeyRefusal(t: SshTarget, said: string): Promise<DeployError> {
  const name = hostKeyName(t);
  const keyTypes = keyTypesOnFile(t);
  const probe = await probeHostKey(t);
  const entries = readKnownHosts(t.knownHostsFile).filter(
    (e) => !e.marker && entryMatches(e, name) && keyTypes.includes(e.keyType),
  );
  const expected = entries.map((e) => `${e.keyType} ${fingerprint(e.key)}`);
  if (!probe.blob) return sshFailure(t, said);
  const fp = `${keyTypeOf(probe.blob)} ${fingerprint(probe.blob)}`;
  if (!keyTypes.includes(keyTypeOf(probe.blob)))
    return changedKey(t, name, `only ${fp} (none of the type on file)`, expected, entries[0]?.line ?? 0);
  const refusal: { error?: DeployError } = {};
  // never recorded here: a host with keys on file is known, whatever the options say
  if (!hostVerifierFor({ ...t, acceptNewHostKey: false, hostKeyPins: [] }, refusal)(probe.blob)) return refusal.error!;
  const verdict = checkHostKey(readKnownHosts(t.knownHostsFile), name, probe.blob);
  return sshFailure(t, verdict.status === "known" ? said : `${said}\n(${verdict.status})`);
}
