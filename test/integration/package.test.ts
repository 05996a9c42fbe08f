// The package as a user gets it: npm pack, installed into an empty project ("type": "module" and
// "type": "commonjs"), whose playbook imports "homecloud-deploy" by name, type-checks as README
// shows, and runs with `npx deploy` against a lab host.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeOf } from "../../scripts/node-of.mjs";
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
      'import { dirname, join } from "node:path";',
      'import { fileURLToPath } from "node:url";',
      'import { definePlaybook, file, template } from "homecloud-deploy";',
      'import { radvd } from "homecloud-deploy/roles/radvd";',
      // one copy: the library the playbook gets is the one the command runs from (checked where
      // TypeScript allows import.meta: not under commonjs, where the playbook uses neither)
      ...(type === "module"
        ? [
            'const lib = dirname(fileURLToPath(import.meta.resolve("homecloud-deploy")));',
            // the command is dist/site/cli.js of the same package as the library (dist/src)
            'if (realpathSync(process.argv[1]!) !== join(lib, "..", "site", "cli.js")) throw new Error(`a second copy of the library: ${lib}`);',
          ]
        : ["void realpathSync, dirname, join, fileURLToPath;"]),
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
    expect(files).toContain("package/dist/site/cli.js");
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

describe("a user's own project from the package: deploy init, then plan and --list-tasks", () => {
  it("works as written under this machine's Node and Node 22 and 24", () => {
    // README's steps: an empty directory (npm writes the package.json), npm i -D, deploy init
    const dir = mkdtempSync(join(tmpdir(), "hcd-pkg-init-"));
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--silent", pack()], {
      cwd: dir,
      stdio: "pipe",
    });
    const cli = join(dir, "node_modules/homecloud-deploy/dist/site/cli.js");
    const env = {
      ...process.env,
      CI: "1",
      HCD_VPN_ADMIN_PASSWORD: "p1",
      HCD_VPN_HOME_PASSWORD: "p2",
      HCD_HOMEGW_ADMIN_PASSWORD: "p3",
    };
    const nodes: Array<[string, string]> = [
      [process.version, process.execPath],
      ["22", nodeOf(22)],
      ["24", nodeOf(24)],
    ];
    for (const [version, node] of nodes) {
      const project = `site-node${version.replace(/\W/g, "")}`;
      const step = (cwd: string, ...args: string[]) => {
        const r = spawnSync(node, [cli, ...args], { cwd, encoding: "utf8", env, input: "" });
        expect(r.status, `node ${version}: deploy ${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(0);
        return r.stdout;
      };
      expect(step(dir, "--help")).toContain("deploy init");
      step(
        dir,
        "init",
        project,
        "--vps-prefix=2001:db8:0:8964::/64",
        "--uplink-address=2001:db8:0:8964::2",
        "--home-prefix=2001:db8:0:8964:8964::/78",
        "--vps-host=vps.example.org",
        "--homegw-host=192.168.1.20",
      );
      expect(step(join(dir, project), "plan", "playbooks/site.ts")).toMatch(/vm1 +2001:db8:0:8964:8964::10\/78/);
      expect(step(join(dir, project), "playbooks/site.ts", "--list-tasks")).toContain("softether-server : ");
    }
  }, 600_000);
});
