// A SoftEther server that was installed before the seed existed (or by hand): everything on, a
// DEFAULT hub, administration open to any address with the password. The role turns off what
// the site does not use, deletes undeclared hubs, and takes administration to the host itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePlaybook } from "../../src/playbook/define.js";
import { loadInventory } from "../../src/inventory/load.js";
import { runPlaybook } from "../../src/engine/run.js";
import { secret } from "../../src/secrets.js";
import { softetherServer } from "../../roles/softether-server/index.js";
import { address, changedOf, failedOf, hostWrites, labInventoryFile, onHost } from "../support/lab.js";

const VPS = "h4";
const OUTSIDE = "h1";
const ADMIN = "hardening-admin-Pw-3c9";

const run = (check = false) =>
  runPlaybook(
    definePlaybook({
      name: "hardening",
      plays: [
        {
          name: "vps",
          hosts: VPS,
          roles: () => [
            softetherServer({
              adminPassword: secret(ADMIN),
              hub: "HARD",
              users: [{ name: "home", password: secret("hardening-home-Pw-1") }],
              listeners: [443, 5555],
            }),
          ],
        },
      ],
    }),
    loadInventory(labInventoryFile()),
    { playbookFile: "hardening", check },
  );

/** vpncmd as the server's administrator, from `host`, to the VPS; its exit code and output. */
const admin = (host: string, cmd: string) =>
  onHost(
    host,
    `printf '%s\\n' '${ADMIN}' | timeout 10 vpncmd ${host === VPS ? "localhost" : address(VPS)}:5555 /SERVER /CSV /CMD ${cmd} 2>&1; echo "rc=$?"`,
    true,
  ).replace(/\r/g, "");

beforeAll(async () => {
  // installed and started the old way: no seed, so vpnserver writes its defaults; then an earlier
  // deploy (or a person) set the administrator password
  onHost(
    VPS,
    "systemctl stop softether-vpnserver 2>/dev/null; rm -rf /var/lib/softether; systemctl start softether-vpnserver",
  );
  for (let i = 0; i < 50 && !onHost(VPS, "ss -ltn | grep -c ':5555 '; true").startsWith("1"); i++)
    await new Promise((r) => setTimeout(r, 200));
  onHost(VPS, `timeout 10 vpncmd localhost:5555 /SERVER /PASSWORD: /CSV /CMD ServerPasswordSet ${ADMIN} </dev/null`);
}, 60_000);

afterAll(() => {
  onHost(
    VPS,
    "systemctl disable --now softether-vpnserver 2>/dev/null; rm -rf /var/lib/softether; ip link del tap_hard 2>/dev/null; true",
  );
});

describe("a SoftEther server installed before the seed", () => {
  it("before: administration answers another host, a DEFAULT hub exists, OpenVPN, SSTP and the keepalive are on", () => {
    expect(admin(OUTSIDE, "HubList")).toMatch(/^DEFAULT,Online/m);
    const config = admin(VPS, "ConfigGet");
    expect(config).toMatch(/bool UseKeepConnect true/);
    expect(config).toMatch(/declare OpenVPN\n\s*\{[^}]*bool Enabled true/);
  });

  it("check mode lists the changes and writes nothing", async () => {
    const before = hostWrites(VPS, [/^var\/lib\/softether\//]);
    const r = await run(true);
    expect(failedOf(r)).toBe(0);
    const why = r.tasks.flatMap((t) => t.why ?? []).join("\n");
    for (const w of [
      "stop the keepalive to keepalive.softether.org",
      "disable OpenVPN",
      "disable SSTP",
      "UDP listeners: none",
      "delete hub DEFAULT (not declared)",
      "create /var/lib/softether/adminip.txt",
    ])
      expect(why).toContain(w);
    expect(hostWrites(VPS, [/^var\/lib\/softether\//])).toBe(before);
    expect(onHost(VPS, "ls /var/lib/softether/adminip.txt 2>/dev/null; true")).toBe("");
  });

  it("after: administration from the host only, exactly the declared hub, the services off; a rerun changes nothing", async () => {
    const r = await run();
    expect(failedOf(r), JSON.stringify(r.tasks.filter((t) => t.status === "failed"))).toBe(0);
    // the right password from another host is refused; on the host itself it works
    expect(admin(OUTSIDE, "HubList")).not.toMatch(/^HARD,Online/m);
    expect(admin(OUTSIDE, "HubList")).toMatch(/rc=[1-9]/);
    const hubs = admin(VPS, "HubList");
    expect(hubs).toMatch(/^HARD,Online/m);
    expect(hubs).not.toMatch(/^DEFAULT,/m);
    const config = admin(VPS, "ConfigGet");
    expect(config).toMatch(/bool UseKeepConnect false/);
    expect(config).toMatch(/declare OpenVPN\n\s*\{[^}]*bool Enabled false/);
    expect(config).toMatch(/declare SSTP\n\s*\{\s*bool Enabled false/);
    expect(config).toMatch(/declare HARD\n[\s\S]*?bool SavePacketLog false/);
    expect(config).toMatch(/declare HARD\n[\s\S]*?bool NoEnum true/);
    // no UDP listener of the site's (only the random ones of UDP acceleration remain)
    for (const port of [443, 992, 1194, 5555])
      expect(onHost(VPS, `ss -lun | grep -c ':${port} '; true`).trim(), `UDP ${port}`).toBe("0");
    expect(changedOf(await run())).toBe(0);
  });
});
