/**
 * Probes of many files, packages and units would start a `stat`, `sha256sum`, `dpkg-query` or
 * `systemctl` process each: on a small host most of a no-change run's remote time. Instead
 * fragments call the shell functions below, and a probe script first fills one table per kind
 * with one process for every name its fragments give; a name not in a table (a quoted path,
 * a unit alias, one that appeared since) is read by its own process, as before. The tables are
 * plain shell variables; lookups are parameter expansions (no fork).
 */
import { quote } from "../transport/quote.js";

const NL = "\n";
const TAB = "\t";
const UNIT_PROPS = "-p Id -p LoadState -p ActiveState -p UnitFileState -p NeedDaemonReload";
const DPKG_FORMAT = "-f='${Package}\\t${db:Status-Abbrev}\\n'";

export const tableFunctions = [
  `hcd_nl='${NL}'; hcd_st=; hcd_sh=; hcd_un=; hcd_pk=; hcd_pkn=' '`,
  // true when a glob (given unquoted) matched a file: ls without the process
  `hcd_glob() { [ -e "$1" ] || [ -L "$1" ]; }`,
  // TYPE MODE OWNER GROUP of a path that exists and is not a symlink
  `hcd_stat() {
  case "$hcd_st" in
    *"$hcd_nl$1${TAB}"*)
      hcd_t=\${hcd_st#*"$hcd_nl$1${TAB}"}
      printf '%s\\n' "\${hcd_t%%"$hcd_nl"*}" ;;
    *) stat -c '%F %a %U %G' -- "$1" ;;
  esac
}`,
  // hcd_r=SHA256 of a regular file
  `hcd_sha() {
  case "$hcd_sh" in
    *"  $1$hcd_nl"*)
      hcd_t=\${hcd_sh%%"  $1$hcd_nl"*}
      hcd_r=\${hcd_t##*"$hcd_nl"} ;;
    *)
      hcd_r=$(sha256sum < "$1")
      hcd_r=\${hcd_r%% *} ;;
  esac
}`,
  // NAME<TAB>STATUS lines of dpkg-query for each package
  `hcd_pkgs() {
  for hcd_n in "$@"; do
    case "$hcd_pkn" in
      *" $hcd_n "*) hcd_t=$hcd_pk ;;
      *) hcd_t="$hcd_nl$(dpkg-query -W ${DPKG_FORMAT} "$hcd_n" 2>/dev/null)$hcd_nl" ;;
    esac
    while case "$hcd_t" in *"$hcd_nl$hcd_n${TAB}"*) true ;; *) false ;; esac; do
      hcd_t=\${hcd_t#*"$hcd_nl$hcd_n${TAB}"}
      printf '%s\\t%s\\n' "$hcd_n" "\${hcd_t%%"$hcd_nl"*}"
    done
  done
}`,
  // `load`, `active`, `enabled`, `reload` lines of a systemd unit
  `hcd_unit() {
  case "$hcd_un" in
    *"\${hcd_nl}Id=$1$hcd_nl"*)
      hcd_t=\${hcd_un%%"\${hcd_nl}Id=$1$hcd_nl"*}
      hcd_b=\${hcd_un#*"\${hcd_nl}Id=$1"}
      hcd_t="$hcd_t$hcd_nl"
      hcd_b="$hcd_nl\${hcd_t##*"$hcd_nl$hcd_nl"}\${hcd_b%%"$hcd_nl$hcd_nl"*}$hcd_nl" ;;
    *) hcd_b="$hcd_nl$(systemctl show ${UNIT_PROPS} -- "$1" 2>/dev/null)$hcd_nl" ;;
  esac
  for hcd_p in LoadState:load ActiveState:active UnitFileState:enabled NeedDaemonReload:reload; do
    case "$hcd_b" in
      *"$hcd_nl\${hcd_p%:*}="*)
        hcd_t=\${hcd_b#*"$hcd_nl\${hcd_p%:*}="}
        printf '%s %s\\n' "\${hcd_p#*:}" "\${hcd_t%%"$hcd_nl"*}" ;;
    esac
  done
}`,
].join("\n");

/** The tables, by the shell function that reads each. */
export type Table = "stat" | "sha" | "unit" | "pkgs";

/**
 * A probe fragment with the names it looks up in the tables, declared by the helpers that
 * write the look-ups (tableRead), never found by reading the shell text.
 */
export interface Probe {
  readonly script: string;
  readonly tables: Readonly<Partial<Record<Table, readonly string[]>>>;
}

/** The look-ups of the tables, each with the names it declares. */
export const tableRead = {
  /** TYPE MODE OWNER GROUP of a path that exists and is not a symlink. */
  stat: (path: string): Probe => ({ script: `hcd_stat ${quote(path)}`, tables: { stat: [path] } }),
  /** Sets hcd_r to the SHA-256 of a regular file. */
  sha: (path: string): Probe => ({ script: `hcd_sha ${quote(path)}`, tables: { sha: [path] } }),
  /** `load`, `active`, `enabled`, `reload` lines of a systemd unit. */
  unit: (unit: string): Probe => ({ script: `hcd_unit ${quote(unit)}`, tables: { unit: [unit] } }),
  /** NAME<TAB>STATUS lines of dpkg-query for each package. */
  pkgs: (names: string[]): Probe => ({ script: `hcd_pkgs ${names.map(quote).join(" ")}`, tables: { pkgs: names } }),
};

/** Shell text with table look-ups (and plain strings) put in: one Probe with all their names. */
export function probeText(strings: TemplateStringsArray, ...parts: Array<string | Probe>): Probe {
  let script = strings[0] ?? "";
  const tables: Partial<Record<Table, string[]>> = {};
  parts.forEach((part, i) => {
    if (typeof part === "string") script += part;
    else {
      script += part.script;
      for (const [t, names] of Object.entries(part.tables) as Array<[Table, string[]]>)
        (tables[t] ??= []).push(...names);
    }
    script += strings[i + 1] ?? "";
  });
  return { script, tables };
}

/** A probe as a resource gives it: a Probe, or plain text that looks nothing up. */
export function asProbe(p: string | Probe): Probe {
  return typeof p === "string" ? { script: p, tables: {} } : p;
}

/**
 * The names of one table that go into it: only names quote() leaves bare (no space, tab,
 * newline or backslash: a table line is found by its name alone); a quoted one is read by its
 * own process.
 */
function named(table: Table, probes: Probe[]): string[] {
  const found = new Set<string>();
  for (const p of probes) for (const n of p.tables[table] ?? []) if (quote(n) === n) found.add(n);
  return [...found];
}

/** Shell lines that fill the tables for these probes (empty when a table would not pay). */
export function fillTables(probes: Probe[]): string {
  const lines: string[] = [];
  const st = named("stat", probes);
  const sh = named("sha", probes);
  if (st.length > 1)
    lines.push(`hcd_st="$hcd_nl$(stat -c '%n${TAB}%F %a %U %G' -- ${st.join(" ")} 2>/dev/null)$hcd_nl"`);
  if (sh.length > 1) lines.push(`hcd_sh="$hcd_nl$(sha256sum -- ${sh.join(" ")} 2>/dev/null)$hcd_nl"`);
  const un = named("unit", probes);
  if (un.length > 1)
    lines.push(`hcd_un="$hcd_nl$(systemctl show ${UNIT_PROPS} -- ${un.join(" ")} 2>/dev/null)$hcd_nl"`);
  const pk = named("pkgs", probes);
  if (pk.length > 1)
    lines.push(
      `hcd_pkn=' ${pk.join(" ")} '; hcd_pk="$hcd_nl$(dpkg-query -W ${DPKG_FORMAT} ${pk.join(" ")} 2>/dev/null)$hcd_nl"`,
    );
  return lines.join("\n");
}
