import { keyTypesFor } from "./host-key-probe.js";
import { commandArgv, freshArgs, sessionArgs, setKeyTypes, sshProgram } from "./openssh.js";
import { PosixShell } from "./posix-shell.js";
import { spawnChannel } from "./process-channel.js";
import { RtxShell } from "./rtx.js";
import type { RemoteShell, SshTarget } from "./target.js";

/**
 * Shells on the run's hosts, over the system's OpenSSH client: it reads the user's ssh_config
 * (aliases, Include, Match, ProxyCommand, ProxyJump, IdentityFile, certificates, the agent).
 * One master connection per host (ControlMaster, made by its first session, kept for
 * ControlPersist after the run); a jump host's master carries every host behind it.
 */
export class SshPool {
  /** Per target: its host key checked (probed and recorded at first contact), its key types set. */
  private prepared = new Map<SshTarget, Promise<void>>();

  constructor(private say?: (line: string) => void) {}

  private prepare(t: SshTarget): Promise<void> {
    let p = this.prepared.get(t);
    if (!p) {
      p = (async () => {
        if (t.jump) await this.prepare(t.jump);
        setKeyTypes(t, await keyTypesFor(t, this.say));
      })();
      this.prepared.set(t, p);
      p.catch(() => this.prepared.delete(t));
    }
    return p;
  }

  async shell(t: SshTarget): Promise<RemoteShell> {
    // the one place that chooses the shell: a router's CLI, or POSIX sh
    if (t.kind === "rtx") return RtxShell.open(t);
    await this.prepare(t);
    const ssh = sshProgram();
    return new PosixShell(
      t,
      (command) => spawnChannel(ssh, commandArgv(sessionArgs(t), t, command)),
      (command) => spawnChannel(ssh, commandArgv(freshArgs(t), t, command)),
    );
  }

  /** Sessions end with their shells; a master outlives them only for ControlPersist. */
  async closeAll(): Promise<void> {
    this.prepared.clear();
  }
}
