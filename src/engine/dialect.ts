import { pendingProbe } from "./notify.js";
import { fillTables, type Probe, tableFunctions } from "./read-tables.js";
import { section } from "./sections.js";
import { makeTemp, tempTrap } from "../transport/remote-temp.js";

/** One task's probe: its section id, its shell fragment, whether it is slow, whether it may run in the script's own shell. */
export type ProbeItem = [id: string, fragment: string, slow?: boolean, inShell?: boolean, tables?: Probe["tables"]];

/**
 * How the engine writes one remote script for a kind of host: POSIX sh for Linux hosts, the
 * RTX CLI for YAMAHA routers. Each section's output comes back framed the same way
 * (`@@TOKEN id begin` ... `@@TOKEN id end CODE`), so the engine parses both alike.
 */
export interface Dialect {
  name: string;
  header: string;
  section(token: string, id: string, fragment: string, opts?: { stopOnError?: boolean }): string;
  /** Probe of notifications kept on the host; hosts without a filesystem we manage have none. */
  pendingProbe?: string;
  /** Many read-only fragments framed as sections (they may run at the same time). */
  probes(token: string, items: ProbeItem[]): string;
}

/**
 * Probes only read. The slow ones (those that wait on a daemon, such as vpncmd) start first in
 * the background, each into its own private file; the quick ones run one after the other
 * meanwhile (forking them all at once costs more CPU than it saves); then the slow ones'
 * outputs are taken into variables and their files removed BEFORE anything of them is printed
 * (what they hold may be password hashes: a tool killed mid-run must not leave them behind),
 * and printed with the usual frames. A probe's time is then about that of its slowest fragment.
 */
function probes(token: string, items: ProbeItem[]): string {
  const slow = items.filter((x) => x[2]);
  const tables = fillTables(items.filter((x) => !x[2]).map((x) => ({ script: x[1], tables: x[4] ?? {} })));
  if (!slow.length)
    return [tables, ...items.map(([id, f, , inShell]) => section(token, id, f, { inShell }))].join("\n");
  const lines = [tables, tempTrap(["hcd_d"]), makeTemp("hcd_d", { directory: true })];
  slow.forEach(([, f], i) =>
    lines.push(`(\numask 077\n(\n${f}\n) > "$hcd_d/${i}" 2>&1 </dev/null\necho $? > "$hcd_d/${i}.rc"\n) &`),
  );
  for (const [id, f, isSlow, inShell] of items) if (!isSlow) lines.push(section(token, id, f, { inShell }));
  lines.push("wait");
  // (a trailing "." keeps the output's own trailing newlines through the command substitution)
  slow.forEach((_, i) =>
    lines.push(`hcd_o${i}=$(cat "$hcd_d/${i}"; echo .); hcd_o${i}=\${hcd_o${i}%.}; hcd_r${i}=$(cat "$hcd_d/${i}.rc")`),
  );
  lines.push(`rm -rf -- "$hcd_d"; hcd_d=`);
  slow.forEach(([id], i) =>
    lines.push(
      `printf '%s\\n%s\\n@@${token} ${id} end %s\\n' '@@${token} ${id} begin' "$hcd_o${i}" "$hcd_r${i}"; hcd_o${i}=`,
    ),
  );
  return lines.join("\n");
}

export const shDialect: Dialect = {
  name: "sh",
  header: `umask 022\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nexport PATH\n${tableFunctions}\n`,
  section,
  pendingProbe: pendingProbe(),
  probes,
};

/** RTX CLI: command lines between marker lines that the RTX session interprets. */
export const rtxDialect: Dialect = {
  name: "rtx",
  header: "",
  section: (token, id, fragment, opts = {}) =>
    `#@@ ${token} ${id} begin${opts.stopOnError ? " stop" : ""}\n${fragment}\n#@@ ${token} ${id} end`,
  probes: (token, items) => items.map(([id, f]) => rtxDialect.section(token, id, f)).join("\n"),
};

/** The dialect of a shell's language. */
export function dialectOf(shell: { language?: "sh" | "rtx" }): Dialect {
  return shell.language === "rtx" ? rtxDialect : shDialect;
}
