import { describe, expect, it } from "vitest";
import { sitePlan, type SiteInput } from "../../site/plan/site-plan.js";
import { parsePrefix6 } from "../../src/net/prefix.js";
import { siteFromInventory } from "../../site/plan/site-inventory.js";
import { renderSitePlan } from "../../site/plan/table.js";
import { parseInventory } from "../../src/inventory/load.js";
import type { InputError } from "../../src/errors.js";

const good: SiteInput = {
  vpsPrefix: "2001:db8:0:8964::/64",
  uplinkInterface: "enp1s0",
  uplinkAddress: "2001:db8:0:8964::2",
  homePrefix: "2001:db8:0:8964:8964::/78",
  hub: "VPN",
  tapIpv4: "10.89.64.1/24",
  vms: [
    { name: "vm1", hostIndex: 16, ipv4: "10.89.64.10", open: ["tcp/22", "udp/51820"] },
    { name: "vm2", address: "2001:db8:0:8964:8965::1", ipv4: "10.89.64.11" },
  ],
};

describe("prefixes", () => {
  it.each([
    ["2001:db8::/32", "2001:db8::/32"],
    ["2001:DB8:0:8964:8964:0:0:0/78", "2001:db8:0:8964:8964::/78"],
  ])("parses %s", (t, want) => expect((parsePrefix6(t) as { text: string }).text).toBe(want));
  it.each([
    ["2001:db8::8964:/78", /not an IPv6 address/],
    ["2001:db8:0:8964:8965::/78", /not aligned.*2001:db8:0:8964:8964::\/78/],
    ["2001:db8::/129", /longer than 128/],
    ["2001:db8::", /not an IPv6 prefix/],
  ])("refuses %s", (t, re) => expect(parsePrefix6(t)).toMatch(re));
});

describe("the site plan", () => {
  it("a VM marked state: absent is retired: not served (no NDP rule, opening or forwarding), its address kept for reaching it", () => {
    const vms = good.vms.map((v, i) => (i === 0 ? { ...v, state: "absent" as const } : v));
    const { plan, problems } = sitePlan({ ...good, vms });
    expect(problems).toEqual([]);
    expect(plan!.vms.map((v) => v.name)).not.toContain("vm1");
    expect(plan!.retired).toEqual([
      expect.objectContaining({ name: "vm1", address6: "2001:db8:0:8964:8964::10", absent: true }),
    ]);
    expect(JSON.stringify(plan!.ndp)).not.toContain("8964:8964::10/");
    expect(plan!.openings.map((o) => o.address)).not.toContain("2001:db8:0:8964:8964::10");
    expect(renderSitePlan(plan!)).toContain("Retired (state: absent)");
    // its address stays taken while it is listed
    const clash = sitePlan({ ...good, vms: [...vms, { name: "vm9", hostIndex: 16 }] });
    expect(clash.problems.map((p) => p.message).join()).toMatch(/already used by vm1/);
  });
  it("derives every address", () => {
    const { plan, problems } = sitePlan(good);
    expect(problems).toEqual([]);
    expect(plan!.tap).toEqual({
      interface: "tap_vpn",
      address6: "2001:db8:0:8964:8964::1",
      ipv4: "10.89.64.1",
      ipv4Network: "10.89.64.0",
      ipv4Length: 24,
    });
    expect(plan!.vms[0]).toEqual({
      name: "vm1",
      address6: "2001:db8:0:8964:8964::10",
      ipv4: "10.89.64.10",
      ipv4Length: 24,
      gateway6: "2001:db8:0:8964:8964::1",
      gateway4: "10.89.64.1",
      open: [
        { proto: "tcp", port: 22 },
        { proto: "udp", port: 51820 },
      ],
    });
    expect(plan!.vms[1]!.address6).toBe("2001:db8:0:8964:8965::1");
    // one rule per declared address, never the whole /78 (a ping to any address would make a neighbour entry)
    expect(plan!.ndp).toEqual([
      { target: "2001:db8:0:8964:8964::1/128", mode: "static" },
      { target: "2001:db8:0:8964:8964::10/128", mode: "static" },
      { target: "2001:db8:0:8964:8965::1/128", mode: "static" },
    ]);
    expect(plan!.openings).toHaveLength(2);
    expect(renderSitePlan(plan!)).toContain("tap_vpn    2001:db8:0:8964:8964::1/78");
  });

  it.each<[string, Partial<SiteInput>, RegExp]>([
    ["home prefix outside the VPS /64", { homePrefix: "2001:db8:0:8965::/78" }, /does not lie inside the VPS prefix/],
    ["misaligned home prefix", { homePrefix: "2001:db8:0:8964:8965::/78" }, /not aligned/],
    ["uplink address inside the home prefix", { uplinkAddress: "2001:db8:0:8964:8964::2" }, /inside the home prefix/],
    ["uplink outside the /64", { uplinkAddress: "2001:db8:0:1::2" }, /outside the VPS prefix/],
    ["hub too long for the tap name", { hub: "HOMECLOUDVPN" }, /1 to 11/],
    ["subnet-router anycast as tap", { tapHostIndex: 0 }, /anycast/],
    ["tap IPv4 not private", { tapIpv4: "192.0.2.1/24" }, /not a private IPv4/],
    ["tap IPv4 is the network address", { tapIpv4: "10.89.64.0/24" }, /network or broadcast/],
    ["long uplink name", { uplinkInterface: "enp1s0-very-long-name" }, /15 characters/],
    [
      "VM outside the home prefix",
      { vms: [{ name: "vm1", address: "2001:db8:0:8964::99" }] },
      /outside the home prefix/,
    ],
    [
      "duplicate VM address",
      {
        vms: [
          { name: "a", hostIndex: 5 },
          { name: "b", address: "2001:db8:0:8964:8964::5" },
        ],
      },
      /already used by a/,
    ],
    ["VM on the tap's address", { vms: [{ name: "a", hostIndex: 1 }] }, /already used by tap_host_index/],
    [
      "VM IPv4 outside the subnet",
      { vms: [{ name: "a", hostIndex: 5, ipv4: "10.89.65.5" }] },
      /outside the tap's subnet/,
    ],
    ["bad opening", { vms: [{ name: "a", hostIndex: 5, open: ["tcp/0", "http"] }] }, /not proto\/port/],
  ])("refuses %s", (_, change, re) => {
    const { plan, problems } = sitePlan({ ...good, ...change });
    expect(plan).toBeUndefined();
    expect(problems.map((p) => p.message).join("\n")).toMatch(re);
  });

  it("the rtx variant: the bridge is the downlink, the router's address is kept", () => {
    const { plan, problems } = sitePlan({ ...good, variant: "rtx", routerAddress: "2001:DB8:1::2" });
    expect(problems).toEqual([]);
    expect(plan!.variant).toBe("rtx");
    expect(plan!.rtx).toEqual({ routerAddress: "2001:db8:1::2", bridge: "br-home" });
    expect(plan!.tap.interface).toBe("br-home");
    expect(plan!.vms[0]!.gateway6).toBe("2001:db8:0:8964:8964::1");
    expect(renderSitePlan(plan!)).toContain("Variant: rtx");
    expect(sitePlan(good).plan!.variant).toBe("softether");
  });

  it.each([
    ["an unknown variant", { variant: "wireguard" }, /"wireguard" is not a site variant/],
    ["rtx without the router's address", { variant: "rtx" }, /router_address.*|is not an IPv6 address/],
    ["rtx with the uplink's own address", { variant: "rtx", routerAddress: "2001:db8:0:8964::2" }, /uplink's own/],
    [
      "a bad bridge name",
      { variant: "rtx", routerAddress: "2001:db8:1::2", downlink: "a-very-long-bridge" },
      /not a Linux interface name/,
    ],
    ["rtx keys in the softether variant", { routerAddress: "2001:db8:1::2" }, /only used by the rtx variant/],
  ])("refuses %s", (_, change, re) => {
    const { plan, problems } = sitePlan({ ...good, ...change });
    expect(plan).toBeUndefined();
    expect(problems.map((p) => `${p.field} ${p.message}`).join("\n")).toMatch(re);
  });

  it("reads the plan from an inventory, naming file and line of a problem", () => {
    const text = [
      "all:",
      "  vars:",
      "    site:",
      "      vps_prefix: 2001:db8:0:8964::/64",
      "      uplink_address: 2001:db8:0:8964::2",
      "      home_prefix: 2001:db8::8964:/78",
      "      tap_ipv4: 10.89.64.1/24",
      "  children:",
      "    vms:",
      "      hosts:",
      "        vm1:",
      "          home_host_index: 16",
      "          home_ipv4: 10.89.99.1",
    ].join("\n");
    const { inventory } = parseInventory(text, "site.yaml");
    try {
      siteFromInventory(inventory);
      expect.unreachable();
    } catch (e) {
      const ps = (e as InputError).problems;
      expect(ps.map((p) => `${p.file}:${p.line} ${p.field}`)).toEqual(
        expect.arrayContaining(["site.yaml:6 site.home_prefix"]),
      ); // the key's own line
    }
    const fixed = parseInventory(
      text.replace("2001:db8::8964:/78", "2001:db8:0:8964:8964::/78"),
      "site.yaml",
    ).inventory;
    try {
      siteFromInventory(fixed);
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).problems.map((p) => `${p.file}:${p.line} ${p.field}: ${p.message}`)).toEqual([
        expect.stringMatching(/^site.yaml:13 vm1.home_ipv4: 10.89.99.1 is outside the tap's subnet/),
      ]);
    }
  });
});
