import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import type { Problem } from "../errors.js";
import type { Secret } from "../secrets.js";
import { type SshEffective, sshEffective } from "../transport/ssh-config.js";
import type { HostBootstrap, SshTarget } from "../transport/target.js";
import { becomePasswordOf, type ConnectionVars, parseConnectionVars, secretOf } from "./connection-vars.js";
import type { Host, Inventory } from "./types.js";
import { varAt } from "./var-issues.js";

export { BECOME_USER } from "./connection-vars.js";

export interface TargetOptions {
  acceptNewHostKeys?: boolean;
  timeoutMs?: number;
  /** -F: the ssh config file ssh reads instead of ~/.ssh/config. */
  sshConfigPath?: string;
  /** ControlPersist in seconds (0: no master kept after the run); default DEPLOY_SSH_PERSIST or 60. */
  persistSeconds?: number;
  /** ansible.cfg's remote_user and private_key_file: below the inventory's, above ~/.ssh/config. */
  user?: string;
  privateKeyPath?: string;
  /** --ssh-common-args and --ssh-extra-args, split: after each host's own ansible_ssh_*_args. */
  sshArgs?: string[];
  /** The command line's -b, --become-user and -K: above every host's variables, as in Ansible. */
  become?: BecomeOverrides;
  /**
   * The address the playbook's plan gives a host: used when it has no ansible_host; `clash`
   * says why an ansible_host given for it contradicts the plan (undefined: it does not).
   */
  planned?: (
    host: string,
  ) => { address: string; clash(given: string): string | undefined; bootstrap?: HostBootstrap } | undefined;
}

export interface BecomeOverrides {
  become?: boolean;
  user?: string;
  password?: Secret;
}

/** DEPLOY_SSH_PERSIST: ControlPersist in seconds for every host (0: none). */
function envPersist(): number {
  const v = process.env.DEPLOY_SSH_PERSIST;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 60;
}

function expand(p: string, base: string): string {
  return resolve(base, p.replace(/^~(?=\/|$)/, homedir()));
}

type At = (key: string) => Pick<Problem, "file" | "line" | "field">;

/** ssh's own view of a host (its config applied); a config or arguments ssh refuses is a problem. */
function effective(
  alias: string,
  o: { configFile?: string; user?: string; port?: number; args?: string[] },
  where: Pick<Problem, "file" | "line" | "field">,
  problems: Problem[],
): SshEffective {
  const r = sshEffective(alias, o);
  if (!("error" in r)) return r;
  problems.push({ ...where, message: `ssh cannot use its configuration for ${alias}: ${r.error}` });
  return { hostname: alias, user: o.user ?? "root", port: o.port ?? 22, identityFiles: [] };
}

/** The relations between a host's variables that no single variable's type can say. */
function relations(v: ConnectionVars, rtx: boolean, opts: TargetOptions, at: At, problems: Problem[]): void {
  const method = v.ansible_become_method ?? (rtx ? "administrator" : "sudo");
  const methods = rtx ? ["administrator"] : ["sudo", "doas"];
  if (!methods.includes(method))
    problems.push({
      ...at("ansible_become_method"),
      message: `become method "${method}" is not supported here${method === "su" ? " (su reads its password from a terminal only)" : ""}`,
      hint: methods.join(" or "),
    });
  if (method === "doas" && (becomePasswordOf(v) !== undefined || opts.become?.password !== undefined))
    problems.push({
      ...at(v.ansible_become_password !== undefined ? "ansible_become_password" : "ansible_become_method"),
      message: "doas reads its password from a terminal only: it cannot be given one",
      hint: "a nopass rule for this user in /etc/doas.conf (permit nopass deploy as root), or sudo",
    });
  if (rtx && v.ansible_password === undefined)
    problems.push({
      ...at("ansible_password"),
      message: "an RTX router needs its login password in ansible_password",
      hint: "ansible_password: !env RTX_PASSWORD",
    });
  if (rtx && becomePasswordOf(v) === undefined)
    problems.push({
      ...at("ansible_become_password"),
      message: "an RTX router needs its administrator password in ansible_become_password",
    });
}

/** The key given by the inventory or the command line, readable (ssh tries its own identities after it). */
function keyFile(v: ConnectionVars, opts: TargetOptions, base: string, at: At, problems: Problem[]) {
  const given = v.ansible_ssh_private_key_file ? expand(v.ansible_ssh_private_key_file, base) : opts.privateKeyPath;
  if (!given) return undefined;
  try {
    readFileSync(given); // readable, and a file (EISDIR otherwise)
    return given;
  } catch (e) {
    problems.push({
      ...at(v.ansible_ssh_private_key_file ? "ansible_ssh_private_key_file" : "ansible_connection"),
      message: `cannot read the private key ${given} (${(e as NodeJS.ErrnoException).code})`,
    });
    return undefined;
  }
}

/** deploy_jump as `[user@]host[:port]`, not an inventory host: a target of its own. */
function jumpSpecTarget(spec: string, like: SshTarget, opts: TargetOptions, at: At, problems: Problem[]) {
  const m = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:\s]+)(?::(\d+))?$/.exec(spec);
  if (!m) {
    problems.push({ ...at("deploy_jump"), message: `"${spec}" is neither an inventory host nor [user@]host[:port]` });
    return undefined;
  }
  const alias = m[2]!.replace(/^\[|\]$/g, "");
  const cfg = effective(
    alias,
    { configFile: opts.sshConfigPath, user: m[1], port: m[3] ? Number(m[3]) : undefined },
    at("deploy_jump"),
    problems,
  );
  const t: SshTarget = {
    ...like,
    name: spec,
    kind: "ssh",
    alias,
    host: cfg.hostname,
    port: cfg.port,
    user: cfg.user,
    hostKeyAlias: cfg.hostKeyAlias,
    hostKeyPins: undefined,
    sshArgs: undefined,
    jump: undefined,
    become: false,
    becomePassword: undefined,
    password: undefined,
  };
  return t;
}

/** One host's target: its variables typed, their relations checked, ssh's view of it applied. */
function buildTarget(
  inv: Inventory,
  h: Host,
  ctx: {
    opts: TargetOptions;
    base: string;
    at: At;
    problems: Problem[];
    jumpHost: (n: string, viaJump: boolean) => SshTarget | undefined;
  },
): SshTarget | undefined {
  const { opts, base, at, problems, jumpHost } = ctx;
  const parsed = parseConnectionVars(inv, h);
  problems.push(...parsed.problems);
  const v = parsed.vars;
  if (!v) return undefined;
  const rtx = v.ansible_connection === "rtx";
  relations(v, rtx, opts, at, problems);

  const given = v.ansible_host;
  const planned = opts.planned?.(h.name);
  const clash = given !== undefined ? planned?.clash(given) : undefined;
  if (clash)
    problems.push({
      ...at("ansible_host"),
      message: clash,
      hint: "remove ansible_host: the host is reached at its planned address",
    });
  const alias = given ?? planned?.address ?? h.name;
  if (/\s/.test(alias) || alias.startsWith("-"))
    problems.push({ ...at("ansible_host"), message: `"${alias}" is not a host name or address` });
  const sshArgs = [...(v.ansible_ssh_common_args ?? []), ...(v.ansible_ssh_extra_args ?? []), ...(opts.sshArgs ?? [])];
  const argsVar = v.ansible_ssh_extra_args ? "ansible_ssh_extra_args" : "ansible_ssh_common_args";
  const cfg = effective(
    alias,
    { configFile: opts.sshConfigPath, user: v.ansible_user ?? opts.user, port: v.ansible_port, args: sshArgs },
    at(sshArgs.length ? argsVar : given !== undefined ? "ansible_host" : "ansible_connection"),
    problems,
  );
  const knownHostsFile = v.deploy_known_hosts_file
    ? expand(v.deploy_known_hosts_file, base)
    : (cfg.userKnownHostsFile ?? `${homedir()}/.ssh/known_hosts`);
  const aliveInterval = v.deploy_server_alive_interval ?? cfg.serverAliveInterval;
  const t: SshTarget = {
    name: h.name,
    kind: rtx ? "rtx" : "ssh",
    password: secretOf(v.ansible_password, "ansible_password"),
    alias,
    host: cfg.hostname,
    port: v.ansible_port ?? cfg.port,
    user: cfg.user,
    ...(cfg.hostKeyAlias ? { hostKeyAlias: cfg.hostKeyAlias } : {}),
    ...(opts.sshConfigPath ? { sshConfigFile: opts.sshConfigPath } : {}),
    ...(sshArgs.length ? { sshArgs } : {}),
    persistSeconds: v.deploy_ssh_persist ?? opts.persistSeconds ?? envPersist(),
    privateKeyPath: keyFile(v, opts, base, at, problems),
    knownHostsFile,
    acceptNewHostKey: !!opts.acceptNewHostKeys || !!v.deploy_accept_new_host_key,
    ...(v.deploy_host_key !== undefined ? { hostKeyPins: v.deploy_host_key } : {}),
    // (a router's become password is its administrator password: -K is for sudo)
    become: (!rtx && !!opts.become?.become) || !!v.ansible_become,
    becomePassword: (!rtx ? opts.become?.password : undefined) ?? becomePasswordOf(v),
    // the command line's become user was checked where it was given
    ...((opts.become?.user ?? v.ansible_become_user) !== undefined
      ? { becomeUser: opts.become?.user ?? v.ansible_become_user }
      : {}),
    ...(v.ansible_become_exe !== undefined ? { becomeExe: v.ansible_become_exe } : {}),
    ...(v.ansible_become_method === "doas" ? { becomeMethod: "doas" as const } : {}),
    timeoutMs: v.deploy_timeout !== undefined ? v.deploy_timeout * 1000 : (opts.timeoutMs ?? 10000),
    aliveIntervalMs: aliveInterval === undefined ? undefined : aliveInterval * 1000,
    aliveCountMax: v.deploy_server_alive_count_max ?? cfg.serverAliveCountMax,
  };
  // deploy_jump: ours (its key checked by our policy, its master shared); ssh_config's ProxyJump is ssh's
  const spec = v.deploy_jump;
  if (spec && spec !== "none")
    t.jump = inv.hosts.has(spec) ? jumpHost(spec, true) : jumpSpecTarget(spec, t, opts, at, problems);
  // reached at its planned address through a jump host: before that address is up, where the plan says
  if (given === undefined && planned?.bootstrap && t.jump) t.bootstrap = planned.bootstrap;
  return t;
}

/** Resolve every host's SshTarget, collecting all problems; touches no network. */
export function resolveTargets(
  inv: Inventory,
  names: string[],
  opts: TargetOptions = {},
): { targets: Map<string, SshTarget>; problems: Problem[] } {
  const problems: Problem[] = [];
  const base = dirname(resolve(inv.file));
  const targets = new Map<string, SshTarget>();
  const resolving = new Set<string>();

  const one = (name: string, viaJump = false): SshTarget | undefined => {
    if (targets.has(name)) return targets.get(name);
    const h = inv.hosts.get(name);
    if (!h) return undefined;
    const at: At = (key) => varAt(inv, h, key);
    if (resolving.has(name)) {
      problems.push({ ...at("deploy_jump"), message: `jump hosts form a loop through ${name}` });
      return undefined;
    }
    resolving.add(name);
    const t = buildTarget(inv, h, { opts, base, at, problems, jumpHost: one });
    resolving.delete(name);
    if (t && (!viaJump || !targets.has(name))) targets.set(name, t);
    return t;
  };

  for (const n of names) one(n);
  // Jump hosts resolved along the way are not targets of the run unless named.
  for (const k of [...targets.keys()]) if (!names.includes(k)) targets.delete(k);
  return { targets, problems };
}
