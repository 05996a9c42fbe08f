// -e/--extra-vars as Ansible reads it: NAME=VALUE words (text), a JSON or YAML mapping (typed),
// @FILE; above every inventory variable; a bad one refused before anything, naming where.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExtraVars, withExtraVars } from "../../src/inventory/extra-vars.js";
import { parseInventory } from "../../src/inventory/load.js";
import { InputError } from "../../src/errors.js";

/** The problems an InputError carries, one line each. */
function refused(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError)
      return e.problems.map((p) => `${p.file ?? ""} ${p.field ?? ""}: ${p.message}`).join("\n");
    throw e;
  }
  throw new Error("not refused");
}

const deploy = (...args: string[]) =>
  spawnSync(process.execPath, ["dist/site/cli.js", ...args], { encoding: "utf8", env: { ...process.env, CI: "1" } });

describe("-e, --extra-vars", () => {
  it("NAME=VALUE words are text, quotes as a shell reads them; a mapping is typed; later ones win", () => {
    expect(parseExtraVars([`a=1 b='two words' c="x\\"y" d=`]).vars).toEqual({
      a: "1",
      b: "two words",
      c: 'x"y',
      d: "",
    });
    expect(parseExtraVars(['{"n": 16, "l": ["tcp/22"], "m": {"k": true}}']).vars).toEqual({
      n: 16,
      l: ["tcp/22"],
      m: { k: true },
    });
    expect(parseExtraVars(["a=1", '{"a": 2}']).vars).toEqual({ a: 2 });
  });
  it("@FILE: YAML or JSON, with where each value was set", () => {
    const f = join(mkdtempSync(join(tmpdir(), "hcd-ev-")), "vars.yaml");
    writeFileSync(f, "home_interface: ens18\nsite:\n  hub: HOME2\n");
    const e = parseExtraVars([`@${f}`]);
    expect(e.vars).toEqual({ home_interface: "ens18", site: { hub: "HOME2" } });
    expect(e.where.get("extra vars:home_interface")).toEqual({ file: f, line: 1 });
  });
  it("refuses what is not NAME=VALUE, a file it cannot read, and broken YAML", () => {
    expect(refused(() => parseExtraVars(["nope"]))).toMatch(/-e: "nope" is not NAME=VALUE/);
    expect(refused(() => parseExtraVars(["9a=1"]))).toMatch(/-e: "9a=1" is not NAME=VALUE/);
    expect(refused(() => parseExtraVars(["@/nonexistent/vars.yaml"]))).toMatch(
      /\/nonexistent\/vars.yaml -e: cannot read it: ENOENT/,
    );
    expect(refused(() => parseExtraVars(["{a: [1"]))).toMatch(/YAML/);
  });
  it("wins over every inventory variable, host vars included", () => {
    const { inventory: inv } = parseInventory(
      "all:\n  vars:\n    x: group\n  hosts:\n    h1:\n      x: host\n      y: kept\n",
      "inv.yaml",
    );
    const out = withExtraVars(inv, parseExtraVars(["x=cli"]));
    expect(out.hosts.get("h1")!.vars).toMatchObject({ x: "cli", y: "kept" });
    expect(out.allVars.x).toBe("cli");
    // the inventory itself is left as it was
    expect(inv.hosts.get("h1")!.vars.x).toBe("host");
  });
  it("through the CLI: a run's tasks see it; a bad value in @FILE is named with that file and line", () => {
    const r = deploy(
      "playbooks/site.ts",
      "-i",
      "inventory/lab.yaml",
      "--list-tasks",
      "--limit",
      "vm1",
      "-e",
      "home_interface=ens18",
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("static-address : addresses of ens18:");
    const f = join(mkdtempSync(join(tmpdir(), "hcd-ev-")), "bad.yaml");
    writeFileSync(
      f,
      "# a wrong hub\nsite:\n  vps_prefix: 2001:db8:0:8964::/64\n  uplink_address: 2001:db8:0:8964::2\n  home_prefix: 2001:db8:0:8964:8964::/78\n  hub: this-hub-name-is-too-long\n  tap_ipv4: 10.89.64.1/24\n",
    );
    const bad = deploy("plan", "playbooks/site.ts", "-i", "inventory/lab.yaml", "-e", `@${f}`);
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(
      new RegExp(`${f.replace(/[.]/g, "\\.")}:6 site.hub: hub name "this-hub-name-is-too-long"`),
    );
  });
  it("--list-tags prints each play's tags", () => {
    const r = deploy("playbooks/site.ts", "-i", "inventory/lab.yaml", "--list-tags");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("play #1 (vps):\tTAGS: [firewall, ndppd, radvd, softether-server, tap-bridge]");
    expect(r.stdout).toContain("play #3 (home VMs):\tTAGS: [static-address]");
  });
});
