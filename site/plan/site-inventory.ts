import { InputError, type Problem } from "../../src/errors.js";
import { originOf, type Inventory } from "../../src/inventory/types.js";
import { sitePlan, type SiteInput, type SitePlan } from "./site-plan.js";

type Kind = "text" | "whole number" | "list of texts";
/** What each value of the site must be; a value of another type is refused before any planning. */
const SITE_KINDS: Record<string, Kind> = {
  variant: "text",
  router_address: "text",
  downlink: "text",
  vps_prefix: "text",
  uplink_interface: "text",
  uplink_address: "text",
  uplink_router: "text",
  home_prefix: "text",
  hub: "text",
  tap_host_index: "whole number",
  tap_ipv4: "text",
  dns: "list of texts",
};
const VM_KINDS: Record<string, Kind> = {
  home_host_index: "whole number",
  home_address: "text",
  home_ipv4: "text",
  firewall_open: "list of texts",
};
const SITE_KEYS = new Set(Object.keys(SITE_KINDS));
const EXAMPLE: Record<Kind, string> = {
  text: "2001:db8::/64",
  "whole number": "16",
  "list of texts": "[tcp/22, tcp/443]",
};

function isKind(v: unknown, k: Kind): boolean {
  if (k === "text") return typeof v === "string";
  if (k === "whole number") return typeof v === "number" && Number.isInteger(v);
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/** Values of the wrong type (a scalar where a list is wanted, a list where text is), one problem each. */
function typeProblems(
  vars: Record<string, unknown>,
  kinds: Record<string, Kind>,
  where: (key: string) => Omit<Problem, "message">,
): Problem[] {
  const out: Problem[] = [];
  for (const [key, kind] of Object.entries(kinds)) {
    const v = vars[key];
    if (v === undefined || v === null || isKind(v, kind)) continue;
    out.push({
      ...where(key),
      message: `must be a ${kind}, not ${JSON.stringify(v)}`,
      hint: `e.g. ${key}: ${EXAMPLE[kind]}`,
    });
  }
  return out;
}

/**
 * The address plan from an inventory: the `site` mapping in the vars of `all`, and the hosts
 * of group `vms` with their home_host_index / home_address, home_ipv4 and firewall_open.
 * Every problem names the inventory file, line and field; nothing connects anywhere.
 */
export function siteFromInventory(inv: Inventory, vmGroup = "vms"): SitePlan {
  const problems: Problem[] = [];
  // the site as every host starts from it: the inventory's all.vars, then group_vars/all files
  const allVars = inv.allVars;
  const all = { origins: inv.allOrigins };
  const siteAt = originOf(inv, all, "site");
  const site = allVars.site as Record<string, unknown> | undefined;
  if (!site || typeof site !== "object") {
    throw new InputError([
      {
        file: inv.file,
        field: "all.vars.site",
        message: "the site's address plan is missing",
        hint: "add a `site:` mapping under all.vars (see inventory/hosts.yaml)",
      },
    ]);
  }
  // each problem at its key's own line, else at `site:`
  const at = (field: string) => {
    const o = originOf(inv, all, `site.${field}`) ?? siteAt;
    return { file: o?.file ?? inv.file, line: o?.line };
  };
  for (const k of Object.keys(site))
    if (!SITE_KEYS.has(k))
      problems.push({
        ...at(k),
        field: `site.${k}`,
        message: `unknown key`,
        hint: `known: ${[...SITE_KEYS].join(", ")}`,
      });
  const vmHosts = [...inv.hosts.values()].filter((h) => h.groups.includes(vmGroup));
  problems.push(...typeProblems(site, SITE_KINDS, (k) => ({ ...at(k), field: `site.${k}` })));
  for (const h of vmHosts)
    problems.push(
      ...typeProblems(h.vars, VM_KINDS, (k) => ({
        file: originOf(inv, h, k)?.file ?? inv.file,
        line: originOf(inv, h, k)?.line,
        field: `${h.name}.${k}`,
      })),
    );
  if (problems.length) throw new InputError(problems);
  const input: SiteInput = {
    variant: site.variant as string | undefined,
    routerAddress: site.router_address as string | undefined,
    downlink: site.downlink as string | undefined,
    vpsPrefix: site.vps_prefix as string,
    uplinkInterface: (site.uplink_interface as string) ?? "eth0",
    uplinkAddress: site.uplink_address as string,
    uplinkRouter: site.uplink_router as string | undefined,
    homePrefix: site.home_prefix as string,
    hub: (site.hub as string) ?? "VPN",
    tapHostIndex: site.tap_host_index as number | undefined,
    tapIpv4: site.tap_ipv4 as string,
    dns: site.dns as string[] | undefined,
    vms: vmHosts.map((h) => ({
      name: h.name,
      hostIndex: h.vars.home_host_index as number | undefined,
      address: h.vars.home_address as string | undefined,
      ipv4: h.vars.home_ipv4 as string | undefined,
      open: h.vars.firewall_open as string[] | undefined,
    })),
  };
  const { plan, problems: planProblems } = sitePlan(input);
  for (const p of planProblems) {
    const vm = p.field ? vmHosts.find((h) => p.field!.startsWith(h.name + ".")) : undefined;
    const o = vm ? originOf(inv, vm, p.field!.slice(vm.name.length + 1)) : p.field ? at(p.field) : siteAt;
    problems.push({ ...p, file: o?.file ?? inv.file, line: o?.line, field: vm ? p.field : `site.${p.field}` });
  }
  if (problems.length || !plan) throw new InputError(problems);
  return plan;
}
