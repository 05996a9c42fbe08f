import { readFileSync } from "node:fs";
import type { AuthenticationType, ConnectConfig } from "ssh2";
import { DeployError, isDeployError } from "../errors.js";
import { RtxShell } from "./rtx.js";
import { PosixShell } from "./posix-shell.js";
import { connectChecked, connectError, type Connected } from "./ssh-connection.js";
import type { RemoteShell, SshTarget } from "./target.js";

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
          jump.conn.client.forwardOut("127.0.0.1", 0, t.host, t.port, (err, stream) =>
            err ? reject(err) : resolve(stream),
          );
        });
      } catch (cause) {
        throw new DeployError(
          "connect",
          `jump host ${t.jump.host} cannot reach ${t.host}:${t.port}: ${(cause as Error).message}`,
          { host: t.name },
          { cause },
        );
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
    // the one place that chooses the shell: a router's CLI, or POSIX sh
    if (t.kind === "rtx") return RtxShell.open(t);
    const entry = await this.acquire(t);
    return new PosixShell(
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
    if (p) (await p).conn.client.end();
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
        (await p).conn.client.end();
      } catch {
        /* already failed */
      }
    }
    this.open.clear();
  }
}
