// The files static-address writes for each network stack, checked by the stacks' own tools:
// NetworkManager 1.42's `nmcli --offline` (the exact keyfile it would write) and `netplan
// generate --root-dir` (what netplan makes of our file beside cloud-init's).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { interfaceAddresses } from "../../src/resources/network/addresses.js";
import { uplinkAcceptRa } from "../../src/resources/network/accept-ra.js";
import { detectStack, netplanFile, nmKeyfile, nmUuid } from "../../src/resources/network/stacks.js";

const opts = {
  interface: "eth0",
  addresses: ["2001:db8::10/78", "10.89.64.10/24"],
  gateway6: "2001:db8::1",
  gateway4: "10.89.64.1",
};

/** What nmcli itself writes for the same connection (no daemon: --offline). */
function nmcliOffline(args: string[]): string {
  return execFileSync("nmcli", ["--offline", "connection", "add", "type", "ethernet", ...args], { encoding: "utf8" });
}

/** nmcli's arguments for our connection on `ifname`: its name, uuid and priority, then `settings`. */
const ours = (ifname: string, settings: string[]) => [
  "con-name",
  `homecloud-${ifname}`,
  "ifname",
  ifname,
  "connection.uuid",
  nmUuid(ifname),
  "connection.autoconnect-priority",
  "100",
  ...settings,
];

describe("NetworkManager keyfile", () => {
  it("is byte for byte what nmcli --offline writes: both families with gateways and a metric", () => {
    const want = nmcliOffline(
      ours("eth0", [
        "ipv4.method",
        "manual",
        "ipv4.addresses",
        "10.89.64.10/24",
        "ipv4.gateway",
        "10.89.64.1",
        "ipv4.route-metric",
        "50",
        "ipv6.method",
        "manual",
        "ipv6.addresses",
        "2001:db8::10/78",
        "ipv6.gateway",
        "2001:db8::1",
        "ipv6.route-metric",
        "50",
      ]),
    );
    expect(nmKeyfile({ ...opts, metric: 50 })).toBe(want);
  });

  it("a family without a gateway is never-default, and one without addresses is disabled", () => {
    const want = nmcliOffline(
      ours("eth1", [
        "ipv4.method",
        "disabled",
        "ipv6.method",
        "manual",
        "ipv6.addresses",
        "2001:db8::10/78",
        "ipv6.never-default",
        "yes",
      ]),
    );
    expect(nmKeyfile({ interface: "eth1", addresses: ["2001:db8::10/78"] })).toBe(want);
  });

  it("resolvers go into the family they belong to, as nmcli --offline writes them", () => {
    const want = nmcliOffline(
      ours("eth0", [
        "ipv4.method",
        "manual",
        "ipv4.addresses",
        "10.89.64.10/24",
        "ipv4.gateway",
        "10.89.64.1",
        "ipv4.dns",
        "10.89.64.53",
        "ipv6.method",
        "manual",
        "ipv6.addresses",
        "2001:db8::10/78",
        "ipv6.gateway",
        "2001:db8::1",
        "ipv6.dns",
        "2001:db8:ffff::53,2001:db8:ffff::54",
      ]),
    );
    expect(nmKeyfile({ ...opts, dns: ["2001:db8:ffff::53", "10.89.64.53", "2001:db8:ffff::54"] })).toBe(want);
  });

  it("the uuid is the same on every run and differs per interface", () => {
    expect(nmUuid("eth0")).toBe(nmUuid("eth0"));
    expect(nmUuid("eth0")).not.toBe(nmUuid("eth1"));
    expect(nmUuid("eth0")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("netplan file", () => {
  /** netplan generate into a scratch root: the systemd-networkd file it makes for eth0. */
  function generate(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), "hcd-netplan-"));
    mkdirSync(join(root, "etc/netplan"), { recursive: true });
    for (const [name, text] of Object.entries(files))
      writeFileSync(join(root, "etc/netplan", name), text, { mode: 0o600 });
    execFileSync("netplan", ["generate", "--root-dir", root], { stdio: "pipe" });
    const dir = join(root, "run/systemd/network");
    const f = readdirSync(dir).find((n) => n.endsWith("eth0.network"))!;
    return readFileSync(join(dir, f), "utf8");
  }

  it("netplan turns it into the addresses, the default routes and RAs accepted", () => {
    const out = generate({ "60-homecloud-eth0.yaml": netplanFile({ ...opts, metric: 50 }) });
    // (netplan writes the IPv4 addresses first, whatever the order given)
    expect(out).toContain("Address=10.89.64.10/24\nAddress=2001:db8::10/78");
    expect(out).toContain("IPv6AcceptRA=yes");
    expect(out).toMatch(/\[Route\]\nDestination=::\/0\nGateway=2001:db8::1\nMetric=50/);
    expect(out).toMatch(/\[Route\]\nDestination=0.0.0.0\/0\nGateway=10.89.64.1\nMetric=50/);
    expect(out).not.toContain("DHCP=");
  });

  it("RAs off and resolvers: netplan makes IPv6AcceptRA=no and one DNS= each", () => {
    const out = generate({
      "60-homecloud-eth0.yaml": netplanFile({ ...opts, acceptRa: false, dns: ["2001:db8:ffff::53", "10.89.64.53"] }),
    });
    expect(out).toContain("IPv6AcceptRA=no");
    // (netplan writes IPv4 resolvers first, as it does addresses)
    expect(out).toContain("DNS=10.89.64.53\nDNS=2001:db8:ffff::53");
  });

  it("beside cloud-init's file for the same interface: ours wins on DHCP, the address lists are joined", () => {
    const cloud =
      "network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n      dhcp6: true\n      addresses: [192.0.2.5/24]\n";
    const out = generate({ "50-cloud-init.yaml": cloud, "60-homecloud-eth0.yaml": netplanFile(opts) });
    expect(out).not.toContain("DHCP=");
    expect(out).toContain("Address=192.0.2.5/24\nAddress=10.89.64.10/24\nAddress=2001:db8::10/78");
  });
});

describe("the stack that manages the interface", () => {
  it("is asked of the host unless a method is given; each stack gets its own file", () => {
    expect(detectStack("eth0")).toContain("echo method netplan");
    const t = interfaceAddresses(opts);
    const steps = (method: string) =>
      t.resource.steps(t.resource.parse(`method ${method}\nlive \ngateways \nactive \n`, 0));
    expect(steps("netplan")[0]!.why).toBe("create /etc/netplan/60-homecloud-eth0.yaml");
    expect(steps("netplan")[0]!.script).toContain("0600");
    expect(steps("networkmanager")[0]!.why).toBe(
      "create /etc/NetworkManager/system-connections/homecloud-eth0.nmconnection",
    );
    expect(steps("networkmanager")[1]!.script).toContain("nmcli connection load");
  });

  it("NetworkManager: another connection active on the device (Wired connection 1) is a change", () => {
    const t = interfaceAddresses({ ...opts, method: "networkmanager" });
    const file = Buffer.from(nmKeyfile(opts)).toString("base64");
    const state = (active: string) =>
      `method networkmanager\nlive 10.89.64.10/24 2001:db8::10/78\ngateways 2001:db8::1 10.89.64.1\nactive ${active}\nfile /etc/NetworkManager/system-connections/homecloud-eth0.nmconnection\n${file}\nend`;
    expect(t.resource.steps(t.resource.parse(state("homecloud-eth0"), 0))).toEqual([]);
    expect(t.resource.steps(t.resource.parse(state("Wired connection 1"), 0)).map((s) => s.why)).toEqual([
      "apply connection homecloud-eth0 active on eth0 (networkmanager)",
    ]);
  });
});

describe("the uplink keeps accepting RAs while forwarding, the way its stack listens", () => {
  const t = uplinkAcceptRa({ interface: "enp1s0" });
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const steps = (out: string) => t.resource.steps(t.resource.parse(out, 0)).map((s) => s.why);
  it("netplan: a file of ours with accept-ra, then generate and reload; none once there", () => {
    expect(steps("method netplan\nnetwork-file /run/systemd/network/10-netplan-enp1s0.network\nlive 0\n")).toEqual([
      "create /etc/netplan/60-homecloud-uplink-enp1s0.yaml (netplan: accept-ra)",
      "apply: netplan generate, then the renderer reloads enp1s0",
    ]);
    const mine = t.resource.steps(t.resource.parse("method netplan\nlive 0\n", 0))[0]!.diff!.after!;
    expect(mine).toContain("      accept-ra: true");
    expect(steps(`method netplan\nlive 0\nfile\n${b64(mine)}\nend\n`)).toEqual([]);
  });
  it("systemd-networkd: a drop-in beside the interface's .network file (the kernel's sysctl is not what it reads)", () => {
    expect(steps("method networkd\nnetwork-file /etc/systemd/network/10-uplink.network\nlive 0\n")).toEqual([
      "create /etc/systemd/network/10-uplink.network.d/homecloud-accept-ra.conf (systemd-networkd: IPv6AcceptRA)",
      "apply: networkctl reload (enp1s0 is reconfigured)",
    ]);
  });
  it("ifupdown (the kernel handles RAs): accept_ra = 2 live and persisted; NetworkManager: nothing", () => {
    expect(steps("method ifupdown\nnetwork-file \nlive 1\n")).toEqual([
      "persist net.ipv6.conf.enp1s0.accept_ra = 2 in /etc/sysctl.d/90-homecloud-net.ipv6.conf.enp1s0.accept_ra.conf",
      "net.ipv6.conf.enp1s0.accept_ra: 1 -> 2",
    ]);
    expect(steps("method networkmanager\nlive 0\n")).toEqual([]);
    // networkd runs but leaves this interface alone: the kernel handles its RAs
    expect(steps("method networkd\nnetwork-file n/a\nlive 1\n")).toHaveLength(2);
  });
});

describe("a retired interface configuration (state: absent)", () => {
  const t = interfaceAddresses({ ...opts, state: "absent" });
  const steps = (out: string) => t.resource.steps(t.resource.parse(out, 0));
  it("nothing of ours: nothing to do", () => {
    expect(steps("method networkmanager\nlive 192.0.2.7/24\ngateways 192.0.2.1\nactive Wired connection 1\n")).toEqual(
      [],
    );
  });
  it("our file and addresses: removed the stack's way, detached a few seconds later (the session goes with them)", () => {
    const file = Buffer.from(nmKeyfile(opts)).toString("base64");
    const s = steps(
      `method networkmanager\nlive 10.89.64.10/24 2001:db8::10/78\ngateways 2001:db8::1 10.89.64.1\nactive homecloud-eth0\nfile /etc/NetworkManager/system-connections/homecloud-eth0.nmconnection\n${file}\nend`,
    );
    expect(s).toHaveLength(1);
    expect(s[0]!.why).toBe(
      "remove /etc/NetworkManager/system-connections/homecloud-eth0.nmconnection; take 2001:db8::10/78, 10.89.64.10/24, the default route via 2001:db8::1, the default route via 10.89.64.1 off eth0; in 3 s, detached (this session may go with them)",
    );
    expect(s[0]!.script).toMatch(
      /^systemd-run --quiet --collect --unit=homecloud-release-eth0-\$\$ --on-active=3 --timer-property=AccuracySec=100ms \/bin\/sh -c '/,
    );
    expect(s[0]!.script).toContain("nmcli connection delete homecloud-eth0");
    expect(s[0]!.script).toContain("ip addr del 2001:db8::10/78 dev eth0");
    expect(s[0]!.diff).toMatchObject({ after: null });
  });
  it("the addresses alone (a file someone removed): still taken off", () => {
    const s = steps("method ifupdown\nlive 2001:db8::10/78\ngateways \nactive \n");
    expect(s[0]!.why).toMatch(/^take 2001:db8::10\/78 off eth0; in 3 s/);
    expect(s[0]!.script).not.toContain("ifdown");
  });
});
