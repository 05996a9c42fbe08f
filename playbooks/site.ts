// The whole site: npx deploy playbooks/site.ts [-i inventory/lab.yaml] [--check --diff] [--tags radvd] [--limit vps]
// The site itself lives in site/ (plan, plays, checks); a user's project has the same one line,
// importing "homecloud-deploy/site" (deploy init writes it).
export { default } from "../site/index.js";
