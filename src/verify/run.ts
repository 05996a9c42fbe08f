import { formatError, InputError, isDeployError } from "../errors.js";
import { compile } from "../engine/compile.js";
import { dialectOf } from "../engine/dialect.js";
import { convergeHost } from "../engine/host-run.js";
import { newToken, parseSections } from "../engine/sections.js";
import { silentReporter } from "../engine/reporter.js";
import { EXIT, type TaskResult } from "../engine/results.js";
import { type BecomeOverrides, resolveTargets } from "../inventory/connection.js";
import type { Inventory } from "../inventory/types.js";
import type { Hop } from "../playbook/checks.js";
import type { Playbook } from "../playbook/define.js";
import { holdsSecret, redact } from "../secrets.js";
import { quote } from "../transport/quote.js";
import { HostSessions } from "../transport/sessions.js";
import type { RemoteShell, SshTarget } from "../transport/target.js";
import { planChecks, type PlannedCheck } from "./plan-checks.js";
import { plannedAddresses } from "../engine/planned.js";

export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  key: string;
  hop: string;
  id: string;
  host: string;
  /** The host it ran on, when not its own. */
  on?: string;
  title: string;
  status: CheckStatus;
  /** The command and what it printed, or why it was skipped; secrets masked. */
  evidence: string;
  hint?: string;
  /** The hop (and check) whose failure kept this one from running. */
  blockedBy?: string;
  ms: number;
}

export interface VerifyReport {
  hops: Hop[];
  checks: CheckResult[];
  /** Hosts that could not be reached (or were lost): their checks failed. */
  unreachable: string[];
  exitCode: number;
  durationMs: number;
}

export interface VerifyOptions {
  limit?: string;
  playbookFile?: string;
  acceptNewHostKeys?: boolean;
  timeoutMs?: number;
  become?: BecomeOverrides;
  user?: string;
  privateKeyPath?: string;
  /** --ssh-common-args and --ssh-extra-args: ssh arguments for every host, after the hosts' own. */
  sshArgs?: string[];
  connect?: (target: SshTarget) => Promise<RemoteShell>;
  /** Each check as it completes. */
  progress?: (r: CheckResult) => void;
}

const EVIDENCE_LINES = 15;

function evidenceOf(shown: string, out: { code: number; stdout: string; stderr: string }, note?: string): string {
  const text = (out.stdout + (out.stderr ? (out.stdout && !out.stdout.endsWith("\n") ? "\n" : "") + out.stderr : ""))
    .trimEnd()
    .split("\n");
  const cut =
    text.length > EVIDENCE_LINES
      ? [...text.slice(0, EVIDENCE_LINES), `… ${text.length - EVIDENCE_LINES} more lines`]
      : text;
  return redact(
    [
      ...(note ? [note] : []),
      `$ ${shown.trim().split("\n").join("\n  ")}`,
      ...cut.filter((l, i) => l !== "" || i < cut.length - 1),
      `(exit ${out.code})`,
    ].join("\n"),
  );
}

/**
 * A check's script on a host: as is in a POSIX shell; on a router's CLI framed as one section
 * (its shell returns only framed output), and read-only: a line that is not `show` is refused,
 * since the router saves what a script changes.
 */
async function runCheckScript(shell: RemoteShell, script: string) {
  if (shell.language !== "rtx") return shell.runScript(script);
  const lines = script.split("\n").filter((l) => l.trim());
  const writes = lines.filter((l) => !/^\s*show\b/.test(l));
  if (writes.length)
    return { code: 2, stdout: "", stderr: `a check on a router may only read (show ...): ${writes.join("; ")}\n` };
  const token = newToken();
  const r = await shell.runScript(dialectOf(shell).section(token, "check", lines.join("\n")));
  const got = parseSections(token, r.stdout).get("check");
  return { code: got?.code ?? r.code, stdout: got ? got.output + "\n" : r.stdout, stderr: r.stderr };
}

/** What a role's tasks would change, one line each; empty when nothing would. */
function driftOf(results: TaskResult[]): string[] {
  return results.flatMap((r) =>
    r.status === "changed"
      ? [`would change: ${r.task}${r.why?.length ? ` (${r.why.join("; ")})` : ""}`]
      : r.status === "failed"
        ? [`cannot read: ${r.task}: ${r.error ?? "failed"}`]
        : [],
  );
}

/**
 * Run the checks a playbook declares, over the same connections as a deploy. Nothing is
 * changed on any host: checks are reads and probes, and the "as deployed" checks run the
 * roles' tasks in check mode (no lock, no write).
 */
export async function runVerify<P>(
  playbook: Playbook<P>,
  inv: Inventory,
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const started = Date.now();
  const file = opts.playbookFile ?? "playbook";
  const plays = compile(playbook, inv, { limit: opts.limit }, file, true);
  const plan = planChecks(plays, inv, playbook.hops ?? [], file);
  const { targets, problems } = resolveTargets(inv, plan.runners, {
    planned: plannedAddresses(playbook, inv),
    acceptNewHostKeys: opts.acceptNewHostKeys,
    timeoutMs: opts.timeoutMs,
    become: opts.become,
    user: opts.user,
    privateKeyPath: opts.privateKeyPath,
    sshArgs: opts.sshArgs,
  });
  if (problems.length) throw new InputError(problems);

  const sessions = new HostSessions(targets, opts.connect);
  const shellOf = (h: string) => sessions.shellOf(h);
  sessions.openAll(plan.runners);
  const lost = new Map<string, string>();
  const hopAfter = new Map(plan.hops.map((h) => [h.id, h.after ?? []]));
  const results: CheckResult[] = [];
  /** Failed or blocked checks by hop: the first root cause a dependent check names. */
  const broken: Array<{ hop: string; host: string; cause: string }> = [];

  const blockerOf = (c: PlannedCheck): string | undefined => {
    for (const dep of [...(hopAfter.get(c.hop) ?? []), ...c.after]) {
      const [hop, host] = dep.split("@");
      const b = broken.find((x) => x.hop === hop && (!host || x.host === host));
      if (b) return b.cause;
    }
    return undefined;
  };

  // every role of a host read in check mode at once (one probe, one round trip); each role's
  // "as deployed" check takes its own tasks' results
  const deployed = new Map<string, Promise<{ results: TaskResult[]; error?: string }>>();
  const deployedRead = (shell: RemoteShell, host: string) => {
    let p = deployed.get(host);
    if (!p) {
      const roles = plan.checks.filter((x) => x.host === host && x.roles).flatMap((x) => x.roles!);
      const results: TaskResult[] = [];
      p = convergeHost(
        shell,
        host,
        roles,
        { check: true, diff: false, interrupted: () => false },
        { ...silentReporter, task: (t) => results.push(t) },
      ).then((r) => ({ results, error: r.error }));
      deployed.set(host, p);
    }
    return p;
  };

  const runOne = async (c: PlannedCheck): Promise<CheckResult> => {
    const t0 = Date.now();
    const base = {
      key: c.key,
      hop: c.hop,
      id: c.id,
      host: c.host,
      ...(c.runOn && c.runOn !== c.host ? { on: c.runOn } : {}),
      title: c.title,
    };
    const done = (status: CheckStatus, evidence: string, extra: Partial<CheckResult> = {}): CheckResult => ({
      ...base,
      status,
      evidence: redact(evidence),
      ...(status === "fail" ? { hint: c.hint } : {}),
      ...extra,
      ms: Date.now() - t0,
    });
    if (c.skip || !c.runOn) return done("skip", c.skip ?? "nowhere to run");
    const on = c.runOn;
    if (lost.has(on)) return done("fail", `${on} is unreachable: ${lost.get(on)}`);
    let shell: RemoteShell;
    try {
      shell = await shellOf(on);
    } catch (e) {
      lost.set(on, formatError(e).replace(/^error: /, ""));
      return done("fail", `${on} is unreachable: ${lost.get(on)}`);
    }
    try {
      if (c.roles) {
        const read = await deployedRead(shell, c.host);
        const mine = new Set(c.roles.map((r) => r.role));
        const seen = read.results.filter((t) => mine.has(t.role));
        const drift = driftOf(seen);
        if (read.error) drift.push(read.error);
        return drift.length
          ? done("fail", drift.join("\n"))
          : done("pass", `${seen.length} task${seen.length === 1 ? "" : "s"} read, none would change`);
      }
      const check = c.check!;
      const out = await runCheckScript(shell, check.script);
      const v = check.judge ? check.judge(out) : out.code === 0;
      const verdict = typeof v === "boolean" ? { ok: v } : v;
      // a script that carries a secret (raw, shell-quoted or JSON-escaped) is never shown
      const shown =
        check.show ??
        (holdsSecret(check.script, [quote, (s) => JSON.stringify(s).slice(1, -1)])
          ? "(the check's script holds a secret: not shown)"
          : check.script);
      return done(verdict.ok ? "pass" : "fail", evidenceOf(shown, out, verdict.note));
    } catch (e) {
      const why = formatError(e).replace(/^error: /, "");
      // ssh logs in with the first script: a host it cannot reach fails there, as unreachable
      if (isDeployError(e) && (e.kind === "connect" || e.kind === "hostkey")) {
        lost.set(on, why);
        return done("fail", `${on} is unreachable: ${why}`);
      }
      return done("fail", why);
    }
  };

  try {
    for (const hop of plan.hops) {
      const inHop = plan.checks.filter((c) => c.hop === hop.id);
      const byRunner = new Map<string, PlannedCheck[]>();
      const ready: PlannedCheck[] = [];
      for (const c of inHop) {
        const cause = blockerOf(c);
        if (cause) {
          const r: CheckResult = {
            key: c.key,
            hop: c.hop,
            id: c.id,
            host: c.host,
            title: c.title,
            status: "skip",
            evidence: `blocked by ${cause}`,
            blockedBy: cause,
            ms: 0,
          };
          results.push(r);
          broken.push({ hop: c.hop, host: c.host, cause });
          opts.progress?.(r);
          continue;
        }
        ready.push(c);
        const k = c.runOn ?? "";
        byRunner.set(k, [...(byRunner.get(k) ?? []), c]);
      }
      // hosts in parallel, each host's checks one after another (one shell per host)
      const done = new Map<PlannedCheck, CheckResult>();
      await Promise.all(
        [...byRunner.values()].map(async (list) => {
          for (const c of list) {
            const r = await runOne(c);
            done.set(c, r);
            opts.progress?.(r);
          }
        }),
      );
      for (const c of ready) {
        const r = done.get(c)!;
        results.push(r);
        if (r.status === "fail") broken.push({ hop: c.hop, host: c.host, cause: c.key });
      }
    }
  } finally {
    await sessions.closeAll();
  }
  const order = new Map(plan.checks.map((c, i) => [c.key, i]));
  results.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
  let exitCode = 0;
  if (results.some((r) => r.status === "fail")) exitCode |= EXIT.verifyFailed;
  if (lost.size) exitCode |= EXIT.unreachable;
  return {
    hops: plan.hops,
    checks: results,
    unreachable: [...lost.keys()],
    exitCode,
    durationMs: Date.now() - started,
  };
}
