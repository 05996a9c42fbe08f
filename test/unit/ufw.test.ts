import { describe, expect, it } from "vitest";
import { ufwOpenings } from "../../src/resources/nftables/ufw.js";

const t = ufwOpenings({ allow: ["22/tcp", "443/tcp"], route: [{ in: "tap_vpn", out: "enp1s0" }] });
const steps = (out: string) => t.resource.steps(t.resource.parse(out, 0));
const listed = (...rules: string[]) => ["Status: active", ...rules.map((r) => `rule ${r}`)].join("\n");

describe("ufw openings", () => {
  it("no ufw: nothing to do", () => {
    expect(steps("absent")).toEqual([]);
  });
  it("adds each rule it does not find, marked as ours", () => {
    const s = steps(listed("limit 22/tcp"));
    expect(s.map((x) => x.script)).toEqual([
      "ufw allow 22/tcp comment 'homecloud-deploy' >/dev/null",
      "ufw allow 443/tcp comment 'homecloud-deploy' >/dev/null",
      "ufw route allow in on tap_vpn out on enp1s0 comment 'homecloud-deploy' >/dev/null",
    ]);
  });
  it("a rule someone else already has is not added again; ours that are no longer wanted go", () => {
    const s = steps(
      listed(
        "allow 22/tcp",
        "allow 443/tcp comment 'homecloud-deploy'",
        "route allow in on tap_vpn out on enp1s0 comment 'homecloud-deploy'",
        "allow 992/tcp comment 'homecloud-deploy'",
        "route allow in on tap_old out on enp1s0 comment 'homecloud-deploy'",
        "allow 8080/tcp comment 'mine'",
      ),
    );
    expect(s.map((x) => x.script)).toEqual([
      "ufw delete allow 992/tcp >/dev/null",
      "ufw route delete allow in on tap_old out on enp1s0 >/dev/null",
    ]);
  });
  it("nothing when everything is there; inactive ufw gets the rules too, and says so", () => {
    expect(
      steps(
        listed(
          "allow 22/tcp comment 'homecloud-deploy'",
          "allow 443/tcp comment 'homecloud-deploy'",
          "route allow in on tap_vpn out on enp1s0 comment 'homecloud-deploy'",
        ),
      ),
    ).toEqual([]);
    const inactive = t.resource.steps(t.resource.parse("Status: inactive\n", 0));
    expect(inactive).toHaveLength(3);
    expect(inactive[0]!.why).toBe("ufw allow 22/tcp (ufw is inactive: for when it is enabled)");
  });
  it("a listed rule of an odd shape is never put back into a script", () => {
    expect(
      steps(listed("allow 22/tcp comment 'homecloud-deploy'", "allow 1;reboot comment 'homecloud-deploy'")).map(
        (x) => x.script,
      ),
    ).not.toContain(expect.stringContaining("reboot"));
  });
  it("refuses ports and interfaces it cannot write safely", () => {
    expect(() => ufwOpenings({ allow: ["22"], route: [] })).toThrow(/PORT\/tcp/);
    expect(() => ufwOpenings({ allow: [], route: [{ in: "a b", out: "c" }] })).toThrow(/interface names/);
  });
});

describe("firewalld", () => {
  it("not running: nothing; running: refused with what the site needs, nothing changed", async () => {
    const { firewalldRefused } = await import("../../src/resources/nftables/firewalld.js");
    const f = firewalldRefused({ needs: "443/tcp, forwarding between tap_vpn and enp1s0" });
    expect(f.resource.steps(f.resource.parse("stopped\n", 0))).toEqual([]);
    expect(() => f.resource.steps(f.resource.parse("running\n", 0))).toThrow(
      /firewalld runs on this host and would drop what the site needs \(443\/tcp, forwarding between tap_vpn and enp1s0\)/,
    );
  });
});

describe("firewalld openings", async () => {
  const { firewalldOpenings } = await import("../../src/resources/nftables/firewalld-openings.js");
  const f = firewalldOpenings({ allow: ["22/tcp", "443/tcp"], tap: "tap_vpn", uplink: "enp1s0" });
  const info = (o: Record<string, string>) =>
    [
      "  priority: -1",
      ...["target", "interfaces", "ingress-zones", "egress-zones", "ports"].map((k) => `  ${k}: ${o[k] ?? ""}`),
    ].join("\n");
  const good: Record<string, string> = {
    homecloud: info({ target: "default", interfaces: "tap_vpn" }),
    "homecloud-host": info({
      target: "CONTINUE",
      "ingress-zones": "ANY",
      "egress-zones": "HOST",
      ports: "443/tcp 22/tcp",
    }),
    "homecloud-in": info({ target: "ACCEPT", "ingress-zones": "ANY", "egress-zones": "homecloud" }),
    "homecloud-out": info({ target: "ACCEPT", "ingress-zones": "homecloud", "egress-zones": "ANY" }),
  };
  const listing = (perm: Record<string, string | undefined>, run: Record<string, string | undefined> = perm) =>
    [
      ...Object.keys(good).flatMap((n) => [
        `== permanent ${n}`,
        perm[n] ?? "missing",
        `== runtime ${n}`,
        run[n] ?? "missing",
      ]),
    ].join("\n");
  const steps = (out: string) => f.resource.steps(f.resource.parse(out, 0));

  it("not running: nothing to do", () => {
    expect(steps("stopped\n")).toEqual([]);
  });
  it("a fresh firewalld: our zone and three policies are made, then one reload", () => {
    const s = steps(listing({}));
    expect(s.map((x) => x.why)).toEqual([
      "firewalld add zone homecloud for tap_vpn",
      "firewalld add policy homecloud-host: 22/tcp, 443/tcp to this host",
      "firewalld add policy homecloud-in: forwarding ANY -> homecloud accepted",
      "firewalld add policy homecloud-out: forwarding homecloud -> ANY accepted",
      "firewall-cmd --reload (the permanent configuration takes effect)",
    ]);
    expect(s[0]!.script).toContain("--zone=homecloud --change-interface=tap_vpn");
    expect(s[2]!.script).toContain("--policy=homecloud-in --set-target=ACCEPT");
    expect(s[0]!.script).not.toContain("--delete-");
  });
  it("everything in place: nothing; a runtime change only: a reload; a permanent change: that object rebuilt", () => {
    expect(steps(listing(good))).toEqual([]);
    const runtimeOnly = steps(listing(good, { ...good, "homecloud-out": undefined }));
    expect(runtimeOnly.map((x) => x.script)).toEqual(["firewall-cmd --reload >/dev/null"]);
    const moved = steps(listing({ ...good, homecloud: info({ target: "default", interfaces: "tap_old" }) }));
    expect(moved.map((x) => x.why)).toEqual([
      "firewalld correct zone homecloud for tap_vpn",
      "firewall-cmd --reload (the permanent configuration takes effect)",
    ]);
    expect(moved[0]!.script).toMatch(/^firewall-cmd --permanent --delete-zone=homecloud/);
  });
  it("a policy someone narrowed (the default zone instead of ANY) is put back", () => {
    const narrowed = info({ target: "ACCEPT", "ingress-zones": "homecloud", "egress-zones": "public" });
    expect(steps(listing({ ...good, "homecloud-out": narrowed })).map((x) => x.why)).toEqual([
      "firewalld correct policy homecloud-out: forwarding homecloud -> ANY accepted",
      "firewall-cmd --reload (the permanent configuration takes effect)",
    ]);
  });
  it("refuses ports and interfaces it cannot write safely", () => {
    expect(() => firewalldOpenings({ allow: ["22"], tap: "t", uplink: "u" })).toThrow(/PORT\/tcp/);
    expect(() => firewalldOpenings({ allow: [], tap: "a b", uplink: "u" })).toThrow(/interface names/);
  });
});
