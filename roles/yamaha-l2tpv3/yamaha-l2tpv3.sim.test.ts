// The yamaha-l2tpv3 role against the RTX simulator (test/support/rtx-sim.ts), over real SSH.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePlaybook, runPlaybook, runVerify, parseInventory, InputError, redact } from "../../src/index.js";
import { plainReporter } from "../../src/output/plain.js";
import { jsonDocument } from "../../src/output/json.js";
import { formatError } from "../../src/errors.js";
import { RtxSimulator } from "../../test/support/rtx-sim.js";
import { yamahaL2tpv3 } from "./index.js";
import { l2tpv3LinkVar, peerRole } from "../../site/rtx.js";
import { swanctlConf } from "../l2tpv3-peer/swanctl.js";
import { secret } from "../../src/secrets.js";

const PSK = "psk-Zq81-never-shown";
const AUTH = "l2tp-auth-9Xk-never-shown";
const sim = new RtxSimulator({ user: "admin", password: "login-9f3k", adminPassword: "admin-k2j4" });
let inventoryFile = "";

const base = {
  tunnel: 1,
  local: "2001:db8:1::2",
  remote: "2001:db8:0:8964::2",
  ipsec: { gateway: 1, policy: 101, transport: 1, psk: PSK, ike: { keepalive: true } },
  l2tp: {
    hostname: "home-rtx",
    authSecret: AUTH,
    localRouterId: "192.168.0.1",
    remoteRouterId: "192.168.0.2",
    remoteEndId: "vps",
  },
  bridge: { name: "bridge1", members: ["lan1"], address: "192.168.100.1/24" },
};
type Params = Parameters<typeof yamahaL2tpv3>[0];

async function run(params: Params, opts: { check?: boolean; diff?: boolean } = {}) {
  const printed: string[] = [];
  const pb = definePlaybook({ name: "router", plays: [{ hosts: "router", roles: () => [yamahaL2tpv3(params)] }] });
  const { inventory } = parseInventory(INVENTORY(), inventoryFile);
  const summary = await runPlaybook(pb, inventory, {
    ...opts,
    reporter: plainReporter({ verbose: 2, diff: true, check: !!opts.check, write: (s) => printed.push(s) }),
  });
  printed.push(jsonDocument(summary));
  return { summary, printed: printed.join("") };
}

const INVENTORY = () =>
  `all:\n  hosts:\n    router:\n      ansible_connection: rtx\n      ansible_host: 127.0.0.1\n      ansible_port: ${sim.port}\n      ansible_user: admin\n      ansible_password: !secret login-9f3k\n      ansible_become_password: !secret admin-k2j4\n      deploy_known_hosts_file: ${join(inventoryFile, "..", "known_hosts")}\n`;

beforeAll(async () => {
  await sim.start();
  const dir = mkdtempSync(join(tmpdir(), "hcd-rtx-"));
  inventoryFile = join(dir, "inventory.yaml");
  writeFileSync(join(dir, "known_hosts"), sim.hostKeyLine + "\n");
  writeFileSync(inventoryFile, INVENTORY());
});
afterAll(() => sim.stop());

describe("yamaha-l2tpv3 against the RTX simulator", () => {
  const everything: string[] = [];

  it("check mode on a fresh router lists the commands and sends none", async () => {
    const { summary, printed } = await run(base, { check: true, diff: true });
    everything.push(printed);
    expect(summary.hosts.router).toMatchObject({ changed: 1, failed: 0 });
    expect(sim.accepted).toEqual([]);
    expect(printed).toContain("tunnel encapsulation l2tpv3");
    expect(printed).toContain("ipsec ike pre-shared-key 1 text ********");
  });

  it("the first run applies the tunnel and saves", async () => {
    const { summary, printed } = await run(base);
    everything.push(printed);
    expect(summary.hosts.router).toMatchObject({ changed: 1, failed: 0 });
    expect(sim.saves).toBe(1);
    expect(sim.config.tunnels.get(1)).toContain("tunnel endpoint address 2001:db8:1::2 2001:db8:0:8964::2");
    expect(sim.config.tunnels.get(1)).toContain(`ipsec ike pre-shared-key 1 text ${PSK}`);
    expect(sim.config.top).toEqual(
      expect.arrayContaining([
        "ipsec transport 1 101 udp 1701",
        "l2tp service on l2tpv3",
        "bridge member bridge1 lan1 tunnel1",
        "ip bridge1 address 192.168.100.1/24",
      ]),
    );
    FIRST_RUN_COMMANDS = sim.accepted.length;
  });

  it("a second run sends no configuration command and reports 0 changed", async () => {
    const before = sim.accepted.length;
    const { summary, printed } = await run(base);
    everything.push(printed);
    expect(summary.hosts.router).toMatchObject({ changed: 0, failed: 0, ok: 1 });
    expect(sim.accepted.length).toBe(before);
    expect(sim.saves).toBe(1);
  });

  it("changing one parameter changes exactly that line", async () => {
    const before = sim.accepted.length;
    await run({ ...base, l2tp: { ...base.l2tp, hostname: "home-rtx2" } });
    expect(sim.accepted.slice(before)).toEqual(["l2tp hostname home-rtx2"]);
    expect(sim.saves).toBe(2);
  });

  it("removing the tunnel's bridge membership emits the matching no command", async () => {
    const before = sim.accepted.length;
    const { printed } = await run({ ...base, l2tp: { ...base.l2tp, hostname: "home-rtx2" }, bridge: null });
    everything.push(printed);
    expect(sim.accepted.slice(before)).toEqual([
      "no bridge member bridge1 lan1 tunnel1",
      "no ip bridge1 address 192.168.100.1/24",
    ]);
    expect(sim.config.top.some((l) => l.startsWith("bridge member"))).toBe(false);
  });

  it("refuses a malformed parameter before connecting", async () => {
    const received = sim.received.length;
    await expect(run({ ...base, l2tp: { ...base.l2tp, localRouterId: "192.168.0" } })).rejects.toThrow(InputError);
    expect(sim.received.length).toBe(received);
  });

  it("fails the task with the router's message when it rejects a command", async () => {
    const { summary, printed } = await run({ ...base, l2tp: { ...base.l2tp, hostname: "home+rtx" } });
    everything.push(printed);
    expect(summary.hosts.router!.failed).toBe(1);
    const failed = summary.tasks.find((t) => t.status === "failed")!;
    expect(failed.error).toContain("Error: Invalid parameter");
    expect(failed.error).toContain("l2tp hostname home+rtx");
  });

  it("mode l2tpv3-raw: the encapsulation is replaced and the control connection's lines go; then 0 changed", async () => {
    const { l2tp: _control, ...rest } = base;
    const raw = { ...rest, mode: "l2tpv3-raw" as const, bridge: null };
    const before = sim.accepted.length;
    const { summary, printed } = await run(raw);
    everything.push(printed);
    expect(summary.hosts.router).toMatchObject({ changed: 1, failed: 0 });
    const sent = sim.accepted.slice(before);
    expect(sent).toContain("tunnel encapsulation l2tpv3-raw");
    expect(sent).toEqual(expect.arrayContaining(["no l2tp remote end-id vps", "no l2tp always-on on"]));
    expect(sim.config.tunnels.get(1)!.filter((l) => l.startsWith("l2tp "))).toEqual([]);
    const again = await run(raw);
    expect(again.summary.hosts.router).toMatchObject({ changed: 0, failed: 0 });
    // raw mode refuses the control connection's settings, and control mode needs them
    const received = sim.received.length;
    const refusal = (p: Params) =>
      run(p).then(
        () => "ran",
        (e: unknown) => formatError(e),
      );
    expect(await refusal({ ...raw, l2tp: base.l2tp })).toContain("mode l2tpv3-raw has no control connection");
    expect(await refusal({ ...raw, mode: "l2tpv3" })).toContain("mode l2tpv3 needs the control connection");
    expect(sim.received.length).toBe(received);
  });

  it("never shows the pre-shared key or the tunnel secret, and never opens an exec channel", async () => {
    everything.push(formatError(new Error(`x ${PSK}`)), redact(`y ${AUTH}`));
    const all = everything.join("\n");
    expect(all.length).toBeGreaterThan(1000);
    expect(all).not.toContain(PSK);
    expect(all).not.toContain(AUTH);
    expect(all).not.toContain("admin-k2j4");
    expect(sim.rejectedExec).toEqual([]);
    // the router refuses exec channels, as a real RTX does
    const refused = await new Promise<boolean>((resolve) => {
      const c = new Client();
      c.on("ready", () =>
        c.exec("show config", (err) => {
          c.end();
          resolve(!!err);
        }),
      );
      c.on("error", () => resolve(false));
      c.connect({
        host: "127.0.0.1",
        port: sim.port,
        username: "admin",
        password: "login-9f3k",
        hostVerifier: () => true,
      });
    });
    expect(refused).toBe(true);
    expect(sim.rejectedExec).toEqual(["show config"]);
    console.log(`RTX figures: first run sent ${FIRST_RUN_COMMANDS} configuration commands, the second 0`);
  });
});

let FIRST_RUN_COMMANDS = 0;

describe("the site playbook's router play", () => {
  it("converges the simulator standing in for the router, from inventory/hosts-rtx.yaml (raw mode), and both ends share one parameter set", async () => {
    const r2 = new RtxSimulator({ user: "admin", password: "login-pw-77", adminPassword: "admin-pw-77" });
    await r2.start();
    try {
      const env = {
        HCD_VPN_ADMIN_PASSWORD: "vpn-admin-1",
        HCD_VPN_HOME_PASSWORD: "vpn-home-1",
        HCD_HOMEGW_ADMIN_PASSWORD: "gw-admin-1",
        HCD_RTX_LOGIN_PASSWORD: "login-pw-77",
        HCD_RTX_ADMIN_PASSWORD: "admin-pw-77",
        HCD_L2TPV3_PSK: "site-psk-77",
      };
      Object.assign(process.env, env);
      const dir = mkdtempSync(join(tmpdir(), "hcd-site-rtx-"));
      writeFileSync(join(dir, "known_hosts"), r2.hostKeyLine + "\n");
      const text = readFileSync("inventory/hosts-rtx.yaml", "utf8").replace(
        "ansible_host: 192.168.100.1",
        `ansible_host: 127.0.0.1\n          ansible_port: ${r2.port}\n          deploy_known_hosts_file: ${join(dir, "known_hosts")}`,
      );
      const { inventory, problems } = parseInventory(text, join(dir, "hosts-rtx.yaml"));
      expect(problems).toEqual([]);
      const site = (await import("../../playbooks/site.js")).default;
      const first = await runPlaybook(site, inventory, { limit: "router" });
      expect(Object.keys(first.hosts)).toEqual(["rtx"]);
      expect(first.hosts.rtx).toMatchObject({ changed: 1, failed: 0 });
      const lines = r2.config.tunnels.get(1) ?? [];
      expect(lines).toContain("ipsec ike pre-shared-key 1 text site-psk-77");
      expect(lines).toContain("tunnel encapsulation l2tpv3-raw");
      // the router's endpoints are the site plan's: its own address, then the VPS uplink
      expect(lines).toContain("tunnel endpoint address 2001:db8:1::2 2001:db8:0:8964::2");
      expect(lines.filter((l) => l.startsWith("l2tp "))).toEqual([]); // raw: no control connection
      // the VPS end from the same parameter set: the same proposals in strongSwan's words
      expect(lines).toEqual(
        expect.arrayContaining([
          "ipsec sa policy 101 1 esp aes-cbc sha256-hmac",
          "ipsec ike encryption 1 aes-cbc",
          "ipsec ike hash 1 sha256",
          "ipsec ike group 1 modp2048",
        ]),
      );
      const plan = site.plan!(inventory);
      const vpsVars = inventory.hosts.get("vps")!.vars;
      const peer = peerRole(plan, l2tpv3LinkVar.parse(vpsVars.l2tpv3_link));
      const swan = peer.build(peer.schema.parse(peer.input), {
        name: "vps",
        vars: vpsVars,
        groups: [],
        warn: () => {},
        optional: () => {},
      });
      const conf = swan.map((t) => t.resource.name).join("\n");
      expect(conf).toContain("file /etc/swanctl/conf.d/homecloud-l2tpv3.conf");
      const text2 = swanctlConf({
        name: "x",
        local: plan.uplink.address6,
        remote: plan.rtx!.routerAddress,
        proposals: l2tpv3LinkVar.parse(vpsVars.l2tpv3_link).proposals,
        psk: secret("p"),
        startAction: "trap",
      });
      expect(text2).toContain("proposals = aes128-sha256-modp2048");
      expect(text2).toContain("esp_proposals = aes128-sha256");
      const again = await runPlaybook(site, inventory, { limit: "router" });
      expect(again.hosts.rtx).toMatchObject({ changed: 0, failed: 0 });

      // deploy verify over the RTX CLI: the role's checks and its as-deployed check (show config)
      const ok = await runVerify(site, inventory, { limit: "router" });
      expect(ok.checks.map((c) => `${c.key} ${c.status}`)).toEqual([
        "rtx/tunnel-enabled@rtx pass",
        "rtx/yamaha-l2tpv3-as-deployed@rtx pass",
      ]);
      expect(ok.exitCode).toBe(0);
      // an operator disables the tunnel and saves: verify names the hop, the line, and no secret
      r2.operatorEdit((c) => {
        c.tunnels.set(
          1,
          (c.tunnels.get(1) ?? []).filter((l) => l !== "tunnel enable 1"),
        );
      });
      const drift = await runVerify(site, inventory, { limit: "router" });
      expect(drift.exitCode).toBe(16);
      expect(drift.checks.map((c) => `${c.key} ${c.status}`)).toEqual([
        "rtx/tunnel-enabled@rtx fail",
        "rtx/yamaha-l2tpv3-as-deployed@rtx fail",
      ]);
      expect(drift.checks[1]!.evidence).toMatch(/would change: .*tunnel enable 1/);
      expect(JSON.stringify(drift)).not.toContain("site-psk-77");

      // a check may only read a router: a configuration line is refused, never sent
      const sent = r2.accepted.length;
      const writer = definePlaybook({
        name: "w",
        plays: [
          {
            hosts: "router",
            checks: () => [{ hop: "rtx", id: "w", title: "writes", script: "show config\nno tunnel enable 1" }],
          },
        ],
      });
      const refused = await runVerify(writer, inventory, { limit: "router" });
      expect(refused.checks[0]).toMatchObject({ status: "fail" });
      expect(refused.checks[0]!.evidence).toContain("a check on a router may only read (show ...): no tunnel enable 1");
      expect(r2.accepted.length).toBe(sent);
    } finally {
      await r2.stop();
    }
    // a deploy, a rerun and verify runs, each an ssh -tt login to the router: seconds, not the 5 s of a quick test
  }, 60_000);
});
