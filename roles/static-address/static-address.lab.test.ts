// static-address on the network stacks users run, for real in lab hosts: netplan (with a
// cloud-init file for the same interface), NetworkManager (with its "Wired connection 1"),
// ifupdown. Each: check mode writes nothing, apply converges, a second apply is 0 changed,
// drift made behind our back is found and repaired. The addresses are the hosts' own lab
// addresses (other tests use them); the default routes go via addresses nobody answers.
import { afterAll, describe, expect, it } from "vitest";
import { interfaceAddresses } from "../../src/index.js";
import type { Stack } from "../../src/resources/network/stacks.js";
import { apply, changedOf, failedOf, hostWrites, onHost } from "../../test/support/lab.js";

const IF = "eth1";
const HOSTS: Record<string, { v4: string; v6: string }> = {
  h1: { v4: "10.232.0.10/24", v6: "2001:db8:100::a/64" },
  h2: { v4: "10.232.0.11/24", v6: "2001:db8:100::b/64" },
};
const tasks =
  (host: string, method: "auto" | Stack = "auto") =>
  () => [
    interfaceAddresses({
      interface: IF,
      addresses: [HOSTS[host]!.v6, HOSTS[host]!.v4],
      gateway6: "2001:db8:100::1",
      gateway4: "10.232.0.1",
      metric: 900,
      method,
    }),
  ];
const routes = (host: string) => onHost(host, `ip -6 route show default dev ${IF}; ip -4 route show default dev ${IF}`);

/** Put a host back as the lab made it: no stack of ours, only networkd's absence, its addresses. */
function restore(host: string): void {
  onHost(
    host,
    `systemctl stop NetworkManager networking systemd-networkd systemd-networkd.socket 2>/dev/null
     rm -f /etc/netplan/*.yaml /run/systemd/network/10-netplan-* /etc/systemd/network/50-homecloud-* /etc/network/interfaces.d/homecloud-* /etc/NetworkManager/system-connections/homecloud-* /etc/NetworkManager/conf.d/00-lab.conf
     ip -6 route del default dev ${IF} 2>/dev/null; ip -4 route del default dev ${IF} 2>/dev/null
     ip addr replace ${HOSTS[host]!.v4} dev ${IF}; ip addr replace ${HOSTS[host]!.v6} dev ${IF} nodad; true`,
    true,
  );
}
afterAll(() => {
  for (const h of Object.keys(HOSTS)) restore(h);
});

async function converges(host: string, drift: string, method: "auto" | Stack = "auto") {
  const before = hostWrites(host);
  const check = await apply(host, tasks(host, method), { check: true });
  expect(failedOf(check)).toBe(0);
  expect(changedOf(check)).toBe(1);
  expect(hostWrites(host)).toBe(before);
  const first = await apply(host, tasks(host, method));
  expect(failedOf(first)).toBe(0);
  expect(changedOf(first)).toBe(1);
  expect(routes(host)).toMatch(/default via 2001:db8:100::1 .*metric 900/);
  expect(routes(host)).toMatch(/default via 10.232.0.1 .*metric 900/);
  const again = await apply(host, tasks(host, method));
  expect(changedOf(again)).toBe(0);
  onHost(host, drift);
  const found = await apply(host, tasks(host, method), { check: true });
  expect(changedOf(found)).toBe(1);
  const repaired = await apply(host, tasks(host, method));
  expect(failedOf(repaired)).toBe(0);
  expect(changedOf(repaired)).toBe(1);
  expect(changedOf(await apply(host, tasks(host, method)))).toBe(0);
  return first;
}

describe("static-address on each network stack", () => {
  it("netplan, beside cloud-init's file for the same interface (networkd renders it)", async () => {
    restore("h1");
    onHost(
      "h1",
      `mkdir -p /etc/netplan && umask 077 && printf 'network:\\n  version: 2\\n  ethernets:\\n    ${IF}:\\n      dhcp4: true\\n' > /etc/netplan/50-cloud-init.yaml && systemctl start systemd-networkd`,
    );
    await converges("h1", `ip -6 route del default dev ${IF}`);
    expect(onHost("h1", "stat -c %a /etc/netplan/60-homecloud-eth1.yaml").trim()).toBe("600");
    // netplan's own output: our later file turned cloud-init's DHCP off and added the addresses
    const generated = onHost("h1", "cat /run/systemd/network/10-netplan-eth1.network");
    expect(generated).not.toContain("DHCP=");
    expect(generated).toContain("Address=2001:db8:100::a/64");
    expect(onHost("h1", "networkctl status eth1 --no-pager 2>&1 | grep -i 'network file'")).toContain(
      "10-netplan-eth1.network",
    );
  });

  it("NetworkManager: our keyfile connection takes the device over from Wired connection 1", async () => {
    restore("h2");
    onHost(
      "h2",
      // the lab's management interface stays out of NetworkManager's hands
      `mkdir -p /etc/NetworkManager/conf.d && printf '[keyfile]\\nunmanaged-devices=interface-name:mgmt0\\n' > /etc/NetworkManager/conf.d/00-lab.conf && systemctl start NetworkManager && i=0; until nmcli -t -f DEVICE,STATE device | grep -q '^${IF}:'; do i=$((i+1)); [ $i -gt 50 ] && exit 1; sleep 0.1; done`,
    );
    // drift: someone activates the auto connection (DHCP that nobody answers: -w 0, no waiting)
    await converges("h2", `nmcli -w 0 connection up "Wired connection 1" ifname ${IF} </dev/null >/dev/null 2>&1`);
    expect(onHost("h2", `nmcli -g GENERAL.CONNECTION device show ${IF}`).trim()).toBe("homecloud-eth1");
    expect(onHost("h2", "stat -c %a /etc/NetworkManager/system-connections/homecloud-eth1.nmconnection").trim()).toBe(
      "600",
    );
    expect(onHost("h2", "nmcli -t -f NAME connection show")).toContain("Wired connection 1"); // kept, not active
    expect(onHost("h2", "ip -br addr show mgmt0")).toContain("10.231.0."); // untouched
  });

  it("ifupdown, for real: the interface declared in /etc/network/interfaces.d and brought up by ifup", async () => {
    restore("h1");
    onHost("h1", "systemctl enable --quiet networking 2>/dev/null; true");
    await converges("h1", `ip -4 route del default dev ${IF}`);
    expect(onHost("h1", "cat /etc/network/interfaces.d/homecloud-eth1")).toContain("iface eth1 inet6 static");
    expect(onHost("h1", "ifquery --state eth1 || true")).toContain("eth1");
    onHost("h1", "systemctl disable --quiet networking 2>/dev/null; true");
  });
});
