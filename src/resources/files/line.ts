import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { quote } from "../../transport/quote.js";
import { attributeSteps, type Attributes, fileRead, normaliseMode, parseFileRead } from "./attributes.js";
import { atomicWrite, type WriteOptions } from "./write.js";

export interface LineOptions extends WriteOptions, TaskOptions {
  path: string;
  /** The line wanted (state present). */
  line?: string;
  /** Lines matching this are replaced by `line` (the last match), or removed (absent). */
  regexp?: string;
  state?: "present" | "absent";
  /** Create the file when it is missing (default true for present). */
  create?: boolean;
}

interface LineState extends Attributes {
  text?: string;
}

/** Pure: the file's text with the line ensured or removed. */
export function editLines(text: string, opts: LineOptions): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const re = opts.regexp ? new RegExp(opts.regexp) : undefined;
  const matches = (l: string) => (re ? re.test(l) : l === opts.line);
  if ((opts.state ?? "present") === "absent") {
    const kept = lines.filter((l) => !matches(l));
    return kept.length ? kept.join("\n") + "\n" : "";
  }
  const line = opts.line!;
  let last = -1;
  lines.forEach((l, i) => {
    if (matches(l)) last = i;
  });
  if (last >= 0) lines[last] = line;
  else if (!lines.includes(line)) lines.push(line);
  return lines.join("\n") + "\n";
}

/** One line in a file, Ansible's lineinfile: present (replacing a match) or absent. */
export function line(opts: LineOptions): Task {
  if ((opts.state ?? "present") === "present" && opts.line === undefined)
    throw new Error(`line in ${opts.path}: line is required`);
  if (opts.line?.includes("\n")) throw new Error(`line in ${opts.path}: line must not contain a newline`);
  if (opts.regexp) new RegExp(opts.regexp); // fail early on a bad expression
  normaliseMode(opts.mode); // refuse a bad mode before connecting
  const label = opts.line ?? opts.regexp ?? "";
  const resource: Resource<LineState> = {
    kind: "line",
    name: `line in ${opts.path}: ${label.length > 40 ? label.slice(0, 37) + "..." : label}`,
    reads: keys.file(opts.path),
    writes: keys.file(opts.path),
    probe: () => fileRead(opts.path, { content: "always" }),
    speed: { inShell: true },
    parse: (out) => parseFileRead(out),
    // a text alone says nothing of mode and owner: with those wanted, the file is read back
    fromContent:
      opts.mode === undefined && opts.owner === undefined && opts.group === undefined
        ? (text) => (text === null ? { type: "absent" } : { type: "file", text })
        : undefined,
    steps: (cur): Step[] => {
      const present = (opts.state ?? "present") === "present";
      if (cur.type === "absent") {
        if (!present) return [];
        if (opts.create === false) throw new Error(`${opts.path} does not exist (create: false)`);
      } else if (cur.type !== "file") throw new Error(`${opts.path} is not a regular file (${cur.type})`);
      const before = cur.text ?? "";
      const after = editLines(before, opts);
      if (cur.type === "file" && after === before)
        return attributeSteps(cur, opts).map((a) => ({
          why: `${opts.path}: ${a.why}`,
          script: a.fix(quote(opts.path)),
        }));
      return [
        {
          why: present ? `add or set line in ${opts.path}` : `remove line from ${opts.path}`,
          script: atomicWrite(opts.path, after, opts),
          diff: { path: opts.path, before: cur.type === "file" ? before : null, after },
        },
      ];
    },
  };
  return task(resource, opts);
}
