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
