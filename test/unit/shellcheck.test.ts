// The shell we send, checked by ShellCheck (Debian's shellcheck, POSIX sh mode): for the site on
// the lab's inventory and on the rtx variant's, and for role variants the site does not use (ndppd
// in kernel mode, the cascade without its watchdog), every host's probe script (the read-table
// functions, then each task's fragment), every apply script the tasks' steps give from the states
// of a fresh or wrong host (each network stack, services stopped, files missing, ...), the
// confirm scripts, and every shell script a role installs on the host (a file that starts "#!").
// Excluded, with the reason: SC2320 ("$? refers to echo"): a section's status is its group's,
// `{ ...; } 2>&1; rc=$?`, which ShellCheck reads as the group's last echo.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/engine/compile.js";
import { shDialect } from "../../src/engine/dialect.js";
import { probeItem, probeScript } from "../../src/engine/probe.js";
import { tableFunctions } from "../../src/engine/read-tables.js";
import type { Task } from "../../src/engine/types.js";
import { loadInventory } from "../../src/inventory/load.js";
import type { HostContext } from "../../src/playbook/define.js";
import site from "../../site/index.js";
import { ndppd } from "../../roles/ndppd/index.js";
import { softetherCascade } from "../../roles/softether-cascade/index.js";
import { bootstrapByMac } from "../../site/bootstrap.js";
import { SITE_CASCADE } from "../support/site-params.js";

/** What probes print on a fresh or wrong host, for every kind of resource the site has. */
const WRONG_STATES = [
  "",
  "live 0",
  "init systemd\nload loaded\nactive inactive\nenabled disabled\nreload yes",
  "init systemd\nload not-found\nactive inactive\nenabled \nreload no",
  "init sysv\nload yes\nactive inactive\nenabled no",
  "method networkd\nlive 0",
  "method netplan\nlive 0",
  "method networkmanager\nlive 0",
  "method ifupdown\nlive 0",
  "run",
  "state ok\nlogin 0\n",
];

/** The distinct scripts the task's steps give from each wrong state (a state a task refuses gives none). */
function stepScripts(t: Task): { apply: string[]; installed: string[] } {
  const r = t.resource;
  const states: unknown[] = [];
  const attempt = (f: () => void) => {
    try {
      f();
    } catch {
      /* a state this resource refuses, or cannot take from this output */
    }
  };
  attempt(() => r.fromContent && states.push(r.fromContent(null)));
  for (const out of WRONG_STATES) for (const code of [0, 1]) attempt(() => states.push(r.parse(out, code)));
  const apply = new Set<string>();
  const installed = new Set<string>();
  for (const s of states)
    attempt(() => {
      for (const step of r.steps(s)) {
        apply.add(step.script);
        if (step.confirm) apply.add(step.confirm.script);
        const after = step.diff?.after;
        if (typeof after === "string" && /^#!\/bin\/(ba)?sh\b/.test(after)) installed.add(after);
      }
    });
  return { apply: [...apply], installed: [...installed] };
}

const dir = mkdtempSync(join(tmpdir(), "hcd-shellcheck-"));
let n = 0;

/** ShellCheck's findings in one script (gcc format, one a line), with its name. */
function shellcheck(name: string, text: string): string[] {
  const file = join(dir, `${n++}-${name.replace(/[^\w.-]+/g, "_")}.sh`);
  writeFileSync(file, text);
  const shell = text.startsWith("#!/bin/bash") ? "bash" : "sh";
  const r = spawnSync("shellcheck", ["-s", shell, "-S", "warning", "-e", "SC2320", "-f", "gcc", file], {
    encoding: "utf8",
  });
  expect(r.error).toBeUndefined(); // shellcheck is installed (scripts/packages.txt)
  return r.stdout.split("\n").filter(Boolean);
}

/** Every script of a host's tasks: the probe script, each apply script (framed as the engine sends it), each installed script. */
function checkHost(name: string, tasks: Task[]): { findings: string[]; scripts: number } {
  const findings: string[] = [];
  const items = tasks.map((t, i) => probeItem(`t${i}`, t.resource, true));
  findings.push(...shellcheck(`${name}-probe`, `${tableFunctions}\n${probeScript(shDialect, "tok", items).script}`));
  let scripts = 1;
  tasks.forEach((t, i) => {
    const { apply, installed } = stepScripts(t);
    apply.forEach((s, k) => {
      const framed = `${shDialect.header}\n${shDialect.section("tok", `s${i}.${k}`, s, { stopOnError: true })}`;
      findings.push(...shellcheck(`${name}-${t.resource.name}`, framed));
    });
    installed.forEach((text) => findings.push(...shellcheck(`${name}-installed-${t.resource.name}`, text)));
    scripts += apply.length + installed.length;
  });
  return { findings, scripts };
}

const ctx: HostContext = { name: "h", vars: {}, groups: ["all"], warn: () => {}, optional: () => {} };
const built = (ri: {
  schema: { parse(x: unknown): unknown };
  input: unknown;
  build(p: never, h: HostContext): Task[];
}) => ri.build(ri.schema.parse(ri.input) as never, ctx);

describe("ShellCheck over the shell we send", () => {
  it.each(["inventory/lab.yaml", "inventory/hosts-rtx.yaml"])(
    "the site on %s: every sh host's probe, apply, confirm and installed scripts are clean",
    (inventory) => {
      const plays = compile(site, loadInventory(inventory, { lenientSecrets: true }), {}, "site.ts");
      const findings: string[] = [];
      let scripts = 0;
      for (const p of plays)
        for (const h of p.hosts) {
          const tasks = h.roles.flatMap((r) => r.tasks.map((t) => t.task));
          // the RTX speaks its own command language, not sh
          if (tasks.some((t) => t.resource.kind.startsWith("rtx"))) continue;
          const r = checkHost(`${p.name}-${h.host}`, tasks);
          findings.push(...r.findings);
          scripts += r.scripts;
        }
      // the lab site: the VPS, the home gateway and four VMs on four network stacks
      expect(scripts).toBeGreaterThanOrEqual(inventory.endsWith("lab.yaml") ? 60 : 25);
      expect(findings).toEqual([]);
    },
    60_000,
  );
  it("role variants the site does not use: ndppd in kernel mode, the cascade without its watchdog", () => {
    const kernel = built(ndppd({ uplink: "enp1s0", mode: "kernel", addresses: ["2001:db8:0:8964:8964::10"] }));
    const noWatchdog = built(softetherCascade({ ...SITE_CASCADE, watchdog: { enabled: false } }));
    const a = checkHost("ndppd-kernel", kernel);
    const b = checkHost("cascade-no-watchdog", noWatchdog);
    expect(a.scripts + b.scripts).toBeGreaterThanOrEqual(8);
    expect([...a.findings, ...b.findings]).toEqual([]);
  }, 60_000);
  it("the site's locate script for a first deploy (run on the VPS)", () => {
    expect(shellcheck("bootstrap-locate", bootstrapByMac("tap_vpn", "52:54:00:12:34:56").locate)).toEqual([]);
  });
});
