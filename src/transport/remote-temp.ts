/**
 * Temp files on hosts, one discipline for all: the trap that removes them is set BEFORE they
 * exist, runs on EXIT, HUP, INT, PIPE and TERM, and each is made private (a file 0600, a
 * directory 0700, files inside it 0600). A script never leaves one for "after the output":
 * when the run that reads the output is gone, the write that prints it is killed by SIGPIPE.
 * What a temp file held (vpncmd's ConfigGet holds password hashes) must never outlive its
 * script, even when the tool is killed mid-run.
 */

const SIGNALS: Array<[string, number]> = [
  ["HUP", 129],
  ["INT", 130],
  ["PIPE", 141],
  ["TERM", 143],
];

/** Shell: declare the variables (empty), then the traps that remove whatever they name. */
export function tempTrap(vars: string[]): string {
  const names = vars.map((v) => `\${${v}:+"$${v}"}`).join(" ");
  return [
    `${vars.map((v) => `${v}=`).join("; ")}`,
    `trap 'rm -rf -- ${names}' EXIT`,
    ...SIGNALS.map(([s, code]) => `trap 'exit ${code}' ${s}`),
  ].join("\n");
}

/** Shell: the traps of tempTrap taken back (the files are gone or renamed into place). */
export function tempUntrap(): string {
  return `trap - EXIT ${SIGNALS.map(([s]) => s).join(" ")}`;
}

/** Shell: a private temp file in `$VAR` (tempTrap must name VAR first). `dir`: in that directory. */
export function makeTemp(v: string, opts: { dir?: string; directory?: boolean } = {}): string {
  const args = [opts.directory ? "-d" : "", opts.dir ?? ""].filter(Boolean).join(" ");
  return `${v}=$(umask 077; mktemp${args ? " " + args : ""}) || exit 1`;
}
