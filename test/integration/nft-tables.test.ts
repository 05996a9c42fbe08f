// The site's nftables tables as nft itself reads them (`nft -c`: parsed and checked against the
// kernel, nothing loaded). Needs root, as the integration tests do.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HostContext } from "../../src/index.js";
import { firewall } from "../../roles/firewall/index.js";
import { SITE_CASCADE, SITE_FIREWALL } from "../support/site-params.js";
import { softetherCascade } from "../../roles/softether-cascade/index.js";

const host: HostContext = { name: "h", vars: {}, groups: ["all"], warn: () => {}, optional: () => {} };

/** The text the role's nftables task would load on a host without the table. */
function tableOf(ri: ReturnType<typeof firewall> | ReturnType<typeof softetherCascade>): string {
  const task = ri.build(ri.schema.parse(ri.input), host).find((t) => t.name.startsWith("nftables table"))!;
  const [step] = task.resource.steps(task.resource.parse("absent\n\nrecorded\n", 0));
  return step!.diff!.after!;
}

function nftCheck(text: string): { code: number | null; out: string } {
  const f = join(mkdtempSync(join(tmpdir(), "hcd-nft-")), "t.nft");
  writeFileSync(f, text);
  const r = spawnSync("nft", ["-c", "-f", f], { encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("the site's nftables tables pass nft -c", () => {
  it("the VPS: anti-spoofing, declared home hosts, limited ICMPv6", () => {
    const text = tableOf(
      firewall({
        ...SITE_FIREWALL,
        openings: [{ address: "2001:db8:0:8964:8964::10", proto: "tcp", port: 22 }],
        inputInterfaces: ["mgmt0"],
      }),
    );
    expect(nftCheck(text)).toEqual({ code: 0, out: "" });
    // and without the site's declarations (a plain use of the role)
    expect(nftCheck(tableOf(firewall({ uplink: "enp1s0", tap: "tap_vpn", natSource: "10.89.64.0/24" }))).code).toBe(0);
    // a broken table is refused (the check is real)
    expect(nftCheck(text.replace("policy drop;", "policy maybe;")).code).not.toBe(0);
  });

  it("the home gateway: SSH and the trusted interfaces only, nothing from the bridged LAN", () => {
    const text = tableOf(
      softetherCascade({
        ...SITE_CASCADE,
        firewall: { trustedInterfaces: ["mgmt0"] },
      }),
    );
    expect(text).toContain('iifname "eth1" drop');
    expect(text).toContain("tcp dport { 22 } accept");
    expect(nftCheck(text)).toEqual({ code: 0, out: "" });
  });
});
