import { parseCommandLine } from "./args.js";
import { InputError } from "../errors.js";
import { dirname } from "node:path";
import { projectInventory } from "./project.js";
import { VAULT_OPTIONS } from "./vault-options.js";
import { loadPlaybook } from "../playbook/load.js";
import { forPerson } from "../output/sink.js";
import { redactValue } from "../secrets.js";
import { renderSketch } from "../output/sketch.js";
import { writePage } from "../output/page-file.js";

/** `deploy plan PLAYBOOK [-i FILE] [--json]`: the derived plan, validated; connects nowhere. */
export async function planCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(
    argv,
    {
      inventory: { type: "string", short: "i", multiple: true },
      json: { type: "boolean" },
      html: { type: "string" },
      "extra-vars": { type: "string", short: "e", multiple: true },
      ...VAULT_OPTIONS,
    },
    "usage: deploy plan PLAYBOOK [-i INVENTORY] [--json] [--html FILE] (the plan is the whole site's: no --limit)",
  );
  const { values, positionals } = parsed;
  const [playbook] = positionals;
  if (positionals.length !== 1 || playbook === undefined)
    throw new InputError([{ field: "command line", message: "usage: deploy plan PLAYBOOK [-i INVENTORY] [--json]" }]);
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
