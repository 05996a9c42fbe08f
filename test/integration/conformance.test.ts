// The conformance suite: every resource passes the same cases against a real lab host.
//   check mode reports the change and writes nothing; apply changes; a second apply is a
//   no-op; drift made behind our back is found by check mode and repaired by apply.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  apt,
  command,
  definePlaybook,
  directory,
  file,
  firewalldOpenings,
  interfaceAddresses,
  line,
  nftTable,
  parseInventory,
  permissions,
  rtxTunnel,
  runPlaybook,
  service,
  softether,
  sysctl,
  resolvers,
  uplinkAcceptRa,
} from "../../src/index.js";
import { RtxSimulator } from "../support/rtx-sim.js";
import { renderText } from "../../src/resources/files/template.js";
import { secret } from "../../src/secrets.js";
import type { Task } from "../../src/engine/types.js";
import { apply, changedOf, failedOf, hostWrites, onHost } from "../support/lab.js";

interface Case {
  name: string;
  host: string;
  setup?: string;
  tasks: () => Task[];
  /** Shell on the host that exits 0 when the desired state holds. */
  holds: string;
  /** Shell that changes the state behind our back. */
  drift?: string;
  /** Shell run at the end, passed or failed (e.g. stop a daemon that would filter later cases). */
  after?: string;
}

const cases: Case[] = [
  {
    name: "file from a string",
    host: "h1",
    setup: "mkdir -p /srv/c1",
    tasks: () => [file({ path: "/srv/c1/a.conf", content: "a = 1\n", mode: "0640" })],
    holds: `[ "$(cat /srv/c1/a.conf)" = "a = 1" ] && [ "$(stat -c %a /srv/c1/a.conf)" = 640 ]`,
    drift: "echo b >> /srv/c1/a.conf",
  },
  {
    name: "file from a template",
    host: "h1",
    setup: "mkdir -p /srv/c2",
    tasks: () => [
      file({
        path: "/srv/c2/t.conf",
        content: renderText("name={{name}}\n{{#each xs}}x={{this}}\n{{/each}}", { name: "n", xs: [1, 2] }),
      }),
    ],
    holds: `printf 'name=n\\nx=1\\nx=2\\n' | cmp -s - /srv/c2/t.conf`,
    drift: "chmod 0600 /srv/c2/t.conf; echo y > /srv/c2/t.conf",
  },
  {
    name: "file mode and owner",
    host: "h1",
    setup: "mkdir -p /srv/c3 && echo keep > /srv/c3/m && chmod 0600 /srv/c3/m",
    tasks: () => [file({ path: "/srv/c3/m", content: "keep\n", mode: "0644", owner: "nobody", group: "nogroup" })],
    holds: `[ "$(stat -c '%a %U %G' /srv/c3/m)" = "644 nobody nogroup" ]`,
    drift: "chmod 0666 /srv/c3/m",
  },
  {
    name: "file absent",
    host: "h1",
    setup: "mkdir -p /srv/c4 && echo x > /srv/c4/gone",
    tasks: () => [file({ path: "/srv/c4/gone", state: "absent" })],
    holds: "[ ! -e /srv/c4/gone ]",
    drift: "echo back > /srv/c4/gone",
  },
  {
    name: "file holding a secret",
    host: "h1",
    setup: "mkdir -p /srv/c5",
    tasks: () => [file({ path: "/srv/c5/s", content: secret("hunter2-conformance"), mode: "0600" })],
    holds: `[ "$(cat /srv/c5/s)" = hunter2-conformance ] && [ "$(stat -c %a /srv/c5/s)" = 600 ]`,
    drift: "echo other > /srv/c5/s",
  },
  {
    name: "directory",
    host: "h2",
    tasks: () => [directory({ path: "/srv/c6/a/b", mode: "0750" })],
    holds: `[ -d /srv/c6/a/b ] && [ "$(stat -c %a /srv/c6/a/b)" = 750 ]`,
    drift: "chmod 0777 /srv/c6/a/b",
  },
  {
    name: "directory absent",
    host: "h2",
    setup: "mkdir -p /srv/c7/x && touch /srv/c7/x/f",
    tasks: () => [directory({ path: "/srv/c7", state: "absent" })],
    holds: "[ ! -e /srv/c7 ]",
    drift: "mkdir -p /srv/c7",
  },
  {
    name: "line replaced by regexp",
    host: "h2",
    setup: "mkdir -p /srv/c8 && printf 'a=1\\nport=22\\nb=2\\n' > /srv/c8/l",
    tasks: () => [line({ path: "/srv/c8/l", regexp: "^port=", line: "port=2222" })],
    holds: `printf 'a=1\\nport=2222\\nb=2\\n' | cmp -s - /srv/c8/l`,
    drift: "sed -i 's/^port=.*/port=1/' /srv/c8/l",
  },
  {
    name: "line added to a new file",
    host: "h2",
    tasks: () => [line({ path: "/srv/c9.txt", line: "hello" })],
    holds: `grep -qx hello /srv/c9.txt`,
    drift: ": > /srv/c9.txt",
  },
  {
    name: "line absent",
    host: "h2",
    setup: "printf 'keep\\ndrop me\\n' > /srv/c10",
    tasks: () => [line({ path: "/srv/c10", regexp: "^drop", state: "absent" })],
    holds: `[ "$(cat /srv/c10)" = keep ]`,
    drift: "echo 'drop again' >> /srv/c10",
  },
  {
    name: "sysctl",
    host: "h3",
    tasks: () => [sysctl({ key: "net.ipv6.conf.all.forwarding", value: 1 })],
    holds: `[ "$(sysctl -n net.ipv6.conf.all.forwarding)" = 1 ] && grep -q '^net.ipv6.conf.all.forwarding = 1$' /etc/sysctl.d/90-homecloud-net.ipv6.conf.all.forwarding.conf`,
    drift: "sysctl -q -w net.ipv6.conf.all.forwarding=0",
  },
  {
    // a host whose /etc/resolv.conf nothing manages (no systemd-resolved, resolvconf or NetworkManager)
    name: "resolvers",
    host: "h3",
    tasks: () => [resolvers({ servers: ["2001:db8:ffff::53", "192.0.2.53"] })],
    holds:
      "grep -qx 'nameserver 2001:db8:ffff::53' /etc/resolv.conf && grep -qx 'nameserver 192.0.2.53' /etc/resolv.conf",
    drift: "echo 'nameserver 192.0.2.99' > /etc/resolv.conf",
  },
  {
    // firewalld as Fedora's images run it; the drift is a runtime-only change (lost at a
    // reload): the permanent configuration holds, the run reloads it
    name: "firewalldOpenings",
    host: "h2",
    setup: "systemctl start firewalld",
    tasks: () => [firewalldOpenings({ allow: ["22/tcp", "443/tcp"], tap: "tap_fw", uplink: "eth1" })],
    holds:
      "firewall-cmd --info-policy=homecloud-host | grep -qx '  ports: 22/tcp 443/tcp' && firewall-cmd --info-zone=homecloud | grep -qx '  interfaces: tap_fw' && firewall-cmd --info-policy=homecloud-out | grep -qx '  egress-zones: ANY' && grep -q 'homecloud' /etc/firewalld/policies/homecloud-in.xml",
    drift: "firewall-cmd -q --policy=homecloud-out --remove-egress-zone=ANY",
    after: "systemctl stop firewalld",
  },
  {
    name: "command with creates",
    host: "h3",
    tasks: () => [command({ run: "echo made > /srv/c12", creates: "/srv/c12" })],
    holds: `[ "$(cat /srv/c12)" = made ]`,
    drift: "rm /srv/c12",
  },
  {
    name: "command with unless",
    host: "h3",
    tasks: () => [command({ run: "echo 1 >> /srv/c13", unless: "grep -q 1 /srv/c13" })],
    holds: "grep -qx 1 /srv/c13",
    drift: "echo 0 > /srv/c13",
  },
  {
    name: "service running and enabled",
    host: "h3",
    setup:
      "printf '[Unit]\\nDescription=conformance\\n[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/hcd-conf.service && systemctl daemon-reload",
    tasks: () => [service({ name: "hcd-conf", state: "running", enabled: true })],
    holds: "systemctl is-active -q hcd-conf && systemctl is-enabled -q hcd-conf",
    drift: "systemctl stop hcd-conf",
  },
  {
    name: "apt package absent",
    host: "h4",
    tasks: () => [apt({ names: ["netcat-openbsd"], state: "absent" })],
    holds: "! dpkg -s netcat-openbsd 2>/dev/null | grep -q 'Status: install ok installed'",
  },
  {
    name: "apt package present",
    host: "h4",
    tasks: () => [apt({ names: ["iproute2", "openssh-server"] })],
    holds: "dpkg -s iproute2 >/dev/null",
  },
  {
    name: "permissions",
    host: "h1",
    setup: "mkdir -p /srv/c14 && echo x > /srv/c14/p && chmod 0600 /srv/c14/p",
    tasks: () => [permissions({ path: "/srv/c14/p", mode: "0640", owner: "root", group: "adm" })],
    holds: `[ "$(stat -c '%a %U %G' /srv/c14/p)" = "640 root adm" ]`,
    drift: "chmod 0666 /srv/c14/p",
  },
  {
    name: "nftTable",
    host: "h2",
    setup: "nft delete table inet hcdconf 2>/dev/null; true",
    tasks: () => [
      nftTable({
        family: "inet",
        name: "hcdconf",
        body: "  chain input {\n    type filter hook input priority 10; policy accept;\n    tcp dport 9 counter drop\n  }",
        persistPath: "/etc/nftables.d/hcdconf.nft",
      }),
    ],
    holds:
      "nft list table inet hcdconf | grep -q 'tcp dport 9 counter packets [0-9]* bytes [0-9]* drop' && grep -q 'tcp dport 9' /etc/nftables.d/hcdconf.nft",
    drift: "nft flush chain inet hcdconf input",
  },
  {
    // a host with no network manager for the link: the kernel handles its RAs (accept_ra = 2)
    name: "uplinkAcceptRa",
    host: "h4",
    setup: "ip link show hcdr0 >/dev/null 2>&1 || ip link add hcdr0 type veth peer name hcdr1",
    tasks: () => [uplinkAcceptRa({ interface: "hcdr0" })],
    holds:
      "[ \"$(sysctl -n net.ipv6.conf.hcdr0.accept_ra)\" = 2 ] && grep -q '^net.ipv6.conf.hcdr0.accept_ra = 2$' /etc/sysctl.d/90-homecloud-net.ipv6.conf.hcdr0.accept_ra.conf",
    drift: "sysctl -q -w net.ipv6.conf.hcdr0.accept_ra=1",
  },
  {
    name: "interfaceAddresses",
    host: "h4",
    // a link of its own, so that the lab's own links are not touched
    setup: "ip link show hcdc0 >/dev/null 2>&1 || ip link add hcdc0 type veth peer name hcdc1; ip link set hcdc1 up",
    tasks: () => [
      interfaceAddresses({
        interface: "hcdc0",
        addresses: ["10.233.0.14/24", "2001:db8:233::14/64"],
        acceptRa: false,
        method: "networkd",
      }),
    ],
    holds:
      "ip -o addr show dev hcdc0 | grep -q 'inet 10.233.0.14/24' && ip -o addr show dev hcdc0 | grep -q 'inet6 2001:db8:233::14/64' && grep -qx 'Address=10.233.0.14/24' /etc/systemd/network/50-homecloud-hcdc0.network",
    drift: "ip addr del 10.233.0.14/24 dev hcdc0",
  },
  {
    name: "softether",
    host: "h3",
    // vpnserver writes its config after it starts, and makes chain_certs/ at the first admin
    // connection: both settle here, so the hash below sees only what the run writes.
    setup:
      "systemctl start softether-vpnserver && for i in $(seq 100); do ss -ltn | grep -q ':5555 ' && break; sleep 0.1; done;" +
      " vpncmd localhost:5555 /SERVER /CSV /CMD ServerInfoGet </dev/null >/dev/null 2>&1;" +
      " test -f /var/lib/softether/vpn_server.config && test -d /var/lib/softether/chain_certs",
    tasks: () => [
      softether({
        adminPassword: secret("conf-admin-pw-1"),
        listeners: [5555],
        hubs: [{ name: "CONF", users: [{ name: "u1", password: secret("conf-user-pw-1") }] }],
      }),
    ],
    holds:
      "printf '%s\\n' conf-admin-pw-1 | timeout 20 vpncmd localhost:5555 /SERVER /ADMINHUB:CONF /CSV /CMD UserList 2>/dev/null | grep -q '^u1,'",
    drift:
      "printf '%s\\n' conf-admin-pw-1 | timeout 20 vpncmd localhost:5555 /SERVER /ADMINHUB:CONF /CSV /CMD UserDelete u1 >/dev/null",
  },
];

describe("conformance: every resource", () => {
  for (const c of cases) {
    it(c.name, async () => {
      try {
        await conforms(c);
      } finally {
        if (c.after) onHost(c.host, c.after);
      }
    });
  }
});

async function conforms(c: Case): Promise<void> {
  if (c.setup) onHost(c.host, c.setup);
  const initiallyHolds = onHost(c.host, `if ${c.holds}; then echo yes; fi`).trim() === "yes";

  const before = hostWrites(c.host);
  const check = await apply(c.host, c.tasks, { check: true });
  expect(failedOf(check)).toBe(0);
  expect(hostWrites(c.host)).toBe(before); // check mode wrote nothing
  expect(changedOf(check) > 0).toBe(!initiallyHolds);

  const first = await apply(c.host, c.tasks);
  expect(failedOf(first), JSON.stringify(first.tasks)).toBe(0);
  expect(changedOf(first) > 0).toBe(!initiallyHolds);
  onHost(c.host, c.holds);

  const second = await apply(c.host, c.tasks);
  expect(changedOf(second), JSON.stringify(second.tasks)).toBe(0);
  expect(second.hosts[c.host]!.remoteScripts).toBe(1); // a no-change run is one remote script

  if (c.drift) {
    onHost(c.host, c.drift);
    const drifted = hostWrites(c.host);
    const found = await apply(c.host, c.tasks, { check: true });
    expect(changedOf(found)).toBeGreaterThan(0);
    expect(found.exitCode & 8).toBe(8);
    expect(hostWrites(c.host)).toBe(drifted);
    const repaired = await apply(c.host, c.tasks);
    expect(changedOf(repaired)).toBeGreaterThan(0);
    onHost(c.host, c.holds);
  }
}

describe("conformance: rtxTunnel, against the RTX simulator", () => {
  const sim = new RtxSimulator({ user: "admin", password: "conf-login-1", adminPassword: "conf-admin-1" });
  const task = () =>
    rtxTunnel({
      tunnel: 3,
      lines: [
        "tunnel encapsulation l2tpv3",
        "tunnel endpoint address 2001:db8:1::2 2001:db8:0:8964::2",
        "l2tp hostname conf-rtx",
        "tunnel enable 3",
      ],
      top: ["l2tp service on l2tpv3"],
      ownedTopKeys: ["l2tp service"],
    });
  const run = async (check = false) => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-conf-rtx-"));
    writeFileSync(join(dir, "known_hosts"), sim.hostKeyLine + "\n");
    const inv = `all:\n  hosts:\n    router:\n      ansible_connection: rtx\n      ansible_host: 127.0.0.1\n      ansible_port: ${sim.port}\n      ansible_user: admin\n      ansible_password: !secret conf-login-1\n      ansible_become_password: !secret conf-admin-1\n      deploy_known_hosts_file: ${join(dir, "known_hosts")}\n`;
    const { inventory } = parseInventory(inv, join(dir, "inventory.yaml"));
    const pb = definePlaybook({ name: "rtx", plays: [{ hosts: "router", tasks: () => [task()] }] });
    return runPlaybook(pb, inventory, { check });
  };
  it("check mode sends nothing; apply; a second apply changes nothing; drift is found and repaired", async () => {
    await sim.start();
    try {
      const check = await run(true);
      expect(check.hosts.router, JSON.stringify(check.hosts.router)).toMatchObject({ changed: 1, failed: 0 });
      expect(sim.accepted).toEqual([]);
      const first = await run();
      expect(first.hosts.router).toMatchObject({ changed: 1, failed: 0 });
      expect(sim.config.tunnels.get(3)).toContain("l2tp hostname conf-rtx");
      const sent = sim.accepted.length;
      const again = await run();
      expect(again.hosts.router).toMatchObject({ changed: 0, failed: 0 });
      expect(sim.accepted.length).toBe(sent);
      // drift: a line of the tunnel changed (and saved) at the router's console behind our back
      sim.operatorEdit((c) => {
        const lines = c.tunnels.get(3)!;
        lines[lines.indexOf("l2tp hostname conf-rtx")] = "l2tp hostname someone-else";
      });
      const seen = await run(true);
      expect(seen.hosts.router).toMatchObject({ changed: 1, failed: 0 });
      const repaired = await run();
      expect(repaired.hosts.router).toMatchObject({ changed: 1, failed: 0 });
      expect(sim.config.tunnels.get(3)).toContain("l2tp hostname conf-rtx");
      expect((await run()).hosts.router).toMatchObject({ changed: 0, failed: 0 });
    } finally {
      await sim.stop();
    }
  });
});
