// Promises 1 and 6 on the site lab; imported by site.test.ts so they run after the site tests.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { labExec } from "../../src/lab/lab.js";
import { edited } from "../support/files.js";
import { onHost } from "../support/lab.js";
import { leaks, tempFiles } from "./chaos/fixture.js";

const SECRETS_DIR = "/var/lib/homecloud-lab/secrets";
const secretOf = (n: string) => readFileSync(`${SECRETS_DIR}/${n}`, "utf8").trim();

/** Inventory B: another RDNSS, tap IPv4 subnet, opening and VPN user password than lab.yaml (A). */
function inventoryB(): string {
  const dir = mkdtempSync(join(tmpdir(), "hcd-b-"));
  writeFileSync(join(dir, "home_b"), "home-password-B-7c1e9\n", { mode: 0o600 });
  const text = edited(readFileSync("inventory/lab.yaml", "utf8"), [
    ["dns: [2001:db8:ffff::53]", "dns: [2001:db8:ffff::99]"],
    ["tap_ipv4: 10.89.64.1/24", "tap_ipv4: 10.89.65.1/24"],
    ["home_ipv4: 10.89.64.10", "home_ipv4: 10.89.65.10"],
    ["home_ipv4: 10.89.64.11", "home_ipv4: 10.89.65.11"],
    ["home_ipv4: 10.89.64.12", "home_ipv4: 10.89.65.12"],
    ["home_ipv4: 10.89.64.13", "home_ipv4: 10.89.65.13"],
    ["firewall_open: [tcp/22, tcp/8080]", "firewall_open: [tcp/22, tcp/8081]"],
    [
      "vpn_home_password: !file /var/lib/homecloud-lab/secrets/vpn_home_password",
      `vpn_home_password: !file ${join(dir, "home_b")}`,
    ],
  ]);
  const f = join(dir, "lab-b.yaml");
  writeFileSync(f, text);
  return f;
}

const A = "inventory/lab.yaml";
const MANAGED: Array<[string, string]> = [
  ["vps", "/etc/radvd.conf"],
  ["vps", "/etc/ndppd.conf"],
  ["vps", "/etc/nftables.d/homecloud.nft"],
  ["vps", "/usr/local/lib/homecloud/tap-up-tap_vpn"],
  ["vps", "/etc/systemd/system/homecloud-tap-tap_vpn.service"],
  ["homegw", "/etc/homecloud/cascade-watchdog.conf"],
  ["vm1", "/etc/systemd/network/50-homecloud-eth0.network"],
  ["vm2", "/etc/netplan/60-homecloud-eth0.yaml"],
  ["vm3", "/etc/NetworkManager/system-connections/homecloud-eth0.nmconnection"],
  ["vm4", "/etc/network/interfaces.d/homecloud-eth0"],
];
const snapshot = () => MANAGED.map(([h, p]) => onHost(h, `cat ${p} 2>/dev/null; true`));
const converge = (inv: string, extra: string[] = []) =>
  spawnSync(process.execPath, ["dist/site/cli.js", "playbooks/site.ts", "-i", inv, ...extra], {
    encoding: "utf8",
    env: { ...process.env, CI: "1" },
  });

/** Where the site keeps secrets and password-equivalent hashes on purpose (all 0600 or in 0700 folders). */
const SECRET_FILES = [
  "/var/lib/softether/vpn_server.config",
  "/var/lib/softether/backup.vpn_server.config/",
  "/etc/homecloud/cascade-watchdog.password",
];

/**
 * SoftEther's password hashes on the VPS and the home gateway (as good as the passwords), every
 * one seen so far. Only whole values count: SoftEther rewrites its config in place, and a read
 * that meets it half-written would give a prefix that any file might hold.
 */
const hashesSeen = new Set<string>();
function passwordHashes(): string[] {
  for (const h of ["vps", "homegw"]) {
    const config = onHost(h, "cat /var/lib/softether/vpn_server.config 2>/dev/null; true");
    for (const m of config.matchAll(/byte \S*(?:Hash|Password)\S* ([A-Za-z0-9+/]{27}=)$/gm)) hashesSeen.add(m[1]!);
  }
  return [...hashesSeen];
}

/** The remote scripts of a killed run end by themselves: wait until no shell of ours runs a script. */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const busy = ["vps", "homegw", "vm1", "vm2", "vm3", "vm4"].some(
      (h) => onHost(h, "pgrep -f '^(sh -s|vpncmd )' >/dev/null && echo y || echo n").trim() === "y",
    );
    if (!busy) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function faultTests(): void {
  it("SIGKILL at 30 random moments of converges: every managed file is the old or the new version, the next run converges", async () => {
    const B = inventoryB();
    const secrets = [
      secretOf("vpn_admin_password"),
      secretOf("vpn_home_password"),
      secretOf("homegw_admin_password"),
      "home-password-B-7c1e9",
    ];
    expect(converge(B).status).toBe(0);
    const versionB = snapshot();
    expect(converge(A).status).toBe(0);
    const versionA = snapshot();
    expect(passwordHashes().length, "SoftEther password hashes to look for").toBeGreaterThanOrEqual(2);
    expect(versionA.filter((t, i) => t !== versionB[i]).length).toBeGreaterThanOrEqual(5);
    const kills: number[] = [];
    // 30 kills that land while a converge runs (a run that finished first does not count)
    for (let k = 0; kills.length < 30 && k < 90; k++) {
      const delay = 150 + Math.floor(Math.random() * 4500);
      const child = spawn(
        process.execPath,
        ["dist/site/cli.js", "playbooks/site.ts", "-i", k % 2 ? A : B, "--lock-timeout", "30"],
        { stdio: "ignore", env: { ...process.env, CI: "1" } },
      );
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      await new Promise((r) => setTimeout(r, delay));
      const running = child.exitCode === null && child.signalCode === null;
      child.kill("SIGKILL");
      await exited;
      if (running) kills.push(delay);
      // let the hosts finish what they were doing: the remote scripts end by themselves
      await new Promise((r) => setTimeout(r, 400));
      const now = snapshot();
      now.forEach((text, i) => {
        const [h, p] = MANAGED[i]!;
        expect([versionA[i], versionB[i], ""], `${h}:${p} after a kill at ${delay} ms`).toContain(text);
      });
      await settle();
      for (const h of ["vps", "homegw", "vm1", "vm2", "vm3", "vm4"]) {
        expect(tempFiles(h), `temp files on ${h} after a kill at ${delay} ms`).toEqual([]);
        expect(
          leaks(h, [...secrets, ...passwordHashes()], SECRET_FILES),
          `secrets or password hashes outside their files on ${h} after a kill at ${delay} ms`,
        ).toEqual([]);
      }
      expect(onHost("vps", "radvd --configtest -C /etc/radvd.conf >/dev/null 2>&1 && echo ok")).toBe("ok\n");
    }
    const last = converge(A, ["--lock-timeout", "60"]);
    expect(last.status, last.stdout + last.stderr).toBe(0);
    const again = converge(A);
    expect(again.stdout).toMatch(/vps +ok=\d+ changed=0 failed=0/);
    for (const [h, units] of [
      ["vps", "softether-vpnserver radvd ndppd"],
      ["homegw", "softether-vpnserver homecloud-cascade-watchdog.timer"],
    ] as const) {
      expect(onHost(h, `systemctl is-active ${units}`).trim().split("\n")).toEqual(
        units.split(" ").map(() => "active"),
      );
    }
    expect(kills.length).toBe(30);
    console.log(
      `SIGKILL points tried: ${kills.length} (${Math.min(...kills)}-${Math.max(...kills)} ms into a converge)`,
    );
  }, 900_000);

  it("SIGINT stops after the current step, prints the recap and exits non-zero; the next run converges", async () => {
    const B = inventoryB();
    const child = spawn(process.execPath, ["dist/site/cli.js", "playbooks/site.ts", "-i", B], {
      env: { ...process.env, CI: "1" },
    });
    const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    // interrupted once the run is under way (its first play started), whenever that is
    for (let i = 0; i < 300 && !/PLAY /.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/PLAY /);
    child.kill("SIGINT");
    const code = await exited;
    expect(code).toBe(130);
    expect(out).toMatch(/interrupted: finishing the current step/);
    expect(out).toMatch(/RECAP/);
    expect(converge(A).status).toBe(0);
  }, 300_000);

  it("no secret in any argv or environment on any host during a full site run, nor in any output; secret files are 0600", async () => {
    const secrets = [
      secretOf("vpn_admin_password"),
      secretOf("vpn_home_password"),
      secretOf("homegw_admin_password"),
      "home-password-B-7c1e9",
    ];
    const hosts = ["vps", "homegw", "vm1", "vm2", "vm3", "vm4"];
    // Sampled inside each host: every process's argv and environment, every ~10 ms, matched
    // against the secrets on the spot (a 0600 file in /run of the host, for the test only).
    const sampler = `n=0; hits=0; while [ ! -e /run/hcd-sampler.stop ]; do c=$(cat /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c -F -f /run/hcd-secrets); hits=$((hits + c)); n=$((n + 1)); sleep 0.01; done; echo "samples $n hits $hits" > /run/hcd-sampler.out`;
    for (const h of hosts)
      labExec(h, ["sh", "-c", "umask 077; cat > /run/hcd-secrets; rm -f /run/hcd-sampler.stop /run/hcd-sampler.out"], {
        input: secrets.join("\n") + "\nnot-the-admin-password-3b\n",
      });
    for (const h of hosts)
      labExec(h, ["systemd-run", "--quiet", "--unit=hcd-sampler", "--collect", "sh", "-c", sampler], { capture: true });
    const B = inventoryB();
    const outputs: string[] = [];
    const run = (inv: string, ...extra: string[]) => {
      const r = converge(inv, extra);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    run(B, "--diff", "-vvv"); // secrets change: the VPN user's password on both sides
    run(A, "--json");
    run(A, "-v");
    run(A, "--check", "--diff");
    run(A);
    // a failure mode: a wrong admin password for the VPS's SoftEther
    const dir = mkdtempSync(join(tmpdir(), "hcd-wrong-"));
    writeFileSync(join(dir, "wrong"), "not-the-admin-password-3b\n");
    const wrong = join(dir, "lab.yaml");
    writeFileSync(
      wrong,
      edited(readFileSync(A, "utf8"), [
        [
          "vpn_admin_password: !file /var/lib/homecloud-lab/secrets/vpn_admin_password",
          `vpn_admin_password: !file ${join(dir, "wrong")}`,
        ],
      ]),
    );
    const failed = run(wrong, "--limit", "vps", "-vvv");
    expect(failed.status).toBe(2);
    expect(failed.stdout).toMatch(/refused the administrator password/);
    secrets.push("not-the-admin-password-3b");
    for (const h of hosts) onHost(h, "touch /run/hcd-sampler.stop");
    let samples = 0;
    for (const h of hosts) {
      let text = "";
      for (let i = 0; i < 20 && !text; i++) {
        await new Promise((r) => setTimeout(r, 200));
        text = onHost(h, "cat /run/hcd-sampler.out 2>/dev/null; true");
      }
      onHost(h, "rm -f /run/hcd-sampler.out /run/hcd-sampler.stop /run/hcd-secrets");
      samples += Number(/samples (\d+)/.exec(text)?.[1] ?? 0);
      expect(text, `secrets seen in process lists on ${h}`).toMatch(/hits 0$/m);
    }
    expect(samples).toBeGreaterThan(100);
    const all = outputs.join("\n");
    expect(all.length).toBeGreaterThan(5000);
    for (const s of secrets) expect(all.includes(s), "a secret in the tool's output").toBe(false);
    expect(onHost("homegw", "stat -c %a /etc/homecloud/cascade-watchdog.password")).toBe("600\n");
    expect(onHost("vps", "stat -c %a /etc/nftables.d/homecloud.nft")).toBe("600\n");
    console.log(
      `process lists sampled: ${samples} times on ${hosts.length} hosts; secrets looked for: ${secrets.length}`,
    );
  }, 600_000);
}
