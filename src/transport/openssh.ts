import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeployError } from "../errors.js";
import { hostKeyAlgorithms, knownHostsName } from "./known-hosts.js";
import { quote } from "./quote.js";
import { describeTarget, type SshTarget } from "./target.js";

/** The ssh client that is run (OpenSSH's; DEPLOY_SSH names another, e.g. for a test). */
export function sshProgram(): string {
  return process.env.DEPLOY_SSH || "ssh";
}

/** The name a host's key is filed under: its HostKeyAlias, or host / [host]:port. */
export function hostKeyName(t: SshTarget): string {
  return t.hostKeyAlias ?? knownHostsName(t.host, t.port);
}

/**
 * Where the run keeps its master connections' sockets: a directory only this user can enter
 * (anyone who can reach a socket can run commands on the host as us).
 */
export function controlDir(): string {
  const uid = process.getuid?.() ?? 0;
  const base =
    process.env.XDG_RUNTIME_DIR && existsSync(process.env.XDG_RUNTIME_DIR) ? process.env.XDG_RUNTIME_DIR : tmpdir();
  const dir = join(base, `homecloud-deploy-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0)
    throw new DeployError(
      "connect",
      `${dir} must be a directory of yours that only you can enter (it holds the SSH master connections' sockets)`,
      {},
      { hint: `remove it (rm -rf ${dir}); it is made again as it should be` },
    );
  return dir;
}

const o = (key: string, value: string | number): string[] => ["-o", `${key}=${value}`];

/**
 * The host-key policy, always ours whatever ssh_config says (these come first: ssh takes the
 * first value it reads): our known_hosts file alone, no trust on first use (a new key was
 * checked and recorded before, by a probe), only the key types on file, nothing learned
 * from DNS or the server.
 */
function hostKeyPolicy(
  t: SshTarget,
  keyTypes: string[] | undefined,
  knownHosts = t.knownHostsFile,
  strict = keyTypes !== undefined,
): string[] {
  return [
    ...o("UserKnownHostsFile", quoteConfigPath(knownHosts)),
    ...o("GlobalKnownHostsFile", "none"),
    ...o("StrictHostKeyChecking", strict ? "yes" : "accept-new"),
    ...(keyTypes?.length ? o("HostKeyAlgorithms", hostKeyAlgorithms(keyTypes).join(",")) : []),
    ...o("UpdateHostKeys", "no"),
    ...o("CheckHostIP", "no"),
    ...o("VerifyHostKeyDNS", "no"),
    ...o("KnownHostsCommand", "none"),
    ...(t.hostKeyAlias ? o("HostKeyAlias", t.hostKeyAlias) : []),
  ];
}

/** A path in an ssh option: %-tokens and spaces taken literally. */
function quoteConfigPath(p: string): string {
  const s = p.replace(/%/g, "%%");
  return /\s/.test(s) ? `"${s}"` : s;
}

/** Everything but the host-key policy and the multiplexing: who, where, how, how long. */
function connectionArgs(t: SshTarget): string[] {
  // an RTX logs in by password (answered through SSH_ASKPASS, one try); a Linux host by key
  const auth =
    t.kind === "rtx"
      ? [
          ...o("PasswordAuthentication", "yes"),
          ...o("KbdInteractiveAuthentication", "yes"),
          ...o("PubkeyAuthentication", "no"),
          ...o("PreferredAuthentications", "keyboard-interactive,password"),
          ...o("NumberOfPasswordPrompts", 1),
        ]
      : // never a password prompt: keys (the agent's, IdentityFile's, a certificate)
        [...o("PasswordAuthentication", "no"), ...o("KbdInteractiveAuthentication", "no")];
  const args = [...(t.sshArgs ?? [])];
  args.push("-l", t.user, "-p", String(t.port));
  if (t.privateKeyPath) args.push("-i", t.privateKeyPath);
  const alive = Math.round((t.aliveIntervalMs ?? 15_000) / 1000);
  args.push(
    ...o("ServerAliveInterval", alive),
    ...o("ServerAliveCountMax", t.aliveCountMax ?? 3),
    ...o("ConnectTimeout", Math.max(1, Math.ceil(t.timeoutMs / 1000))),
    ...auth,
    ...o("LogLevel", "INFO"),
  );
  if (t.jump) args.push(...o("ProxyCommand", proxyCommand(t.jump)));
  return args;
}

/** ssh -W through the jump host's own master connection (shared by every host behind it). */
function proxyCommand(jump: SshTarget): string {
  const argv = [sshProgram(), ...sessionArgs(jump), "-W", "[%h]:%p", "--", jump.alias];
  // ssh runs it with the user's shell; %h and %p are its tokens, a literal % is %%
  return argv.map((a) => (a === "[%h]:%p" ? a : quote(a).replace(/%/g, "%%"))).join(" ");
}

/** The options that reach a host, with its key types on file (empty: ssh records the probed one). */
export function baseArgs(t: SshTarget, keyTypes?: string[]): string[] {
  return [...(t.sshConfigFile ? ["-F", t.sshConfigFile] : []), ...hostKeyPolicy(t, keyTypes), ...connectionArgs(t)];
}

/**
 * Per target, set by the pool once its host key is checked: the key types on file under its
 * name, and its master connection's socket (fixed then: keys recorded for other hosts later in
 * the run do not move it, so the hosts behind a jump host share the jump's master).
 */
const prepared = new WeakMap<SshTarget, { types: string[]; path: string }>();
export function setKeyTypes(t: SshTarget, types: string[]): void {
  prepared.set(t, { types, path: controlPathOf(t, types) });
}
export function keyTypes(t: SshTarget): string[] {
  return prepared.get(t)?.types ?? [];
}

/**
 * The master connection's socket: one per host and set of options (another key or
 * known_hosts content is another master, so a reused master was checked as this run would).
 */
function controlPathOf(t: SshTarget, types: string[]): string {
  const args = baseArgs(t, types);
  let kh = "";
  try {
    kh = readFileSync(t.knownHostsFile, "utf8");
  } catch {
    /* none yet */
  }
  const id = createHash("sha256")
    // a run without ControlPersist never joins a kept master: its connection is its own
    .update(
      JSON.stringify([t.alias, args, createHash("sha256").update(kh).digest("hex"), (t.persistSeconds ?? 60) > 0]),
    )
    .digest("hex")
    .slice(0, 20);
  return join(controlDir(), id);
}

export function controlPath(t: SshTarget): string {
  return prepared.get(t)?.path ?? controlPathOf(t, keyTypes(t));
}

/** Options for a session over the host's master connection (made by the first session). */
export function sessionArgs(t: SshTarget): string[] {
  const persist = t.persistSeconds ?? 60;
  return [
    ...baseArgs(t, prepared.get(t)?.types),
    ...o("ControlMaster", "auto"),
    ...o("ControlPath", quoteConfigPath(controlPath(t))),
    ...o("ControlPersist", persist > 0 ? `${persist}s` : "no"),
  ];
}

/** Options for a new connection and login of its own (no master is used or made). */
export function freshArgs(t: SshTarget): string[] {
  return [...baseArgs(t, prepared.get(t)?.types), ...o("ControlMaster", "no"), ...o("ControlPath", "none")];
}

/** argv of `ssh ... HOST -- COMMAND`. */
export function commandArgv(args: string[], t: SshTarget, command: string): string[] {
  return [...args, "-T", "--", t.alias, command];
}

/** What a failed ssh said, for a person: one line with the right hint, not a stack trace. */
export function sshFailure(t: SshTarget, said: string): DeployError {
  const lines = said
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^\*+$/.test(l));
  const why = lines.at(-1) ?? "ssh ended without saying why";
  const denied = lines.find((l) => /Permission denied \(/.test(l));
  if (denied) {
    const tried = t.privateKeyPath
      ? `${t.privateKeyPath} and ssh's own identities`
      : "ssh's identities: IdentityFile, certificates, ssh-agent";
    return new DeployError(
      "connect",
      `${describeTarget(t)} refused our key (authentication failed; tried ${tried}): ssh says ${denied.replace(/^.*?(Permission denied)/, "$1")}`,
      { host: t.name, file: t.privateKeyPath },
      {
        hint: `check ansible_user and ansible_ssh_private_key_file (or IdentityFile in your ssh config, or ssh-add -l); try: ssh -l ${t.user} -p ${t.port} ${t.alias}`,
      },
    );
  }
  if (/Could not resolve hostname/i.test(said))
    return new DeployError(
      "connect",
      `cannot resolve ${t.alias}: ${why}`,
      { host: t.name },
      { hint: "is the name or ansible_host right?" },
    );
  return new DeployError(
    "connect",
    `cannot reach ${describeTarget(t)}: ${why}`,
    { host: t.name },
    { hint: "is the host up and the address/port right?" },
  );
}

/** ssh failed at the host key (changed, other type, revoked): learn the presented key to say which. */
export function hostKeyFailed(said: string): boolean {
  return /Host key verification failed|no matching host key type|REMOTE HOST IDENTIFICATION HAS CHANGED|marked as revoked/i.test(
    said,
  );
}

export { hostKeyPolicy as hostKeyPolicyArgs, connectionArgs };

/**
 * End the master connections kept for ControlPersist (`ssh -O exit` on each socket of ours).
 * Returns how many were running.
 */
export function closeMasters(): number {
  let dir: string;
  try {
    dir = controlDir();
  } catch {
    return 0;
  }
  let n = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    // a master behind a jump host ends with the jump's master: its socket may be gone by now
    if (!lstatSync(path, { throwIfNoEntry: false })?.isSocket()) continue;
    const r = spawnSync(
      sshProgram(),
      ["-O", "exit", "-o", `ControlPath=${quoteConfigPath(path)}`, "homecloud-deploy-master"],
      {
        stdio: "ignore",
        timeout: 5000,
      },
    );
    if (r.status === 0) n++;
  }
  return n;
}
