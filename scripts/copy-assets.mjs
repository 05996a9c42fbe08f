// Build step: templates and role READMEs go beside the compiled roles, so that
// template(new URL("./templates/x.hbs", import.meta.url)) works from dist/ too.
import { cpSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

for (const dir of ["roles", "site", "playbooks"]) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (!name.isDirectory()) continue;
    const src = join(dir, name.name, "templates");
    if (existsSync(src)) cpSync(src, join("dist", dir, name.name, "templates"), { recursive: true });
  }
}
