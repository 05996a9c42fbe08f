import { createHash } from "node:crypto";
import { readdirSync, readFileSync, lstatSync, readlinkSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labExec, readState } from "../../src/lab/lab.js";
import { labPaths } from "../../src/lab/paths.js";
import { loadInventory } from "../../src/inventory/load.js";
import { definePlaybook } from "../../src/playbook/define.js";
import { runPlaybook, type RunOptions, type RunSummary } from "../../src/engine/run.js";
import type { Task } from "../../src/engine/types.js";
import { command } from "../../src/resources/commands/command.js";

export function labInventoryFile(): string {
  return labPaths.inventory();
}

/** Run a command inside a lab host without SSH (nsenter); throws on failure unless allowed. */
export function onHost(host: string, script: string, allowFail = false): string {
  const r = labExec(host, ["sh", "-c", script], { capture: true });
  if (r.code !== 0 && !allowFail) throw new Error(`${host}: ${script}: exit ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export function address(host: string): string {
  const h = readState()?.hosts.find((x) => x.name === host);
  if (!h) throw new Error(`lab host ${host} is not up`);
  return h.address;
}

/** Run tasks on hosts through the real engine and SSH. */
export async function apply(
  hosts: string | string[],
  tasks: (host: string) => Task[],
  opts: RunOptions & { inventory?: string } = {},
): Promise<RunSummary> {
  const pb = definePlaybook({ name: "test", plays: [{ name: "test", hosts, tasks: (h) => tasks(h.name) }] });
  return runPlaybook(pb, loadInventory(opts.inventory ?? labInventoryFile()), { playbookFile: "test", ...opts });
}

export const changedOf = (s: RunSummary) => Object.values(s.hosts).reduce((n, h) => n + h.changed, 0);
export const failedOf = (s: RunSummary) => Object.values(s.hosts).reduce((n, h) => n + h.failed, 0);

const IGNORED = [
  /^var\/log(\/|$)/,
  /^var\/lib\/systemd(\/|$)/,
  /^var\/cache(\/|$)/,
  /^tmp(\/|$)/,
  /^var\/tmp(\/|$)/,
  /^root\/\.ssh\/known_hosts/,
  // sudo's one-time note in the login user's home (a cloud image's sudo user), at its first sudo
  /^home\/[^/]+\/\.sudo_as_admin_successful$/,
  // NetworkManager's own runtime state (connection timestamps, seen BSSIDs), written on its schedule
  // (and the temp files it writes them through: timestamps.NLDKZ3, renamed a moment later)
  /^var\/lib\/NetworkManager\/(timestamps|seen-bssids|NetworkManager\.state|NetworkManager-intern\.conf)(\.[A-Za-z0-9]{6})?$/,
];

/**
 * What SoftEther's vpnserver rewrites by itself every AutoSaveConfigSpan (300 s in its config):
 * its config (traffic counters change) and the backup folder. For comparisons that span minutes.
 */
export const SOFTETHER_AUTOSAVE = [/^var\/lib\/softether\/(vpn_server\.config|backup\.vpn_server\.config)(\/|$)/];

/** Hash of everything the host has written (its overlay upper dir), logs and caches aside. */
export function hostWrites(host: string, ignore: RegExp[] = []): string {
  const upper = join(labPaths.host(host), "upper");
  const h = createHash("sha256");
  const walk = (rel: string) => {
    const abs = join(upper, rel);
    let entries: string[];
    try {
      entries = readdirSync(abs).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e}` : e;
      if (IGNORED.some((re) => re.test(r)) || ignore.some((re) => re.test(r))) continue;
      const st = lstatSync(join(upper, r));
      h.update(`${r} ${st.mode} ${st.uid} ${st.gid}\n`);
      if (st.isDirectory()) walk(r);
      else if (st.isSymbolicLink()) h.update(readlinkSync(join(upper, r)));
      else if (st.isFile()) h.update(readFileSync(join(upper, r)));
    }
  };
  walk("");
  return h.digest("hex");
}

/** A scratch inventory file for one test. */
export function writeInventory(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "hcd-inv-"));
  const f = join(dir, "inventory.yaml");
  writeFileSync(f, text);
  return f;
}

export function baseVars(): string {
  return `    ansible_user: root\n    ansible_ssh_private_key_file: ${labPaths.key()}\n    deploy_known_hosts_file: ${labPaths.knownHosts()}\n`;
}

/**
 * A run that holds the host's lock until released: it changes something (so it takes the
 * lock), says so in /srv/holding, then waits while /srv/hold exists, then runs `then`.
 * Resolves once the lock is surely held: ordered by the host's word, not by a sleep.
 */
export async function holdLock(
  host: string,
  then = "true",
): Promise<{ release: () => void; done: Promise<RunSummary> }> {
  onHost(host, "mkdir -p /srv; rm -f /srv/holding; touch /srv/hold");
  const done = apply(host, () => [
    command({ run: `touch /srv/holding; while [ -e /srv/hold ]; do sleep 0.1; done; ${then}`, unless: "false" }),
  ]);
  const holding = () => onHost(host, "[ -e /srv/holding ] && echo yes || echo no") === "yes\n";
  for (let i = 0; i < 300 && !holding(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!holding()) throw new Error(`${host}: the run meant to hold the lock did not start its change`);
  return { release: () => void onHost(host, "rm -f /srv/hold"), done };
}

/**
 * inventory/lab.yaml as a user's inventory has it: the VMs have no ansible_host (each is reached
 * at its planned address through the VPS, deploy_jump) and their host keys are pinned as the
 * hypervisor's console would show them. On a fresh lab the VMs have no addresses yet: a first
 * deploy finds them by their MACs on the VPS's tap.
 */
export function throughTheVps(): string {
  const keys = new Map(
    readFileSync(labPaths.knownHosts(), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [host, type, blob] = l.split(" ");
        return [host!, `${type} ${blob}`] as const;
      }),
  );
  let text = readFileSync("inventory/lab.yaml", "utf8");
  let vms = 0;
  text = text.replace(/^( {8}vm\d+:.*\n) {10}ansible_host: (\S+)\n/gm, (_, head: string, at: string) => {
    vms++;
    return `${head}          deploy_host_key: "${keys.get(at)}"\n`;
  });
  text = text.replace(/^ {4}vms:\n {6}vars:\n/m, (m) => `${m}        deploy_jump: vps\n`);
  if (vms !== 4 || !text.includes("deploy_jump: vps")) throw new Error("inventory/lab.yaml changed shape");
  return writeInventory(text);
}
