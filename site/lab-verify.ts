import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { DeployError } from "../src/errors.js";
import { EXIT } from "../src/engine/results.js";
import { loadInventory } from "../src/inventory/load.js";
import { siteFromInventory } from "./plan/index.js";
import { labExec, readState } from "../src/lab/lab.js";

/** One lab-only check of `deploy lab verify`. */
export interface LabCheck {
  name: string;
  ok: boolean;
  detail: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = (host: string, script: string) => labExec(host, ["sh", "-c", script], { capture: true });

/** Retry `probe` until it passes or `seconds` run out (a recovery is timed, not assumed). */
async function until(seconds: number, probe: () => boolean): Promise<{ ok: boolean; after: number }> {
  const t0 = Date.now();
  while (true) {
    if (probe()) return { ok: true, after: (Date.now() - t0) / 1000 };
    if (Date.now() - t0 > seconds * 1000) return { ok: false, after: (Date.now() - t0) / 1000 };
    await sleep(1000);
  }
}

export function requireSiteLab(): void {
  if (readState()?.topology.name !== "site")
    throw new DeployError(
      "lab",
      "lab verify needs the site lab",
      {},
      { hint: "npx deploy lab up (the site topology), then npx deploy playbooks/site.ts -i inventory/lab.yaml" },
    );
}

/**
 * What only the lab can do to a site: restart softether-vpnserver on the VPS and time the
 * recovery (the tap's addresses back, then the VMs reachable from outside again, the home
 * gateway untouched: its cascade or its watchdog brings the path back). Addresses, hosts and
 * the vantage point come from the site plan of `inventoryFile`.
 */
export async function restartRecovery(inventoryFile: string, log: (c: LabCheck) => void): Promise<LabCheck[]> {
  const inv = loadInventory(inventoryFile, { lenientSecrets: true });
  const plan = siteFromInventory(inv);
  const vps = [...inv.hosts.values()].find((h) => h.groups.includes("vps"))?.name ?? "vps";
  const outside = String(inv.allVars.verify_from ?? "inet");
  const checks: LabCheck[] = [];
  const add = (c: LabCheck) => {
    checks.push(c);
    log(c);
  };
  const ping6 = (from: string, to: string) => sh(from, `ping -6 -c1 -W2 ${to}`).code === 0;
  const t0 = Date.now();
  sh(vps, "systemctl restart softether-vpnserver");
  const tap = await until(
    60,
    () => sh(vps, `ip -6 addr show dev ${plan.tap.interface} | grep -q ${plan.tap.address6}`).code === 0,
  );
  add({
    name: `after a restart of softether-vpnserver on ${vps}, ${plan.tap.interface} has ${plan.tap.address6} again`,
    ok: tap.ok,
    detail: tap.ok ? `after ${((Date.now() - t0) / 1000).toFixed(1)} s` : "not within 60 s",
  });
  const back = await until(240, () => plan.vms.every((vm) => ping6(outside, vm.address6)));
  const secs = (Date.now() - t0) / 1000;
  add({
    name: `after that restart, ${outside} pings the VMs again (home gateway untouched)`,
    ok: back.ok,
    detail: back.ok ? `after ${secs.toFixed(1)} s` : `not within ${secs.toFixed(0)} s`,
  });
  return checks;
}

/**
 * Reboot one host of the site (no deploy) and time its recovery: until it runs again with its
 * sshd active (a marker in its /run, a tmpfs, tells the new boot from the old), then until the
 * outside vantage point pings every VM again.
 */
export async function rebootRecovery(
  inventoryFile: string,
  host: string,
  log: (c: LabCheck) => void,
): Promise<LabCheck> {
  const inv = loadInventory(inventoryFile, { lenientSecrets: true });
  const plan = siteFromInventory(inv);
  const outside = String(inv.allVars.verify_from ?? "inet");
  const t0 = Date.now();
  sh(host, "touch /run/hcd-before-reboot && systemctl reboot");
  const booted = await until(
    180,
    () => sh(host, "! test -e /run/hcd-before-reboot && systemctl is-active -q ssh").code === 0,
  );
  const sshAfter = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const back = booted.ok
    ? await until(240, () => plan.vms.every((vm) => sh(outside, `ping -6 -c1 -W2 ${vm.address6}`).code === 0))
    : { ok: false, after: 0 };
  const c: LabCheck = {
    name: `after a reboot of ${host} (no deploy), ${outside} pings the VMs again`,
    ok: booted.ok && back.ok,
    detail: !booted.ok
      ? "the host did not come back within 180 s"
      : back.ok
        ? `sshd active ${sshAfter.toFixed(1)} s after the reboot, the VMs answering ${((Date.now() - t1) / 1000).toFixed(1)} s later`
        : `sshd active after ${sshAfter.toFixed(1)} s, the VMs not answering within 240 s`,
  };
  log(c);
  return c;
}

/** This repository's root (where playbooks/site.ts is), from dist/site or site. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "playbooks", "site.ts"))) {
    const up = dirname(dir);
    if (up === dir)
      throw new DeployError(
        "lab",
        "lab verify runs from a checkout of homecloud-deploy (playbooks/site.ts not found)",
        {},
      );
    dir = up;
  }
  return dir;
}

/**
 * `deploy lab verify`: `deploy verify playbooks/site.ts -i inventory/lab.yaml` (the same code a
 * real site runs), then what only the lab can do: restart vpnserver and time the recovery.
 */
export async function labVerify(rest: string[], log: (s: string) => void): Promise<number> {
  requireSiteLab();
  const root = repoRoot();
  const at = (p: string) => relative(process.cwd(), join(root, p)) || ".";
  const inv = at("inventory/lab.yaml");
  const own = rest.filter((a) => a !== "--reboots");
  let code = await (await import("../src/cli/verify.js")).verifyCommand([at("playbooks/site.ts"), "-i", inv, ...own]);
  if (rest.includes("--json")) return code;
  log("\nlab only:");
  const say = (c: LabCheck) => log(`${c.ok ? "PASS" : "FAIL"}  ${c.name}: ${c.detail}`);
  const checks = await restartRecovery(inv, say);
  if (rest.includes("--reboots"))
    for (const host of [
      "vps",
      "homegw",
      ...siteFromInventory(loadInventory(inv, { lenientSecrets: true })).vms.map((v) => v.name),
    ])
      checks.push(await rebootRecovery(inv, host, say));
  if (checks.some((c) => !c.ok)) code |= EXIT.verifyFailed;
  return code;
}
