import { type Probe, probeText, tableRead } from "../../engine/read-tables.js";
import { quote } from "../../transport/quote.js";

/** Owner, group and mode of a path as the probe reports them, normalised. */
export interface Attributes {
  type: "file" | "directory" | "link" | "other" | "absent";
  mode?: string; // four octal digits, e.g. "0644"
  owner?: string;
  group?: string;
}

export interface WantedAttributes {
  mode?: string | number;
  owner?: string;
  group?: string;
}

/** "644", 0o644, "0644", "u=rw" is not supported: a mode is octal. */
export function normaliseMode(mode: string | number | undefined): string | undefined {
  if (mode === undefined) return undefined;
  const s = typeof mode === "number" ? mode.toString(8) : mode.trim();
  if (!/^[0-7]{3,4}$/.test(s)) throw new Error(`mode ${JSON.stringify(mode)} is not an octal mode such as "0644"`);
  return s.padStart(4, "0");
}

/** Shell: print one line `TYPE MODE OWNER GROUP` for a path, or `absent`. */
export function statProbe(path: string): Probe {
  const p = quote(path);
  return probeText`if [ -L ${p} ]; then echo link; elif [ -e ${p} ]; then ${tableRead.stat(path)}; else echo absent; fi`;
}

export function parseStat(line: string): Attributes {
  const l = line.trim();
  if (l === "absent" || l === "") return { type: "absent" };
  if (l === "link") return { type: "link" };
  const m = /^(.+) ([0-7]+) (\S+) (\S+)$/.exec(l);
  if (!m) throw new Error(`unexpected stat output: ${l}`);
  const kind = m[1];
  const type = kind === "directory" ? "directory" : kind?.startsWith("regular") ? "file" : "other";
  return { type, mode: m[2]!.padStart(4, "0"), owner: m[3], group: m[4] };
}

/** Attribute differences as human reasons and shell fixes for `target` (a quoted path or "$tmp"). */
export function attributeSteps(
  current: Attributes,
  wanted: WantedAttributes,
): Array<{ why: string; fix: (target: string) => string }> {
  const out: Array<{ why: string; fix: (target: string) => string }> = [];
  const mode = normaliseMode(wanted.mode);
  if (mode && current.mode !== mode)
    out.push({ why: `mode ${current.mode ?? "-"} -> ${mode}`, fix: (t) => `chmod ${mode} ${t}` });
  if ((wanted.owner && current.owner !== wanted.owner) || (wanted.group && current.group !== wanted.group)) {
    const spec = `${wanted.owner ?? ""}${wanted.group ? ":" + wanted.group : ""}`;
    out.push({
      why: `owner ${current.owner}:${current.group} -> ${wanted.owner ?? current.owner}:${wanted.group ?? current.group}`,
      fix: (t) => `chown ${quote(spec)} ${t}`,
    });
  }
  return out;
}

/** What one read of a path gives: its attributes, and its SHA-256 and text when asked for. */
export interface FileRead extends Attributes {
  sha256?: string;
  text?: string;
}

/**
 * The one read of a file that the file resources share: the stat line; with `sha`, `sha HASH`
 * of a regular file; with `content`, `content` and its base64 lines, always or only when its
 * hash differs from `unlessSha` and it is no larger than `maxBytes`.
 */
export function fileRead(
  path: string,
  want: { sha?: boolean; content?: "always" | { unlessSha: string; maxBytes: number } } = {},
): Probe {
  const p = quote(path);
  const regular = `[ -f ${p} ] && [ ! -L ${p} ]`;
  const content =
    want.content === undefined
      ? ""
      : want.content === "always"
        ? `echo content; base64 < ${p};`
        : `if [ "$h" != ${want.content.unlessSha} ] && [ "$(stat -c %s ${p})" -le ${want.content.maxBytes} ]; then echo content; base64 < ${p}; fi;`;
  if (!want.sha) return content ? probeText`${statProbe(path)}\nif ${regular}; then ${content} fi` : statProbe(path);
  return probeText`${statProbe(path)}\nif ${regular}; then ${tableRead.sha(path)}; h=$hcd_r; echo "sha $h"; ${content} fi`;
}

/** Parse what fileRead printed. */
export function parseFileRead(out: string): FileRead {
  const lines = out.split("\n");
  const state: FileRead = parseStat(lines[0] ?? "");
  const sha = lines.find((l) => l.startsWith("sha "));
  if (sha) state.sha256 = sha.slice(4).trim();
  const at = lines.indexOf("content");
  if (at >= 0) state.text = Buffer.from(lines.slice(at + 1).join(""), "base64").toString("utf8");
  return state;
}
