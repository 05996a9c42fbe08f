import { DeployError, isDeployError } from "../errors.js";
import { SshPool } from "./connect.js";
import type { RemoteShell, SshTarget } from "./target.js";

/** An address a locate script may print: IPv6 (with a zone) or IPv4, nothing ssh could take for an option. */
const ADDRESS = /^[0-9A-Fa-f:.]+(%[\w.-]+)?$/;

const unreachable = (e: unknown) => isDeployError(e) && e.kind === "connect";

/**
 * The run's shells, one per host, opened on first use (or all at once with openAll) and closed
 * together: what `deploy` and `deploy verify` share. `connect` replaces the SSH pool (tests).
 */
export class HostSessions {
  private pool = new SshPool();
  private shells = new Map<string, Promise<RemoteShell>>();
  private connect: (t: SshTarget) => Promise<RemoteShell>;

  constructor(
    private targets: Map<string, SshTarget>,
    connect?: (t: SshTarget) => Promise<RemoteShell>,
  ) {
    this.connect = connect ?? ((t) => this.pool.shell(t));
  }

  /** The host's shell (its connection opened now if it was not). A failure is kept for every caller. */
  shellOf(host: string): Promise<RemoteShell> {
    let p = this.shells.get(host);
    if (!p) {
      const t = this.targets.get(host);
      p = t ? this.connect(t) : Promise.reject(new Error(`no connection target for ${host}`));
      this.shells.set(host, p);
      p.catch(() => undefined);
    }
    return p;
  }

  /**
   * The host's shell at its turn in the run. A host whose planned address did not answer when
   * the run began, and whose plan says where it is before that (SshTarget.bootstrap: a first
   * deploy), is dialled again at its planned address (an earlier play may have brought it up),
   * then located through its jump host and reached there. `note` hears where it was reached;
   * `plannedDown`, the failure of a session at the planned address that never answered.
   */
  async reach(host: string, note?: (line: string) => void, plannedDown?: unknown): Promise<RemoteShell> {
    const t = this.targets.get(host);
    if (!t?.bootstrap || !t.jump) return this.shellOf(host);
    // plannedDown: a session at the planned address failed before it ever answered (a shell
    // opens lazily where the host's key is on file already): straight to the bootstrap
    let planned: unknown = plannedDown;
    if (planned === undefined) {
      try {
        return await this.shellOf(host);
      } catch (e) {
        if (!unreachable(e)) throw e;
      }
      this.shells.delete(host);
      try {
        return await this.shellOf(host);
      } catch (e) {
        if (!unreachable(e)) throw e;
        planned = e;
      }
    }
    const where = await this.locate(t, t.bootstrap, t.jump, planned);
    // the key is filed under the planned address: the runs after this one find it there
    const there: SshTarget = {
      ...t,
      alias: where,
      host: where,
      hostKeyAlias: t.hostKeyAlias ?? t.alias,
      // the host's network is about to change under this session: a silent drop is found in 15 s, not 45
      aliveIntervalMs: t.aliveIntervalMs ?? 5000,
    };
    delete there.bootstrap;
    note?.(
      `${host}: ${t.alias} does not answer yet (a first deploy): reached at ${where} through ${t.jump.name}, found ${t.bootstrap.what}`,
    );
    const p = this.connect(there);
    this.shells.set(host, p);
    p.catch(() => undefined);
    return p;
  }

  /** The host's connection target as the run began (before any bootstrap). */
  target(host: string): SshTarget | undefined {
    return this.targets.get(host);
  }

  /** Whether a host whose connection went down can be reached again by reach() (its plan's bootstrap). */
  canReachAgain(host: string): boolean {
    const t = this.targets.get(host);
    return !!t?.bootstrap && !!t.jump;
  }

  /** Drop a host's session whose connection went down (closed quietly): the next reach dials again. */
  forget(host: string): void {
    const p = this.shells.get(host);
    this.shells.delete(host);
    p?.then((s) => s.close()).catch(() => undefined);
  }

  /** Run the target's locate script on its jump host: the address it prints. */
  private async locate(
    t: SshTarget,
    how: NonNullable<SshTarget["bootstrap"]>,
    jump: SshTarget,
    planned: unknown,
  ): Promise<string> {
    // the jump host's own session when it is a host of the run, else one for this question
    const ours = this.targets.get(jump.name) === jump;
    const sh = ours ? await this.shellOf(jump.name) : await this.connect(jump);
    try {
      const r = await sh.runScript(how.locate);
      const where = r.stdout.trim().split("\n").pop() ?? "";
      if (r.code === 0 && ADDRESS.test(where)) return where;
      const why = r.stderr.trim().split("\n").pop() || (r.code === 0 ? `it printed "${where}"` : `exit ${r.code}`);
      throw new DeployError(
        "connect",
        `${t.name}: ${t.alias} does not answer (${(planned as Error).message.split("\n")[0]}), and it was not found ${how.what}: ${why}`,
        { host: t.name },
        {
          hint: "is it up? On a first deploy the path to it is made by the plays before its own",
          cause: planned,
        },
      );
    } finally {
      if (!ours) await sh.close();
    }
  }

  /** Open these hosts' connections at once (their failures wait for whoever asks). */
  openAll(hosts: Iterable<string>): void {
    for (const h of hosts) this.shellOf(h);
  }

  /** Close every shell (a held run lock is freed as its shell exits), then the pool. */
  async closeAll(): Promise<void> {
    for (const p of this.shells.values()) await p.then((s) => s.close()).catch(() => undefined);
    await this.pool.closeAll();
  }
}
