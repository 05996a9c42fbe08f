import { readFileSync } from "node:fs";
import { DeployError } from "../errors.js";
import { forPerson } from "../output/sink.js";
import { makeTemp, tempTrap } from "../transport/remote-temp.js";
import { labExec, readState } from "./lab.js";
import { labDir } from "./paths.js";
import { SITE } from "./site-topology.js";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** What lab verify expects of the site; the defaults are those of inventory/lab.yaml. */
export interface SiteExpectations {
  homePrefix: string;
  vms: Array<{ name: string; address6: string; openPort?: number; closedPort: number }>;
  tap: string;
  tapAddress6: string;
  hub: string;
  cascade: string;
}

export const LAB_SITE: SiteExpectations = {
  homePrefix: "2001:db8:0:8964:8964::/78",
  vms: [
    { name: "vm1", address6: "2001:db8:0:8964:8964::10", openPort: 8080, closedPort: 9090 },
    { name: "vm2", address6: "2001:db8:0:8964:8964::11", closedPort: 8080 },
  ],
  tap: "tap_vpn",
  tapAddress6: "2001:db8:0:8964:8964::1",
  hub: "HOME",
  cascade: "vps",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = (host: string, script: string, input?: string) =>
  labExec(host, ["sh", "-c", script], { capture: true, input });

/** Retry `probe` until it passes or `seconds` run out. */
async function until(seconds: number, probe: () => boolean): Promise<{ ok: boolean; after: number }> {
  const t0 = Date.now();
  while (true) {
    if (probe()) return { ok: true, after: (Date.now() - t0) / 1000 };
    if (Date.now() - t0 > seconds * 1000) return { ok: false, after: (Date.now() - t0) / 1000 };
    await sleep(1000);
  }
}

function cascadeStatus(e: SiteExpectations): string {
  const pw = readFileSync(`${labDir()}/secrets/homegw_admin_password`, "utf8").trim();
  const script = [
    tempTrap(["f"]),
    makeTemp("f"),
    `printf 'Hub %s\\nCascadeStatusGet %s\\n' '${e.hub}' '${e.cascade}' > "$f"; timeout 20 vpncmd localhost:5555 /SERVER /CSV /IN:"$f"`,
  ].join("\n");
  const out = sh("homegw", script, pw + "\n").stdout;
  return /^Session Status,(.*)$/m.exec(out)?.[1] ?? "unknown";
}

const ping6 = (from: string, to: string) => sh(from, `ping -6 -c1 -W2 ${to}`).code === 0;
const ping4 = (from: string, to: string) => sh(from, `ping -4 -c1 -W2 ${to}`).code === 0;
const tcpOpen = (from: string, to: string, port: number) => sh(from, `nc -z -w 3 ${to} ${port}`).code === 0;

/** Prove the site works, each check printed as it completes. */
export async function verifySite(e: SiteExpectations = LAB_SITE, log: (c: Check) => void = () => {}): Promise<Check[]> {
  const state = readState();
  if (state?.topology.name !== "site")
    throw new DeployError(
      "lab",
      "lab verify needs the site lab",
      {},
      { hint: "npx deploy lab up (the site topology), then npx deploy playbooks/site.ts -i inventory/lab.yaml" },
    );
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => {
    const c = { name, ok, detail };
    checks.push(c);
    log(c);
  };

  const casc = await until(90, () => /Established/.test(cascadeStatus(e)));
  add("the cascade from homegw to the VPS hub is Established", casc.ok, `status: ${cascadeStatus(e)}`);

  for (const vm of e.vms) {
    const ra = sh(vm.name, `timeout 25 stdbuf -oL radvdump 2>/dev/null | grep -m1 -i 'prefix ${e.homePrefix}'`);
    add(
      `${vm.name} receives a router advertisement with ${e.homePrefix}`,
      ra.code === 0,
      ra.code === 0 ? ra.stdout.trim() : "no RA with the home prefix within 25 s",
    );
  }

  for (const vm of e.vms) {
    const p = await until(60, () => ping6("inet", vm.address6));
    add(
      `inet pings ${vm.name} at ${vm.address6}`,
      p.ok,
      p.ok ? `after ${p.after.toFixed(1)} s` : "no reply within 60 s",
    );
    const q = await until(30, () => ping6(vm.name, SITE.inet6));
    add(
      `${vm.name} pings inet at ${SITE.inet6}`,
      q.ok,
      q.ok ? `after ${q.after.toFixed(1)} s` : "no reply within 30 s",
    );
  }

  // listeners on the VMs: an allowed port and one that is not
  for (const vm of e.vms) {
    const ports = [vm.openPort, vm.closedPort].filter((x): x is number => !!x);
    for (const port of ports)
      sh(
        vm.name,
        `systemctl stop hcd-verify-${port} >/dev/null 2>&1; systemd-run --quiet --unit=hcd-verify-${port} nc -6 -lk ${port}`,
      );
  }
  await sleep(500);
  for (const vm of e.vms) {
    if (vm.openPort) {
      const lan = tcpOpen(vm.name, vm.address6, vm.openPort);
      const open = await until(10, () => tcpOpen("inet", vm.address6, vm.openPort!));
      add(
        `inet reaches ${vm.name} on allowed tcp/${vm.openPort}`,
        open.ok && lan,
        open.ok ? "connected" : `no connection (listener up: ${lan})`,
      );
    }
    const lan = tcpOpen(vm.name, vm.address6, vm.closedPort);
    const closed = !tcpOpen("inet", vm.address6, vm.closedPort);
    add(
      `inet does not reach ${vm.name} on tcp/${vm.closedPort}, which is not allowed`,
      closed && lan,
      closed ? `refused by the firewall (listener up: ${lan})` : "it connected",
    );
  }
  for (const vm of e.vms)
    for (const port of [vm.openPort, vm.closedPort])
      if (port) sh(vm.name, `systemctl stop hcd-verify-${port} >/dev/null 2>&1`);

  for (const vm of e.vms) {
    const v4 = await until(20, () => ping4(vm.name, SITE.inet4));
    add(`${vm.name} reaches inet over IPv4 through the NAT`, v4.ok, v4.ok ? `ping ${SITE.inet4}` : "no reply");
  }

  // The VPS's SoftEther restarts: the tap must get its addresses back, and the VMs become
  // reachable again without anyone touching the home gateway.
  const t0 = Date.now();
  sh("vps", "systemctl restart softether-vpnserver");
  const tap = await until(60, () => sh("vps", `ip -6 addr show dev ${e.tap} | grep -q ${e.tapAddress6}`).code === 0);
  add(
    `after a restart of softether-vpnserver on the VPS, ${e.tap} has ${e.tapAddress6} again`,
    tap.ok,
    tap.ok ? `after ${((Date.now() - t0) / 1000).toFixed(1)} s` : "not within 60 s",
  );
  const back = await until(240, () => e.vms.every((vm) => ping6("inet", vm.address6)));
  const secs = (Date.now() - t0) / 1000;
  add(
    "after that restart, inet pings the VMs again (home gateway untouched)",
    back.ok,
    back.ok ? `after ${secs.toFixed(1)} s` : `not within ${secs.toFixed(0)} s`,
  );
  return checks;
}

export async function verifyCommand(): Promise<number> {
  const checks = await verifySite(LAB_SITE, (c) =>
    process.stdout.write(forPerson(`${c.ok ? "PASS" : "FAIL"}  ${c.name}: ${c.detail}`) + "\n"),
  );
  const failed = checks.filter((c) => !c.ok).length;
  process.stdout.write(`\n${checks.length - failed} passed, ${failed} failed\n`);
  return failed ? 2 : 0;
}
