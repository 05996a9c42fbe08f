import type { RemoteShell } from "../transport/target.js";
import type { CompiledRole } from "./compile.js";
import { convergeOnce, type HostRunOptions } from "./converge.js";
import type { Reporter } from "./reporter.js";
import type { HostRecap, TaskResult } from "./results.js";

export { runProbe, type ProbeRun } from "./probe.js";
export type { HostRunOptions } from "./converge.js";

/** Another run changed the host between our read and our lock. */
class ReadAgain extends Error {}

/**
 * Converge one host. Results are held back until the lock is taken (or the run turns out to
 * change nothing), so a host read again under the lock is reported once.
 */
export async function convergeHost(
  shell: RemoteShell,
  host: string,
  roles: CompiledRole[],
  opts: HostRunOptions,
  reporter: Reporter,
): Promise<{ recap: HostRecap; error?: string }> {
  let held: TaskResult[] | undefined = opts.takeLock && !opts.check ? [] : undefined;
  const release = () => {
    for (const r of held ?? []) reporter.task(r);
    held = undefined;
  };
  const holding: Reporter = { ...reporter, task: (r) => (held ? held.push(r) : reporter.task(r)) };
  const takeLock = async () => {
    if (!held) return;
    const changedMeanwhile = await opts.takeLock!();
    if (changedMeanwhile) throw new ReadAgain();
    release();
  };
  try {
    return await convergeOnce(shell, host, roles, opts, holding, takeLock);
  } catch (e) {
    if (!(e instanceof ReadAgain)) throw e;
    held = undefined;
    reporter.progress(host, "changed by another run meanwhile: reading again");
    return await convergeOnce(shell, host, roles, { ...opts, prefetched: undefined }, reporter, async () => undefined);
  } finally {
    release();
  }
}
