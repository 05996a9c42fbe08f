import type { Reporter } from "../engine/reporter.js";
import type { TaskResult } from "../engine/results.js";
import { renderDiff } from "./diff.js";
import { forPerson } from "./sink.js";

/** Plain lines, one per event: for pipes, CI and logs. */
export function plainReporter(opts: {
  verbose: number;
  diff: boolean;
  check: boolean;
  write: (s: string) => void;
}): Reporter {
  const w = (s: string) => opts.write(forPerson(s) + "\n");
  return {
    playStarted: (name, hosts) => w(`PLAY ${name} [${hosts.join(", ")}]`),
    warning: (m) => w(`WARNING ${m}`),
    hostStarted: (host) => opts.verbose >= 2 && w(`${host}: connecting`),
    progress: (host, text) => opts.verbose >= 2 && w(`${host}: ${text}`),
    task: (r: TaskResult) => {
      if (r.status === "ok" && opts.verbose < 1) return;
      const label = r.status === "changed" && opts.check ? "would change" : r.status;
      w(`${r.host} | ${r.role} | ${r.task}: ${label}`);
      if (r.why && (r.status === "changed" || opts.verbose >= 1)) for (const why of r.why) w(`    - ${why}`);
      if (r.error) for (const l of r.error.split("\n")) w(`    ! ${l}`);
      if (opts.diff && r.diff)
        for (const d of r.diff) opts.write(forPerson(renderDiff(d)).replace(/^/gm, "    ").trimEnd() + "\n");
    },
    hostFinished: (host, o) => {
      if (o.error) w(`${host}: FAILED: ${o.error.split("\n")[0]}`);
      else if (opts.verbose >= 2)
        w(`${host}: done (${o.remoteScripts} remote script${o.remoteScripts === 1 ? "" : "s"})`);
    },
    playFinished: () => {},
  };
}
