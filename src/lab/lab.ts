import { spawnSync } from "node:child_process";
import { closeMasters } from "../transport/openssh.js";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeployError } from "../errors.js";
import { bootHost, isOurs, leaderPid, readPid, stopHost, waitForSsh } from "./boot.js";
import { ensureFabric, ensureHostNetwork, removeFabric, removeHostNetwork } from "./network.js";
import { labDir, labPaths } from "./paths.js";
import { mountRoot, removeHostDir, unmountRoot, writeIdentity, writeImage, writeLogin } from "./rootfs.js";
import { sh } from "./sh.js";
import { isManaged, mgmtAddress, type LabTopology } from "./topology.js";

export interface LabState {
  topology: LabTopology;
  hosts: Array<{ name: string; index: number; address: string }>;
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0)
    throw new DeployError(
      "lab",
      "the lab needs root (it creates network namespaces, overlay mounts and boots systemd-nspawn hosts)",
      {},
      { hint: "run it as root, e.g. sudo npx deploy lab up" },
    );
  const probe = spawnSync("systemd-nspawn", ["--version"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0)
    throw new DeployError(
      "lab",
      "systemd-nspawn is not installed",
      {},
      { hint: "apt-get install systemd-container (.ci/run installs every package the lab needs)" },
    );
}

export function readState(): LabState | undefined {
  try {
    return JSON.parse(readFileSync(labPaths.state(), "utf8")) as LabState;
  } catch {
    return undefined;
  }
}

function ensureKey(): string {
  mkdirSync(labDir(), { recursive: true, mode: 0o700 });
  if (!existsSync(labPaths.key()))
    sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "homecloud-lab", "-f", labPaths.key()]);
  return readFileSync(labPaths.key() + ".pub", "utf8");
}

export function isRunning(host: string): boolean {
  return isOurs(readPid(host, "nspawn.pid"), host) && leaderPid(host) !== undefined;
}

/** Random secrets for the lab site's inventory (!file), outside git, 0600. */
function ensureSecrets(): void {
  const dir = `${labDir()}/secrets`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const name of ["vpn_admin_password", "vpn_home_password", "homegw_admin_password"]) {
    const f = `${dir}/${name}`;
    // a letter first: a base64url string may begin with "-", which vpncmd takes for an option
    if (!existsSync(f) || !/^[A-Za-z]/.test(readFileSync(f, "utf8")))
      writeFileSync(f, `k${randomBytes(18).toString("base64url")}\n`, { mode: 0o600 });
  }
}

/** An inventory of the running lab, for the deploy command and the tests. */
export function labInventory(state: LabState): string {
  const lines = [
    "# written by `deploy lab up`: the hosts of the running lab",
    "all:",
    "  vars:",
    "    ansible_user: root",
    `    ansible_ssh_private_key_file: ${labPaths.key()}`,
    `    deploy_known_hosts_file: ${labPaths.knownHosts()}`,
    "  hosts:",
  ];
  for (const h of state.hosts.filter((x) => isManaged(state.topology, x.name)))
    lines.push(`    ${h.name}:`, `      ansible_host: ${h.address}`);
  return lines.join("\n") + "\n";
}

/** Bring the topology up; hosts already running are kept. Returns the state. */
export async function labUp(topology: LabTopology, log: (s: string) => void = () => {}): Promise<LabState> {
  requireRoot();
  const current = readState();
  if (current && current.topology.name !== topology.name && current.hosts.some((h) => isRunning(h.name))) {
    throw new DeployError(
      "lab",
      `the lab is up with topology ${current.topology.name}, not ${topology.name}`,
      {},
      { hint: "run `deploy lab down` first" },
    );
  }
  const publicKey = ensureKey();
  ensureSecrets();
  const state: LabState = {
    topology,
    hosts: topology.hosts.map((h, i) => ({ name: h.name, index: i, address: mgmtAddress(i) })),
  };
  mkdirSync(labDir(), { recursive: true });
  writeFileSync(labPaths.state(), JSON.stringify(state, null, 2));
  ensureFabric();
  const keys: string[] = [];
  const started: string[] = [];
  for (const [i, h] of topology.hosts.entries()) {
    const hostKey = () => {
      const root = mountRoot(h.name);
      const first = !existsSync(join(labPaths.host(h.name), "identity"));
      const key = writeIdentity(h.name, root, publicKey);
      if (first) writeImage(root, h.files ?? {}, h.enable ?? []);
      if (first && h.login) writeLogin(root, h.login, publicKey);
      return key;
    };
    if (isRunning(h.name)) {
      keys.push(`${state.hosts[i]!.address} ${hostKey().split(" ").slice(0, 2).join(" ")}`);
      continue;
    }
    mkdirSync(labPaths.host(h.name), { recursive: true });
    rmSync(`${labPaths.host(h.name)}/stop`, { force: true });
    ensureHostNetwork(h, i);
    keys.push(`${state.hosts[i]!.address} ${hostKey().split(" ").slice(0, 2).join(" ")}`);
    bootHost(h.name);
    started.push(h.name);
  }
  writeFileSync(labPaths.knownHosts(), keys.join("\n") + "\n");
  chmodSync(labPaths.knownHosts(), 0o644);
  writeFileSync(labPaths.inventory(), labInventory(state));
  // a host without a management link is ready by its own word only
  const results = await Promise.all(
    state.hosts
      .filter((h) => started.includes(h.name) && isManaged(topology, h.name))
      .map(async (h) => ({ h, ok: await waitForSsh(h.address, 90000) })),
  );
  // hosts whose image needs a moment after sshd (a DHCP lease, an RA): wait for their own word
  for (const h of topology.hosts.filter((x) => x.ready && started.includes(x.name))) {
    let ok = false;
    for (let i = 0; i < 300 && !ok; i++) {
      if (!leaderPid(h.name)) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      ok = labExec(h.name, ["sh", "-c", h.ready!], { capture: true }).code === 0;
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    if (!ok) results.push({ h: state.hosts.find((x) => x.name === h.name)!, ok: false });
  }
  const bad = results.filter((r) => !r.ok).map((r) => r.h.name);
  if (bad.length)
    throw new DeployError(
      "lab",
      `host${bad.length > 1 ? "s" : ""} ${bad.join(", ")} did not start sshd within 90 s, or did not pass its ready test within 30 s`,
      {},
      { hint: `see ${labDir()}/hosts/<name>/console.log` },
    );
  log(`lab ${topology.name}: ${state.hosts.length} host(s) up (${started.length} started)`);
  return state;
}

/**
 * A host reinstalled (a VPS rebuilt by its provider): stopped, its disk and identity wiped, booted
 * again from the image as a new host (new SSH host keys, nothing of the old state) at the same
 * addresses. The lab's known_hosts gets its new key; a copy kept from before still has the old one.
 */
export async function labRebuild(host: string, log: (s: string) => void = () => {}): Promise<void> {
  requireRoot();
  const state = readState();
  const h = state?.hosts.find((x) => x.name === host);
  if (!state || !h)
    throw new DeployError(
      "lab",
      `lab host ${host} is not up`,
      {},
      { hint: "deploy lab hosts lists the running hosts" },
    );
  await stopHost(host);
  unmountRoot(host);
  removeHostNetwork(host, h.index);
  removeHostDir(host);
  await labUp(state.topology, log);
}

export async function labDown(log: (s: string) => void = () => {}): Promise<void> {
  requireRoot();
  const state = readState();
  const hosts = state?.hosts ?? [];
  // the SSH master connections kept for ControlPersist (to lab hosts, this is a lab machine)
  const masters = closeMasters();
  if (masters) log(`lab down: closed ${masters} SSH master connection(s)`);
  await Promise.all(hosts.map((h) => stopHost(h.name)));
  for (const h of hosts) {
    unmountRoot(h.name);
    removeHostNetwork(h.name, h.index);
    removeHostDir(h.name);
  }
  removeFabric();
  rmSync(labDir(), { recursive: true, force: true });
  log(`lab down: ${hosts.length} host(s) stopped and removed`);
}

/** Run a command inside a host, as `docker exec` does; returns its exit code. */
export function labExec(
  host: string,
  argv: string[],
  opts: { input?: string; capture?: boolean } = {},
): { code: number; stdout: string; stderr: string } {
  requireRoot();
  const pid = leaderPid(host);
  if (!pid)
    throw new DeployError(
      "lab",
      `lab host ${host} is not running`,
      {},
      { hint: "deploy lab hosts lists the running hosts" },
    );
  const env = [
    "env",
    "-i",
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/root",
    `TERM=${process.env.TERM ?? "dumb"}`,
    "LC_ALL=C",
  ];
  const r = spawnSync("nsenter", ["-t", String(pid), "-m", "-u", "-i", "-n", "-p", "-C", "--", ...env, ...argv], {
    stdio: opts.capture || opts.input !== undefined ? ["pipe", "pipe", "pipe"] : "inherit",
    input: opts.input,
    encoding: "utf8",
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
