import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ifupdownFile, interfaceAddresses, networkdFile } from "../../src/resources/network/addresses.js";
import { nftTable, tableFile } from "../../src/resources/nftables/table.js";

const opts = {
  interface: "eth0",
  addresses: ["2001:db8::10/78", "10.89.64.10/24"],
  gateway6: "2001:db8::1",
  gateway4: "10.89.64.1",
};

describe("interface addresses", () => {
  it("renders systemd-networkd and ifupdown files", () => {
    expect(networkdFile(opts)).toBe(
      "# Managed by homecloud-deploy\n[Match]\nName=eth0\n\n[Network]\nAddress=2001:db8::10/78\nAddress=10.89.64.10/24\nGateway=2001:db8::1\nGateway=10.89.64.1\nIPv6AcceptRA=yes\nLinkLocalAddressing=ipv6\n",
    );
    expect(ifupdownFile(opts)).toBe(
      "# Managed by homecloud-deploy\nauto eth0\niface eth0 inet static\n    address 10.89.64.10/24\n    gateway 10.89.64.1\niface eth0 inet6 static\n    address 2001:db8::10/78\n    accept_ra 2\n    gateway 2001:db8::1\n",
    );
  });
  it("RAs off and resolvers: networkd DNS= and IPv6AcceptRA=no; ifupdown accept_ra 0 and dns-nameservers", () => {
    const o = { ...opts, acceptRa: false, dns: ["2001:db8:ffff::53"] };
    expect(networkdFile(o)).toBe(
      "# Managed by homecloud-deploy\n[Match]\nName=eth0\n\n[Network]\nAddress=2001:db8::10/78\nAddress=10.89.64.10/24\nDNS=2001:db8:ffff::53\nGateway=2001:db8::1\nGateway=10.89.64.1\nIPv6AcceptRA=no\nLinkLocalAddressing=ipv6\n",
    );
    expect(ifupdownFile(o)).toBe(
      "# Managed by homecloud-deploy\nauto eth0\niface eth0 inet static\n    address 10.89.64.10/24\n    gateway 10.89.64.1\niface eth0 inet6 static\n    address 2001:db8::10/78\n    accept_ra 0\n    gateway 2001:db8::1\n    dns-nameservers 2001:db8:ffff::53\n",
    );
  });
  it("plans nothing when the file matches and the addresses are live", () => {
    const t = interfaceAddresses({ ...opts, method: "networkd" });
    const file = Buffer.from(networkdFile(opts)).toString("base64");
    expect(
      t.resource.steps(
        t.resource.parse(
          `method networkd\nlive 10.89.64.10/24 2001:db8::10/78\ngateways 2001:db8::1 10.89.64.1\nfile /etc/systemd/network/50-homecloud-eth0.network\n${file}\nend`,
          0,
        ),
      ),
    ).toEqual([]);
    // a default route removed behind our back is put back (the file alone would not)
    const noRoute = t.resource.steps(
      t.resource.parse(
        `method networkd\nlive 10.89.64.10/24 2001:db8::10/78\ngateways 10.89.64.1\nfile /etc/systemd/network/50-homecloud-eth0.network\n${file}\nend`,
        0,
      ),
    );
    expect(noRoute.map((s) => s.why)).toEqual(["apply the default route via 2001:db8::1 on eth0 (networkd)"]);
    const steps = t.resource.steps(
      t.resource.parse(
        `method networkd\nlive 10.89.64.10/24\ngateways 2001:db8::1 10.89.64.1\nfile /etc/systemd/network/50-homecloud-eth0.network\n${file}\nend`,
        0,
      ),
    );
    expect(steps.map((s) => s.why)).toEqual(["apply 2001:db8::10/78 on eth0 (networkd)"]);
  });
  it("writes the ifupdown file where ifupdown is in use", () => {
    const t = interfaceAddresses(opts);
    expect(t.resource.steps(t.resource.parse("method ifupdown\nlive ", 0)).map((s) => s.why)).toEqual([
      "create /etc/network/interfaces.d/homecloud-eth0",
      "apply 2001:db8::10/78, 10.89.64.10/24, the default route via 2001:db8::1, the default route via 10.89.64.1 on eth0 (ifupdown)",
    ]);
  });
});

describe("nftables table", () => {
  const o = { family: "inet" as const, name: "homecloud", body: "    chain input {\n    }\n" };
  it("replaces only its own table, in one transaction", () => {
    const f = tableFile(o);
    expect(f).toContain(
      "table inet homecloud\ndelete table inet homecloud\ntable inet homecloud {\n    chain input {\n    }\n}\n",
    );
    expect(f).not.toMatch(/flush ruleset/);
  });
  it("loads with a timed revert and confirms over a new connection", () => {
    const t = nftTable({ ...o, revertAfterSeconds: 45 });
    const [live, ...rest] = t.resource.steps(t.resource.parse("absent\n\nrecorded", 0));
    expect(rest).toEqual([]);
    expect(live!.why).toBe("load table inet homecloud");
    expect(live!.script).toMatch(/nft -c -f "\$new"/);
    expect(live!.script).toMatch(/systemd-run --quiet --unit=homecloud-nft-revert-homecloud --on-active=45/);
    expect(live!.confirm?.revertAfterSeconds).toBe(45);
    expect(live!.confirm?.script).toMatch(/systemctl stop homecloud-nft-revert-homecloud.timer/);
  });
  it("sees drift on the host and a change of rules", () => {
    const t = nftTable(o);
    const p = (out: string) => t.resource.steps(t.resource.parse(out, 0)).map((s) => s.why);
    const persisted = Buffer.from(tableFile(o)).toString("base64");
    const src = createHash("sha256").update(tableFile(o)).digest("hex");
    expect(p(`exists\nLIVE1\nrecorded ${src} LIVE1\npersisted\n${persisted}`)).toEqual([]);
    expect(p(`exists\nLIVE2\nrecorded ${src} LIVE1\npersisted\n${persisted}`)).toEqual([
      "replace table inet homecloud (changed on the host since we loaded it)",
    ]);
    expect(p(`exists\nLIVE1\nrecorded other LIVE1\npersisted\n${persisted}`)).toEqual([
      "replace table inet homecloud (rules changed)",
    ]);
  });
});
