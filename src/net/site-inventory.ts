import { InputError, type Problem } from "../errors.js";
import type { Inventory } from "../inventory/types.js";
import { sitePlan, type SiteInput, type SitePlan } from "./site-plan.js";

const SITE_KEYS = new Set(["vps_prefix", "uplink_interface", "uplink_address", "home_prefix", "hub", "tap_host_index", "tap_ipv4", "dns"]);

/**
 * The address plan from an inventory: the `site` mapping in the vars of `all`, and the hosts
 * of group `vms` with their home_host_index / home_address, home_ipv4 and firewall_open.
 * Every problem names the inventory file, line and field; nothing connects anywhere.
 */
export function siteFromInventory(inv: Inventory, vmGroup = "vms"): SitePlan {
  const problems: Problem[] = [];
  const allVars = inv.groups.get("all")?.vars ?? {};
  const siteLine = inv.lines.get("group all:site");
  const site = allVars.site as Record<string, unknown> | undefined;
  if (!site || typeof site !== "object") {
    throw new InputError([{ file: inv.file, field: "all.vars.site", message: "the site's address plan is missing", hint: "add a `site:` mapping under all.vars (see inventory/hosts.yaml)" }]);
  }
  for (const k of Object.keys(site)) if (!SITE_KEYS.has(k)) problems.push({ file: inv.file, line: siteLine, field: `site.${k}`, message: `unknown key`, hint: `known: ${[...SITE_KEYS].join(", ")}` });
  const vmHosts = [...inv.hosts.values()].filter((h) => h.groups.includes(vmGroup));
  const input: SiteInput = {
    vpsPrefix: site.vps_prefix as string,
    uplinkInterface: (site.uplink_interface as string) ?? "eth0",
    uplinkAddress: site.uplink_address as string,
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
    const [owner, key] = p.field && vmHosts.some((h) => p.field!.startsWith(h.name + ".")) ? [p.field.split(".")[0], p.field.split(".")[1].replace(/\[.*$/, "")] : [undefined, undefined];
    const line = owner ? inv.lines.get(`host ${owner}:${key}`) : siteLine;
    problems.push({ ...p, file: inv.file, line, field: owner ? p.field : `site.${p.field}` });
  }
  if (problems.length || !plan) throw new InputError(problems);
  return plan;
}
