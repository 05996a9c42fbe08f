import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { labNames, labPaths } from "./paths.js";
import { rootOf } from "./rootfs.js";

const CGROUP_ROOTS = ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"];

/**
 * Start the host's systemd with systemd-nspawn, detached from us. A small sh supervisor
 * moves itself into the host's own cgroup subtree first (needed without a host systemd),
 * restarts nspawn when the host reboots (exit 133), and records nspawn's PID.
 */
export function bootHost(host: string): number {
  const dir = labPaths.host(host);
  const cg = labNames.cgroup(host);
  const cgLines = CGROUP_ROOTS.filter((r) => existsSync(r)).map(
    (r) => `mkdir -p ${r}/${cg} && echo $$ > ${r}/${cg}/cgroup.procs`,
  );
  const nspawn = [
    "systemd-nspawn",
    "--quiet",
    "-D",
    rootOf(host),
    "-M",
    host,
    `--hostname=${host}`,
    "--boot",
    "--register=no",
    "--keep-unit",
    `--network-namespace-path=/run/netns/${labNames.netns(host)}`,
    "--capability=CAP_NET_ADMIN",
    "--console=read-only",
    "--bind=/dev/net/tun",
    "--resolv-conf=off",
    "--timezone=off",
    "--link-journal=no",
    "--kill-signal=SIGRTMIN+3",
  ].join(" ");
  const script = [
    "set -u",
    ...cgLines,
    "export SYSTEMD_NSPAWN_API_VFS_WRITABLE=network SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1",
    `while :; do`,
    `  ${nspawn} & echo $! > ${dir}/nspawn.pid; wait $!; rc=$?`,
    `  [ "$rc" = 133 ] && [ ! -e ${dir}/stop ] || break`,
    `done`,
    `rm -f ${dir}/nspawn.pid`,
  ].join("\n");
  const log = openSync(join(dir, "console.log"), "a");
  const child = spawn("sh", ["-c", script], { detached: true, stdio: ["ignore", log, log] });
  child.unref();
  writeFileSync(join(dir, "supervisor.pid"), String(child.pid));
  return child.pid!;
}

export function readPid(host: string, file: "nspawn.pid" | "supervisor.pid"): number | undefined {
  try {
    const pid = Number(readFileSync(join(labPaths.host(host), file), "utf8").trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and still the process we started for this host. */
export function isOurs(pid: number | undefined, host: string): boolean {
  if (!pid) return false;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmd.includes(rootOf(host)) || cmd.includes(labPaths.host(host));
  } catch {
    return false;
  }
}

/** PID 1 of the host (its systemd), seen from this machine. */
export function leaderPid(host: string): number | undefined {
  for (const r of CGROUP_ROOTS) {
    const f = join(r, labNames.cgroup(host), "payload", "init.scope", "cgroup.procs");
    try {
      const pid = Number(readFileSync(f, "utf8").split("\n")[0]);
      if (pid > 0) return pid;
    } catch {
      /* try the other hierarchy */
    }
  }
  return undefined;
}

/** Wait until the host's sshd sends its banner on the management address. */
export async function waitForSsh(address: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: address, port: 22, timeout: 1000 });
      s.once("data", (d) => {
        s.destroy();
        resolve(d.toString().startsWith("SSH-"));
      });
      s.once("error", () => resolve(false));
      s.once("timeout", () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Clean poweroff (nspawn passes SIGRTMIN+3 to the host), then SIGKILL after the grace time. */
export async function stopHost(host: string, graceMs = 60000): Promise<void> {
  const dir = labPaths.host(host);
  if (existsSync(dir)) writeFileSync(join(dir, "stop"), "");
  const nspawn = readPid(host, "nspawn.pid");
  const sup = readPid(host, "supervisor.pid");
  if (nspawn && isOurs(nspawn, host)) {
    process.kill(nspawn, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (alive(nspawn) && Date.now() < deadline) await sleep(100);
    if (alive(nspawn)) process.kill(nspawn, "SIGKILL");
    while (alive(nspawn)) await sleep(50);
  }
  if (sup && isOurs(sup, host) && alive(sup)) {
    process.kill(sup, "SIGKILL");
  }
  // Processes of the host that outlived it (none expected): stop only those in its cgroup.
  for (const r of CGROUP_ROOTS) {
    const top = join(r, labNames.cgroup(host));
    if (!existsSync(top)) continue;
    for (const pid of procsUnder(top)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    await sleep(50);
    removeCgroupTree(top);
  }
}

function procsUnder(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    try {
      out.push(...readFileSync(join(d, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number));
      for (const e of readdirSync(d)) if (statSync(join(d, e)).isDirectory()) walk(join(d, e));
    } catch {
      /* vanished */
    }
  };
  walk(dir);
  return out;
}

function removeCgroupTree(dir: string): void {
  try {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) removeCgroupTree(p);
    }
    rmdirSync(dir);
  } catch {
    /* busy or gone */
  }
}
