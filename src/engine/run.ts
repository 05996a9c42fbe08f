import { hostname, userInfo } from "node:os";
import { startAtTask } from "./start-at.js";
import { DeployError, InputError } from "../errors.js";
import { type BecomeOverrides, resolveTargets } from "../inventory/connection.js";
import type { Inventory } from "../inventory/types.js";
import type { Playbook } from "../playbook/define.js";
import { HostSessions } from "../transport/sessions.js";
import type { HostLock, RemoteShell, SshTarget } from "../transport/target.js";
import { compile, type CompiledPlay, type Selection } from "./compile.js";
import { runProbe, type ProbeRun } from "./host-run.js";
import { hostTurn } from "./host-turn.js";
import { plannedAddresses } from "./planned.js";
import { mapLimit } from "./pool.js";
import { silentReporter, type Reporter } from "./reporter.js";
import { EXIT, emptyRecap, type HostOutcome, type HostRecap, type TaskResult } from "./results.js";

export interface RunOptions extends Selection {
  check?: boolean;
  diff?: boolean;
  forks?: number;
  acceptNewHostKeys?: boolean;
  timeoutMs?: number;
  /** -b, --become-user, -K: above every host's own become variables. */
  become?: BecomeOverrides;
  reporter?: Reporter;
  /** Becomes true on Ctrl-C: no new remote script starts after it. */
  interrupted?: () => boolean;
  playbookFile?: string;
  /** Wait this long for a host that another run is converging (default 0: refuse at once). */
  lockTimeoutSeconds?: number;
  /** Defaults below the inventory's own (ansible.cfg's remote_user and private_key_file). */
  user?: string;
  privateKeyPath?: string;
  /** --ssh-common-args and --ssh-extra-args: ssh arguments for every host, after the hosts' own. */
  sshArgs?: string[];
  /** --start-at-task NAME: each host starts at the first task so named (see start-at.ts). */
  startAtTask?: string;
  /** Opens the shell of a host; tests may count or wrap it. Default: one SSH connection per host. */
  connect?: (target: SshTarget) => Promise<RemoteShell>;
}

export interface RunSummary {
  check: boolean;
  warnings: string[];
  hosts: Record<string, HostRecap & { error?: string; remoteScripts: number }>;
  tasks: TaskResult[];
  exitCode: number;
  durationMs: number;
}

/** Everything that can be checked before a connection: plays, hosts, parameters, targets. */
export function prepareRun<P>(
  playbook: Playbook<P>,
  inv: Inventory,
  opts: RunOptions,
): { plays: CompiledPlay[]; targets: Map<string, SshTarget> } {
  const compiled = compile(playbook, inv, opts, opts.playbookFile ?? "playbook");
  const plays = opts.startAtTask ? startAtTask(compiled, opts.startAtTask) : compiled;
  const names = [...new Set(plays.flatMap((p) => p.hosts.map((h) => h.host)))];
  const { targets, problems } = resolveTargets(inv, names, {
    planned: plannedAddresses(playbook, inv),
    acceptNewHostKeys: opts.acceptNewHostKeys,
    timeoutMs: opts.timeoutMs,
    become: opts.become,
    user: opts.user,
    privateKeyPath: opts.privateKeyPath,
    sshArgs: opts.sshArgs,
  });
  if (problems.length) throw new InputError(problems);
  return { plays, targets };
}

export async function runPlaybook<P>(
  playbook: Playbook<P>,
  inv: Inventory,
  opts: RunOptions = {},
): Promise<RunSummary> {
  const started = Date.now();
  const { plays, targets } = prepareRun(playbook, inv, opts);
  const reporter = opts.reporter ?? silentReporter;
  const warnings = [...new Set(plays.flatMap((p) => p.warnings))];
  for (const w of warnings) reporter.warning?.(w);
  const interrupted = opts.interrupted ?? (() => false);
  const sessions = new HostSessions(targets, opts.connect);
  const shellOf = (h: string) => sessions.shellOf(h);
  const hosts: RunSummary["hosts"] = {};
  const tasks: TaskResult[] = [];
  const down = new Set<string>();
  const wrapped: Reporter = {
    ...reporter,
    // what the run learns on the way (a stale lock, a host reached by its bootstrap) is in the summary too
    warning: (m) => {
      warnings.push(m);
      reporter.warning?.(m);
    },
    task: (r) => {
      tasks.push(r);
      reporter.task(r);
    },
  };

  // Open every connection at once, and send each host's first probe right away: a host's
  // state does not depend on plays that run on other hosts. A host changed by an earlier
  // play is read again when its turn comes.
  const allHosts = [...new Set(plays.flatMap((p) => p.hosts.map((h) => h.host)))];
  sessions.openAll(allHosts);
  const prefetch = new Map<string, Promise<ProbeRun>>();
  const firstPlay = new Map<string, number>();
  plays.forEach((p, i) => p.hosts.forEach((h) => firstPlay.has(h.host) || firstPlay.set(h.host, i)));
  for (const [h, i] of firstPlay) {
    const roles = plays[i]!.hosts.find((x) => x.host === h)!.roles;
    const p = shellOf(h).then((sh) => runProbe(sh, roles, !!opts.diff));
    p.catch(() => undefined);
    prefetch.set(`${i}:${h}`, p);
  }

  // One run at a time per host: an flock the host's session shell takes right before the first
  // change (check mode and runs that change nothing never take it), held until the session
  // ends. A lock left by a killed run is stale and reported.
  const owner = `run by ${userInfo().username}@${hostname()} pid ${process.pid} since ${new Date().toISOString()}`;
  const locks = new Map<string, Promise<HostLock | undefined>>();
  /** Hosts whose session holding the lock was lost (hostTurn): their next lock takes it over. */
  const takeOver = new Set<string>();
  const lockOf = (h: string): Promise<HostLock | undefined> => {
    let p = locks.get(h);
    if (!p) {
      p = (async () => {
        const sh = await shellOf(h);
        if (!sh.lock) return undefined;
        const deadline = Date.now() + (opts.lockTimeoutSeconds ?? 0) * 1000;
        let evict: string | undefined;
        for (;;) {
          const l = await sh.lock(owner, { takeOver: takeOver.has(h), evict });
          if (l.status === "locked") {
            if (l.previous)
              wrapped.warning?.(
                `${h}: an earlier run did not finish (${l.previous}); its lock was stale and is taken over`,
              );
            if (evict)
              wrapped.warning?.(
                `${h}: the run that held its lock (${evict}) has ended, but its session shell lived on there (its connection died unnoticed): ended, and the lock taken over`,
              );
            return l;
          }
          // held by a run of this machine that is gone: its shell on the host outlived a connection
          // that died unnoticed (the host's address moved under it); that holder is ended
          if (!evict && l.previous && endedHere(l.previous)) {
            evict = l.previous;
            continue;
          }
          if (Date.now() >= deadline) {
            throw new DeployError(
              "task",
              `${h} is being converged by another run (${l.previous}); not touching it`,
              { host: h },
              { hint: "wait for it, or give --lock-timeout SECONDS to wait" },
            );
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      })();
      locks.set(h, p);
    }
    return p;
  };
  /** Before a host's first change: true when what was read must be read again (see HostLock.changedSinceRead). */
  const lockFor = (h: string) => async (): Promise<boolean> => {
    const fresh = !locks.has(h);
    const l = await lockOf(h);
    return fresh && !!l?.changedSinceRead;
  };

  try {
    for (const [playIndex, play] of plays.entries()) {
      const live = play.hosts.filter((h) => !down.has(h.host));
      wrapped.playStarted(
        play.name,
        live.map((h) => h.host),
      );
      await mapLimit(live, opts.forks ?? 20, async ({ host, roles, optional }) => {
        const acc = (hosts[host] ??= { ...emptyRecap(), remoteScripts: 0 });
        wrapped.hostStarted(host);
        let outcome: HostOutcome;
        if (interrupted()) {
          outcome = { recap: emptyRecap(), error: "interrupted", remoteScripts: 0 };
          down.add(host);
        } else {
          outcome = await hostTurn({
            sessions,
            host,
            roles,
            options: { check: !!opts.check, diff: !!opts.diff, interrupted, takeLock: lockFor(host) },
            prefetched: prefetch.get(`${playIndex}:${host}`),
            first: firstPlay.get(host) === playIndex,
            reporter: wrapped,
            forgetLock: () => {
              const had = locks.has(host);
              locks.delete(host);
              if (had) takeOver.add(host);
              return had;
            },
          });
          if (outcome.error) down.add(host);
          // a host that may be gone and is: skipped with its note, not an error
          if (optional && outcome.recap.unreachable) {
            wrapped.warning?.(`${host}: ${optional}; it cannot be reached, so it is skipped (${outcome.error})`);
            outcome = { ...outcome, recap: { ...emptyRecap(), skipped: 1 }, error: undefined };
          }
        }
        for (const k of Object.keys(outcome.recap) as Array<keyof HostRecap>) acc[k] += outcome.recap[k];
        acc.remoteScripts += outcome.remoteScripts;
        if (outcome.error && !acc.error) acc.error = outcome.error;
        if (outcome.error && !acc.failed && !acc.unreachable) acc.failed = 1;
        wrapped.hostFinished(host, outcome);
      });
      await wrapped.playFinished(play.name);
      if (interrupted()) break;
    }
  } finally {
    await sessions.closeAll();
  }
  return {
    check: !!opts.check,
    warnings,
    hosts,
    tasks,
    exitCode: exitCodeOf(hosts, !!opts.check, interrupted()),
    durationMs: Date.now() - started,
  };
}

export function exitCodeOf(hosts: RunSummary["hosts"], check: boolean, interrupted: boolean): number {
  if (interrupted) return EXIT.interrupted;
  let code = 0;
  for (const h of Object.values(hosts)) {
    if (h.failed) code |= EXIT.failed;
    if (h.unreachable) code |= EXIT.unreachable;
    if (check && h.changed) code |= EXIT.drift;
  }
  return code;
}

/** An owner line of a run on this machine (`run by U@HOST pid N since T`) whose process is gone. */
export function endedHere(ownerLine: string): boolean {
  const m = /^run by [^@\s]+@(\S+) pid (\d+) since \S+$/.exec(ownerLine);
  if (!m || m[1] !== hostname() || Number(m[2]) === process.pid) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}
