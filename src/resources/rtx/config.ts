/**
 * `show config` of a YAMAHA RTX: header comments (model, revision, MAC, a Reporting Date that
 * changes on every call) are dropped; top-level commands and `tunnel select N` contexts whose
 * indented lines belong to tunnel N.
 */
export interface RtxConfig {
  top: string[];
  tunnels: Map<number, string[]>;
}

export function parseRtxConfig(text: string): RtxConfig {
  const top: string[] = [];
  const tunnels = new Map<number, string[]>();
  let current: string[] | undefined;
  for (const raw of text.replace(/\r/g, "").split("\n")) {
    if (!raw.trim() || raw.trimStart().startsWith("#")) continue;
    const indented = /^\s/.test(raw);
    const line = raw.trim().replace(/\s+/g, " ");
    const sel = /^tunnel select (\d+)$/.exec(line);
    if (sel) {
      current = tunnels.get(Number(sel[1])) ?? [];
      tunnels.set(Number(sel[1]), current);
      continue;
    }
    if (indented && current) current.push(line);
    else {
      current = undefined;
      if (line !== "tunnel select none") top.push(line);
    }
  }
  return { top, tunnels };
}

/**
 * The identity of a command: the words that name what it sets, without the values. Entering
 * a command with the same key replaces the old one on the router; `no` removes it.
 */
export function rtxKey(line: string): string {
  const w = line.split(" ");
  const take = (n: number) => w.slice(0, n).join(" ");
  if (/^ipsec ike (local|remote) (address|name) /.test(line)) return `ipsec ike ${w[2]} ${w[4]}`;
  if (/^ipsec ike keepalive use /.test(line)) return take(5);
  if (/^ipsec ike (encryption|hash|group|pre-shared-key) /.test(line)) return take(4);
  if (/^ipsec sa policy /.test(line)) return take(4);
  if (/^ipsec transport /.test(line)) return take(3);
  if (/^tunnel endpoint /.test(line)) return "tunnel endpoint";
  if (/^bridge member /.test(line)) return take(3);
  if (/^ip \S+ address /.test(line)) return take(3);
  if (/^l2tp (local|remote) (router-id|end-id)/.test(line)) return take(3);
  if (/^l2tp (tunnel auth|keepalive use)/.test(line)) return take(3);
  return take(2);
}

const SECRET_LINES: Array<[RegExp, string]> = [
  [/^(ipsec ike pre-shared-key \d+ text ).+$/, "$1********"],
  [/^(l2tp tunnel auth on ).+$/, "$1********"],
];

/** A config line as people may see it: secrets replaced by ********. */
export function maskRtxLine(line: string): string {
  return SECRET_LINES.reduce((l, [re, rep]) => l.replace(re, rep), line);
}
