// homecloud-deploy/site: the site as a package export. A user's playbooks/site.ts is
// `export { default } from "homecloud-deploy/site";`; a package upgrade brings the site's fixes.
export { default } from "./playbook.js";
export { SITE_HOPS, siteVpsChecks } from "./checks.js";
export { siteVmChecks } from "./vm-checks.js";
export { sitePicture } from "./picture.js";
export { renderSitePlan, siteFromInventory, sitePlan } from "./plan/index.js";
export type { Opening, SiteInput, SitePlan, SiteVm, SiteVmInput } from "./plan/index.js";
