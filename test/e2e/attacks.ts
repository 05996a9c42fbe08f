// The site as an attacker sees it (issue 26), on the converged site lab: each attack is made
// the way the review made it (scapy from inet, a host on the home LAN) and must fail. Each has a
// control that the same path works for a packet that is allowed, so a drop is not an accident
// of the lab. Imported by site.test.ts, after the site converged.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { labExec } from "../../src/lab/lab.js";
import { onHost } from "../support/lab.js";

const HOME = "2001:db8:0:8964:8964:";
const VM1 = `${HOME}:10`;
const VM2 = `${HOME}:11`;
const INET6 = "2001:db8:ffff::10";
const INET4 = "172.30.0.10";

/** Send packets with scapy from a host (a Python list expression; layer 3, routed as the host routes). */
function send(host: string, packets: string): void {
  const r = labExec(host, ["python3", "-c", `from scapy.all import *\npkts = ${packets}\nsend(pkts, verbose=0)\n`], {
    capture: true,
  });
  if (r.code !== 0) throw new Error(`scapy on ${host}: ${r.stderr}`);
}

/**
 * What `host` receives on `iface` matching a tcpdump filter while `act` runs: the number of
 * packets. The capture runs in a transient unit; it is ready before `act` starts.
 */
async function captured(host: string, iface: string, filter: string, act: () => void): Promise<number> {
  const out = `/run/hcd-capture-${iface}.out`;
  onHost(host, `rm -f ${out}; systemctl stop hcd-capture 2>/dev/null; true`);
  labExec(host, [
    "systemd-run",
    "--quiet",
    "--unit=hcd-capture",
    "--collect",
    "sh",
    "-c",
    `exec tcpdump -l -n -i ${iface} ${filter} > ${out} 2>${out}.err`,
  ]);
  for (let i = 0; i < 50 && !/listening on/.test(onHost(host, `cat ${out}.err 2>/dev/null; true`)); i++)
    await new Promise((r) => setTimeout(r, 100));
  act();
  await new Promise((r) => setTimeout(r, 1500));
  onHost(host, "systemctl stop hcd-capture 2>/dev/null; true");
  const lines = onHost(host, `cat ${out}; rm -f ${out} ${out}.err`).split("\n").filter(Boolean);
  return lines.length;
}

/** vpncmd commands against a fresh SoftEther of the attacker's own on inet (no password yet). */
function inetVpncmd(commands: string): string {
  return labExec(
    "inet",
    [
      "sh",
      "-c",
      'f=$(mktemp); cat > "$f"; timeout 20 vpncmd localhost:5555 /SERVER /PASSWORD: /CSV /IN:"$f" </dev/null; rm -f "$f"',
    ],
    { input: commands, capture: true },
  ).stdout.replace(/\r/g, "");
}

export function attackTests(): void {
  it("anti-spoofing from outside: a packet from inet with a home source never reaches a VM (its true source does)", async () => {
    const echo = (src: string, id: number) => `[IPv6(src="${src}", dst="${VM1}")/ICMPv6EchoRequest(id=${id})]`;
    const filter = "'icmp6 and ip6[40] == 128'";
    // control: the same echo from inet's own address arrives
    expect(await captured("vm1", "eth0", filter, () => send("inet", echo(INET6, 1)))).toBe(1);
    // from another VM's address, and from the gateway's (the tap's) own
    expect(await captured("vm1", "eth0", filter, () => send("inet", echo(VM2, 2)))).toBe(0);
    expect(await captured("vm1", "eth0", filter, () => send("inet", echo(`${HOME}:1`, 3)))).toBe(0);
  });

  it("anti-spoofing from home: only the declared hosts' own sources leave through the VPS", async () => {
    const filter = "'udp port 9999'";
    const to6 = (src: string) => `[IPv6(src="${src}", dst="${INET6}")/UDP(sport=9999, dport=9999)/Raw(b"x")]`;
    const to4 = (src: string) => `[IP(src="${src}", dst="${INET4}")/UDP(sport=9999, dport=9999)/Raw(b"x")]`;
    // control: vm1's own addresses get out (IPv4 masqueraded)
    expect(await captured("inet", "eth0", filter, () => send("vm1", to6(VM1)))).toBe(1);
    expect(await captured("inet", "eth0", filter, () => send("vm1", to4("10.89.64.10")))).toBe(1);
    // a third party's address, the VPS's own uplink address, an undeclared home address,
    // un-NATed private IPv4 from outside the tap's subnet
    for (const src of ["2001:db8:ffff::99", "2001:db8:0:8964::2", `${HOME}:99`])
      expect(await captured("inet", "eth0", filter, () => send("vm1", to6(src))), src).toBe(0);
    expect(await captured("inet", "eth0", filter, () => send("vm1", to4("192.168.77.5")))).toBe(0);
  });

  it("ICMPv6 from outside: a router advertisement from inet never reaches a VM", async () => {
    const ra = `[IPv6(src="${INET6}", dst="${VM1}")/ICMPv6ND_RA(routerlifetime=1800)/ICMPv6NDOptPrefixInfo(prefix="2001:db8:bad::", prefixlen=64)]`;
    const from = (type: number) => `'icmp6 and ip6[40] == ${type} and src ${INET6}'`;
    // control: an echo request from inet arrives
    const echo = `[IPv6(src="${INET6}", dst="${VM1}")/ICMPv6EchoRequest(id=7)]`;
    expect(await captured("vm1", "eth0", from(128), () => send("inet", echo))).toBe(1);
    expect(await captured("vm1", "eth0", from(134), () => send("inet", ra))).toBe(0);
  });

  it("a router advertisement from another station on the provider's link is dropped; the home prefix stays pinned to the tap", async () => {
    // another tenant on the VPS's link: a high-preference default router, a PIO for a part of the
    // home prefix (on-link) and an RIO for all of it, from a link-local address that is not the
    // provider's router (fe80::ff:fe00:1, the inventory's uplink_router)
    const ra = [
      'Ether(src="02:00:00:00:0b:ad", dst="33:33:00:00:00:01")',
      'IPv6(src="fe80::bad:1", dst="ff02::1", hlim=255)',
      "ICMPv6ND_RA(prf=1, routerlifetime=600)",
      `ICMPv6NDOptPrefixInfo(prefix="${HOME}:", prefixlen=80, L=1, A=0, validlifetime=60, preferredlifetime=60)`,
      `ICMPv6NDOptRouteInfo(prefix="${HOME}:", plen=78, prf=1, rtlifetime=60)`,
    ].join("/");
    // the same router withdrawing all of it (every lifetime 0): how the test leaves networkd clean
    const withdraw = ra
      .replace("routerlifetime=600", "routerlifetime=0")
      .replace("validlifetime=60, preferredlifetime=60", "validlifetime=0, preferredlifetime=0")
      .replace("rtlifetime=60", "rtlifetime=0");
    const sendRa = (packet = ra) => {
      const r = labExec(
        "upstream",
        ["python3", "-c", `from scapy.all import *\nsendp([${packet}], iface="eth-vps", verbose=0)\n`],
        { capture: true },
      );
      expect(r.code, r.stderr).toBe(0);
    };
    const routes = () => onHost("vps", "ip -6 route show table all");
    const cleanup = `ip -6 route del default via fe80::bad:1 dev enp1s0 2>/dev/null; ip -6 route del ${HOME}:/80 dev enp1s0 2>/dev/null; ip -6 route del ${HOME}:/78 dev enp1s0 proto ra 2>/dev/null; true`;
    // the RA reaches the VPS, and nothing of it is taken
    expect(await captured("vps", "enp1s0", "'icmp6 and ip6[40] == 134 and src fe80::bad:1'", sendRa)).toBe(1);
    await new Promise((r) => setTimeout(r, 2000));
    expect(routes(), "the rogue RA was taken").not.toMatch(/fe80::bad:1|8964:8964::\/80 dev enp1s0/);
    expect(onHost("vps", "ip -6 route show default")).toMatch(/via fe80::ff:fe00:1 dev enp1s0/);
    expect(onHost("vps", `ip -6 route get ${INET6}`)).toMatch(/via fe80::ff:fe00:1 /);
    // without the filter (an accept put before it) the same RA makes another default router, and
    // routes for the home prefix by the uplink: the pin still keeps the home prefix on the tap
    onHost("vps", "nft insert rule inet homecloud input iifname enp1s0 icmpv6 type nd-router-advert accept");
    try {
      sendRa();
      let main = "";
      // a default route via the rogue router (networkd makes it a second next hop beside the provider's)
      const rogueDefault =
        /^default (via fe80::bad:1 dev enp1s0|[^\n]*(\n\s+nexthop [^\n]*)*\n\s+nexthop via fe80::bad:1 dev enp1s0)/m;
      for (let i = 0; i < 30 && !rogueDefault.test(main); i++) {
        await new Promise((r) => setTimeout(r, 100));
        main = routes();
      }
      expect(main, "without the filter the RA did not reach the routing table: the attack was not made").toMatch(
        rogueDefault,
      );
      expect(onHost("vps", `ip -6 route get ${VM1}`)).toMatch(/ dev tap_vpn /);
      expect(onHost("inet", `ping -6 -c 1 -W 3 ${VM1} >/dev/null && echo ok`, true).trim()).toBe("ok");
      // and without the pin (its policy rule removed) the RA's routes would have taken vm1's traffic
      onHost("vps", `ip -6 rule del to ${HOME}:/78 lookup 200`);
      expect(onHost("vps", `ip -6 route get ${VM1}`)).toMatch(/ dev enp1s0 /);
    } finally {
      sendRa(withdraw);
      await new Promise((r) => setTimeout(r, 500));
      const h = onHost(
        "vps",
        "nft -a list chain inet homecloud input | sed -n 's/.*nd-router-advert accept # handle //p'",
      ).trim();
      if (h) onHost("vps", `nft delete rule inet homecloud input handle ${h}`);
      onHost("vps", `${cleanup}; /usr/local/lib/homecloud/tap-up-tap_vpn`);
    }
    expect(onHost("vps", `ip -6 route get ${VM1}`)).toMatch(/ dev tap_vpn /);
    expect(routes()).not.toMatch(/fe80::bad:1/);
  }, 60_000);

  it("a rogue router advertisement on the home LAN (a compromised VM) moves no VM's traffic", async () => {
    // vm3 advertises itself as a high-preference default router, a prefix, and a route for inet
    const mac = onHost("vm3", "cat /sys/class/net/eth0/address").trim();
    const ra = [
      `Ether(src="${mac}", dst="33:33:00:00:00:01")`,
      'IPv6(src="fe80::bad:3", dst="ff02::1", hlim=255)',
      "ICMPv6ND_RA(prf=1, routerlifetime=1800)",
      'ICMPv6NDOptPrefixInfo(prefix="2001:db8:bad::", prefixlen=64, L=1, A=1)',
      'ICMPv6NDOptRouteInfo(prefix="2001:db8:ffff::", plen=48, prf=1, rtlifetime=1800)',
      `ICMPv6NDOptSrcLLAddr(lladdr="${mac}")`,
    ].join("/");
    const sendRa = () => {
      const r = labExec(
        "vm3",
        ["python3", "-c", `from scapy.all import *\nsendp([${ra}], iface="eth0", verbose=0)\n`],
        {
          capture: true,
        },
      );
      expect(r.code, r.stderr).toBe(0);
    };
    // control: the RA reaches the other VMs
    for (const vm of ["vm1", "vm2", "vm4"])
      expect(await captured(vm, "eth0", "'icmp6 and ip6[40] == 134 and src fe80::bad:3'", sendRa), vm).toBe(1);
    await new Promise((r) => setTimeout(r, 2000));
    for (const vm of ["vm1", "vm2", "vm4"]) {
      const routes = onHost(vm, "ip -6 route show; ip -6 addr show dev eth0");
      expect(routes, `${vm} took the rogue RA`).not.toMatch(/fe80::bad:3|2001:db8:bad:/);
      expect(onHost(vm, `ip -6 route get ${INET6}`), vm).toMatch(/via 2001:db8:0:8964:8964::1 /);
    }
  }, 60_000);

  it("the home gateway: SoftEther's admin port is closed from its WAN, SSH open; no address on the bridged NIC", () => {
    const probe = (port: number) =>
      onHost("upstream", `nc -z -w 2 172.29.0.2 ${port} && echo open || echo closed`, true).trim();
    expect(probe(22)).toBe("open"); // control: the filter lets SSH in
    expect(probe(5555)).toBe("closed");
    expect(probe(443)).toBe("closed");
    // the home LAN has no address of the gateway to reach: no IPv6 (not even link-local) on eth1
    expect(onHost("homegw", "ip -6 addr show dev eth1")).toBe("");
    expect(onHost("homegw", "nft list table inet homecloud-gw")).toMatch(/iifname "eth1" drop/);
  });

  it("SoftEther administration from the internet is refused, even with the password", () => {
    const pw = readFileSync("/var/lib/homecloud-lab/secrets/vpn_admin_password", "utf8").trim();
    const out = labExec(
      "inet",
      ["sh", "-c", "timeout 10 vpncmd 172.31.0.2:443 /SERVER /CSV /CMD HubList; echo rc=$?"],
      {
        input: `${pw}\n`,
        capture: true,
      },
    ).stdout;
    expect(out).not.toMatch(/^VPN,Online/m);
    expect(out).toMatch(/rc=[1-9]/);
    // control: on the VPS itself the same password works
    expect(
      labExec("vps", ["sh", "-c", "timeout 10 vpncmd localhost:5555 /SERVER /CSV /CMD HubList"], {
        input: `${pw}\n`,
        capture: true,
      }).stdout,
    ).toMatch(/^VPN,Online/m);
  });

  it("TLS to the VPN server: a key exchange without forward secrecy is refused", () => {
    const hello = (cipher: string) =>
      labExec(
        "inet",
        [
          "sh",
          "-c",
          `timeout 10 openssl s_client -connect '[2001:db8:0:8964::2]:443' -tls1_2 -cipher ${cipher} </dev/null 2>&1; echo "rc=$?"`,
        ],
        { capture: true },
      ).stdout;
    // control: an ECDHE suite is accepted
    expect(hello("ECDHE-RSA-AES256-GCM-SHA384")).toMatch(/Cipher is ECDHE-RSA-AES256-GCM-SHA384/);
    // RSA key exchange (a recorded session decrypts with the server's key later): refused
    for (const cipher of ["AES256-GCM-SHA384", "AES128-SHA"]) {
      const out = hello(cipher);
      expect(out, cipher).not.toMatch(new RegExp(`Cipher is ${cipher}`));
      expect(out, cipher).toMatch(/handshake failure|no shared cipher|alert|rc=1/);
    }
  });

  it("a second client with the home user's password is refused while the cascade is up", async () => {
    const pw = readFileSync("/var/lib/homecloud-lab/secrets/vpn_home_password", "utf8").trim();
    // the attacker: a SoftEther of its own on inet, cascading to the VPS hub as "home"
    onHost("inet", "rm -rf /var/lib/softether; systemctl start softether-vpnserver");
    const vpncmd = inetVpncmd;
    try {
      for (let i = 0; i < 50 && !/^DEFAULT,/m.test(vpncmd("HubList\n")); i++)
        await new Promise((r) => setTimeout(r, 200));
      vpncmd(
        `Hub DEFAULT\nCascadeCreate rogue /SERVER:172.31.0.2:443 /HUB:VPN /USERNAME:home\nCascadePasswordSet rogue /PASSWORD:${pw} /TYPE:standard\nCascadeOnline rogue\n`,
      );
      let status = "";
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        status = vpncmd("Hub DEFAULT\nCascadeStatusGet rogue\n");
        expect(status, "the rogue cascade got in").not.toMatch(/^Session Status,.*Established/m);
      }
      // it tried (and the server said why), and the real cascade stayed up
      expect(status).toMatch(/^Session Status,/m);
      const home = labExec(
        "homegw",
        [
          "sh",
          "-c",
          "timeout 20 vpncmd localhost:5555 /SERVER /ADMINHUB:HOME /CSV /CMD CascadeStatusGet vps </etc/homecloud/cascade-watchdog.password",
        ],
        { capture: true },
      ).stdout;
      expect(home).toMatch(/^Session Status,.*Established/m);
    } finally {
      onHost("inet", "systemctl stop softether-vpnserver; rm -rf /var/lib/softether; true");
    }
  }, 120_000);

  it("a server impersonating the VPS (same hub, user and password) is refused: the cascade checks the pinned certificate", async () => {
    const pw = readFileSync("/var/lib/homecloud-lab/secrets/vpn_home_password", "utf8").trim();
    // the impostor: a SoftEther on inet with the VPS's hub and the home user's password (the
    // worst case: an attacker who has the password and sits on the path)
    onHost("inet", "rm -rf /var/lib/softether; systemctl start softether-vpnserver");
    const inetCmd = inetVpncmd;
    const homeCmd = (command: string) =>
      labExec(
        "homegw",
        [
          "sh",
          "-c",
          `timeout 20 vpncmd localhost:5555 /SERVER /ADMINHUB:HOME /CSV /CMD ${command} </etc/homecloud/cascade-watchdog.password`,
        ],
        { capture: true },
      ).stdout.replace(/\r/g, "");
    const reconnect = () => {
      homeCmd("CascadeOffline vps");
      homeCmd("CascadeOnline vps");
    };
    /** The cascade's status after up to `seconds`: Established as soon as it is. */
    const settle = async (seconds: number) => {
      let st = "";
      for (let i = 0; i < seconds; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        st = homeCmd("CascadeStatusGet vps");
        if (/^Session Status,.*Established/m.test(st)) break;
      }
      return st;
    };
    // the path to the VPS's listener goes to the impostor instead
    const divert =
      "nft add table ip hcd-mitm; nft add chain ip hcd-mitm out '{ type nat hook output priority -100; }'; nft add rule ip hcd-mitm out ip daddr 172.31.0.2 tcp dport 443 dnat to 172.30.0.10";
    try {
      for (let i = 0; i < 50 && !/^DEFAULT,/m.test(inetCmd("HubList\n")); i++)
        await new Promise((r) => setTimeout(r, 200));
      inetCmd(
        `HubCreate VPN /PASSWORD:x\nHub VPN\nUserCreate home /GROUP:none /REALNAME:none /NOTE:none\nUserPasswordSet home /PASSWORD:${pw}\n`,
      );
      expect(homeCmd("CascadeGet vps")).toMatch(/^Verify Server Certificate,Enable/m);
      onHost("homegw", divert);
      reconnect();
      const st = await settle(15);
      expect(st, "the cascade logged into the impostor").not.toMatch(/^Session Status,.*Established/m);
      // without the check, the same impostor would have had the home LAN
      homeCmd("CascadeServerCertDisable vps");
      reconnect();
      expect(await settle(20)).toMatch(/^Session Status,.*Established/m);
      expect(inetCmd("Hub VPN\nSessionList\n")).toMatch(/home/);
    } finally {
      onHost("homegw", "nft delete table ip hcd-mitm 2>/dev/null; true");
      homeCmd("CascadeServerCertEnable vps");
      reconnect();
      onHost("inet", "systemctl stop softether-vpnserver; rm -rf /var/lib/softether; true");
    }
    // back on the real VPS, under the pin
    expect(await settle(30)).toMatch(/^Session Status,.*Established/m);
  }, 180_000);

  it("pings to random home addresses add no neighbour entries on the VPS and no solicitations at home", async () => {
    const count = () => Number(onHost("vps", "ip -6 neigh show | wc -l").trim());
    const before = count();
    const pings = `[IPv6(src="${INET6}", dst="${HOME}%x::%x" % (0x100 + i, i + 1))/ICMPv6EchoRequest() for i in range(100)]`;
    const ns = await captured("vm1", "eth0", "'icmp6 and ip6[40] == 135'", () => send("inet", pings));
    expect(ns).toBeLessThan(5); // (the real VMs' own neighbour traffic, at most)
    expect(count() - before).toBeLessThan(5);
  });
}
