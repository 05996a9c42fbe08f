import { becomeFrom } from "./become-options.js";
import { startAtTask } from "../engine/start-at.js";
import { dirname } from "node:path";
import { projectInventory } from "./project.js";
import { loadPlaybook } from "../loader/load.js";
import { runPlaybook } from "../engine/run.js";
import type { Reporter } from "../engine/reporter.js";
import { silentReporter } from "../engine/reporter.js";
import { jsonDocument } from "../output/json.js";
import { plainReporter } from "../output/plain.js";
import { recapLines } from "../output/recap.js";
import { parseRunArgs } from "./args.js";
import { compile, type CompiledPlay } from "../engine/compile.js";
import { forPerson } from "../output/sink.js";
import { liveDisplay, useColor } from "../output/color.js";
import { logReporter, teeReporter } from "../output/log.js";

/** What a run would touch, in order: plays, their hosts and (with tasks) each host's tasks. */
function listing(file: string, plays: CompiledPlay[], tasks: boolean): string {
  const out = [`playbook: ${file}`, ""];
  plays.forEach((p, i) => {
    out.push(`  play #${i + 1} (${p.name}): ${p.hosts.length} host${p.hosts.length === 1 ? "" : "s"}`);
    for (const h of p.hosts) {
      out.push(`    ${h.host}`);
      if (tasks)
        for (const r of h.roles)
          for (const t of r.tasks)
            out.push(
              `      ${r.role} : ${t.task.name}${t.task.tags.length ? `  TAGS: [${t.task.tags.join(", ")}]` : ""}`,
            );
    }
    out.push("");
  });
  return out.join("\n");
}

/** Each play's tags, as ansible-playbook --list-tags prints them (after --limit, --tags, --skip-tags). */
function tagListing(file: string, plays: CompiledPlay[]): string {
  const out = [`playbook: ${file}`, ""];
  plays.forEach((p, i) => {
    const tags = new Set<string>();
    for (const h of p.hosts)
      for (const r of h.roles)
        if (r.tasks.length)
          for (const tag of [...(r.tags ?? []), ...r.tasks.flatMap((t) => t.task.tags)]) tags.add(tag);
    out.push(`  play #${i + 1} (${p.name}):\tTAGS: [${[...tags].sort().join(", ")}]`, "");
  });
  return out.join("\n");
}

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  // listing connects nowhere: a secret it cannot read is no reason to refuse
  const listing_ = args.listHosts || args.listTasks || args.listTags;
  const { inventory, cfg } = await projectInventory(args.inventories, args.vault, {
    lenientSecrets: listing_,
    playbookDir: dirname(args.playbook),
    extraVars: args.extraVars,
  });
  const playbook = await loadPlaybook(args.playbook);
  if (listing_) {
    const compiled = compile(
      playbook,
      inventory,
      { tags: args.tags, skipTags: args.skipTags, limit: args.limit },
      args.playbook,
    );
    // --list-tasks --start-at-task shows where the run would start, as Ansible's does
    const plays = args.startAtTask ? startAtTask(compiled, args.startAtTask) : compiled;
    for (const w of new Set(plays.flatMap((p) => p.warnings))) process.stderr.write(forPerson(`warning: ${w}\n`));
    process.stdout.write(
      forPerson(args.listTags ? tagListing(args.playbook, plays) : listing(args.playbook, plays, args.listTasks)),
    );
    return 0;
  }
  // -K asks before the progress display takes the terminal
  const become = await becomeFrom(args.become);
  const tty = liveDisplay(!!process.stdout.isTTY);
  let reporter: Reporter = silentReporter;
  if (!args.json) {
    reporter = tty
      ? (await import("../output/listr.js")).listrReporter({
          verbose: args.verbose,
          diff: args.diff,
          check: args.check,
        })
      : plainReporter({
          verbose: args.verbose,
          diff: args.diff,
          check: args.check,
          write: (s) => process.stdout.write(s),
        });
  }
  const log = args.log ? logReporter(args.log, args.check) : undefined;
  if (log) {
    log.line(`deploy ${argv.join(" ")} (pid ${process.pid})`);
    reporter = teeReporter(reporter, log);
  }
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(
      "\ninterrupted: finishing the current step on each host, then stopping (Ctrl-C again to quit at once)\n",
    );
  };
  process.on("SIGINT", onSigint);
  const summary = await runPlaybook(playbook, inventory, {
    check: args.check,
    diff: args.diff,
    tags: args.tags,
    skipTags: args.skipTags,
    limit: args.limit,
    forks: args.forks ?? cfg?.forks,
    user: args.user ?? cfg?.remoteUser,
    privateKeyPath: args.privateKey ?? cfg?.privateKeyFile,
    sshArgs: args.sshArgs,
    startAtTask: args.startAtTask,
    acceptNewHostKeys: args.acceptNewHostKeys,
    timeoutMs: args.timeoutMs,
    become,
    lockTimeoutSeconds: args.lockTimeoutSeconds,
    reporter,
    interrupted: () => interrupted,
    playbookFile: args.playbook,
  });
  process.off("SIGINT", onSigint);
  if (log) {
    log.line(["RECAP", ...recapLines(summary, false), `exit ${summary.exitCode}`].join("\n"));
    log.close();
  }
  if (args.json) process.stdout.write(jsonDocument(summary));
  else process.stdout.write("\n" + recapLines(summary, useColor(!!process.stdout.isTTY)).join("\n") + "\n");
  return summary.exitCode;
}
