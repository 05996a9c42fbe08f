/**
 * Probes of many files would start a `stat` and a `sha256sum` process per file: on a small
 * host most of a no-change run's remote time. Instead fragments call the shell functions
 * below, and a probe script first fills two tables, one `stat` and one `sha256sum` for every
 * path its fragments name; a path not in a table (a quoted one, one that appeared since) is
 * read by its own process, as before. The tables are plain shell variables; lookups are
 * parameter expansions (no fork).
 */
const NL = "\n";
const TAB = "\t";
// Only paths that quote() leaves bare go into the tables: no space, tab, newline or backslash,
// so a table line is found by its name alone.

export const tableFunctions = [
  `hcd_nl='${NL}'; hcd_st=; hcd_sh=`,
  // TYPE MODE OWNER GROUP of a path that exists and is not a symlink
  `hcd_stat() { case "$hcd_st" in *"$hcd_nl$1${TAB}"*) hcd_t=\${hcd_st#*"$hcd_nl$1${TAB}"}; printf '%s\\n' "\${hcd_t%%"$hcd_nl"*}" ;; *) stat -c '%F %a %U %G' -- "$1" ;; esac; }`,
  // hcd_r=SHA256 of a regular file
  `hcd_sha() { case "$hcd_sh" in *"  $1$hcd_nl"*) hcd_t=\${hcd_sh%%"  $1$hcd_nl"*}; hcd_r=\${hcd_t##*"$hcd_nl"} ;; *) hcd_r=$(sha256sum < "$1"); hcd_r=\${hcd_r%% *} ;; esac; }`,
].join("\n");

function named(fn: string, fragments: string[]): string[] {
  // a quoted path starts with ' and is left out
  const re = new RegExp(`\\b${fn} ([A-Za-z0-9_@%+=:,./-]+)(?=[\\s;)]|$)`, "g");
  const found = new Set<string>();
  for (const f of fragments) for (const m of f.matchAll(re)) found.add(m[1]);
  return [...found];
}

/** Shell lines that fill the tables for these fragments (empty when a table would not pay). */
export function fillTables(fragments: string[]): string {
  const lines: string[] = [];
  const st = named("hcd_stat", fragments);
  const sh = named("hcd_sha", fragments);
  if (st.length > 1) lines.push(`hcd_st="$hcd_nl$(stat -c '%n${TAB}%F %a %U %G' -- ${st.join(" ")} 2>/dev/null)$hcd_nl"`);
  if (sh.length > 1) lines.push(`hcd_sh="$hcd_nl$(sha256sum -- ${sh.join(" ")} 2>/dev/null)$hcd_nl"`);
  return lines.join("\n");
}
