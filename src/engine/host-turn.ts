import { formatError, isDeployError } from "../errors.js";
import type { HostSessions } from "../transport/sessions.js";
import type { RemoteShell } from "../transport/target.js";
import type { CompiledRole } from "./compile.js";
import { convergeHost, type HostRunOptions } from "./host-run.js";
import type { Reporter } from "./reporter.js";
import { emptyRecap, type HostOutcome, type HostRecap, type TaskResult } from "./results.js";

const key = (t: TaskResult) => `${t.role}\0${t.task}`;

export interface HostTurn {
  sessions: HostSessions;
  host: string;
  roles: CompiledRole[];
  /** Its options but the prefetched probe (given only when the host is where it was read). */
  options: Omit<HostRunOptions, "prefetched">;
  prefetched?: HostRunOptions["prefetched"];
  /** The host's first play: the remote scripts counted are the session's own. */
  first: boolean;
  reporter: Reporter;
  /** Before a second attempt on a new session: forget the old session's run lock (true: it was held). */
  forgetLock: () => boolean;
}

/**
 * One host's turn in a play: reach it (see HostSessions.reach) and converge it. A host reached
 * through its plan's bootstrap whose connection goes down during the turn (its address moved
 * under the session, e.g. NetworkManager's new profile changes its link-local address) is
 * reached again and converged once more: what the first attempt reported stays, what is already
 * in place is read as ok and not reported twice.
 */
export async function hostTurn(turn: HostTurn): Promise<HostOutcome> {
  const { sessions, host, roles, reporter } = turn;
  const note = (line: string) => reporter.warning?.(line);
  let shell: RemoteShell | undefined;
  let scripts = 0;
  let plannedDown: unknown;
  try {
    shell = await sessions.reach(host, note);
    const moved = shell.target !== sessions.target(host);
    const before = turn.first ? 0 : shell.remoteScripts;
    const seen = new Map<string, TaskResult>();
    let inFlight = new Set<string>();
    const counting: Reporter = {
      ...reporter,
      task: (t) => {
        seen.set(key(t), t);
        reporter.task(t);
      },
      applying: (h, tasks) => {
        inFlight = new Set(tasks.map((t) => `${t.role}\0${t.task}`));
        reporter.applying?.(h, tasks);
      },
    };
    try {
      const r = await convergeHost(
        shell,
        host,
        roles,
        { ...turn.options, prefetched: moved ? undefined : turn.prefetched },
        counting,
      );
      return { recap: r.recap, error: r.error, remoteScripts: shell.remoteScripts - before };
    } catch (e) {
      if (!sessions.canReachAgain(host) || !isDeployError(e) || e.kind !== "connect") throw e;
      // a session at the planned address that never answered (it opened lazily: the key was on
      // file) is a host not there yet; a session that answered and was lost is reached again
      const lost = /^lost during the run/.test(e.message);
      if (lost && turn.options.check) throw e;
      scripts = shell.remoteScripts - before;
      if (lost) note(`${host}: ${e.message.split("\n")[0]}; reaching it again to carry on`);
      sessions.forget(host);
      plannedDown = lost ? undefined : e;
    }
    const held = turn.forgetLock();
    shell = await sessions.reach(host, note, plannedDown);
    // the lost session's shell may live on for hours on the host, holding the run lock: ended now
    if (held) await turn.options.takeLock?.();
    const recap = emptyRecap();
    for (const t of seen.values()) recap[t.status === "ok" ? "ok" : t.status]++;
    const twice = emptyRecap();
    let settled = 0;
    const again: Reporter = {
      ...reporter,
      task: (t) => {
        if (seen.has(key(t))) twice[t.status === "ok" ? "ok" : t.status]++;
        // its change was carried out as the connection went down, and it is in place: it changed
        else if (t.status === "ok" && inFlight.has(key(t))) {
          settled++;
          reporter.task({
            ...t,
            status: "changed",
            why: ["carried out as the connection went down; in place when read again"],
          });
        } else reporter.task(t);
      },
    };
    const r = await convergeHost(shell, host, roles, turn.options, again);
    for (const k of Object.keys(recap) as Array<keyof HostRecap>) recap[k] += r.recap[k] - twice[k];
    recap.ok -= settled;
    recap.changed += settled;
    return { recap, error: r.error, remoteScripts: scripts + shell.remoteScripts };
  } catch (e) {
    const unreachable = isDeployError(e) && (e.kind === "connect" || e.kind === "hostkey");
    return {
      recap: { ...emptyRecap(), [unreachable ? "unreachable" : "failed"]: 1 },
      error: formatError(e).replace(/^error: /, ""),
      remoteScripts: scripts + (shell?.remoteScripts ?? 0),
    };
  }
}
