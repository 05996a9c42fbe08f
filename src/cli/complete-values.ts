import { compile } from "../engine/compile.js";
import { loadPlaybook } from "../loader/load.js";
import { projectInventory } from "./project.js";

/** The -i/--inventory sources among the words typed so far. */
function inventories(words: string[]): string[] | undefined {
  const out: string[] = [];
  words.forEach((w, i) => {
    if ((w === "-i" || w === "--inventory") && words[i + 1]) out.push(words[i + 1]!);
    else if (w.startsWith("--inventory=")) out.push(w.slice("--inventory=".length));
  });
  return out.length ? out : undefined;
}

/**
 * `deploy __complete hosts WORDS...` (the inventory's hosts and groups) and `deploy __complete
 * tags PLAYBOOK WORDS...` (the playbook's tags): what the shell completion offers. Quiet: a
 * project that does not load offers nothing, never an error in the middle of a command line.
 */
export async function completeValues(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  try {
    const playbook = what === "tags" ? rest.shift() : undefined;
    const { inventory } = await projectInventory(inventories(rest), {}, { lenientSecrets: true });
    let names: string[];
    if (what === "hosts") names = [...inventory.groups.keys(), ...inventory.hosts.keys()];
    else if (what === "tags" && playbook) {
      const plays = compile(await loadPlaybook(playbook), inventory, {}, playbook);
      names = plays.flatMap((p) =>
        p.hosts.flatMap((h) => h.roles.flatMap((r) => [...(r.tags ?? []), ...r.tasks.flatMap((t) => t.task.tags)])),
      );
    } else names = [];
    process.stdout.write([...new Set(names)].sort().join("\n") + (names.length ? "\n" : ""));
  } catch {
    /* nothing to offer */
  }
  return 0;
}
