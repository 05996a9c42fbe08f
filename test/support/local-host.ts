// A host for the converge loop without root or the lab: the real PosixShell (the session
// protocol ssh would carry) over a local `sh` in a user and mount namespace of its own
// (`unshare -rm`: root inside, an ordinary user outside), with /run (the run lock) and
// /var/lib/homecloud-deploy (kept notifications) bound to a directory of the test. Tasks write
// under `root`; every session and fresh connection sees the same state, as on a real host.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CompiledRole, compile } from "../../src/engine/compile.js";
import { convergeHost, type HostRunOptions } from "../../src/engine/host-run.js";
import type { Reporter } from "../../src/engine/reporter.js";
import type { HostRecap, TaskResult } from "../../src/engine/results.js";
import type { Task } from "../../src/engine/types.js";
import { parseInventory } from "../../src/inventory/load.js";
import { definePlaybook } from "../../src/playbook/define.js";
import { PosixShell } from "../../src/transport/posix-shell.js";
import { spawnChannel } from "../../src/transport/process-channel.js";
import type { SshTarget } from "../../src/transport/target.js";

export interface LocalHost {
  /** Where the tasks of a test write (a fresh directory). */
  root: string;
  /** Converge these tasks on the host once; `tweak` adjusts the loop's options (check mode, a lock). */
  converge(
    tasks: () => Task[],
    tweak?: Partial<HostRunOptions>,
  ): Promise<{ recap: HostRecap; error?: string; tasks: TaskResult[]; remoteScripts: number }>;
  /** A session on the host, as if reached at `target` (for tests of how hosts are reached). */
  shell(target: SshTarget): PosixShell;
  /** The tasks compiled as one play's roles on the host. */
  roles(tasks: () => Task[]): CompiledRole[];
}

const SETUP = [
  'mount --bind "$HCD_STATE/run" /run',
  "mount -t tmpfs hcd /var/lib",
  "mkdir -p /var/lib/homecloud-deploy",
  'mount --bind "$HCD_STATE/lib" /var/lib/homecloud-deploy',
  'exec sh -c "$1"',
].join(" && ");

export function localHost(): LocalHost {
  const base = mkdtempSync(join(tmpdir(), "hcd-local-"));
  const root = join(base, "files");
  for (const d of ["files", "state/run", "state/lib"]) mkdirSync(join(base, d), { recursive: true });
  const env = { ...process.env, HCD_STATE: join(base, "state") };
  const channel = (command: string) => spawnChannel("unshare", ["-rm", "sh", "-c", SETUP, "sh", command], env);
  const target = { name: "local", alias: "local", host: "local", port: 22, user: "root" } as SshTarget;
  const inventory = parseInventory("all:\n  hosts:\n    local:\n", "local.yaml").inventory;
  const roles = (tasks: () => Task[]) => {
    const pb = definePlaybook({ name: "t", plays: [{ name: "t", hosts: "local", tasks }] });
    return compile(pb, inventory, {}, join(base, "playbook.ts"))[0]?.hosts[0]?.roles ?? [];
  };
  return {
    root,
    shell: (t) => new PosixShell(t, channel, channel),
    roles,
    async converge(tasks, tweak = {}) {
      const results: TaskResult[] = [];
      const reporter: Reporter = {
        playStarted() {},
        hostStarted() {},
        progress() {},
        task: (r) => results.push(r),
        hostFinished() {},
        playFinished() {},
      };
      const shell = new PosixShell(target, channel, channel);
      try {
        const opts: HostRunOptions = { check: false, diff: true, interrupted: () => false, ...tweak };
        const r = await convergeHost(shell, "local", roles(tasks), opts, reporter);
        return { ...r, tasks: results, remoteScripts: shell.remoteScripts };
      } finally {
        await shell.close();
      }
    },
  };
}
