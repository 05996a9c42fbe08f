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

export interface PermissionsOptions extends WantedAttributes, TaskOptions {
  path: string;
}

/** Mode and owner of a path that something else creates (Ansible's `file` with only mode/owner). */
export function permissions(opts: PermissionsOptions): Task {
  if (!opts.path.startsWith("/")) throw new Error(`permissions ${opts.path}: the path must be absolute`);
  normaliseMode(opts.mode);
  const resource: Resource<Attributes> = {
    kind: "permissions",
    name: `permissions of ${opts.path}`,
    reads: keys.file(opts.path),
    writes: keys.file(opts.path),
    probe: () => statProbe(opts.path),
    speed: { inShell: true },
    parse: (out) => parseStat(out.split("\n")[0] ?? ""),
    steps: (cur): Step[] => {
      if (cur.type === "absent") throw new Error(`${opts.path} does not exist`);
      return attributeSteps(cur, opts).map((a) => ({ why: `${opts.path}: ${a.why}`, script: a.fix(quote(opts.path)) }));
    },
  };
  return task(resource, opts);
}
