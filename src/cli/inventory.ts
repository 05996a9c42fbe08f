import { parseCommandLine } from "./args.js";
import { InputError } from "../errors.js";
import { inventoryGraph, inventoryList } from "../inventory/list.js";
import { selectHosts } from "../inventory/patterns.js";
import { forPerson } from "../output/sink.js";
import { redactValue } from "../secrets.js";
import { projectInventory } from "./project.js";
import { INVENTORY_COMMAND_OPTIONS } from "./options.js";

const USAGE =
  "deploy inventory [-i SOURCE]... [--limit PATTERN] [--playbook-dir DIR] [--vault-password-file F] (--list | --host NAME | --graph [GROUP] | --list-hosts)";

/** `deploy inventory`: what an inventory means, as `ansible-inventory` shows it; connects nowhere. */
export async function inventoryCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, INVENTORY_COMMAND_OPTIONS, USAGE);
  const v = parsed.values;
  const modes = [v.list, v.host !== undefined, v.graph, v["list-hosts"]].filter(Boolean).length;
  if (modes !== 1 || (parsed.positionals.length && !v.graph) || parsed.positionals.length > 1) {
    throw new InputError([
      {
        field: "command line",
        message: "give exactly one of --list, --host NAME, --graph [GROUP], --list-hosts",
        hint: USAGE,
      },
    ]);
  }
  // like ansible-inventory: the vars files beside the playbook folder (default: here) count too
  const { inventory: inv } = await projectInventory(v.inventory, v, {
    lenientSecrets: true,
    playbookDir: v["playbook-dir"] ?? ".",
  });
  let only: Set<string> | undefined;
  if (v.limit !== undefined) {
    const r = selectHosts(inv, v.limit, { field: "--limit" });
    if (r.problems.length) throw new InputError(r.problems);
    if (!r.hosts.length)
      throw new InputError([{ field: "--limit", message: `"${v.limit}" selects no host of ${inv.file}` }]);
    only = new Set(r.hosts);
  }
  const json = (x: unknown) => process.stdout.write(JSON.stringify(redactValue(x), null, 4) + "\n");
  if (v.list) json(inventoryList(inv, only));
  else if (v.host !== undefined) {
    const h = inv.hosts.get(v.host);
    if (!h || (only && !only.has(v.host)))
      throw new InputError([
        {
          file: inv.file,
          field: "--host",
          message: `no host named "${v.host}"${only ? " among the selected hosts" : ""}`,
        },
      ]);
    json(h.vars);
  } else if (v.graph) {
    const top = parsed.positionals[0] ?? "all";
    if (!inv.groups.has(top))
      throw new InputError([{ file: inv.file, field: "--graph", message: `no group named "${top}"` }]);
    process.stdout.write(forPerson(inventoryGraph(inv, top)));
  } else {
    const hosts = only ? [...only] : selectHosts(inv, "all", {}).hosts;
    process.stdout.write(forPerson(hosts.join("\n")) + "\n");
  }
  return 0;
}
