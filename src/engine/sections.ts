import { randomBytes } from "node:crypto";

/**
 * Many shell fragments in one remote script, each output framed by markers that carry
 * a random token, so a file's content can never fake a marker.
 */
export function newToken(): string {
  return "HCD" + randomBytes(8).toString("hex");
}

/**
 * Wrap a fragment: it runs in a subshell (or, inShell, a brace group: see
 * Resource.speed) with stderr merged, then prints its exit code.
 */
export function section(
  token: string,
  id: string,
  fragment: string,
  opts: { stopOnError?: boolean; inShell?: boolean } = {},
): string {
  const stop = opts.stopOnError ? `; [ "$rc" -eq 0 ] || exit 0` : "";
  const [open, close] = opts.inShell ? ["{", "}"] : ["(", ")"];
  return `printf '%s\\n' '@@${token} ${id} begin'\n${open}\n${fragment}\n${close} 2>&1 </dev/null\nrc=$?; printf '\\n@@${token} ${id} end %s\\n' "$rc"${stop}`;
}

export interface SectionOutput {
  output: string;
  code: number;
}

/** Split a script's stdout into sections by id. Unfinished sections get code -1. */
export function parseSections(token: string, stdout: string): Map<string, SectionOutput> {
  const out = new Map<string, SectionOutput>();
  const begin = new RegExp(`^@@${token} (\\S+) begin$`);
  const end = new RegExp(`^@@${token} (\\S+) end (\\d+)$`);
  let current: string | undefined;
  let buf: string[] = [];
  for (const line of stdout.split("\n")) {
    const b = begin.exec(line);
    const e = end.exec(line);
    if (b) {
      current = b[1];
      buf = [];
    } else if (e && current === e[1]) {
      // the fragment's output plus the newline we added before the end marker
      const text = buf.join("\n");
      out.set(current!, { output: text.endsWith("\n") ? text.slice(0, -1) : text, code: Number(e[2]) });
      current = undefined;
    } else if (current !== undefined) buf.push(line);
  }
  if (current !== undefined) out.set(current, { output: buf.join("\n"), code: -1 });
  return out;
}
