// What the site roles render from their parameters (the lab tests run them for real).
import { describe, expect, it } from "vitest";
import type { HostContext } from "../src/index.js";
import { SITE_CASCADE, SITE_FIREWALL } from "../test/support/site-params.js";
import { firewall } from "./firewall/index.js";
import { ndppd } from "./ndppd/index.js";
import { radvd } from "./radvd/index.js";
import { tapBridge } from "./tap-bridge/index.js";
import { softetherCascade } from "./softether-cascade/index.js";
import { staticAddress } from "./static-address/index.js";

const host = (warnings: string[] = []): HostContext => ({
  name: "vps",
  vars: {},
  groups: ["all"],
  warn: (m) => warnings.push(m),
  optional: () => {},
});
function build(
  ri: {
    schema: { parse(x: unknown): unknown };
    input: unknown;
    build(
      p: unknown,
      h: HostContext,
    ): Array<{
      name: string;
      resource: { steps(s: unknown): Array<{ diff?: { after: string | null } }>; parse(o: string, c: number): unknown };
    }>;
  },
  h = host(),
) {
  return ri.build(ri.schema.parse(ri.input), h);
}
/** The text a file task would write on an empty host. */
const rendered = (t: {
  resource: { steps(s: unknown): Array<{ diff?: { after: string | null } }>; parse(o: string, c: number): unknown };
}) => t.resource.steps(t.resource.parse("absent", 0))[0]!.diff!.after!;

describe("site roles", () => {
  it("radvd renders the prefix without SLAAC and warns when SLAAC is asked on a non-/64", () => {
    const warnings: string[] = [];
    const tasks = build(
      radvd({
        interface: "tap_vpn",
        prefixes: [{ prefix: "2001:db8:0:8964:8964::/78", autonomous: true }],
        rdnss: ["2001:db8::53"],
      }),
      host(warnings),
    );
    const conf = rendered(tasks.find((t) => t.name === "file /etc/radvd.conf")!);
    expect(conf).toContain("interface tap_vpn\n{");
    expect(conf).toMatch(/prefix 2001:db8:0:8964:8964::\/78\n\s+\{\n\s+AdvOnLink on;\n\s+AdvAutonomous on;/);
    expect(conf).toContain("RDNSS 2001:db8::53");
    expect(warnings).toEqual([expect.stringMatching(/not a \/64: hosts will not autoconfigure/)]);
  });

  it("ndppd writes only options Debian's 0.2.5 honours, or uses the kernel's proxy in kernel mode", () => {
    const conf = rendered(
      build(ndppd({ uplink: "enp1s0", rules: ["2001:db8:0:8964:8964::/78"] })).find(
        (t) => t.name === "file /etc/ndppd.conf",
      )!,
    );
    expect(conf).toMatch(
      /proxy enp1s0 \{\n\s+router yes\n\s+timeout 500\n\s+ttl 5000\n\s+rule 2001:db8:0:8964:8964::\/78 \{\n\s+static/,
    );
    expect(conf).not.toMatch(/autowire|keepalive|retries|promiscuous/);
    const kernel = build(ndppd({ uplink: "enp1s0", mode: "kernel", addresses: ["2001:db8:0:8964:8964::10"] }));
    expect(kernel.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "sysctl net.ipv6.conf.enp1s0.proxy_ndp = 1",
        "service homecloud-proxy-ndp.service running enabled",
      ]),
    );
    expect(rendered(kernel.find((t) => t.name === "file /usr/local/lib/homecloud/proxy-ndp")!)).toContain(
      "ip -6 neigh replace proxy 2001:db8:0:8964:8964::10 dev enp1s0",
    );
  });

  it("the firewall opens only the listed address/port pairs and masquerades the home IPv4", () => {
    const t = build(
      firewall({
        uplink: "enp1s0",
        tap: "tap_vpn",
        natSource: "10.89.64.0/24",
        openings: [{ address: "2001:db8::10", proto: "tcp", port: 22 }],
      }),
    ).find((x) => x.name === "nftables table inet homecloud")!;
    const table = rendered(t);
    expect(table).toContain('iifname "enp1s0" oifname "tap_vpn" ip6 daddr 2001:db8::10 tcp dport 22 accept');
    expect(table).toContain('oifname "enp1s0" ip saddr 10.89.64.0/24 masquerade');
    expect(table).toContain("tcp dport { 22, 443 } accept");
    expect(table).not.toMatch(/flush ruleset/);
    // ICMPv6 from outside: errors and echo only (no RA, no NDP towards the home hosts)
    expect(table).toMatch(
      /iifname "enp1s0" oifname "tap_vpn" icmpv6 type \{ echo-request, destination-unreachable, packet-too-big, time-exceeded, parameter-problem \} accept/,
    );
    expect(table.slice(table.indexOf("chain forward"))).not.toContain("ipv6-icmp accept");
  });

  it("the firewall drops spoofed sources both ways and forwards only the declared home hosts", () => {
    const table = rendered(build(firewall(SITE_FIREWALL)).find((x) => x.name === "nftables table inet homecloud")!);
    const forward = table.slice(table.indexOf("chain forward"));
    const order = [
      'iifname "enp1s0" ip6 saddr 2001:db8:0:8964:8964::/78 drop',
      'iifname "tap_vpn" ip6 saddr != 2001:db8:0:8964:8964::/78 drop',
      'iifname "tap_vpn" ip6 saddr != @home6 drop',
      'iifname "enp1s0" ip6 daddr != @home6 drop',
      'iifname "tap_vpn" ip saddr != @home4 drop',
      "ct state established,related accept",
    ].map((r) => forward.indexOf(r));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order); // every drop before the first accept
    expect(table).toMatch(
      /set home6 \{\s+type ipv6_addr\s+elements = \{ 2001:db8:0:8964:8964::10, 2001:db8:0:8964:8964::11 \}/,
    );
    expect(table).toMatch(/set home4 \{\s+type ipv4_addr\s+elements = \{ 10.89.64.10 \}/);
    // on input too: the home prefix never comes from the uplink
    expect(table.slice(table.indexOf("chain input"), table.indexOf("chain forward"))).toContain(
      'iifname "enp1s0" ip6 saddr 2001:db8:0:8964:8964::/78 drop',
    );
  });

  it("tap-bridge waits for the tap and applies the addresses; a unit re-applies them with vpnserver", () => {
    const tasks = build(
      tapBridge({ tap: "tap_vpn", addresses: ["2001:db8::1/78", "10.89.64.1/24"], uplink: "enp1s0" }),
    );
    expect(rendered(tasks.find((t) => t.name === "file /usr/local/lib/homecloud/tap-up-tap_vpn")!)).toMatch(
      /until ip link show tap_vpn[\s\S]*ip address replace 2001:db8::1\/78 dev tap_vpn\nip address replace 10.89.64.1\/24 dev tap_vpn/,
    );
    expect(rendered(tasks.find((t) => t.name === "file /etc/systemd/system/homecloud-tap-tap_vpn.service")!)).toMatch(
      /PartOf=softether-vpnserver.service[\s\S]*WantedBy=softether-vpnserver.service/,
    );
    expect(tasks.map((t) => t.name)).toContain("RAs accepted on enp1s0 while forwarding");
  });

  it("tap-bridge pins a prefix to the tap with a policy rule and a table of its own", () => {
    const tasks = build(
      tapBridge({
        tap: "tap_vpn",
        addresses: ["2001:db8:0:8964:8964::1/78"],
        uplink: "enp1s0",
        pin: ["2001:db8:0:8964:8964::/78"],
      }),
    );
    const script = rendered(tasks.find((t) => t.name === "file /usr/local/lib/homecloud/tap-up-tap_vpn")!);
    expect(script).toContain("ip -6 route replace 2001:db8:0:8964:8964::/78 dev tap_vpn table 200 metric 1\n");
    expect(script).toContain("ip -6 route replace unreachable 2001:db8:0:8964:8964::/78 table 200 metric 4294967295\n");
    expect(script).toContain(
      "ip -6 rule show to 2001:db8:0:8964:8964::/78 | grep -q 'lookup 200' || ip -6 rule add to 2001:db8:0:8964:8964::/78 lookup 200 priority 1000\n",
    );
  });

  it("the cascade watchdog's password file is 0600 and marked sensitive", () => {
    const tasks = build(
      softetherCascade({
        ...SITE_CASCADE,
      }),
    );
    // the settings file holds no secret; the password is alone in its own file
    expect(rendered(tasks.find((t) => t.name === "file /etc/homecloud/cascade-watchdog.conf")!)).not.toContain(
      "gw-admin-pw-1",
    );
    const conf = tasks.find((t) => t.name === "file /etc/homecloud/cascade-watchdog.password")!;
    const [step] = conf.resource.steps(conf.resource.parse("absent", 0)) as Array<{
      diff?: { sensitive?: boolean };
      script: string;
    }>;
    expect(step!.diff?.sensitive).toBe(true);
    expect(step!.script).toContain("chmod 0600");
    expect(tasks.map((t) => t.name)).toContain("sysctl net.ipv6.conf.eth1.accept_ra = 0");
  });
});

describe("static-address's verify checks", () => {
  const ri = staticAddress({
    interface: "eth0",
    address6: "2001:db8::10",
    prefixLength6: 78,
    gateway6: "2001:db8::1",
    ipv4: "10.0.0.10",
    prefixLength4: 24,
    gateway4: "10.0.0.1",
  });
  const routes = ri.checks(ri.schema.parse(ri.input), host()).find((c) => c.id === "default-routes")!;
  const judge = (stdout: string) => routes.judge!({ code: 0, stdout, stderr: "" });
  it("reads each next hop: a plain route (with or without trailing words) or one of a multipath route", () => {
    expect(judge("default via 2001:db8::1 dev eth0\ndefault via 10.0.0.1 dev eth0")).toMatchObject({ ok: true });
    expect(
      judge(
        "default proto static metric 1024 pref medium\n\tnexthop via 2001:db8::1 dev eth0 weight 1 \n\tnexthop via fe80::1 dev eth0 weight 1 \ndefault via 10.0.0.1 dev eth0 proto static",
      ),
    ).toMatchObject({ ok: true });
    expect(judge("default via fe80::1 dev eth0 proto ra\ndefault via 10.0.0.1 dev eth0")).toEqual({
      ok: false,
      note: "no default route via 2001:db8::1",
    });
    // the right gateway on another interface is not ours
    expect(judge("default via 2001:db8::1 dev eth1\ndefault via 10.0.0.1 dev eth0")).toMatchObject({ ok: false });
  });
});
