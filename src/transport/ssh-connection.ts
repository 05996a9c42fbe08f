import { type ClientChannel, Client, type ConnectConfig } from "ssh2";
import { DeployError } from "../errors.js";
import {
  changedKey,
  entryMatches,
  fingerprint,
  hostKeyAlgorithms,
  hostVerifierFor,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  readKnownHosts,
} from "./known-hosts.js";
import { describeTarget, type SshTarget } from "./target.js";

/** A connection that is up, and why it went down later (keepalive timeout, reset), if it did. */
export interface Connected {
  client: Client;
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
  const onFile = knownKeyTypes(readKnownHosts(t.knownHostsFile), name);
  // a host pinned by whole keys, not yet on file: ask for a key of a pinned type
  const pinnedTypes = [...new Set((t.hostKeyPins ?? []).flatMap((p) => (p.keyType ? [p.keyType] : [])))];
  const types = onFile.length || (t.hostKeyPins ?? []).some((p) => !p.keyType) ? onFile : pinnedTypes;
  const config: ConnectConfig = {
    ...base,
    hostVerifier: hostVerifierFor(t, refusal),
    keepaliveInterval: t.aliveIntervalMs ?? DEFAULT_ALIVE_MS,
    keepaliveCountMax: t.aliveCountMax ?? DEFAULT_ALIVE_COUNT,
  };
  if (types.length)
    config.algorithms = {
      ...base.algorithms,
      serverHostKey: hostKeyAlgorithms(types) as NonNullable<ConnectConfig["algorithms"]>["serverHostKey"],
    };
  const client = new Client();
  // every error of the connection belongs to this host: taken from the start, kept for later
  const lost: Connected["lost"] = {};
  client.on("error", (e: Error) => (lost.error ??= e));
  try {
    await login(client, config);
  } catch (cause) {
    client.end();
    if (refusal.error) throw refusal.error;
    if (types.length && /no matching host key format/i.test((cause as Error).message ?? ""))
      throw await otherTypeRefusal(t, base, types);
    throw cause;
  }
  return { client, lost };
}

/** Connect and log in; a keyboard-interactive prompt is answered with the password when there is one. */
function login(client: Client, config: ConnectConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (e?: Error) => {
      client.off("ready", ok).off("error", done).off("close", closed);
      if (e) reject(e);
      else resolve();
    };
    const ok = () => done();
    const closed = () => done(new Error("the connection closed during the login"));
    client.on("ready", ok).on("error", done).on("close", closed);
    if (config.tryKeyboard && config.password !== undefined) {
      const password = config.password;
      client.on("keyboard-interactive", (_name, _instructions, _lang, prompts, finish) =>
        finish(prompts.map(() => password)),
      );
    }
    client.connect(config);
  });
}

/** A PTY shell channel (the RTX CLI wants one). */
export function openShell(
  client: Client,
  window: { term: string; cols: number; rows: number },
): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.shell(window, (err, channel) => (err ? reject(err) : resolve(channel))),
  );
}

/**
 * The server offers none of the key types on file for it. Learn which key it does offer (a
 * second handshake that is refused at the key, before any login), to name both in the refusal.
 */
async function otherTypeRefusal(t: SshTarget, base: ConnectConfig, types: string[]): Promise<DeployError> {
  const name = knownHostsName(t.host, t.port);
  const entries = readKnownHosts(t.knownHostsFile).filter(
    (e) => !e.marker && entryMatches(e, name) && types.includes(e.keyType),
  );
  const expected = entries.map((e) => `${e.keyType} ${fingerprint(e.key)}`);
  let presented = "a key of another type";
  if (!base.sock) {
    const blob = await new Promise<Buffer | undefined>((resolve) => {
      const c = new Client();
      let seen: Buffer | undefined;
      c.on("error", () => resolve(seen));
      c.on("close", () => resolve(seen));
      c.on("ready", () => {
        c.end();
        resolve(seen);
      });
      c.connect({
        host: base.host,
        port: base.port,
        username: base.username,
        readyTimeout: base.readyTimeout,
        hostVerifier: (key: Buffer) => {
          seen = key;
          return false;
        },
      });
    });
    if (blob) presented = `${keyTypeOf(blob)} ${fingerprint(blob)}`;
  }
  return changedKey(t, name, `only ${presented} (none of the type on file)`, expected, entries[0]?.line ?? 0);
}

/** What a failed connection means, for a person. */
export function connectError(t: SshTarget, cause: Error): DeployError {
  const msg = cause.message || String(cause);
  const code = (cause as NodeJS.ErrnoException).code;
  if (/authentication methods failed/i.test(msg)) {
    const tried = [t.privateKeyPath, t.useAgent && process.env.SSH_AUTH_SOCK ? "the keys in ssh-agent" : undefined]
      .filter(Boolean)
      .join(" and ");
    return new DeployError(
      "connect",
      `${describeTarget(t)} refused our key (authentication failed; tried ${tried || "no key"})`,
      { host: t.name, file: t.privateKeyPath },
      {
        cause,
        hint: `check ansible_user and ansible_ssh_private_key_file${t.useAgent ? " or the keys in ssh-agent" : ""}`,
      },
    );
  }
  const why = code ? `${code} (${msg})` : msg;
  return new DeployError(
    "connect",
    `cannot reach ${describeTarget(t)}: ${why}`,
    { host: t.name },
    { cause, hint: "is the host up and the address/port right?" },
  );
}
