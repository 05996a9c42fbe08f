import { DeployError, isDeployError } from "../errors.js";
import { hostKeyRefusal } from "./host-key-probe.js";
import { hostKeyFailed, sshFailure } from "./openssh.js";
import { ChannelFailed, type ExecChannel } from "./process-channel.js";
import { ScriptStream } from "./script-stream.js";
import { describeTarget, type HostLock, type RemoteShell, type RunResult, type SshTarget } from "./target.js";

/** A POSIX shell on a Linux host: one session shell for the run, exec channels for fresh logins. */
export class PosixShell implements RemoteShell {
  remoteScripts = 0;
  private stream?: ScriptStream;
  /** The lock generation read before the last script that ran without the lock. */
  private lastGen?: string;
  private locked = false;
  constructor(
    readonly target: SshTarget,
    private session: (command: string) => ExecChannel,
    private fresh: (command: string) => ExecChannel,
  ) {}

  async runScriptFresh(script: string): Promise<RunResult> {
    this.remoteScripts++;
    // the same framing, sudo and password handling as the session's own shell, on a new login
    const { stream, first } = ScriptStream.open(this.fresh, this.target, script);
    try {
      const r = await first!;
      await stream.end(true);
      return { stdout: r.stdout, stderr: r.stderr, code: r.code };
    } catch (cause) {
      throw await this.failed(cause);
    }
  }

  /** Why ssh could not run the session: the host key, the login, the network (in ssh's words). */
  private async failed(cause: unknown): Promise<DeployError> {
    if (isDeployError(cause)) return cause;
    if (cause instanceof ChannelFailed) {
      if (hostKeyFailed(cause.said)) return hostKeyRefusal(this.target, cause.said);
      if (!this.connected) return sshFailure(this.target, cause.said);
    }
    return this.lost(cause);
  }

  /** A script's answer came back: ssh logged in (later failures are a lost connection). */
  private connected = false;

  /** The connection went down under a script: the host is unreachable, lost during the run. */
  private lost(cause: unknown): DeployError {
    const why = (cause as Error).message;
    return new DeployError(
      "connect",
      `lost during the run: the connection to ${describeTarget(this.target)} went down (${why})`,
      { host: this.target.name },
      { cause },
    );
  }

  async runScript(script: string): Promise<RunResult> {
    this.remoteScripts++;
    try {
      let r: RunResult & { gen: string };
      if (this.stream) r = await this.stream.runScript(script);
      else {
        const opened = ScriptStream.open(this.session, this.target, script);
        this.stream = opened.stream;
        r = await opened.first!;
      }
      this.connected = true;
      if (!this.locked) this.lastGen = r.gen;
      return { stdout: r.stdout, stderr: r.stderr, code: r.code };
    } catch (cause) {
      throw await this.failed(cause);
    }
  }

  async lock(owner: string, opts: { takeOver?: boolean; evict?: string } = {}): Promise<HostLock> {
    this.stream ??= ScriptStream.open(this.session, this.target).stream;
    let out: string;
    try {
      out = await this.stream.lock(owner, opts.evict ?? (opts.takeOver ? owner : undefined));
      this.connected = true;
    } catch (cause) {
      throw await this.failed(cause);
    }
    const got = /^(locked|shared) (.*)$/m.exec(out);
    if (got) {
      this.locked = got[1] === "locked";
      return {
        status: "locked",
        previous: /^stale (.*)$/m.exec(out)?.[1],
        changedSinceRead: this.lastGen !== undefined && got[2] !== this.lastGen,
      };
    }
    const busy = /^busy ?(.*)$/m.exec(out);
    if (busy) return { status: "busy", previous: busy[1] || "another run" };
    throw new DeployError(
      "task",
      `cannot take the run lock on ${describeTarget(this.target)}: ${out.trim() || "no answer"}`,
      { host: this.target.name },
    );
  }

  async close(): Promise<void> {
    // a held lock is freed when the session shell exits: wait for that, so the next run finds it free
    await this.stream?.end(this.locked);
  }
}
