// The open window: a freshly installed softether-vpnserver starts at once, on every address,
// with no administrator password, and the first to reach it sets one. The roles seed the
// configuration before the package is installed. Here the package is installed for real (from
// a mirror inside the lab) while another host tries empty-password admin logins all along.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePlaybook } from "../../src/playbook/define.js";
import { loadInventory } from "../../src/inventory/load.js";
import { runPlaybook } from "../../src/engine/run.js";
import { labExec } from "../../src/lab/lab.js";
import { secret } from "../../src/secrets.js";
import { softetherServer } from "../../roles/softether-server/index.js";
import { freshFromMirror, restoreApt, serveMirror, stopMirror } from "../support/apt-mirror.js";
import { address, changedOf, failedOf, labInventoryFile, onHost } from "../support/lab.js";

const VPS = "h4";
const MIRROR = "h2";
const PROBER = "h1";
const ADMIN = "window-admin-Pw-5e1";

const params = {
  adminPassword: secret(ADMIN),
  hub: "WIN",
  users: [{ name: "home", password: secret("window-home-Pw-77a") }],
  listeners: [443, 5555],
};

const run = (check = false) =>
  runPlaybook(
    definePlaybook({
      name: "window",
      plays: [{ name: "vps", hosts: VPS, roles: () => [softetherServer(params)] }],
    }),
    loadInventory(labInventoryFile()),
    { playbookFile: "window", check },
  );

/**
 * From another host, on each port vpnserver may listen on, again and again: an administrator
 * login with an empty password that sets a password of the attacker's (vpncmd exits 0 when it
 * got in and the command ran; refused, it asks for a password on /dev/null until its timeout).
 * Writes `tries N won M`.
 */
const prober = (target: string) =>
  [
    "n=0; rm -f /run/hcd-prober.wins",
    "while [ ! -e /run/hcd-prober.stop ]; do",
    "  for port in 443 992 1194 5555; do",
    `    (timeout 1 vpncmd ${target}:$port /SERVER /PASSWORD: /CSV /CMD ServerPasswordSet pwned-by-prober </dev/null >/dev/null 2>&1 && echo "won $port" >> /run/hcd-prober.wins) &`,
    "  done",
    "  wait; n=$((n + 4)); sleep 0.05",
    "done",
    'echo "tries $n won $(cat /run/hcd-prober.wins 2>/dev/null | wc -l)" > /run/hcd-prober.out',
  ].join("\n");

async function stopProber(): Promise<string> {
  onHost(PROBER, "touch /run/hcd-prober.stop");
  let text = "";
  for (let i = 0; i < 60 && !text; i++) {
    await new Promise((r) => setTimeout(r, 250));
    text = onHost(PROBER, "cat /run/hcd-prober.out 2>/dev/null; true");
  }
  onHost(PROBER, "rm -f /run/hcd-prober.stop /run/hcd-prober.out /run/hcd-prober.wins");
  return text;
}

beforeAll(() => {
  const source = serveMirror(MIRROR);
  onHost(VPS, "systemctl stop softether-vpnserver; rm -rf /var/lib/softether; true");
  freshFromMirror(VPS, source, ["softether-vpnserver", "softether-vpncmd"]);
}, 120_000);

afterAll(() => {
  stopMirror(MIRROR);
  restoreApt(VPS);
  onHost(
    VPS,
    "systemctl disable --now softether-vpnserver 2>/dev/null; rm -rf /var/lib/softether; ip link del tap_win 2>/dev/null; true",
  );
});

describe("the SoftEther server's first start", () => {
  it("check mode on a host without the package reports the install and writes nothing", async () => {
    const r = await run(true);
    expect(r.tasks.filter((t) => t.status === "changed").map((t) => t.task)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^seed \/var\/lib\/softether\/vpn_server\.config/),
        "packages softether-vpncmd softether-vpnserver",
      ]),
    );
    expect(onHost(VPS, "dpkg-query -W -f '${Status}' softether-vpnserver 2>/dev/null; true")).not.toMatch(
      /install ok installed/,
    );
    expect(onHost(VPS, "ls /var/lib/softether 2>/dev/null; true")).toBe("");
  });

  it("is installed for real, and a prober on another host never logs in with an empty password", async () => {
    onHost(PROBER, "rm -f /run/hcd-prober.stop /run/hcd-prober.out");
    labExec(PROBER, ["systemd-run", "--quiet", "--unit=hcd-prober", "--collect", "sh", "-c", prober(address(VPS))]);
    // let the prober find nothing listening first
    await new Promise((r) => setTimeout(r, 500));
    // unattended-upgrades after a first boot: the dpkg lock is held for a while as the run starts
    // (apt's locks are fcntl locks, not flock(1)'s: the holder takes one the way dpkg does)
    labExec(VPS, [
      "systemd-run",
      "--quiet",
      "--unit=hcd-dpkg-lock",
      "--collect",
      "python3",
      "-c",
      "import fcntl, time\nf = open('/var/lib/dpkg/lock-frontend', 'w')\nfcntl.lockf(f, fcntl.LOCK_EX)\ntime.sleep(4)\n",
    ]);
    // held now: a non-blocking attempt to take it fails
    const tryLock = `python3 -c "import fcntl; fcntl.lockf(open('/var/lib/dpkg/lock-frontend', 'w'), fcntl.LOCK_EX | fcntl.LOCK_NB)" 2>/dev/null`;
    expect(
      onHost(VPS, `for i in $(seq 1 40); do ${tryLock} || { echo held; exit 0; }; sleep 0.05; done; echo free`).trim(),
    ).toBe("held");
    // apt waits for the lock and reads the mirror's lists itself (without either, the install failed:
    // "Could not get lock /var/lib/dpkg/lock-frontend", "Unable to locate package")
    const r = await run();
    // and go on probing the server as the run left it
    await new Promise((r) => setTimeout(r, 3000));
    const probed = await stopProber();
    expect(failedOf(r), JSON.stringify(r.tasks.filter((t) => t.status === "failed"))).toBe(0);
    expect(onHost(VPS, "dpkg-query -W -f '${Status}' softether-vpnserver")).toBe("install ok installed");
    expect(probed).toMatch(/^tries \d+ won 0$/m);
    expect(Number(/tries (\d+)/.exec(probed)?.[1])).toBeGreaterThanOrEqual(24); // at least 6 rounds on 4 ports: before, during and after the install
    // our password is the server's, and nobody else's is
    expect(
      onHost(
        VPS,
        `printf '%s\\n' '${ADMIN}' | vpncmd localhost:5555 /SERVER /CSV /CMD ServerInfoGet 2>&1 | grep -c '^Server Type'`,
      ),
    ).toBe("1\n");
    // the seed's choices hold after the first start: no DEFAULT hub, our listeners, DDNS off
    const config = onHost(
      VPS,
      `printf '%s\\n' '${ADMIN}' | vpncmd localhost:5555 /SERVER /CSV /CMD ConfigGet 2>&1 | tr -d '\\r'`,
    );
    expect(config).toMatch(/declare WIN$/m);
    expect(config).not.toMatch(/declare DEFAULT$/m);
    expect(config).toMatch(/declare DDnsClient\s*\{\s*bool Disabled true/);
    expect(config).toMatch(/bool UseKeepConnect false/);
    expect([...config.matchAll(/uint Port (\d+)\n\s*\}\n/g)].map((m) => m[1]).slice(0, 2)).toEqual(["443", "5555"]);
    expect(onHost(VPS, "stat -c %a /var/lib/softether/vpn_server.config")).toBe("600\n");
  });

  it("a second run changes nothing (the seed leaves the server's own file alone)", async () => {
    const r = await run();
    expect(failedOf(r)).toBe(0);
    expect(changedOf(r)).toBe(0);
  });
});
