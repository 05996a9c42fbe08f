// The home gateway's watchdog holds the SoftEther administrator password. It must only ever be
// data: a password that is shell code (or holds a lone quote) never runs and never breaks it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePlaybook } from "../../src/playbook/define.js";
import { loadInventory } from "../../src/inventory/load.js";
import { runPlaybook } from "../../src/engine/run.js";
import { secret } from "../../src/secrets.js";
import { softetherCascade } from "../../roles/softether-cascade/index.js";
import { address, changedOf, failedOf, labInventoryFile, onHost } from "../support/lab.js";

const GW = "h3";
const NIC = "hcdlan0";

const run = (adminPassword: string) =>
  runPlaybook(
    definePlaybook({
      name: "watchdog",
      plays: [
        {
          name: "homegw",
          hosts: GW,
          roles: () => [
            softetherCascade({
              adminPassword: secret(adminPassword),
              nic: NIC,
              // a lab host where nothing listens on 443: the cascade stays down, inside the lab
              cascade: { server: address("h1"), hub: "VPN", user: "home", password: secret("watchdog-home-pw-1") },
              // the gateway's firewall is tested on the site lab; here it would stay behind on the host
              firewall: { enabled: false },
            }),
          ],
        },
      ],
    }),
    loadInventory(labInventoryFile()),
    { playbookFile: "watchdog" },
  );

/** A server that never had a password: the next run seeds it with the one it is given. */
const fresh = () =>
  onHost(
    GW,
    "systemctl stop softether-vpnserver homecloud-cascade-watchdog.timer 2>/dev/null; rm -rf /var/lib/softether /run/homecloud /run/hcd-pwned; true",
  );

/** Run the watchdog once by hand, traced; what it printed. */
const watchdog = () => onHost(GW, "sh -x /usr/local/lib/homecloud/cascade-watchdog 2>&1", true);

beforeAll(() => {
  onHost(
    GW,
    `ip link show ${NIC} >/dev/null 2>&1 || ip link add ${NIC} type veth peer name hcdlan1; ip link set ${NIC} up`,
  );
  fresh();
});

afterAll(() => {
  onHost(
    GW,
    "systemctl disable --now homecloud-cascade-watchdog.timer softether-vpnserver 2>/dev/null; rm -rf /var/lib/softether /etc/homecloud /run/homecloud; ip link del hcdlan0 2>/dev/null; true",
  );
});

describe("the cascade watchdog and the administrator password", () => {
  for (const [what, pw] of [
    ["shell code", "x'$(id>/run/hcd-pwned)'y`id>/run/hcd-pwned`"],
    ["a lone quote", "it's-Watchdog-pw"],
  ] as const)
    it(`a password holding ${what} is only data: the watchdog logs in with it and runs nothing`, async () => {
      fresh();
      const r = await run(pw);
      expect(failedOf(r), JSON.stringify(r.tasks.filter((t) => t.status === "failed"))).toBe(0);
      expect(changedOf(await run(pw))).toBe(0);
      const out = watchdog();
      expect(onHost(GW, "ls /run/hcd-pwned 2>/dev/null; true")).toBe("");
      // it logged in and read the cascade's status (down: nothing listens at the other end)
      expect(out).not.toMatch(/Access has been denied|Syntax error|unterminated/i);
      expect(out).toMatch(/^\+ status=\S/m);
      // the settings file holds no password and is the only file the watchdog sources
      expect(onHost(GW, "cat /etc/homecloud/cascade-watchdog.conf")).not.toContain("pw");
      expect(onHost(GW, "stat -c '%a %U' /etc/homecloud/cascade-watchdog.password")).toBe("600 root\n");
      expect(onHost(GW, "cat /etc/homecloud/cascade-watchdog.password")).toBe(`${pw}\n`);
    });
});

describe("the cascade watchdog's decisions (vpncmd and systemctl stood in for, the script as deployed)", () => {
  const FAKE = "/run/hcd-fake";
  /** Run the watchdog once, vpncmd answering `status`; whether it restarted SoftEther, and what it said. */
  const once = (status: string) => {
    const b64 = Buffer.from(`${status}\n`).toString("base64");
    onHost(GW, `echo ${b64} | base64 -d > ${FAKE}/status; rm -f ${FAKE}/restarts`);
    const out = onHost(GW, `PATH=${FAKE}:$PATH sh /usr/local/lib/homecloud/cascade-watchdog 2>&1`, true);
    return { restarted: onHost(GW, `cat ${FAKE}/restarts 2>/dev/null; true`).includes("restart"), out };
  };
  const UP = "Session Status,Connection Completed (Session Established)\nNumber of TCP Connections,2";
  const POISONED = "Session Status,Connection Completed (Session Established)\nNumber of TCP Connections,0";
  const RETRYING = "Session Status,Retrying";

  beforeAll(async () => {
    fresh();
    expect(failedOf(await run("watchdog-decisions-pw-1"))).toBe(0);
    onHost(
      GW,
      [
        "systemctl stop homecloud-cascade-watchdog.timer",
        `mkdir -p ${FAKE}`,
        `printf '#!/bin/sh\\ncat ${FAKE}/status\\n' > ${FAKE}/vpncmd`,
        `printf '#!/bin/sh\\necho "$*" >> ${FAKE}/restarts\\n' > ${FAKE}/systemctl`,
        `chmod +x ${FAKE}/vpncmd ${FAKE}/systemctl`,
        "rm -rf /run/homecloud",
      ].join("; "),
    );
  });
  afterAll(() => onHost(GW, `rm -rf ${FAKE} /run/homecloud`));

  it("healthy: nothing; a drop after that: a restart at once, not after maxDownSeconds", () => {
    const up = once(UP);
    expect(up.restarted, up.out).toBe(false);
    const r = once(RETRYING);
    expect(r.restarted, r.out).toBe(true);
    expect(r.out).toMatch(/dropped since the last check \(status: Retrying/);
    // after the restart it is not "up" yet: retrying is not a new drop
    const again = once(RETRYING);
    expect(again.restarted, again.out).toBe(false);
  });

  it("Established with no TCP connection (the state SoftEther never leaves by itself): a restart at once", () => {
    const r = once(POISONED);
    expect(r.restarted, r.out).toBe(true);
    expect(r.out).toMatch(
      /Established without a TCP connection \(status: Connection Completed \(Session Established\), TCP connections: 0\)/,
    );
  });

  it("its password refused (rotated, the file not yet rewritten): no decision on a status it could not read", () => {
    expect(once(UP).restarted).toBe(false);
    const r = once("Access has been denied. Possibly the password is incorrect");
    expect(r.restarted, r.out).toBe(false);
    expect(r.out).toMatch(/password was refused: not checked/);
  });

  it("down from the start: only after maxDownSeconds since the last healthy check or restart", () => {
    onHost(GW, "rm -rf /run/homecloud");
    expect(once(RETRYING).restarted).toBe(false);
    expect(once(RETRYING).restarted).toBe(false);
    onHost(GW, "echo $(( $(date +%s) - 61 )) > /run/homecloud/cascade-watchdog.last-ok");
    const r = once(RETRYING);
    expect(r.restarted, r.out).toBe(true);
    expect(r.out).toMatch(/not healthy for 6\d s/);
  });
});
