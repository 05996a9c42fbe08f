import { loadInventory } from "../inventory/load.js";
import { loadPlaybook } from "../playbook/load.js";
import { runPlaybook } from "../engine/run.js";
import type { Reporter } from "../engine/reporter.js";
import { silentReporter } from "../engine/reporter.js";
import { jsonDocument } from "../output/json.js";
import { plainReporter } from "../output/plain.js";
import { recapLines } from "../output/recap.js";
import { parseRunArgs } from "./args.js";

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  const inventory = loadInventory(args.inventory);
  const playbook = await loadPlaybook(args.playbook);
  const tty = !!process.stdout.isTTY && !process.env.CI;
  let reporter: Reporter = silentReporter;
  if (!args.json) {
    reporter = tty
      ? (await import("../output/listr.js")).listrReporter({ verbose: args.verbose, diff: args.diff, check: args.check })
      : plainReporter({ verbose: args.verbose, diff: args.diff, check: args.check, write: (s) => process.stdout.write(s) });
  }
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write("\ninterrupted: finishing the current step on each host, then stopping (Ctrl-C again to quit at once)\n");
  };
  process.on("SIGINT", onSigint);
  const summary = await runPlaybook(playbook, inventory, {
    check: args.check,
    diff: args.diff,
    tags: args.tags,
    skipTags: args.skipTags,
    limit: args.limit,
    forks: args.forks,
    acceptNewHostKeys: args.acceptNewHostKeys,
    timeoutMs: args.timeoutMs,
    lockTimeoutSeconds: args.lockTimeoutSeconds,
    reporter,
    interrupted: () => interrupted,
    playbookFile: args.playbook,
  });
  process.off("SIGINT", onSigint);
  if (args.json) process.stdout.write(jsonDocument(summary));
  else process.stdout.write("\n" + recapLines(summary, tty).join("\n") + "\n");
  return summary.exitCode;
}
