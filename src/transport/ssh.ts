import { readFileSync } from "node:fs";
import type { AuthenticationType, ConnectConfig } from "ssh2";
import { DeployError, isDeployError } from "../errors.js";
import { connectChecked, type Connected } from "./connect.js";
import { Session } from "./session.js";
import type { HostLock, RemoteShell, RunResult, SshTarget } from "./target.js";

function describe(t: SshTarget): string {
  return `${t.user}@${t.host}:${t.port}${t.jump ? ` via ${t.jump.host}` : ""}`;
}

/** How the remote side starts a one-off shell that reads our script on stdin. */
export function shellCommand(t: SshTarget): string {
  if (!t.become || t.user === "root") return "LC_ALL=C exec sh -s";
  // sudo reads the password line from stdin (byte by byte), then sh reads the rest.
  return t.becomePassword ? "LC_ALL=C exec sudo -S -p '' -- sh -s" : "LC_ALL=C exec sudo -n -- sh -s";
}

class SshShell implements RemoteShell {
  execs = 0;
  private session?: Session;
  /** The lock generation read before the last script that ran without the lock. */
  private lastGen?: string;
  private locked = false;
  constructor(readonly target: SshTarget, private conn: Connected, private onClose: () => Promise<void>, private fresh: () => Promise<Connected>) {}

  async runFresh(script: string): Promise<RunResult> {
    const { ssh } = await this.fresh();
    try {
      this.execs++;
      const r = await ssh.execCommand(shellCommand(this.target), { stdin: this.stdinFor(script), noTrim: true });
      return { stdout: r.stdout, stderr: r.stderr, code: r.code ?? 255 };
    } finally {
      ssh.dispose();
    }
  }

  /** The script as one compound command: parsed whole before any of it runs. */
  private stdinFor(script: string): string {
    return (this.target.becomePassword && this.target.become && this.target.user !== "root" ? this.target.becomePassword.reveal() + "\n" : "") + `{\n${script}\n}\n`;
  }

  /** The connection went down under a script: the host is unreachable, lost during the run. */
  private lost(cause: unknown): DeployError {
    const why = this.conn.lost.error?.message ?? (cause as Error).message;
    return new DeployError("connect", `lost during the run: the connection to ${describe(this.target)} went down (${why})`, { host: this.target.name }, { cause });
  }

  async run(script: string): Promise<RunResult> {
    this.execs++;
    try {
      let r;
      if (this.session) r = await this.session.run(script);
      else {
        const opened = Session.open(this.conn.ssh.connection!, this.target, script);
        this.session = opened.session;
        r = await opened.first!;
      }
      if (!this.locked) this.lastGen = r.gen;
      return { stdout: r.stdout, stderr: r.stderr, code: r.code };
    } catch (cause) {
      throw this.lost(cause);
    }
  }

  async lock(owner: string): Promise<HostLock> {
    this.session ??= Session.open(this.conn.ssh.connection!, this.target).session;
    let out: string;
    try {
      out = await this.session.lock(owner);
    } catch (cause) {
      throw this.lost(cause);
    }
    const got = /^(locked|shared) (.*)$/m.exec(out);
    if (got) {
      this.locked = got[1] === "locked";
      return { status: "locked", previous: /^stale (.*)$/m.exec(out)?.[1], stale: this.lastGen !== undefined && got[2] !== this.lastGen };
    }
    const busy = /^busy ?(.*)$/m.exec(out);
    if (busy) return { status: "busy", previous: busy[1] || "another run" };
    throw new DeployError("task", `cannot take the run lock on ${describe(this.target)}: ${out.trim() || "no answer"}`, { host: this.target.name });
  }

  async close(): Promise<void> {
    // a held lock is freed when the session shell exits: wait for that, so the next run finds it free
    await this.session?.end(this.locked);
    // the connection may serve another name of the same machine: the pool counts its users
    await this.onClose();
  }
}

function connectError(t: SshTarget, cause: Error): DeployError {
  const msg = cause.message || String(cause);
  const code = (cause as NodeJS.ErrnoException).code;
  if (/authentication methods failed/i.test(msg)) {
    const tried = [t.privateKeyPath, t.useAgent && process.env.SSH_AUTH_SOCK ? "the keys in ssh-agent" : undefined].filter(Boolean).join(" and ");
    return new DeployError("connect", `${describe(t)} refused our key (authentication failed; tried ${tried || "no key"})`, { host: t.name, file: t.privateKeyPath }, {
      cause,
      hint: `check ansible_user and ansible_ssh_private_key_file${t.useAgent ? " or the keys in ssh-agent" : ""}`,
    });
  }
  const why = code ? `${code} (${msg})` : msg;
  return new DeployError("connect", `cannot reach ${describe(t)}: ${why}`, { host: t.name }, { cause, hint: "is the host up and the address/port right?" });
}

/**
 * Opens one SSH connection per target for the whole run; a jump host's connection is
 * shared by every host behind it.
 */
export class SshPool {
  private open = new Map<string, Promise<{ conn: Connected; users: number }>>();

  private key(t: SshTarget): string {
    return `${t.user}@${t.host}:${t.port}${t.jump ? ">" + this.key(t.jump) : ""}`;
  }

  private async connectRaw(t: SshTarget): Promise<Connected> {
    const config: ConnectConfig & { privateKey?: string } = {
      host: t.host,
      port: t.port,
      username: t.user,
      readyTimeout: t.timeoutMs,
    };
    if (t.privateKeyPath) config.privateKey = readFileSync(t.privateKeyPath, "utf8");
    if (t.useAgent && process.env.SSH_AUTH_SOCK) config.agent = process.env.SSH_AUTH_SOCK;
    // Straight to the methods we have: ssh2's default first asks with "none", one round trip
    // that only tells what we already know (a key is wanted).
    const methods: AuthenticationType[] = [];
    if (config.privateKey) methods.push("publickey");
    if (config.agent) methods.push("agent");
    if (methods.length) config.authHandler = methods;
    if (t.jump) {
      const jump = await this.acquire(t.jump);
      try {
        config.sock = await new Promise((resolve, reject) => {
          jump.conn.ssh.connection!.forwardOut("127.0.0.1", 0, t.host, t.port, (err, stream) => (err ? reject(err) : resolve(stream)));
        });
      } catch (cause) {
        throw new DeployError("connect", `jump host ${t.jump.host} cannot reach ${t.host}:${t.port}: ${(cause as Error).message}`, { host: t.name }, { cause });
      }
    }
    try {
      return await connectChecked(t, config);
    } catch (cause) {
      if (isDeployError(cause)) throw cause;
      throw connectError(t, cause as Error);
    }
  }

  private acquire(t: SshTarget): Promise<{ conn: Connected; users: number }> {
    const k = this.key(t);
    let p = this.open.get(k);
    if (!p) {
      p = this.connectRaw(t).then((conn) => ({ conn, users: 0 }));
      this.open.set(k, p);
      p.catch(() => this.open.delete(k));
    }
    return p.then((e) => {
      e.users++;
      return e;
    });
  }

  async shell(t: SshTarget): Promise<RemoteShell> {
    if (t.kind === "rtx") return (await import("./rtx.js")).RtxShell.open(t);
    const entry = await this.acquire(t);
    return new SshShell(
      t,
      entry.conn,
      async () => {
        if (--entry.users <= 0) await this.closeTarget(t);
      },
      () => this.connectRaw(t),
    );
  }

  private async closeTarget(t: SshTarget): Promise<void> {
    const k = this.key(t);
    const p = this.open.get(k);
    this.open.delete(k);
    if (p) (await p).conn.ssh.dispose();
    if (t.jump) {
      const jp = this.open.get(this.key(t.jump));
      if (jp) {
        const j = await jp;
        if (--j.users <= 0) await this.closeTarget(t.jump);
      }
    }
  }

  async closeAll(): Promise<void> {
    for (const p of this.open.values()) {
      try {
        (await p).conn.ssh.dispose();
      } catch {
        /* already failed */
      }
    }
    this.open.clear();
  }
}
