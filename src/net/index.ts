// Address planning for the site, on ip-address.
export { sitePlan } from "./site-plan.js";
export type { SiteInput, SitePlan, SiteVm, SiteVmInput, Opening } from "./site-plan.js";
export { siteFromInventory } from "./site-inventory.js";
export { renderSitePlan } from "./table.js";
export { parsePrefix6, parseInterface4, format6, format4, addr6, addr4, inPrefix6 } from "./prefix.js";
