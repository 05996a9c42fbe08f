/**
 * Probes of many files, packages and units would start a `stat`, `sha256sum`, `dpkg-query` or
 * `systemctl` process each: on a small host most of a no-change run's remote time. Instead
 * fragments call the shell functions below, and a probe script first fills one table per kind
 * with one process for every name its fragments give; a name not in a table (a quoted path,
 * a unit alias, one that appeared since) is read by its own process, as before. The tables are
 * plain shell variables; lookups are parameter expansions (no fork).
 */
import { BARE_CHARS } from "../transport/quote.js";

const NL = "\n";
const TAB = "\t";
const UNIT_PROPS = "-p Id -p LoadState -p ActiveState -p UnitFileState -p NeedDaemonReload";
const DPKG_FORMAT = "-f='${Package}\\t${db:Status-Abbrev}\\n'";

export const tableFunctions = [
  `hcd_nl='${NL}'; hcd_st=; hcd_sh=; hcd_un=; hcd_pk=; hcd_pkn=' '`,
  // true when a glob (given unquoted) matched a file: ls without the process
  `hcd_glob() { [ -e "$1" ] || [ -L "$1" ]; }`,
  // TYPE MODE OWNER GROUP of a path that exists and is not a symlink
  `hcd_stat() { case "$hcd_st" in *"$hcd_nl$1${TAB}"*) hcd_t=\${hcd_st#*"$hcd_nl$1${TAB}"}; printf '%s\\n' "\${hcd_t%%"$hcd_nl"*}" ;; *) stat -c '%F %a %U %G' -- "$1" ;; esac; }`,
  // hcd_r=SHA256 of a regular file
  `hcd_sha() { case "$hcd_sh" in *"  $1$hcd_nl"*) hcd_t=\${hcd_sh%%"  $1$hcd_nl"*}; hcd_r=\${hcd_t##*"$hcd_nl"} ;; *) hcd_r=$(sha256sum < "$1"); hcd_r=\${hcd_r%% *} ;; esac; }`,
  // NAME<TAB>STATUS lines of dpkg-query for each package
  `hcd_pkgs() { for hcd_n in "$@"; do case "$hcd_pkn" in *" $hcd_n "*) hcd_t=$hcd_pk ;; *) hcd_t="$hcd_nl$(dpkg-query -W ${DPKG_FORMAT} "$hcd_n" 2>/dev/null)$hcd_nl" ;; esac`,
  `  while case "$hcd_t" in *"$hcd_nl$hcd_n${TAB}"*) true ;; *) false ;; esac; do hcd_t=\${hcd_t#*"$hcd_nl$hcd_n${TAB}"}; printf '%s\\t%s\\n' "$hcd_n" "\${hcd_t%%"$hcd_nl"*}"; done; done; }`,
  // `load`, `active`, `enabled`, `reload` lines of a systemd unit
  `hcd_unit() { case "$hcd_un" in *"\${hcd_nl}Id=$1$hcd_nl"*) hcd_t=\${hcd_un%%"\${hcd_nl}Id=$1$hcd_nl"*}; hcd_b=\${hcd_un#*"\${hcd_nl}Id=$1"}; hcd_t="$hcd_t$hcd_nl"; hcd_b="$hcd_nl\${hcd_t##*"$hcd_nl$hcd_nl"}\${hcd_b%%"$hcd_nl$hcd_nl"*}$hcd_nl" ;;`,
  `  *) hcd_b="$hcd_nl$(systemctl show ${UNIT_PROPS} -- "$1" 2>/dev/null)$hcd_nl" ;; esac`,
  `  for hcd_p in LoadState:load ActiveState:active UnitFileState:enabled NeedDaemonReload:reload; do case "$hcd_b" in *"$hcd_nl\${hcd_p%:*}="*) hcd_t=\${hcd_b#*"$hcd_nl\${hcd_p%:*}="}; printf '%s %s\\n' "\${hcd_p#*:}" "\${hcd_t%%"$hcd_nl"*}" ;; esac; done; }`,
].join("\n");

/**
 * The names given to `fn` in these fragments. Only names quote() leaves bare go into a table
 * (no space, tab, newline or backslash: a table line is found by its name alone); a quoted one
 * starts with ' and is left out. `fn NAME NAME ...` gives each name.
 */
function named(fn: string, fragments: string[]): string[] {
  const re = new RegExp(`\\b${fn}((?: [${BARE_CHARS}]+)+)(?=[\\s;)]|$)`, "gm");
  const found = new Set<string>();
  for (const f of fragments) for (const m of f.matchAll(re)) for (const n of m[1]!.split(" ")) if (n) found.add(n);
  return [...found];
}

/** Shell lines that fill the tables for these fragments (empty when a table would not pay). */
export function fillTables(fragments: string[]): string {
  const lines: string[] = [];
  const st = named("hcd_stat", fragments);
  const sh = named("hcd_sha", fragments);
  if (st.length > 1)
    lines.push(`hcd_st="$hcd_nl$(stat -c '%n${TAB}%F %a %U %G' -- ${st.join(" ")} 2>/dev/null)$hcd_nl"`);
  if (sh.length > 1) lines.push(`hcd_sh="$hcd_nl$(sha256sum -- ${sh.join(" ")} 2>/dev/null)$hcd_nl"`);
  const un = named("hcd_unit", fragments);
  if (un.length > 1)
    lines.push(`hcd_un="$hcd_nl$(systemctl show ${UNIT_PROPS} -- ${un.join(" ")} 2>/dev/null)$hcd_nl"`);
  const pk = named("hcd_pkgs", fragments);
  if (pk.length > 1)
    lines.push(
      `hcd_pkn=' ${pk.join(" ")} '; hcd_pk="$hcd_nl$(dpkg-query -W ${DPKG_FORMAT} ${pk.join(" ")} 2>/dev/null)$hcd_nl"`,
    );
  return lines.join("\n");
}
