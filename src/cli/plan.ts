import { parseCommandLine } from "./args.js";
import { InputError } from "../errors.js";
import { dirname } from "node:path";
import { projectInventory } from "./project.js";
import { PLAN_OPTIONS } from "./options.js";
import { loadPlaybook } from "../loader/load.js";
import { forPerson } from "../output/sink.js";
import { redactValue } from "../secrets.js";
import { renderSketch } from "../output/sketch.js";
import { writePage } from "../output/page-file.js";

/** `deploy plan PLAYBOOK [-i FILE] [--json]`: the derived plan, validated; connects nowhere. */
export async function planCommand(argv: string[]): Promise<number> {
  const usage =
    "usage: deploy plan PLAYBOOK [-i INVENTORY] [--json] [--html FILE] (the plan is the whole site's: no --limit)";
  const parsed = parseCommandLine(argv, PLAN_OPTIONS, usage);
  const { values, positionals } = parsed;
  const [playbook] = positionals;
  if (positionals.length !== 1 || playbook === undefined)
    throw new InputError([{ field: "command line", message: "one playbook expected", hint: usage }]);
  const { inventory: inv } = await projectInventory(values.inventory, values, {
    lenientSecrets: true,
    playbookDir: dirname(playbook),
    extraVars: values["extra-vars"],
  });
  const pb = await loadPlaybook(playbook);
  if (!pb.plan)
    throw new InputError([
      {
        file: positionals[0],
        message: "this playbook derives no plan",
        hint: "add plan: (inventory) => ... to definePlaybook",
      },
    ]);
  const plan = pb.plan(inv);
  if (values.html !== undefined) {
    if (!pb.picture)
      throw new InputError([
        { file: playbook, field: "--html", message: "this playbook draws no picture of its plan" },
      ]);
    writePage(values.html, renderSketch(pb.picture(plan)));
    process.stderr.write(`wrote ${values.html}\n`);
    return 0;
  }
  process.stdout.write(
    values.json || !pb.describePlan
      ? JSON.stringify(redactValue(plan), null, 2) + "\n"
      : forPerson(pb.describePlan(plan)),
  );
  return 0;
}
