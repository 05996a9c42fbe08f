import type { Inventory } from "./types.js";
import { readVarsFile, varsFilesFor, type VarsFileContext } from "./vars-files.js";

type Layer = { owner: string; vars: Record<string, unknown> };

/**
 * Every host's variables with Ansible's precedence (its VariableManager with the default
 * VARIABLE_PRECEDENCE), lowest first:
 *   group all in the inventory < the host's other groups in the inventory (by depth, priority, name)
 *   < group_vars/all beside each inventory source < group_vars/all beside the playbook
 *   < group_vars/GROUP beside each source (each source in turn, its groups in order) < beside the playbook
 *   < the host in the inventory < host_vars/HOST beside each source < beside the playbook.
 * So a group_vars/all file beats a group's vars written in the inventory file. Mappings and
 * lists are replaced, not merged. ansible_group_priority only orders groups: no host has it.
 */
export function composeVars(
  inv: Inventory,
  hostVars: Map<string, Record<string, unknown>>,
  bases: string[],
  ctx: VarsFileContext,
  playbookDir?: string,
): void {
  const files = (base: string, kind: "group_vars" | "host_vars", name: string): Layer[] =>
    varsFilesFor(base, kind, name).map((f) => ({ owner: `file ${f}`, vars: readVarsFile(f, ctx) }));
  const inventoryBases = bases;
  const playBases = playbookDir ? [playbookDir] : [];
  const group = (name: string): Layer => ({
    owner: `group ${name}`,
    vars: withoutPriority(inv.groups.get(name)?.vars ?? {}),
  });

  const allLayers = [
    group("all"),
    ...inventoryBases.flatMap((b) => files(b, "group_vars", "all")),
    ...playBases.flatMap((b) => files(b, "group_vars", "all")),
  ];
  [inv.allVars, inv.allOrigins] = merge(allLayers);

  for (const h of inv.hosts.values()) {
    const groups = h.groups.filter((g) => g !== "all");
    const layers: Layer[] = [
      group("all"),
      ...groups.map(group),
      ...inventoryBases.flatMap((b) => files(b, "group_vars", "all")),
      ...playBases.flatMap((b) => files(b, "group_vars", "all")),
      ...inventoryBases.flatMap((b) => groups.flatMap((g) => files(b, "group_vars", g))),
      ...playBases.flatMap((b) => groups.flatMap((g) => files(b, "group_vars", g))),
      { owner: `host ${h.name}`, vars: hostVars.get(h.name) ?? {} },
      ...inventoryBases.flatMap((b) => files(b, "host_vars", h.name)),
      ...playBases.flatMap((b) => files(b, "host_vars", h.name)),
    ];
    [h.vars, h.origins] = merge(layers);
  }
}

function merge(layers: Layer[]): [Record<string, unknown>, Map<string, string>] {
  const vars: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  for (const l of layers) {
    for (const [k, v] of Object.entries(l.vars)) {
      vars[k] = v;
      origins.set(k, l.owner);
    }
  }
  return [vars, origins];
}

function withoutPriority(vars: Record<string, unknown>): Record<string, unknown> {
  if (!("ansible_group_priority" in vars)) return vars;
  const { ansible_group_priority: _, ...rest } = vars;
  return rest;
}
