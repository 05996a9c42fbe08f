import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { commandLine, quote } from "../../transport/quote.js";
import { atomicWrite } from "../files/write.js";

export interface SysctlOptions extends TaskOptions {
  key: string;
  value: string | number;
  /** Where it is persisted; default /etc/sysctl.d/90-homecloud-<key>.conf. */
  file?: string;
}

interface SysctlState {
  live?: string;
  persisted?: string;
}

const norm = (v: string) => v.trim().split(/\s+/).join(" ");

/** A kernel parameter: set live now and persisted in /etc/sysctl.d for boot. */
export function sysctl(opts: SysctlOptions): Task {
  if (!/^[a-z0-9_]+(\.[A-Za-z0-9_@:-]+)+$/.test(opts.key.replace(/\//g, ".")))
    throw new Error(`sysctl: "${opts.key}" is not a sysctl key`);
  const value = norm(String(opts.value));
  const path = opts.file ?? `/etc/sysctl.d/90-homecloud-${opts.key.replace(/[/]/g, ".")}.conf`;
  const text = `# managed by homecloud-deploy\n${opts.key} = ${value}\n`;
  const resource: Resource<SysctlState> = {
    kind: "sysctl",
    name: `sysctl ${opts.key} = ${value}`,
    reads: [keys.state("sysctl", opts.key), keys.tree(path)],
    writes: [keys.state("sysctl", opts.key), keys.tree(path)],
    speed: { inShell: true },
    probe: () =>
      `echo "live $(sysctl -n ${quote(opts.key)} 2>/dev/null)"; if [ -f ${quote(path)} ]; then echo persisted; cat ${quote(path)}; fi`,
    parse: (out) => {
      const ls = out.split("\n");
      const live = ls[0]?.startsWith("live ") ? norm(ls[0].slice(5)) : undefined;
      const at = ls.indexOf("persisted");
      return { live: live === "" ? undefined : live, persisted: at >= 0 ? ls.slice(at + 1).join("\n") : undefined };
    },
    steps: (cur): Step[] => {
      const steps: Step[] = [];
      if (cur.live === undefined) throw new Error(`sysctl ${opts.key} does not exist on this host`);
      if ((cur.persisted ?? "").trimEnd() !== text.trimEnd())
        steps.push({
          why: `persist ${opts.key} in ${path}`,
          script: atomicWrite(path, text, { mode: "0644" }),
          diff: { path, before: cur.persisted ?? null, after: text },
        });
      if (cur.live !== value)
        steps.push({
          why: `${opts.key}: ${cur.live} -> ${value}`,
          script: commandLine("sysctl", "-q", "-w", `${opts.key}=${value}`),
        });
      return steps;
    },
  };
  return task(resource, opts);
}
