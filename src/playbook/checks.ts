/**
 * What `deploy verify` runs: checks that a playbook and its roles declare next to their tasks.
 * A check is a script run on a host over the deploy's own transport (SSH, sudo, jump hosts,
 * the RTX CLI); its exit code (or its judge) says PASS or FAIL, its output is the evidence.
 */

/** A stretch of the path a packet takes (e.g. "cascade"), in the order the playbook lists them. */
export interface Hop {
  id: string;
  title: string;
  /** Hops whose failure (on any host) makes this hop's checks meaningless: they are "blocked". */
  after?: string[];
  /** What to look at when this hop fails. */
  hint?: string;
  /** The --tags that repair it (default: the hop's id). */
  tags?: string[];
}

export interface CheckOutput {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Verdict {
  ok: boolean;
  /** One line that says what was seen (shown before the command's output). */
  note?: string;
}

export interface VerifyCheck {
  /** Short and unique per host within its hop, e.g. "running"; the full id is hop/id@host. */
  id: string;
  hop: string;
  /** What passing proves, e.g. "radvd is running". */
  title: string;
  /**
   * Where the script runs: the declaring host (default), another inventory host, or a vantage
   * point named by one of the declaring host's variables (e.g. { vantage: "verify_from" }).
   * A vantage variable that is not set makes the check SKIP, never PASS.
   */
  on?: string | { vantage: string };
  /** More dependencies than the hop's: "hop" (any host) or "hop@host". */
  after?: string[];
  /** POSIX sh (or RTX CLI lines on a router). Secrets may appear: scripts travel on stdin. */
  script: string;
  /** The command shown as evidence (default: the script). */
  show?: string;
  /** Default: exit code 0 passes. */
  judge?: (r: CheckOutput) => boolean | Verdict;
  /** Declared SKIP with this reason: the check cannot be made here (never a PASS). */
  skip?: string;
}
