import { SshPool } from "./connect.js";
import type { RemoteShell, SshTarget } from "./target.js";

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
