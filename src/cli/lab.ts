import { DeployError } from "../errors.js";
import { forPerson } from "../output/sink.js";
import { labDown, labExec, labUp, readState, isRunning } from "../lab/lab.js";
import { labPaths } from "../lab/paths.js";
import { plainTopology, type LabTopology } from "../lab/topology.js";
import { parseCommandLine } from "./args.js";
import { LAB_OPTIONS } from "./options.js";

/** What a project adds to the lab: its topologies (the first is lab up's default) and lab verify. */
export interface LabHooks {
  topologies?: Record<string, () => LabTopology>;
  verify?: (rest: string[], log: (s: string) => void) => Promise<number>;
}

function topologyFrom(values: { topology?: string; hosts?: string }, hooks: LabHooks): LabTopology {
  const own = hooks.topologies ?? {};
  const kind = values.topology ?? Object.keys(own)[0] ?? "plain";
  if (kind === "plain") return plainTopology(Number(values.hosts ?? 3));
  const make = own[kind];
  if (make) return make();
  throw new DeployError(
    "input",
    `unknown topology "${kind}"`,
    { field: "--topology" },
    { hint: ["plain", ...Object.keys(own)].join(" or ") },
  );
}

const USAGE =
  "usage: deploy lab up [--topology NAME] [--hosts N] | lab hosts | lab exec HOST -- COMMAND... | lab verify | lab down";

/** `deploy lab ...`; `hooks`: the project's topologies and lab verify (the site's, from site/cli.ts). */
export async function labCommand(argv: string[], hooks: LabHooks = {}): Promise<number> {
  const [sub, ...rest] = argv;
  const log = (s: string) => process.stdout.write(forPerson(s) + "\n");
  if (!sub) {
    log(USAGE);
    return 3;
  }
  switch (sub) {
    case "up": {
      const t0 = Date.now();
      const { values } = parseCommandLine(rest, LAB_OPTIONS, USAGE);
      await labUp(topologyFrom(values, hooks), log);
      log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; inventory of the running lab: ${labPaths.inventory()}`);
      return 0;
    }
    case "down":
      await labDown(log);
      return 0;
    case "hosts": {
      for (const h of readState()?.hosts ?? []) if (isRunning(h.name)) log(h.name);
      return 0;
    }
    case "exec": {
      const sep = rest.indexOf("--");
      const host = rest[0];
      const cmd = sep >= 0 ? rest.slice(sep + 1) : rest.slice(1);
      if (!host || cmd.length === 0)
        throw new DeployError("input", "usage: deploy lab exec HOST -- COMMAND...", { field: "lab exec" });
      return labExec(host, cmd).code;
    }
    case "verify":
      if (!hooks.verify) throw new DeployError("input", "this project's lab has no verify", { field: "lab verify" });
      return hooks.verify(rest, log);
    default:
      throw new DeployError(
        "input",
        `unknown lab command "${sub ?? ""}"`,
        { field: "lab" },
        { hint: "up, hosts, exec, verify or down" },
      );
  }
}
