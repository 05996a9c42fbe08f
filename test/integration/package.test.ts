// The package as a user gets it: npm pack, installed into an empty project, whose playbook
// imports "homecloud-deploy" by name, type-checks, and runs with `npx deploy` against a lab host.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { labPaths } from "../../src/lab/paths.js";
import { onHost } from "../support/lab.js";

describe("the npm package", () => {
  it("installs into an empty project and runs a playbook that imports it by name", () => {
    const repo = resolve(".");
    const dir = mkdtempSync(join(tmpdir(), "hcd-pkg-"));
    execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: repo, stdio: "pipe" });
    const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "site", private: true, type: "module" }));
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--silent", join(dir, tgz)], { cwd: dir, stdio: "pipe" });
    writeFileSync(
      join(dir, "playbook.ts"),
      [
        'import { definePlaybook, file } from "homecloud-deploy";',
        'import { radvd } from "homecloud-deploy/roles/radvd";',
        // the command runs from its one-file build, and the playbook gets that build's modules
        'const b = (globalThis as any)[Symbol.for("homecloud-deploy.bundle")];',
        'if (b?.modules["src/index.js"]().definePlaybook !== definePlaybook || b?.modules["roles/radvd/index.js"]().radvd !== radvd) throw new Error("a second copy of the library");',
        'export default definePlaybook({ name: "pkg", plays: [{ hosts: "h1", tasks: () => [file({ path: "/srv/from-package", content: "installed\\n" })] }] });',
      ].join("\n"),
    );
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ["playbook.ts"] }));
    const tsc = spawnSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: dir, encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
    onHost("h1", "rm -f /srv/from-package");
    const run = spawnSync("npx", ["deploy", "playbook.ts", "-i", labPaths.inventory()], { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "1" } });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(onHost("h1", "cat /srv/from-package")).toBe("installed\n");
  });
});
