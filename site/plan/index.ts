// The site's address plan: derived from the inventory, validated before any connection.
export { sitePlan } from "./site-plan.js";
export type { SiteInput, SitePlan, SiteVm, SiteVmInput, Opening } from "./site-plan.js";
export { siteFromInventory } from "./site-inventory.js";
export { renderSitePlan } from "./table.js";
