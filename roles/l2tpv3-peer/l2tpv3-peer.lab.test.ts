// The l2tpv3-peer role on real lab hosts: h3 plays the VPS, h4 the router's IKE side (charon
// with the router's proposals, from the same parameter set). The lab kernel has no L2TP module
// and no ESP in xfrm: the IKE SA must come up; the CHILD_SA is either installed (a kernel with
// ESP) or refused for exactly that reason; the L2TP step fails with its reason, never pretends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePlaybook, loadInventory, runPlaybook, secret } from "../../src/index.js";
import { plainReporter } from "../../src/output/plain.js";
import { jsonDocument } from "../../src/output/json.js";
import { hostWrites, labInventoryFile, onHost } from "../../test/support/lab.js";
import { CONNECTION, l2tpv3Peer, SWANCTL_FILE } from "./index.js";
import { NO_L2TP } from "./l2tp-link.js";
import { swanctlConf } from "./swanctl.js";

const VPS = "h3";
const ROUTER = "h4";
const VPS6 = "2001:db8:100::c";
const ROUTER6 = "2001:db8:100::d";
const PSK = "lab-psk-Qw7-never-shown";
const proposals = {
  ike: { encryption: "aes256-cbc", hash: "sha256", group: "modp2048" },
  esp: { encryption: "aes-cbc", hash: "sha-hmac" },
} as const;
const params = {
  local: VPS6,
  remote: ROUTER6,
  uplink: "eth1",
  ipsec: { proposals, psk: PSK },
  l2tp: { tunnelId: 7, peerTunnelId: 8, sessionId: 70, peerSessionId: 80 },
  bridge: { name: "br-home", addresses: ["2001:db8:0:8964:8964::1/78", "10.89.64.1/24"] },
};

async function run(opts: { check?: boolean } = {}) {
  const printed: string[] = [];
  const pb = definePlaybook({ name: "vps", plays: [{ hosts: VPS, roles: () => [l2tpv3Peer(params)] }] });
  const summary = await runPlaybook(pb, loadInventory(labInventoryFile()), {
    playbookFile: "l2tpv3-peer",
    ...opts,
    reporter: plainReporter({ verbose: 2, diff: true, check: !!opts.check, write: (s) => printed.push(s) }),
  });
  printed.push(jsonDocument(summary));
  return { summary, printed: printed.join("") };
}

const CLEAN = `systemctl stop strongswan 2>/dev/null; systemctl disable strongswan 2>/dev/null; rm -f /etc/swanctl/conf.d/*.conf; true`;

beforeAll(() => {
  for (const h of [VPS, ROUTER]) onHost(h, CLEAN);
});
afterAll(() => {
  for (const h of [VPS, ROUTER]) onHost(h, CLEAN, true);
});

describe("l2tpv3-peer on lab hosts", () => {
  const everything: string[] = [];

  it("check mode writes nothing and stops at the L2TP link with the kernel's reason", async () => {
    const before = hostWrites(VPS);
    const { summary, printed } = await run({ check: true });
    everything.push(printed);
    expect(hostWrites(VPS)).toBe(before);
    expect(summary.hosts[VPS]?.failed).toBe(1);
    expect(printed).toContain(NO_L2TP);
    expect(printed).toContain(`file ${SWANCTL_FILE}`);
  });

  it("apply: strongSwan configured (0600, loaded), then the L2TP step fails clearly", async () => {
    const { summary, printed } = await run();
    everything.push(printed);
    expect(summary.hosts[VPS]).toMatchObject({ failed: 1 });
    // (the sysctls may have been set by an earlier test on this host: not counted)
    const changed = summary.tasks.filter((t) => t.host === VPS && t.status === "changed").map((t) => t.task);
    expect(changed).toEqual(expect.arrayContaining([`file ${SWANCTL_FILE}`, "service strongswan running enabled"]));
    expect(printed).toContain(NO_L2TP);
    expect(onHost(VPS, `stat -c %a ${SWANCTL_FILE}`).trim()).toBe("600");
    expect(onHost(VPS, "systemctl is-active strongswan").trim()).toBe("active");
    // swanctl accepted the generated file: the connection is loaded in charon
    expect(onHost(VPS, "swanctl --list-conns")).toMatch(new RegExp(`${CONNECTION}: IKEv1`));
    // the PSK is in the file, never in the output
    expect(onHost(VPS, `cat ${SWANCTL_FILE}`)).toContain(Buffer.from(PSK).toString("base64"));
  });

  it("a second apply changes nothing before the same failure", async () => {
    const { summary, printed } = await run();
    everything.push(printed);
    expect(summary.hosts[VPS]).toMatchObject({ changed: 0, failed: 1 });
    expect(printed).toContain(NO_L2TP);
  });

  it("the IKE SA comes up over IPv6 against the router's side; the CHILD_SA is installed or refused for missing ESP", async () => {
    // the router's side: charon with the same proposals, initiating as the RTX does
    const conf = swanctlConf({
      name: CONNECTION,
      local: ROUTER6,
      remote: VPS6,
      proposals: { ...proposals },
      psk: secret(PSK),
      startAction: "start",
    });
    onHost(ROUTER, `umask 077; cat > /etc/swanctl/conf.d/router.conf <<'EOF'\n${conf}EOF\nsystemctl start strongswan`);
    let sas = "";
    for (let i = 0; i < 100 && !/ESTABLISHED/.test(sas); i++) {
      await new Promise((r) => setTimeout(r, 200));
      sas = onHost(VPS, `swanctl --list-sas --ike ${CONNECTION}`, true);
    }
    expect(sas).toMatch(new RegExp(`${CONNECTION}: #\\d+, ESTABLISHED, IKEv1`));
    expect(sas).toContain(`local  '${VPS6}' @ ${VPS6}`);
    expect(sas).toContain("AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048");
    const espInKernel = onHost(
      ROUTER,
      "ip xfrm state add src ::1 dst ::1 proto esp spi 0x1 mode transport enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff 2>&1; ip xfrm state flush",
      true,
    );
    if (/Requested type not found/.test(espInKernel)) {
      // the initiator (the router's side) installs first: the kernel refuses the ESP SA, and
      // the quick mode ends there; nothing else may have gone wrong
      let log = "";
      for (let i = 0; i < 50 && !/unable to install/.test(log); i++) {
        await new Promise((r) => setTimeout(r, 200));
        log = onHost(ROUTER, "journalctl -u strongswan --no-pager -o cat", true);
      }
      expect(log).toContain("selected proposal: ESP:AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ");
      expect(log).toMatch(/received netlink error: Protocol not supported \(93\)\nunable to add SAD entry with SPI/);
      expect(log).toContain("unable to install inbound and outbound IPsec SA (SAD) in kernel");
      expect(onHost(VPS, `swanctl --list-sas --ike ${CONNECTION}`, true)).not.toMatch(/INSTALLED, TRANSPORT/);
    } else {
      expect(sas).toMatch(/l2tp: #\d+, reqid \d+, INSTALLED, TRANSPORT/);
    }
    for (const text of [...everything, sas]) expect(text).not.toContain(PSK);
  });
});
