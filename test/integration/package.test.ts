// The package as a user gets it: npm pack, installed into an empty project ("type": "module" and
// "type": "commonjs"), whose playbook imports "homecloud-deploy" by name, type-checks as README
// shows, and runs with `npx deploy` against a lab host.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { labPaths } from "../../src/lab/paths.js";
import { onHost } from "../support/lab.js";

const repo = resolve(".");
const packed = mkdtempSync(join(tmpdir(), "hcd-pack-"));

function pack(): string {
  const have = readdirSync(packed).find((f) => f.endsWith(".tgz"));
  if (have) return join(packed, have);
  execFileSync("npm", ["pack", "--silent", "--pack-destination", packed], { cwd: repo, stdio: "pipe" });
  return join(packed, readdirSync(packed).find((f) => f.endsWith(".tgz"))!);
}

/** A project of that module type with the package installed and a playbook that writes `path`. */
function project(type: "module" | "commonjs", path: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hcd-pkg-${type}-`));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "site", private: true, type }));
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--silent", pack()], {
    cwd: dir,
    stdio: "pipe",
  });
  mkdirSync(join(dir, "templates"));
  writeFileSync(join(dir, "templates", "note.hbs"), "installed for {{who}}\n");
  writeFileSync(
    join(dir, "playbook.ts"),
    [
      'import { realpathSync } from "node:fs";',
      'import { dirname } from "node:path";',
      'import { fileURLToPath } from "node:url";',
      'import { definePlaybook, file, template } from "homecloud-deploy";',
      'import { radvd } from "homecloud-deploy/roles/radvd";',
      // one copy: the library the playbook gets is the one the command runs from (checked where
      // TypeScript allows import.meta: not under commonjs, where the playbook uses neither)
      ...(type === "module"
        ? [
            'const lib = dirname(fileURLToPath(import.meta.resolve("homecloud-deploy")));',
            "if (dirname(realpathSync(process.argv[1]!)) !== lib) throw new Error(`a second copy of the library: ${lib}`);",
          ]
        : ["void realpathSync, dirname, fileURLToPath;"]),
      'if (typeof radvd !== "function") throw new Error("no radvd role");',
      // a relative template path is beside the playbook: no import.meta.url, which commonjs refuses
      `export default definePlaybook({ name: "pkg", plays: [{ hosts: "h1", tasks: () => [file({ path: "${path}", content: template("templates/note.hbs", { who: "${type}" }) })] }] });`,
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(repo, "node_modules/@types")],
      },
      include: ["playbook.ts"],
    }),
  );
  return dir;
}

describe("the npm package", () => {
  it("holds the built modules only: no bundle, no copy of a dependency, no install script", () => {
    const files = execFileSync("tar", ["tzf", pack()], { encoding: "utf8" }).split("\n").filter(Boolean);
    expect(files.filter((f) => /node_modules\/|\.cjs$/.test(f))).toEqual([]);
    expect(files).toContain("package/dist/src/cli.js");
    const manifest = JSON.parse(execFileSync("tar", ["xzfO", pack(), "package/package.json"], { encoding: "utf8" }));
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);
  });

  for (const type of ["module", "commonjs"] as const) {
    it(`installs into an empty "type": "${type}" project; its playbook type-checks and runs`, () => {
      const target = `/srv/from-package-${type}`;
      const dir = project(type, target);
      const tsc = spawnSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "."], {
        cwd: dir,
        encoding: "utf8",
      });
      expect(tsc.stdout + tsc.stderr).toBe("");
      expect(tsc.status).toBe(0);
      onHost("h1", `rm -f ${target}`);
      const run = spawnSync("npx", ["deploy", "playbook.ts", "-i", labPaths.inventory()], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, CI: "1" },
      });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(onHost("h1", `cat ${target}`)).toBe(`installed for ${type}\n`);
    });
  }
});
