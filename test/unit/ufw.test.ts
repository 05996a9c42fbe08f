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
