import { dirname } from "node:path";
import { InputError, type Problem } from "../errors.js";
import { loadPlaybook } from "../loader/load.js";
import { forPerson } from "../output/sink.js";
import { checkLine, verifyJson, verifyText } from "../verify/report.js";
import { runVerify } from "../verify/run.js";
import { parseCommandLine, sshArgsOf } from "./args.js";
import { projectInventory } from "./project.js";
import { becomeFrom } from "./become-options.js";
import { VERIFY_OPTIONS } from "./options.js";
import { liveDisplay } from "../output/color.js";
import { renderSketch, type Sketch } from "../output/sketch.js";
import { writePage } from "../output/page-file.js";

const USAGE = "usage: deploy verify PLAYBOOK [-i INVENTORY] [--limit PATTERN] [--json] [-v]";

/** `deploy verify PLAYBOOK`: the playbook's checks, hop by hop; exit 0, or 16 when one failed. */
export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, VERIFY_OPTIONS, USAGE);
  const [playbook] = positionals;
  if (positionals.length !== 1 || playbook === undefined)
    throw new InputError([{ field: "command line", message: "one playbook expected", hint: USAGE }]);
  const timeout = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!(timeout > 0))
    throw new InputError([
      { field: "--timeout", message: `must be a positive number of seconds, not ${values.timeout}` },
    ]);
  const sshProblems: Problem[] = [];
  const sshArgs = sshArgsOf(values, sshProblems);
  if (sshProblems.length) throw new InputError(sshProblems);
  const { inventory, cfg } = await projectInventory(values.inventory, values, {
    playbookDir: dirname(playbook),
    extraVars: values["extra-vars"],
  });
  const pb = await loadPlaybook(playbook);
  // the picture is drawn from the plan: a playbook without one is bad input before any host is touched
  let sketch: Sketch | undefined;
  if (values.html !== undefined) {
    if (!pb.picture || !pb.plan)
      throw new InputError([
        { file: playbook, field: "--html", message: "this playbook draws no picture of its plan" },
      ]);
    sketch = pb.picture(pb.plan(inventory));
  }
  const live = !values.json && liveDisplay(!!process.stderr.isTTY);
  const report = await runVerify(pb, inventory, {
    limit: values.limit,
    playbookFile: playbook,
    acceptNewHostKeys: values["accept-new-host-keys"],
    timeoutMs: timeout * 1000,
    become: await becomeFrom(values),
    user: cfg?.remoteUser,
    privateKeyPath: cfg?.privateKeyFile,
    sshArgs,
    progress: live ? (r) => process.stderr.write(forPerson(checkLine(r)) + "\n") : undefined,
  });
  if (live) process.stderr.write("\n");
  if (sketch && values.html) {
    writePage(values.html, renderSketch(sketch, report.checks));
    process.stderr.write(`wrote ${values.html}\n`);
  }
  process.stdout.write(values.json ? verifyJson(report) : forPerson(verifyText(report, !!values.verbose?.length)));
  return report.exitCode;
}
