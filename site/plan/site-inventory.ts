import { InputError, type Problem } from "../../src/errors.js";
import { type Inventory, originOf } from "../../src/inventory/types.js";
import { planFromVars, type SitePlan, type VmInput } from "./site-plan.js";
import { schemaProblems } from "./schema-problems.js";
import { siteSchema, vmSchema } from "./site-schema.js";

/**
 * The address plan from an inventory: the `site` mapping in the vars of `all`, and the hosts
 * of group `vms` with their home_host_index / home_address, home_ipv4 and firewall_open, each
 * parsed by its schema (site-schema.ts), then weighed against each other (site-plan.ts). Every
 * problem names the inventory file, line and field; nothing connects anywhere.
 */
export function siteFromInventory(inv: Inventory, vmGroup = "vms"): SitePlan {
  // the site as every host starts from it: the inventory's all.vars, then group_vars/all files
  const all = { origins: inv.allOrigins };
  const siteAt = originOf(inv, all, "site");
  const raw = inv.allVars.site;
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new InputError([
      {
        file: siteAt?.file ?? inv.file,
        line: siteAt?.line,
        field: "all.vars.site",
        message: raw === undefined ? "the site's address plan is missing" : "must be a mapping",
        hint: "add a `site:` mapping under all.vars (see inventory/hosts.yaml)",
      },
    ]);
  // each problem at its key's own line, else at `site:`
  const atSite = (path: string) => {
    const o = originOf(inv, all, `site.${path}`) ?? siteAt;
    return { file: o?.file ?? inv.file, line: o?.line, field: `site.${path}` };
  };
  const site = siteSchema.safeParse(raw);
  const problems: Problem[] = site.success
    ? []
    : schemaProblems(site.error.issues, atSite, Object.keys(siteSchema.shape));
  const vmHosts = [...inv.hosts.values()].filter((h) => h.groups.includes(vmGroup));
  const atVm = (name: string, path: string) => {
    const o = originOf(inv, inv.hosts.get(name)!, path);
    return { file: o?.file ?? inv.file, line: o?.line, field: `${name}.${path}` };
  };
  const vms: VmInput[] = [];
  for (const h of vmHosts) {
    const r = vmSchema.safeParse(h.vars);
    if (r.success) vms.push({ ...r.data, name: h.name });
    else problems.push(...schemaProblems(r.error.issues, (path) => atVm(h.name, path)));
  }
  if (!site.success || problems.length) throw new InputError(problems);
  const { plan, problems: relations } = planFromVars(site.data, vms);
  for (const p of relations) {
    const vm = p.field ? vmHosts.find((h) => p.field!.startsWith(`${h.name}.`)) : undefined;
    const at = vm ? atVm(vm.name, p.field!.slice(vm.name.length + 1)) : atSite(p.field ?? "");
    problems.push({ ...p, ...at });
  }
  if (problems.length || !plan) throw new InputError(problems);
  return plan;
}
