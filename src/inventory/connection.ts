import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve, dirname } from "node:path";
import { originOf } from "./types.js";
import type { Problem } from "../errors.js";
import { isSecret, Secret } from "../secrets.js";
import { type SshEffective, splitArgs, sshEffective } from "../transport/ssh-config.js";
import { parseHostKeyPin } from "../transport/known-hosts.js";
import type { HostKeyPin, SshTarget } from "../transport/target.js";
import type { Host, Inventory } from "./types.js";

/** Connection variables we understand: Ansible's names plus our own deploy_* keys. */
const KNOWN = new Set([
  "ansible_host",
  "ansible_port",
  "ansible_user",
  "ansible_ssh_private_key_file",
  "ansible_become",
  "ansible_become_password",
  "ansible_become_pass",
  "ansible_become_method",
  "ansible_become_user",
  "ansible_become_exe",
  "ansible_connection",
  "ansible_password",
  "ansible_python_interpreter", // harmless: we need no Python on hosts
  "ansible_ssh_common_args",
  "ansible_ssh_extra_args",
  "deploy_jump",
  "deploy_ssh_persist",
  "deploy_known_hosts_file",
  "deploy_accept_new_host_key",
  "deploy_host_key",
  "deploy_timeout",
  "deploy_server_alive_interval",
  "deploy_server_alive_count_max",
]);

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
  planned?: (host: string) => { address: string; clash(given: string): string | undefined } | undefined;
}

/** A user name sudo -u takes (a login name: letters, digits, _ . -). */
export const BECOME_USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;

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

  const at = (h: Host, key: string): Pick<Problem, "file" | "line" | "field"> => {
    const o = originOf(inv, h, key);
    return { file: o?.file ?? inv.file, line: o ? o.line : h.line, field: `${h.name}.${key}` };
  };
  /** ssh's own view of a host (its config applied); a config ssh refuses is a problem here. */
  const effective = (
    alias: string,
    o: { user?: string; port?: number; args?: string[] },
    where: () => Pick<Problem, "file" | "line" | "field">,
  ): SshEffective => {
    const r = sshEffective(alias, { configFile: opts.sshConfigPath, ...o });
    if ("error" in r) {
      problems.push({ ...where(), message: `ssh cannot use its configuration for ${alias}: ${r.error}` });
      return { hostname: alias, user: o.user ?? "root", port: o.port ?? 22, identityFiles: [] };
    }
    return r;
  };

  const one = (name: string, viaJump = false): SshTarget | undefined => {
    if (targets.has(name)) return targets.get(name);
    const h = inv.hosts.get(name);
    if (!h) return undefined;
    if (resolving.has(name)) {
      problems.push({ ...at(h, "deploy_jump"), message: `jump hosts form a loop through ${name}` });
      return undefined;
    }
    resolving.add(name);
    const v = h.vars;
    for (const k of Object.keys(v)) {
      if ((k.startsWith("ansible_") || k.startsWith("deploy_")) && !KNOWN.has(k)) {
        problems.push({
          ...at(h, k),
          message: `unknown connection variable ${k}`,
          hint: `supported: ${[...KNOWN].join(", ")}`,
        });
      }
    }
    const str = (k: string): string | undefined => {
      const x = v[k];
      if (x === undefined || x === null) return undefined;
      if (typeof x === "string" && x.trim() !== "") return x;
      if (typeof x === "number") return String(x);
      problems.push({ ...at(h, k), message: `${k} must be a non-empty string` });
      return undefined;
    };
    const bool = (k: string): boolean => {
      const x = v[k];
      if (x === undefined || x === null) return false;
      if (typeof x === "boolean") return x;
      if (x === "true" || x === "false") return x === "true";
      problems.push({ ...at(h, k), message: `${k} must be true or false, not ${JSON.stringify(x)}` });
      return false;
    };
    const conn = str("ansible_connection") ?? "ssh";
    if (conn !== "ssh" && conn !== "rtx")
      problems.push({
        ...at(h, "ansible_connection"),
        message: `connection "${conn}" is not supported`,
        hint: "ssh (Linux hosts) or rtx (YAMAHA RTX routers)",
      });
    const method = str("ansible_become_method") ?? (conn === "rtx" ? "administrator" : "sudo");
    if (method !== (conn === "rtx" ? "administrator" : "sudo"))
      problems.push({
        ...at(h, "ansible_become_method"),
        message: `become method "${method}" is not supported here`,
        hint: conn === "rtx" ? "administrator" : "sudo",
      });
    const secretVar = (k: string): Secret | undefined => {
      const x = v[k];
      if (x === undefined || x === null) return undefined;
      if (isSecret(x)) return x;
      if (typeof x === "string") return new Secret(x, k);
      problems.push({ ...at(h, k), message: `${k} must be a string or a secret (!env NAME)` });
      return undefined;
    };
    const password = secretVar("ansible_password");
    if (conn === "rtx" && !password)
      problems.push({
        ...at(h, "ansible_password"),
        message: "an RTX router needs its login password in ansible_password",
        hint: "ansible_password: !env RTX_PASSWORD",
      });

    const given = str("ansible_host");
    const planned = opts.planned?.(name);
    const clash = given !== undefined ? planned?.clash(given) : undefined;
    if (clash)
      problems.push({
        ...at(h, "ansible_host"),
        message: clash,
        hint: "remove ansible_host: the host is reached at its planned address",
      });
    const alias = given ?? planned?.address ?? name;
    if (/\s/.test(alias) || alias.startsWith("-"))
      problems.push({ ...at(h, "ansible_host"), message: `"${alias}" is not a host name or address` });
    const sshArgs: string[] = [];
    for (const k of ["ansible_ssh_common_args", "ansible_ssh_extra_args"]) {
      const text = str(k);
      if (text === undefined) continue;
      const words = splitArgs(text);
      if (!words)
        problems.push({ ...at(h, k), message: `${k} has an unmatched quote`, hint: "as a shell would read it" });
      else sshArgs.push(...words);
    }
    sshArgs.push(...(opts.sshArgs ?? []));

    let port: number | undefined;
    if (v.ansible_port !== undefined && v.ansible_port !== null) {
      const p =
        typeof v.ansible_port === "string" && /^\d+$/.test(v.ansible_port) ? Number(v.ansible_port) : v.ansible_port;
      if (typeof p !== "number" || !Number.isInteger(p) || p < 1 || p > 65535) {
        problems.push({
          ...at(h, "ansible_port"),
          message: `ansible_port must be a whole number from 1 to 65535, not ${JSON.stringify(v.ansible_port)}`,
        });
      } else port = p;
    }
    const cfg = effective(alias, { user: str("ansible_user") ?? opts.user, port, args: sshArgs }, () =>
      at(
        h,
        sshArgs.length
          ? v.ansible_ssh_extra_args !== undefined
            ? "ansible_ssh_extra_args"
            : "ansible_ssh_common_args"
          : given !== undefined
            ? "ansible_host"
            : "ansible_connection",
      ),
    );
    const hostName = cfg.hostname;
    port ??= cfg.port;
    const user = cfg.user;

    // -i: the inventory's or the command line's key; ssh tries its own identities after it
    let privateKeyPath: string | undefined;
    const keyVar = str("ansible_ssh_private_key_file");
    const keyGiven = keyVar ? expand(keyVar, base) : opts.privateKeyPath;
    if (keyGiven) {
      try {
        readFileSync(keyGiven); // readable, and a file (EISDIR otherwise)
        privateKeyPath = keyGiven;
      } catch (e) {
        problems.push({
          ...at(h, keyVar ? "ansible_ssh_private_key_file" : "ansible_connection"),
          message: `cannot read the private key ${keyGiven} (${(e as NodeJS.ErrnoException).code})`,
        });
      }
    }
    const bp = v.ansible_become_password ?? v.ansible_become_pass;
    let becomePassword: Secret | undefined;
    if (bp !== undefined && bp !== null) {
      if (isSecret(bp)) becomePassword = bp;
      else if (typeof bp === "string") becomePassword = new Secret(bp, "ansible_become_password");
      else
        problems.push({
          ...at(h, "ansible_become_password"),
          message: "ansible_become_password must be a string or a secret (!env NAME)",
        });
    }
    const becomeUserOf = (): { becomeUser?: string } => {
      // the command line's was checked where it was given
      if (opts.become?.user !== undefined) return { becomeUser: opts.become.user };
      const u = str("ansible_become_user");
      if (u === undefined) return {};
      if (!BECOME_USER.test(u)) {
        problems.push({
          ...at(h, "ansible_become_user"),
          message: `become user "${u}" is not a user name`,
        });
        return {};
      }
      return { becomeUser: u };
    };
    const pinsOf = (): { hostKeyPins?: HostKeyPin[] } => {
      const raw = v.deploy_host_key;
      if (raw === undefined || raw === null) return {};
      const list = Array.isArray(raw) ? raw : [raw];
      const pins: HostKeyPin[] = [];
      for (const item of list) {
        const pin = typeof item === "string" ? parseHostKeyPin(item) : undefined;
        if (pin) pins.push(pin);
        else
          problems.push({
            ...at(h, "deploy_host_key"),
            message: `${JSON.stringify(item)} is neither a public key ("ssh-ed25519 AAAA...") nor a fingerprint ("SHA256:...")`,
            hint: "the host's /etc/ssh/ssh_host_ed25519_key.pub, or the fingerprint your provider's console shows",
          });
      }
      return pins.length ? { hostKeyPins: pins } : {};
    };
    const exe = str("ansible_become_exe");
    if (exe !== undefined && !/^[A-Za-z0-9_./-]+$/.test(exe))
      problems.push({ ...at(h, "ansible_become_exe"), message: `"${exe}" is not a command (a path or a name)` });
    let timeoutMs = opts.timeoutMs ?? 10000;
    if (v.deploy_timeout !== undefined) {
      if (typeof v.deploy_timeout === "number" && v.deploy_timeout > 0) timeoutMs = v.deploy_timeout * 1000;
      else
        problems.push({ ...at(h, "deploy_timeout"), message: "deploy_timeout must be a positive number of seconds" });
    }
    const whole = (key: string, fallback: number | undefined, min: number): number | undefined => {
      const x = v[key];
      if (x === undefined || x === null) return fallback;
      if (typeof x === "number" && Number.isInteger(x) && x >= min) return x;
      problems.push({
        ...at(h, key),
        message: `${key} must be a whole number of at least ${min}, not ${JSON.stringify(x)}`,
      });
      return fallback;
    };
    const aliveInterval = whole("deploy_server_alive_interval", cfg.serverAliveInterval, 0);
    const aliveCountMax = whole("deploy_server_alive_count_max", cfg.serverAliveCountMax, 1);
    const alive = { aliveIntervalMs: aliveInterval === undefined ? undefined : aliveInterval * 1000, aliveCountMax };
    const knownHostsRaw = str("deploy_known_hosts_file");
    const knownHostsFile = knownHostsRaw
      ? expand(knownHostsRaw, base)
      : (cfg.userKnownHostsFile ?? `${homedir()}/.ssh/known_hosts`);
    const persistSeconds = whole("deploy_ssh_persist", opts.persistSeconds ?? envPersist(), 0);

    // deploy_jump: ours (its key checked by our policy, its master shared); ssh_config's ProxyJump is ssh's
    let jump: SshTarget | undefined;
    const jumpSpec = str("deploy_jump");
    if (jumpSpec && jumpSpec !== "none") {
      if (inv.hosts.has(jumpSpec)) jump = one(jumpSpec, true);
      else {
        const m = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:\s]+)(?::(\d+))?$/.exec(jumpSpec);
        if (!m)
          problems.push({
            ...at(h, "deploy_jump"),
            message: `"${jumpSpec}" is neither an inventory host nor [user@]host[:port]`,
          });
        else {
          const jh = m[2]!.replace(/^\[|\]$/g, "");
          const jcfg = effective(jh, { user: m[1], port: m[3] ? Number(m[3]) : undefined }, () => at(h, "deploy_jump"));
          jump = {
            name: jumpSpec,
            alias: jh,
            host: jcfg.hostname,
            port: jcfg.port,
            user: jcfg.user,
            ...(jcfg.hostKeyAlias ? { hostKeyAlias: jcfg.hostKeyAlias } : {}),
            ...(opts.sshConfigPath ? { sshConfigFile: opts.sshConfigPath } : {}),
            persistSeconds,
            privateKeyPath,
            useAgent: true,
            knownHostsFile,
            acceptNewHostKey: !!opts.acceptNewHostKeys,
            become: false,
            timeoutMs,
            ...alive,
          };
        }
      }
    }
    if (conn === "rtx" && !(v.ansible_become_password ?? v.ansible_become_pass))
      problems.push({
        ...at(h, "ansible_become_password"),
        message: "an RTX router needs its administrator password in ansible_become_password",
      });
    const t: SshTarget = {
      name,
      kind: conn as "ssh" | "rtx",
      password,
      alias,
      host: hostName,
      port,
      user,
      ...(cfg.hostKeyAlias ? { hostKeyAlias: cfg.hostKeyAlias } : {}),
      ...(opts.sshConfigPath ? { sshConfigFile: opts.sshConfigPath } : {}),
      ...(sshArgs.length ? { sshArgs } : {}),
      persistSeconds,
      privateKeyPath,
      useAgent: true,
      knownHostsFile,
      acceptNewHostKey: !!opts.acceptNewHostKeys || bool("deploy_accept_new_host_key"),
      ...pinsOf(),
      jump,
      // (a router's become password is its administrator password: -K is for sudo)
      become: (conn === "ssh" && !!opts.become?.become) || bool("ansible_become"),
      becomePassword: (conn === "ssh" ? opts.become?.password : undefined) ?? becomePassword,
      ...becomeUserOf(),
      ...(exe !== undefined ? { becomeExe: exe } : {}),
      timeoutMs,
      ...alive,
    };
    resolving.delete(name);
    if (!viaJump || !targets.has(name)) targets.set(name, t);
    return t;
  };
  for (const n of names) one(n);
  // Jump hosts resolved along the way are not targets of the run unless named.
  for (const k of [...targets.keys()]) if (!names.includes(k)) targets.delete(k);
  return { targets, problems };
}
