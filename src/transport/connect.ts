import { NodeSSH } from "node-ssh";
import { Client, type ConnectConfig } from "ssh2";
import { DeployError } from "../errors.js";
import { checkHostKey, entryMatches, fingerprint, hostKeyAlgorithms, keyTypeOf, knownHostsName, knownKeyTypes, readKnownHosts, recordHostKey } from "./known-hosts.js";
import type { SshTarget } from "./target.js";

/** A connection that is up, and why it went down later (keepalive timeout, reset), if it did. */
export interface Connected {
  ssh: NodeSSH;
  lost: { error?: Error };
}

const DEFAULT_ALIVE_MS = 15_000;
const DEFAULT_ALIVE_COUNT = 3;

/**
 * Connect with the host key checked against known_hosts, offering the server only the key
 * types on file for it (a key of another type is refused as changed, never recorded as new),
 * with keepalives that find a host that stops answering. Every later error of the connection
 * is taken here and kept in `lost`: it belongs to this host, and must never reach the process
 * as an unhandled 'error' event. Errors other than a key refusal are thrown as they came, for
 * the caller to say what they mean.
 */
export async function connectChecked(t: SshTarget, base: ConnectConfig): Promise<Connected> {
  const refusal: { error?: DeployError } = {};
  const name = knownHostsName(t.host, t.port);
  const types = knownKeyTypes(readKnownHosts(t.knownHostsFile), name);
  const config: ConnectConfig = {
    ...base,
    hostVerifier: hostVerifierFor(t, refusal),
    keepaliveInterval: t.aliveIntervalMs ?? DEFAULT_ALIVE_MS,
    keepaliveCountMax: t.aliveCountMax ?? DEFAULT_ALIVE_COUNT,
  };
  if (types.length) config.algorithms = { ...base.algorithms, serverHostKey: hostKeyAlgorithms(types) as NonNullable<ConnectConfig["algorithms"]>["serverHostKey"] };
  const ssh = new NodeSSH();
  try {
    await ssh.connect(config as Parameters<NodeSSH["connect"]>[0]);
  } catch (cause) {
    ssh.dispose();
    if (refusal.error) throw refusal.error;
    if (types.length && /no matching host key format/i.test((cause as Error).message ?? "")) throw await otherTypeRefusal(t, base, types);
    throw cause;
  }
  const lost: Connected["lost"] = {};
  ssh.connection!.on("error", (e: Error) => (lost.error ??= e));
  return { ssh, lost };
}

export function hostVerifierFor(t: SshTarget, refusal: { error?: DeployError }) {
  const name = knownHostsName(t.host, t.port);
  return (blob: Buffer): boolean => {
    const verdict = checkHostKey(readKnownHosts(t.knownHostsFile), name, blob);
    if (verdict.status === "known") return true;
    const fp = `${keyTypeOf(blob)} ${fingerprint(blob)}`;
    if (verdict.status === "unknown" && t.acceptNewHostKey) {
      recordHostKey(t.knownHostsFile, name, blob);
      return true;
    }
    if (verdict.status === "unknown") {
      refusal.error = new DeployError("hostkey", `host key of ${name} is not known (${fp}); refusing to connect`, { host: t.name, file: t.knownHostsFile }, {
        hint: `check the fingerprint, then rerun with --accept-new-host-keys (or set deploy_accept_new_host_key: true) to record it`,
      });
    } else if (verdict.status === "changed") {
      refusal.error = changedKey(t, name, fp, verdict.expected, verdict.line);
    } else {
      refusal.error = new DeployError("hostkey", `host key of ${name} (${fp}) is marked @revoked in ${t.knownHostsFile}`, { host: t.name });
    }
    return false;
  };
}

function changedKey(t: SshTarget, name: string, presented: string, expected: string[], line: number): DeployError {
  return new DeployError(
    "hostkey",
    `HOST KEY OF ${name} HAS CHANGED: it presented ${presented}, ${t.knownHostsFile}:${line} expects ${expected.join(", ")}; refusing to connect`,
    { host: t.name, file: t.knownHostsFile, line },
    { hint: `if the host was really reinstalled, remove the old entry (ssh-keygen -R '${name}' -f ${t.knownHostsFile}) and connect again; no option accepts a changed key` },
  );
}

/**
 * The server offers none of the key types on file for it. Learn which key it does offer (a
 * second handshake that is refused at the key, before any login), to name both in the refusal.
 */
async function otherTypeRefusal(t: SshTarget, base: ConnectConfig, types: string[]): Promise<DeployError> {
  const name = knownHostsName(t.host, t.port);
  const entries = readKnownHosts(t.knownHostsFile).filter((e) => !e.marker && entryMatches(e, name) && types.includes(e.keyType));
  const expected = entries.map((e) => `${e.keyType} ${fingerprint(e.key)}`);
  let presented = "a key of another type";
  if (!base.sock) {
    const blob = await new Promise<Buffer | undefined>((resolve) => {
      const c = new Client();
      let seen: Buffer | undefined;
      c.on("error", () => resolve(seen));
      c.on("close", () => resolve(seen));
      c.on("ready", () => (c.end(), resolve(seen)));
      c.connect({ host: base.host, port: base.port, username: base.username, readyTimeout: base.readyTimeout, hostVerifier: (key: Buffer) => ((seen = key), false) });
    });
    if (blob) presented = `${keyTypeOf(blob)} ${fingerprint(blob)}`;
  }
  return changedKey(t, name, `only ${presented} (none of the type on file)`, expected, entries[0]?.line ?? 0);
}
