import { createHash } from "node:crypto";
import type { ContentInput, Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { quote } from "../../transport/quote.js";
import { attributeSteps, type Attributes, fileRead, normaliseMode, parseFileRead } from "./attributes.js";
import { toContent } from "./content-input.js";
import { atomicWrite, type WriteOptions } from "./write.js";

export interface FileOptions extends WriteOptions, TaskOptions {
  path: string;
  /** The whole content: a string, a Secret, or a rendered template. */
  content?: ContentInput;
  state?: "present" | "absent";
  /**
   * false: write the content only where no file is (Ansible's `force: no`); an existing file's
   * content is left as it is, its mode and owner still set. For a seed that a daemon then owns.
   */
  force?: boolean;
}

interface FileState extends Attributes {
  sha256?: string;
  before?: string; // current text, fetched only when it differs and --diff asks for it
}

const MAX_DIFF_BYTES = 1 << 20;

/** Parse what fileRead printed (the text, when there, is the file's current text). */
export function parseFileProbe(out: string): FileState {
  const { text, ...state } = parseFileRead(out);
  return text === undefined ? state : { ...state, before: text };
}

/** A file with exactly this content (or no file, with state absent). */
export function file(opts: FileOptions): Task {
  const state = opts.state ?? "present";
  if (state === "present" && opts.content === undefined)
    throw new Error(`file ${opts.path}: content is required (or state: "absent")`);
  if (!opts.path.startsWith("/")) throw new Error(`file ${opts.path}: the path must be absolute`);
  const content = opts.content === undefined ? undefined : toContent(opts.content);
  const want = content ? createHash("sha256").update(content.text, "utf8").digest("hex") : "";
  normaliseMode(opts.mode); // refuse a bad mode before connecting
  const resource: Resource<FileState> = {
    kind: "file",
    name: `file ${opts.path}`,
    reads: keys.file(opts.path),
    writes: keys.file(opts.path),
    speed: { inShell: true }, // (h: set before it is read)
    probe: (ctx) =>
      fileRead(opts.path, {
        sha: true,
        content: ctx.diff && content && !content.sensitive ? { unlessSha: want, maxBytes: MAX_DIFF_BYTES } : undefined,
      }),
    parse: (out) => parseFileProbe(out),
    steps: (cur) => fileSteps(opts, cur, content?.text, want, content?.sensitive ?? false),
  };
  return task(resource, opts);
}

function fileSteps(
  opts: FileOptions,
  cur: FileState,
  text: string | undefined,
  want: string,
  sensitive: boolean,
): Step[] {
  const p = quote(opts.path);
  if ((opts.state ?? "present") === "absent") {
    if (cur.type === "absent") return [];
    if (cur.type === "directory") throw new Error(`${opts.path} is a directory, not a file`);
    return [
      {
        why: `remove ${opts.path}`,
        script: `rm -f ${p}`,
        diff: { path: opts.path, before: cur.before ?? null, after: null, sensitive },
      },
    ];
  }
  if (cur.type === "directory" || cur.type === "other")
    throw new Error(`${opts.path} exists and is not a regular file (${cur.type})`);
  if (cur.type !== "file" || (cur.sha256 !== want && opts.force !== false)) {
    const before = cur.type === "file" ? (cur.before ?? null) : null;
    const why = cur.type === "file" ? `content of ${opts.path} differs` : `create ${opts.path}`;
    return [
      {
        why,
        script: atomicWrite(opts.path, text!, opts),
        diff: {
          path: opts.path,
          before: cur.type === "absent" || cur.type === "link" ? null : before,
          after: text!,
          sensitive,
        },
      },
    ];
  }
  return attributeSteps(cur, opts).map((a) => ({ why: `${opts.path}: ${a.why}`, script: a.fix(p) }));
}
