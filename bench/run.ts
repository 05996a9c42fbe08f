// npm run bench [-- --json] [-- --runs N] [-- --scale 4,16,64] [-- --ours-only]
// Side by side on lab hosts behind user-space latency proxies: this tool and Ansible (Debian's
// ansible-core, installed here if missing), first run (clean hosts) and no-change run, at 0 and
// 50 ms RTT; the floors (OpenSSH's ssh, and the old ssh2 client); a rerun inside ControlPersist;
// SSH round trips per host; a scale run of ours only.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { labDown, labExec, labUp, readState } from "../src/lab/lab.js";
import { labPaths } from "../src/lab/paths.js";
import { plainTopology } from "../src/lab/topology.js";
import { closeMasters } from "../src/transport/openssh.js";
import { LatencyProxy } from "./proxy.js";

const argv = process.argv.slice(2);
const JSON_OUT = argv.includes("--json");
const RUNS = Number(argv[argv.indexOf("--runs") + 1] || 3) || 3;
const SCALE = ((argv.includes("--scale") ? argv[argv.indexOf("--scale") + 1] : undefined) ?? "4,16,64")
  .split(",")
  .map(Number);
/** Ours and the floor only (Ansible's figures do not move with our code, and take 25 minutes). */
const OURS_ONLY = argv.includes("--ours-only");
const RTTS = argv.includes("--scale-only") || argv.includes("--roundtrips-only") ? [] : [0, 50];
const log = (s: string) => process.stderr.write(s + "\n");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

function ensureAnsible(): void {
  if (spawnSync("ansible-playbook", ["--version"], { stdio: "ignore" }).status === 0) return;
  log("installing Debian's ansible-core ...");
  execFileSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", "ansible-core"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

async function lab(hosts: number): Promise<string[]> {
  const st = readState();
  if (!st || st.topology.name !== `plain-${hosts}`) {
    await labDown();
    await labUp(plainTopology(hosts));
  }
  return readState()!.hosts.map((h) => h.name);
}

interface Setup {
  proxies: LatencyProxy[];
  ours: string;
  ansible: string;
  dir: string;
}

async function setup(hosts: string[], rtt: number): Promise<Setup> {
  const state = readState()!;
  const dir = mkdtempSync(join(tmpdir(), `hcd-bench-${rtt}-`));
  const proxies: LatencyProxy[] = [];
  const known: string[] = [];
  const ours: string[] = [
    "all:",
    "  vars:",
    "    ansible_user: root",
    `    ansible_ssh_private_key_file: ${labPaths.key()}`,
    `    deploy_known_hosts_file: ${join(dir, "known_hosts")}`,
    "  hosts:",
  ];
  const ansible: string[] = ["[all]"];
  const keys = readFileSync(labPaths.knownHosts(), "utf8").split("\n").filter(Boolean);
  for (const name of hosts) {
    const h = state.hosts.find((x) => x.name === name)!;
    const p = new LatencyProxy({ host: h.address, port: 22 }, rtt);
    await p.start();
    proxies.push(p);
    const key = keys
      .find((k) => k.startsWith(h.address + " "))!
      .split(" ")
      .slice(1)
      .join(" ");
    known.push(`[127.0.0.1]:${p.port} ${key}`);
    ours.push(`    ${name}:`, `      ansible_host: 127.0.0.1`, `      ansible_port: ${p.port}`);
    ansible.push(
      `${name} ansible_host=127.0.0.1 ansible_port=${p.port} ansible_user=root ansible_ssh_private_key_file=${labPaths.key()}`,
    );
  }
  writeFileSync(join(dir, "known_hosts"), known.join("\n") + "\n");
  writeFileSync(join(dir, "ours.yaml"), ours.join("\n") + "\n");
  writeFileSync(join(dir, "ansible.ini"), ansible.join("\n") + "\n");
  return { proxies, ours: join(dir, "ours.yaml"), ansible: join(dir, "ansible.ini"), dir };
}

function clean(hosts: string[]): void {
  for (const h of hosts)
    labExec(h, ["sh", "-c", "rm -rf /srv/bench /var/lib/homecloud-deploy/notify"], { capture: true });
}

/** CPU seconds (user + system) of the last process timed(): the client's own cost. */
let lastCpu = 0;

/**
 * Wall time of a whole process. Asynchronous: the proxies live in this process's event loop.
 * The process runs under `sh`, whose `times` then prints its children's CPU time (lastCpu).
 */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolveP, reject) => {
    const t0 = performance.now();
    const p = spawn("sh", ["-c", '"$@"; rc=$?; times >&2; exit $rc', "sh", cmd, ...args], {
      env: { ...process.env, CI: "1", ...env },
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => {
      const s = (performance.now() - t0) / 1000;
      const children =
        err
          .trimEnd()
          .split("\n")
          .at(-1)!
          .match(/(\d+)m([\d.]+)s/g) ?? [];
      lastCpu = children.reduce((n, t) => n + Number(t.split("m")[0]) * 60 + Number(t.split("m")[1]!.slice(0, -1)), 0);
      if (code !== 0) reject(new Error(`${cmd} ${args.join(" ")}: exit ${code}\n${(out + err).slice(-3000)}`));
      else resolveP(s);
    });
  });
}

/** Ours; `persist`: inside the ControlPersist of an earlier run (its master connections reused). */
const OURS = (inv: string, persist = false) =>
  timed(process.execPath, [resolve("dist/site/cli.js"), "bench/workload.ts", "-i", inv, "-f", "100"], {
    DEPLOY_SSH_PERSIST: persist ? "60" : "0",
  });
const ANSIBLE = (inv: string, pipelining: boolean, dir: string) =>
  timed("ansible-playbook", ["-i", inv, "-f", "100", "bench/ansible/workload.yml"], {
    ANSIBLE_HOST_KEY_CHECKING: "False",
    // Ansible's own default ssh_args (ControlMaster auto, ControlPersist 60s), host keys not recorded
    ANSIBLE_SSH_ARGS: "-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null",
    ANSIBLE_PIPELINING: pipelining ? "True" : "False",
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, "cp"),
    ANSIBLE_LOCAL_TEMP: join(dir, "tmp"),
    ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
    ANSIBLE_STDOUT_CALLBACK: "default",
    ANSIBLE_DISPLAY_OK_HOSTS: "false",
    ANSIBLE_DISPLAY_SKIPPED_HOSTS: "false",
  });
const FLOOR_OPENSSH = (s: Setup) =>
  timed(
    process.execPath,
    ["bench/floor-openssh.mjs", join(s.dir, "known_hosts"), ...s.proxies.map((p) => `127.0.0.1:${p.port}`)],
    { HCD_BENCH_KEY: labPaths.key() },
  );
const FLOOR = (s: Setup) =>
  timed(process.execPath, ["bench/floor.mjs", ...s.proxies.map((p) => `127.0.0.1:${p.port}`)], {
    HCD_BENCH_KEY: labPaths.key(),
  });

async function series(
  name: string,
  fn: () => Promise<number>,
  before?: () => void,
): Promise<{ median: number; min: number; max: number }> {
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    before?.();
    xs.push(await fn());
  }
  log(`  ${name}: ${xs.map((x) => x.toFixed(2)).join(" ")} s`);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

type Stat = Awaited<ReturnType<typeof series>>;

/** A proxy counter per host, over `runs` runs. */
const perHost = (s: Setup, k: "turns" | "connections", runs = 1) =>
  s.proxies.reduce((n, p) => n + p.stats[k], 0) / s.proxies.length / runs;

const scaleLine = (scale: Array<{ hosts: number; noop: number; floor: number; cpu: number }>) =>
  `scale (no-change, 50 ms, ours / floor, and ours' own CPU): ${scale.map((x) => `${x.hosts} hosts ${x.noop.toFixed(2)} / ${x.floor.toFixed(2)} s (CPU ${x.cpu.toFixed(2)} s)`).join(", ")}`;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the benchmark needs root (it boots lab hosts)");
  if (RTTS.length && !OURS_ONLY) ensureAnsible();
  const hosts = RTTS.length ? await lab(4) : [];
  const results: Record<number, Record<string, Stat | number>> = {};
  for (const rtt of RTTS) {
    log(`RTT ${rtt} ms, ${hosts.length} hosts, ${RUNS} runs each`);
    const s = await setup(hosts, rtt);
    const r: Record<string, Stat | number> = {};
    r.ours_first = await series(
      "ours first",
      () => OURS(s.ours),
      () => clean(hosts),
    );
    s.proxies.forEach((p) => p.reset());
    r.ours_noop = await series("ours no-change", () => OURS(s.ours));
    r.roundtrips_noop_per_host = perHost(s, "turns", RUNS);
    r.connections_noop_per_host = perHost(s, "connections", RUNS);
    s.proxies.forEach((p) => p.reset());
    r.floor = await series("floor (OpenSSH, one command)", () => FLOOR_OPENSSH(s));
    r.roundtrips_floor_per_host = perHost(s, "turns", RUNS);
    r.floor_ssh2 = await series("floor (ssh2, one command)", () => FLOOR(s));
    // a rerun inside ControlPersist: the first run's master connections carry it
    await OURS(s.ours, true);
    s.proxies.forEach((p) => p.reset());
    r.ours_noop_persist = await series("ours no-change, inside ControlPersist", () => OURS(s.ours, true));
    r.roundtrips_noop_persist_per_host = perHost(s, "turns", RUNS);
    closeMasters();
    if (OURS_ONLY) {
      await Promise.all(s.proxies.map((p) => p.stop()));
      results[rtt] = r;
      continue;
    }
    r.ansible_default_first = await series(
      "ansible default first",
      () => ANSIBLE(s.ansible, false, s.dir),
      () => clean(hosts),
    );
    r.ansible_default_noop = await series("ansible default no-change", () => ANSIBLE(s.ansible, false, s.dir));
    r.ansible_pipelining_first = await series(
      "ansible pipelining first",
      () => ANSIBLE(s.ansible, true, s.dir),
      () => clean(hosts),
    );
    s.proxies.forEach((p) => p.reset());
    r.ansible_pipelining_noop = await series("ansible pipelining no-change", () => ANSIBLE(s.ansible, true, s.dir));
    r.roundtrips_ansible_pipelining_noop_per_host = perHost(s, "turns", RUNS);
    await Promise.all(s.proxies.map((p) => p.stop()));
    results[rtt] = r;
  }
  if (argv.includes("--roundtrips-only")) {
    const hs = await lab(4);
    const s = await setup(hs, 50);
    await OURS(s.ours);
    const count = async (name: string, fn: () => Promise<number>) => {
      s.proxies.forEach((p) => p.reset());
      const t = await fn();
      process.stdout.write(
        `${name}: ${t.toFixed(2)} s, ${perHost(s, "turns").toFixed(1)} round trips and ${perHost(s, "connections")} connection(s) per host at 50 ms\n`,
      );
    };
    await count("ours no-change", () => OURS(s.ours));
    await count("floor (OpenSSH)", () => FLOOR_OPENSSH(s));
    await count("floor (ssh2)", () => FLOOR(s));
    await count("ansible pipelining no-change", () => ANSIBLE(s.ansible, true, s.dir));
    await Promise.all(s.proxies.map((p) => p.stop()));
    return;
  }
  const scale: Array<{ hosts: number; noop: number; floor: number; cpu: number }> = [];
  for (const n of SCALE) {
    const hs = await lab(n);
    const s = await setup(hs, 50);
    await OURS(s.ours); // converge once
    const cpu: number[] = [];
    const st = await series(`ours no-change, ${n} hosts, 50 ms`, async () => {
      const t = await OURS(s.ours);
      cpu.push(lastCpu);
      return t;
    });
    // the floor on as many hosts: what the SSH logins alone cost this machine
    const fl = await series(`floor, ${n} hosts, 50 ms`, () => FLOOR_OPENSSH(s));
    scale.push({ hosts: n, noop: st.median, floor: fl.median, cpu: median(cpu) });
    log(`  ours' own CPU (user + system), ${n} hosts: ${cpu.map((x) => x.toFixed(2)).join(" ")} s`);
    await Promise.all(s.proxies.map((p) => p.stop()));
  }
  if (!RTTS.length) {
    process.stdout.write(`${scaleLine(scale)}\n`);
    await labDown();
    return;
  }
  const m = (rtt: number, k: string) => (results[rtt]![k] as Stat | undefined)?.median ?? Number.NaN;
  const doc = {
    rtt_ms: 50,
    hosts: 4,
    ansible: {
      default: { first: m(50, "ansible_default_first"), noop: m(50, "ansible_default_noop") },
      pipelining: { first: m(50, "ansible_pipelining_first"), noop: m(50, "ansible_pipelining_noop") },
    },
    ours: { first: m(50, "ours_first"), noop: m(50, "ours_noop") },
    floor: { noop: m(50, "floor"), ssh2: m(50, "floor_ssh2") },
    ours_noop_inside_control_persist: m(50, "ours_noop_persist"),
    roundtrips_noop_per_host: results[50]!.roundtrips_noop_per_host,
    roundtrips_floor_per_host: results[50]!.roundtrips_floor_per_host,
    scale,
    all: results,
  };
  if (JSON_OUT) process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
  else {
    const row = (label: string, k: string) =>
      `${label.padEnd(32)}${RTTS.map((r) => {
        const v = results[r]![k] as Stat | undefined;
        if (!v) return "      -".padEnd(18);
        return `${v.median.toFixed(2).padStart(7)} (${v.min.toFixed(2)}-${v.max.toFixed(2)})`;
      }).join("   ")}`;
    const lines = [
      `median seconds (min-max) of ${RUNS} runs, 4 hosts, 20 tasks each; columns: RTT ${RTTS.join(" ms, ")} ms`,
      row("ansible default, first", "ansible_default_first"),
      row("ansible default, no-change", "ansible_default_noop"),
      row("ansible pipelining, first", "ansible_pipelining_first"),
      row("ansible pipelining, no-change", "ansible_pipelining_noop"),
      row("homecloud-deploy, first", "ours_first"),
      row("homecloud-deploy, no-change", "ours_noop"),
      row("homecloud-deploy, no-change, rerun", "ours_noop_persist"),
      row("floor (OpenSSH, 1 command)", "floor"),
      row("floor (ssh2, 1 command)", "floor_ssh2"),
      "",
      ...RTTS.map((r) => {
        const n = (k: string) => (results[r]![k] as number).toFixed(1);
        const ansible = OURS_ONLY
          ? ""
          : `ansible pipelining / ours: first ${(m(r, "ansible_pipelining_first") / m(r, "ours_first")).toFixed(1)}x, no-change ${(m(r, "ansible_pipelining_noop") / m(r, "ours_noop")).toFixed(1)}x; `;
        const trips = `ours ${n("roundtrips_noop_per_host")}, floor ${n("roundtrips_floor_per_host")}${OURS_ONLY ? "" : `, ansible pipelining ${n("roundtrips_ansible_pipelining_noop_per_host")}`}`;
        return `RTT ${r} ms: ${ansible}ours / floor ${(m(r, "ours_noop") / m(r, "floor")).toFixed(2)} (OpenSSH floor), ${(m(r, "ours_noop") / m(r, "floor_ssh2")).toFixed(2)} (ssh2 floor); a rerun inside ControlPersist ${m(r, "ours_noop_persist").toFixed(2)} s, ${n("roundtrips_noop_persist_per_host")} round trips per host; round trips per host (no-change): ${trips}`;
      }),
      "",
      scaleLine(scale),
    ];
    process.stdout.write(lines.join("\n") + "\n");
  }
  await labDown();
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
});
