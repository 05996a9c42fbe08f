import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { quote } from "../../transport/quote.js";
import {
  attributeSteps,
  normaliseMode,
  parseStat,
  statProbe,
  type Attributes,
  type WantedAttributes,
} from "./attributes.js";

export interface DirectoryOptions extends WantedAttributes, TaskOptions {
  path: string;
  state?: "present" | "absent";
}

/** A directory (parents created as needed) with the given mode and owner, or none. */
export function directory(opts: DirectoryOptions): Task {
  if (!opts.path.startsWith("/") || opts.path === "/")
    throw new Error(`directory ${opts.path}: the path must be absolute and not /`);
  normaliseMode(opts.mode); // refuse a bad mode before connecting
  const p = quote(opts.path);
  const resource: Resource<Attributes> = {
    kind: "directory",
    name: `directory ${opts.path}`,
    // creating a directory changes the directory alone; removing it changes all below it
    reads: [keys.entry(opts.path)],
    writes: opts.state === "absent" ? keys.file(opts.path) : [keys.entry(opts.path)],
    probe: () => statProbe(opts.path),
    speed: { inShell: true },
    parse: (out) => parseStat(out.split("\n")[0] ?? ""),
    steps: (cur): Step[] => {
      if (opts.state === "absent")
        return cur.type === "absent" ? [] : [{ why: `remove ${opts.path}`, script: `rm -rf ${p}` }];
      if (cur.type === "absent") {
        const fixes = attributeSteps({ type: "absent" }, opts).map((a) => a.fix(p));
        return [{ why: `create ${opts.path}`, script: [`mkdir -p ${p}`, ...fixes].join(" && ") }];
      }
      if (cur.type !== "directory") throw new Error(`${opts.path} exists and is not a directory (${cur.type})`);
      return attributeSteps(cur, opts).map((a) => ({ why: `${opts.path}: ${a.why}`, script: a.fix(p) }));
    },
  };
  return task(resource, opts);
}
