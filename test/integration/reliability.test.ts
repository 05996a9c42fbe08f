// Promises 2, 3 and 10 against lab hosts: validate before replace, no lockout, quoting.
import { describe, expect, it } from "vitest";
import { apply, changedOf, failedOf, onHost } from "../support/lab.js";
import { apt, command, directory, file, line, nftTable, service, sysctl } from "../../src/index.js";
import { firewall } from "../../roles/firewall/index.js";
import { definePlaybook, runPlaybook, loadInventory } from "../../src/index.js";
import { labInventoryFile } from "../support/lab.js";

const RADVD_VALIDATE = "radvd --configtest -C %s";
const NDPPD_VALIDATE =
  "timeout 1 ndppd -c %s >/dev/null 2>&1; rc=$?; if [ $rc -ne 124 ]; then timeout 1 ndppd -c %s 2>&1 | grep -i error; exit 1; fi";

describe("validate before replace (promise 2)", () => {
  it("keeps the old radvd.conf and the running radvd when the new one is invalid", async () => {
    const good = "interface eth1 {\n    AdvSendAdvert on;\n    prefix 2001:db8:100::/64 { };\n};\n";
    await apply("h3", () => [
      file({ path: "/etc/radvd.conf", content: good, validate: RADVD_VALIDATE }),
      service({ name: "radvd", state: "running" }),
    ]);
    const pid = onHost("h3", "systemctl show -p MainPID --value radvd").trim();
    const r = await apply("h3", () => [
      file({
        path: "/etc/radvd.conf",
        content: "interface eth1 {\n    AdvSendAdvert maybe;\n};\n",
        validate: RADVD_VALIDATE,
      }),
    ]);
    expect(failedOf(r)).toBe(1);
    expect(r.tasks[0]!.error).toMatch(/^validation failed: radvd --configtest -C <new \/etc\/radvd\.conf>$/m);
    expect(r.tasks[0]!.error).not.toContain("%s");
    expect(r.tasks[0]!.error).toMatch(/:2 error: syntax error/); // radvd's own message, with the line
    expect(onHost("h3", "cat /etc/radvd.conf")).toBe(good);
    expect(onHost("h3", "systemctl show -p MainPID --value radvd").trim()).toBe(pid);
  });

  it("keeps the old ndppd.conf when a trial start of the new one fails, and shows ndppd's error", async () => {
    const good = "proxy eth1 {\n    rule 2001:db8:100::/64 {\n        static\n    }\n}\n";
    await apply("h3", () => [file({ path: "/etc/ndppd.conf", content: good, validate: NDPPD_VALIDATE })]);
    const r = await apply("h3", () => [
      file({
        path: "/etc/ndppd.conf",
        content: "proxy eth1 {\n    rule 2001:db8::/64 {\n        sttic\n    }\n}\n",
        validate: NDPPD_VALIDATE,
      }),
    ]);
    expect(failedOf(r)).toBe(1);
    expect(r.tasks[0]!.error).toMatch(/You must specify either 'iface', 'auto' or 'static'/);
    expect(onHost("h3", "cat /etc/ndppd.conf")).toBe(good);
  });

  it("keeps the loaded nftables table when nft -c rejects the new ruleset", async () => {
    const body = (rule: string) =>
      `    chain input {\n        type filter hook input priority filter; policy accept;\n        ${rule}\n    }\n`;
    const ok = await apply("h3", () => [
      nftTable({ family: "inet", name: "hcdtest", body: body("tcp dport 9999 counter accept"), revertAfterSeconds: 0 }),
    ]);
    expect(failedOf(ok)).toBe(0);
    const before = onHost("h3", "nft list table inet hcdtest");
    const r = await apply("h3", () => [
      nftTable({ family: "inet", name: "hcdtest", body: body("tcp dport 9999 countr accept"), revertAfterSeconds: 0 }),
    ]);
    expect(failedOf(r)).toBe(1);
    expect(r.tasks[0]!.error).toMatch(/nft -c rejected the ruleset:[\s\S]*Error: syntax error/);
    expect(onHost("h3", "nft list table inet hcdtest")).toBe(before);
    onHost("h3", "nft delete table inet hcdtest");
  });
});

describe("no lockout (promise 3)", () => {
  it("reverts a firewall that blocks SSH, on the host, within the bounded time, and reports why", async () => {
    const pb = definePlaybook({
      name: "lockout",
      plays: [
        {
          hosts: "h4",
          roles: () => [
            firewall({
              uplink: "eth1",
              tap: "tap_none",
              natSource: "10.89.64.0/24",
              tcpIn: [443],
              revertAfterSeconds: 20,
            }),
          ],
        },
      ],
    });
    const t0 = Date.now();
    const r = await runPlaybook(pb, loadInventory(labInventoryFile()), { timeoutMs: 3000 });
    expect(r.hosts.h4!.failed).toBe(1);
    expect(r.hosts.h4!.error).toMatch(
      /could not confirm over a new connection .* reverts this change by itself within 20 s/,
    );
    // the host puts the old (empty) state back by itself; SSH works again
    let back = false;
    while (!back && Date.now() - t0 < 60_000) {
      await new Promise((res) => setTimeout(res, 2000));
      const again = await apply("h4", () => [command({ run: "true", creates: "/" })], { timeoutMs: 2000 });
      back = again.hosts.h4!.unreachable === 0 && again.hosts.h4!.failed === 0;
    }
    expect(back).toBe(true);
    expect(onHost("h4", "nft list table inet homecloud 2>&1; true")).toMatch(
      /No such file or directory|does not exist/,
    );
    expect(onHost("h4", "ls /etc/nftables.d/homecloud.nft 2>&1; true")).toMatch(/No such file/); // a lockout is never kept for boot
    console.log(`lockout reverted and SSH back after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }, 120_000);
});

describe("remote commands are quoted (promise 10)", () => {
  const hostile = [
    "it's",
    'say "hi"',
    "$(touch /tmp/pwned)",
    "`touch /tmp/pwned`",
    "a;touch /tmp/pwned",
    "new\nline",
    "back\\slash",
    "*",
    "$HOME",
    "semi;colon & amp | pipe > gt",
  ];
  it("passes hostile strings through every resource literally, or refuses them before connecting", async () => {
    onHost("h1", "rm -rf /srv/q /tmp/pwned; mkdir -p /srv/q");
    const safeName = (s: string) => s.replace(/\n/g, "NL").replace(/\//g, "_"); // a / in a name would be a directory
    const tasks = () =>
      hostile.flatMap((s, i) => [
        file({ path: `/srv/q/f${i} ${safeName(s)}`, content: `${s}\n`, mode: "0640" }),
        directory({ path: `/srv/q/d${i} ${safeName(s)}` }),
        line({ path: `/srv/q/lines`, line: `${i}: ${safeName(s)}` }),
        command({ run: "true", creates: `/srv/q/f${i} ${safeName(s)}` }),
      ]);
    const r = await apply("h1", tasks);
    expect(failedOf(r)).toBe(0);
    for (const [i, s] of hostile.entries()) {
      expect(
        onHost("h1", `cat "/srv/q/f${i} $(printf '%s' '${Buffer.from(safeName(s)).toString("base64")}' | base64 -d)"`),
      ).toBe(`${s}\n`);
    }
    expect(onHost("h1", "ls /tmp/pwned 2>&1; true")).toMatch(/No such file/);
    expect(changedOf(await apply("h1", tasks))).toBe(0);
    // names that a shell would misread are refused, not run
    for (const bad of hostile) {
      expect(() => service({ name: bad })).toThrow(/not a unit name/);
      expect(() => apt({ names: [bad] })).toThrow(/not a Debian package name/);
      expect(() => sysctl({ key: bad, value: 1 })).toThrow(/not a sysctl key/);
    }
    expect(() => sysctl({ key: "net.ipv4.ip_forward", value: "1; touch /tmp/pwned" })).not.toThrow(); // a value is quoted, see below
    const s = await apply("h1", () => [sysctl({ key: "net.ipv4.ip_forward", value: "1; touch /tmp/pwned" })]);
    expect(failedOf(s)).toBe(1); // the kernel refuses the value; nothing ran
    expect(onHost("h1", "ls /tmp/pwned 2>&1; true")).toMatch(/No such file/);
  });
});
