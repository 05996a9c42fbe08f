import type { Secret } from "../secrets.js";

/** Everything needed to reach one host, resolved from inventory and ~/.ssh/config. */
export interface SshTarget {
  /** Inventory name, used in messages. */
  name: string;
  /** ssh: a Linux host (exec channels, POSIX sh); rtx: a YAMAHA RTX router (one PTY shell, its CLI). */
  kind?: "ssh" | "rtx";
  /** Login password (RTX routers; Linux hosts use keys). */
  password?: Secret;
  /** What ssh is given (ansible_host, or the inventory name): ssh_config applies to it. */
  alias: string;
  /** The effective HostName, Port and User (ssh -G): for messages and the known_hosts name. */
  host: string;
  port: number;
  user: string;
  /** ssh_config's HostKeyAlias: the name the host's key is filed under. */
  hostKeyAlias?: string;
  /** -F: an ssh config file instead of ~/.ssh/config. */
  sshConfigFile?: string;
  /** ansible_ssh_common_args and ansible_ssh_extra_args, as ssh arguments. */
  sshArgs?: string[];
  /** ControlPersist: seconds a master connection is kept after the run (0: none). */
  persistSeconds?: number;
  /** -i: a key given by the inventory or the command line (ssh's own identities are tried too). */
  privateKeyPath?: string;
  knownHostsFile: string;
  /** Opt-in: record a key seen for the first time instead of refusing it. */
  acceptNewHostKey: boolean;
  /**
   * deploy_host_key: the keys the host may present, known before first contact (a public key,
   * or its SHA256 fingerprint as a provider's console shows it). Any other key is refused; a
   * pinned one is recorded in known_hosts at first contact. Nothing is trusted on first use.
   */
  hostKeyPins?: HostKeyPin[];
  jump?: SshTarget;
  /**
   * A host reached at its planned address (through `jump`) before it has it: a script run on
   * the jump host prints where it is now (see PlannedAddress.bootstrap in the playbook).
   */
  bootstrap?: HostBootstrap;
  become: boolean;
  becomePassword?: Secret;
  /** sudo -u: the user to become (default root). */
  becomeUser?: string;
  /** sudo (the default) or doas (ansible_become_method). */
  becomeMethod?: "sudo" | "doas";
  /** The sudo (or doas) to run (ansible_become_exe; default: the method's name). */
  becomeExe?: string;
  timeoutMs: number;
  /**
   * A host that stops answering during the run is found by SSH keepalives: one every
   * `aliveIntervalMs` (0: none), given up after `aliveCountMax` unanswered (ssh's
   * ServerAliveInterval and ServerAliveCountMax; default 15 s and 3).
   */
  aliveIntervalMs?: number;
  aliveCountMax?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * A shell on a host. Scripts travel on stdin, except that the first one may travel in the
 * command line when it holds no secret value.
 */
export interface RemoteShell {
  readonly target: SshTarget;
  /** The language of its scripts: POSIX sh (the default), or the RTX CLI. */
  readonly language?: "sh" | "rtx";
  runScript(script: string): Promise<RunResult>;
  /** Run a script over a NEW connection (proves that a fresh login still works). */
  runScriptFresh(script: string): Promise<RunResult>;
  close(): Promise<void>;
  /**
   * Take the host's run lock until close() (the remote session shell holds an flock, so a
   * killed run's lock is freed when its connection drops). Busy: try again later. `takeOver`:
   * this run's own earlier session on the host was lost; its shell is ended, the lock taken over.
   * `evict`: the owner line of a run that has ended on this machine while its session shell
   * lives on on the host (its connection died unnoticed): that shell is ended too.
   */
  lock?(owner: string, opts?: { takeOver?: boolean; evict?: string }): Promise<HostLock>;
  /** Remote scripts run so far: each costs at least one round trip. */
  readonly remoteScripts: number;
}

export interface HostLock {
  /** locked: ours now; busy: another run holds it (who: its owner line). */
  status: "locked" | "busy";
  /** The owner line of a lock left by a run that did not finish (stale), or of the holder. */
  previous?: string;
  /** Another run took or gave up the lock since our last read: read the host again. */
  changedSinceRead?: boolean;
}

/** `user@host:port via jump`, for messages. */
export function describeTarget(t: SshTarget): string {
  return `${t.user}@${t.host}:${t.port}${t.jump ? ` via ${t.jump.host}` : ""}`;
}

/** Whether scripts run through sudo: become asked, and the login is not already the user to become. */
export function needsSudo(t: SshTarget): boolean {
  return t.become && t.user !== (t.becomeUser ?? "root");
}

export interface HostKeyPin {
  /** SHA256:... of the key blob. */
  fingerprint: string;
  /** The key type, when the pin is a whole public key. */
  keyType?: string;
}

/** Where a host is before it has its planned address (see SshTarget.bootstrap). */
export interface HostBootstrap {
  /** A POSIX sh script for the jump host: prints the address (e.g. fe80::1%tap0), or fails saying why. */
  locate: string;
  /** How it is found, for notes and errors (e.g. "by its MAC 02:00:00:00:01:01 on vps's tap_vpn"). */
  what: string;
}
