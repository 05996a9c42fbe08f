// Day two: the SoftEther administrator password is rotated. The server still has the old one;
// the run is given the new one and, once, the old one as previous: it gets in with the old,
// sets the new, and from then on needs nothing else. No password in any remote argv.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePlaybook } from "../../src/playbook/define.js";
import { loadInventory } from "../../src/inventory/load.js";
import { runPlaybook } from "../../src/engine/run.js";
import { secret } from "../../src/secrets.js";
import { softetherServer } from "../../roles/softether-server/index.js";
import { changedOf, failedOf, labInventoryFile, onHost } from "../support/lab.js";

const VPS = "h4";
const OLD = "rotation-old-Pw-71a";
const NEW = "rotation-new-Pw-5d2";

const run = (adminPassword: string, previous: string[] = [], check = false) =>
  runPlaybook(
    definePlaybook({
      name: "rotation",
      plays: [
        {
          name: "vps",
          hosts: VPS,
          roles: () => [
            softetherServer({
              adminPassword: secret(adminPassword),
              previousAdminPasswords: previous.map((p) => secret(p)),
              hub: "ROT",
              users: [{ name: "home", password: secret("rotation-home-Pw-1") }],
              listeners: [443, 5555],
            }),
          ],
        },
      ],
    }),
    loadInventory(labInventoryFile()),
    { playbookFile: "rotation", check },
  );

/** Whether the server takes `password` for administration (from the host itself). */
const takes = (password: string) => {
  const out = onHost(
    VPS,
    `printf '%s\\n' '${password}' | timeout 10 vpncmd localhost:5555 /SERVER /CSV /CMD ServerInfoGet 2>&1; true`,
    true,
  );
  return !/Access has been denied/.test(out) && /^Product Name,/m.test(out);
};

const errors = (r: Awaited<ReturnType<typeof run>>) => r.tasks.filter((t) => t.status === "failed").map((t) => t.error);

beforeAll(() => {
  onHost(VPS, "systemctl stop softether-vpnserver 2>/dev/null; rm -rf /var/lib/softether; true");
}, 60_000);

afterAll(() => {
  onHost(
    VPS,
    "systemctl disable --now softether-vpnserver 2>/dev/null; rm -rf /var/lib/softether; ip link del tap_rot 2>/dev/null; true",
  );
});

describe("rotating the SoftEther administrator password", () => {
  it("the server is deployed with the old password", async () => {
    const r = await run(OLD);
    expect(errors(r)).toEqual([]);
    expect(takes(OLD)).toBe(true);
  }, 120_000);

  it("the new one alone is refused with what to do; nothing changes", async () => {
    const r = await run(NEW);
    expect(errors(r).join("\n")).toMatch(
      /refused the administrator password from the inventory: it was set to another one \(to rotate it, give the one it has as the previous password\)/,
    );
    expect(takes(OLD)).toBe(true);
  }, 60_000);

  it("with the old one as previous: check mode says so and changes nothing; the run sets the new one", async () => {
    const check = await run(NEW, [OLD], true);
    expect(errors(check)).toEqual([]);
    expect(check.tasks.flatMap((t) => t.why ?? []).join("\n")).toContain("set the server administrator password");
    expect(takes(OLD)).toBe(true);
    const r = await run(NEW, ["a-wrong-one-Pw-9", OLD]);
    expect(errors(r)).toEqual([]);
    expect(changedOf(r)).toBe(1);
    expect(takes(NEW)).toBe(true);
    expect(takes(OLD)).toBe(false);
  }, 120_000);

  it("afterwards: 0 changed with or without the previous one still given", async () => {
    expect(changedOf(await run(NEW, [OLD]))).toBe(0);
    expect(changedOf(await run(NEW))).toBe(0);
  }, 120_000);

  it("none of the given passwords: refused, saying every one was tried", async () => {
    const r = await run("rotation-other-Pw-3", ["rotation-other-Pw-4"]);
    expect(errors(r).join("\n")).toMatch(
      /refused the administrator password from the inventory and every previous one given/,
    );
    expect(failedOf(r)).toBe(1);
  }, 60_000);
});
