import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { DeployError } from "../errors.js";
import { EXIT } from "../engine/results.js";
import { forPerson } from "../output/sink.js";
import { labDown, labExec, labUp, readState, isRunning } from "../lab/lab.js";
import { labPaths } from "../lab/paths.js";
import { plainTopology, type LabTopology } from "../lab/topology.js";
import { siteTopology } from "../lab/site-topology.js";

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function topologyFrom(args: string[]): Promise<LabTopology> {
  const kind = option(args, "--topology") ?? "site";
  if (kind === "plain") return plainTopology(Number(option(args, "--hosts") ?? 3));
  if (kind === "site") return siteTopology();
  throw new DeployError("input", `unknown topology "${kind}"`, { field: "--topology" }, { hint: "site or plain" });
}

/** This repository's root (where playbooks/site.ts is), from dist/src/cli or src/cli. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "playbooks", "site.ts"))) {
    const up = dirname(dir);
    if (up === dir)
      throw new DeployError(
        "lab",
        "lab verify runs from a checkout of homecloud-deploy (playbooks/site.ts not found)",
        {},
      );
    dir = up;
  }
  return dir;
}

/**
 * `deploy lab verify`: `deploy verify playbooks/site.ts -i inventory/lab.yaml` (the same code a
 * real site runs), then what only the lab can do: restart vpnserver and time the recovery.
 */
async function labVerify(rest: string[], log: (s: string) => void): Promise<number> {
  const { requireSiteLab, restartRecovery } = await import("../lab/verify.js");
  requireSiteLab();
  const root = repoRoot();
  const at = (p: string) => relative(process.cwd(), join(root, p)) || ".";
  const inv = at("inventory/lab.yaml");
  let code = await (await import("./verify.js")).verifyCommand([at("playbooks/site.ts"), "-i", inv, ...rest]);
  if (rest.includes("--json")) return code;
  log("\nlab only:");
  const checks = await restartRecovery(inv, (c) => log(`${c.ok ? "PASS" : "FAIL"}  ${c.name}: ${c.detail}`));
  if (checks.some((c) => !c.ok)) code |= EXIT.verifyFailed;
  return code;
}

export async function labCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const log = (s: string) => process.stdout.write(forPerson(s) + "\n");
  // --help anywhere prints the usage: it must never bring a lab up or down
  const own = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  if (!sub || own.includes("-h") || own.includes("--help")) {
    log(
      "usage: deploy lab up [--topology plain|site] [--hosts N] | lab hosts | lab exec HOST -- COMMAND... | lab verify [--json] [-v] | lab down",
    );
    return sub ? 0 : 3;
  }
  switch (sub) {
    case "up": {
      const t0 = Date.now();
      await labUp(await topologyFrom(rest), log);
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
      return labVerify(rest, log);
    default:
      throw new DeployError(
        "input",
        `unknown lab command "${sub ?? ""}"`,
        { field: "lab" },
        { hint: "up, hosts, exec, verify or down" },
      );
  }
}
