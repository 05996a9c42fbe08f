import { describe, expect, it } from "vitest";
import { parseConfigTree, serverStateFromConfig } from "../../src/resources/softether/config.js";
import { softetherChanges } from "../../src/resources/softether/changes.js";
import { adminPasswordHash, sha0, userPasswordHash } from "../../src/resources/softether/sha0.js";
import { checkSpec, FORWARD_SECRET_CIPHERS } from "../../src/resources/softether/spec.js";
import { reveal, secret } from "../../src/secrets.js";

// Shaped like `vpncmd ConfigGet` output (abridged), values from a real server in the lab.
const CONFIG = `declare root
{
	declare ListenerList
	{
		declare Listener0
		{
			bool Enabled true
			uint Port 443
		}
		declare Listener1
		{
			bool Enabled true
			uint Port 5555
		}
	}
	declare LocalBridgeList
	{
		declare LocalBridge0
		{
			string DeviceName vpn
			string HubName VPN
			bool TapMode true
		}
	}
	declare ServerConfiguration
	{
		byte HashedPassword h5gb8na1pLc+USbZiSYiWqeFpxs=
		string PortsUDP 443,$20992
	}
	declare VirtualHUB
	{
		declare VPN
		{
			byte HashedPassword AoeBVnzRY237Frs1h7No0B+7Dmo=
			bool Online true
			declare CascadeList
			{
				declare Cascade0
				{
					bool Online true
					declare ClientAuth
					{
						uint AuthType 1
						byte HashedPassword hBcRDFQ+i6XIXFARbHZ/NqnKHuk=
						string Username home
					}
					declare ClientOption
					{
						string AccountName vps
						string Hostname 172.31.0.2
						string HubName VPN
						uint Port 443
					}
				}
			}
			declare SecureNAT
			{
				bool Disabled true
			}
			declare SecurityAccountDatabase
			{
				declare UserList
				{
					declare alice
					{
						byte AuthPassword HojyYrp1eNEZ5O33WG4bYNCbIEU=
						uint AuthType 1
					}
				}
			}
		}
	}
}`;

describe("SHA-0 password hashes, as SoftEther stores them", () => {
  it("matches the FIPS 180 test vector and hashes seen on a real server", () => {
    expect(sha0(Buffer.from("abc")).toString("hex")).toBe("0164b8a914cd2a5e74c4f7ff082c4d97f1edf880");
    expect(adminPasswordHash("adminpw1")).toBe("h5gb8na1pLc+USbZiSYiWqeFpxs=");
    expect(userPasswordHash("alice", "alicepw")).toBe("HojyYrp1eNEZ5O33WG4bYNCbIEU=");
    expect(userPasswordHash("home", "homepw")).toBe("hBcRDFQ+i6XIXFARbHZ/NqnKHuk=");
  });
});

describe("ConfigGet", () => {
  it("parses the tree and decodes $ escapes", () => {
    expect(parseConfigTree(CONFIG).children.get("ServerConfiguration")!.values.get("PortsUDP")).toBe("443, 992");
  });
  it("reads listeners, bridges, hubs, users and cascades", () => {
    const s = serverStateFromConfig(CONFIG);
    expect(s.listeners).toEqual([443, 5555]);
    expect(s.bridges).toEqual([{ hub: "VPN", device: "vpn", tap: true }]);
    const hub = s.hubs.get("VPN")!;
    expect(hub).toMatchObject({ name: "VPN", online: true, secureNat: false });
    expect(hub.users.get("alice")).toEqual({ authType: 1, passwordHash: userPasswordHash("alice", "alicepw") });
    expect(hub.cascades.get("vps")).toMatchObject({
      server: "172.31.0.2",
      port: 443,
      hub: "VPN",
      user: "home",
      online: true,
    });
  });
});

describe("softetherChanges", () => {
  const drawHub = (hub: string) => `drawn-for-${hub}`;
  const state = serverStateFromConfig(CONFIG);
  const spec = {
    adminPassword: secret("adminpw1"),
    listeners: [443, 5555],
    hubs: [
      {
        name: "VPN",
        password: secret("hubpw"),
        users: [{ name: "alice", password: secret("alicepw") }],
        cascades: [
          { name: "vps", server: "172.31.0.2", port: 443, hub: "VPN", user: "home", password: secret("homepw") },
        ],
      },
    ],
    bridges: [{ hub: "VPN", device: "vpn", tap: true }],
  };
  it("plans nothing when the server matches, passwords included", () => {
    expect(softetherChanges(state, spec, drawHub)).toEqual({ whys: [], commands: [], files: [], unknown: [] });
  });
  describe("the pin of a cascade's server certificate", () => {
    const CERT = "MIIBszCCAVmgAwIBAgIUQ2VydA" + "A".repeat(70) + "==";
    const withCert = (serverCert: string | (() => string | undefined)) => ({
      ...spec,
      hubs: [{ ...spec.hubs[0]!, cascades: [{ ...spec.hubs[0]!.cascades[0]!, serverCert }] }],
    });
    const pinned = (cert: string | undefined, check: boolean) => {
      const s = serverStateFromConfig(CONFIG);
      Object.assign(s.hubs.get("VPN")!.cascades.get("vps")!, { serverCert: cert, checkServerCert: check });
      return s;
    };
    it("pins a known certificate, turns the check on and reconnects the session under it", () => {
      const p = softetherChanges(
        state,
        withCert(() => CERT),
        drawHub,
      );
      expect(p.commands).toEqual([
        "Hub VPN",
        "CascadeOffline vps",
        "CascadeServerCertSet vps /LOADCERT:/run/homecloud-cascade-vps.cert",
        "CascadeServerCertEnable vps",
        "CascadeOnline vps",
        "Hub",
      ]);
      // PEM, 64 characters a line, for vpncmd to load
      expect(p.files).toHaveLength(1);
      const text = p.files[0]!.text;
      expect(text.startsWith("-----BEGIN CERTIFICATE-----\n")).toBe(true);
      expect(text.split("\n").slice(1, -2).join("")).toBe(CERT);
      expect(text.split("\n").every((l) => l.length <= 64)).toBe(true);
      expect(p.unknown).toEqual([]);
    });
    it("nothing when the same one is pinned and checked; another one is replaced", () => {
      expect(softetherChanges(pinned(CERT, true), withCert(CERT), drawHub).commands).toEqual([]);
      const other = softetherChanges(pinned(CERT.replace("Q2", "R2"), true), withCert(CERT), drawHub);
      expect(other.whys).toContain("pin the server certificate of cascade vps (another one was pinned)");
      expect(other.commands).not.toContain("CascadeServerCertEnable vps");
    });
    it("not known in this run: a pin already there is kept; none there is a change that cannot be made", () => {
      expect(
        softetherChanges(
          pinned(CERT, true),
          withCert(() => undefined),
          drawHub,
        ),
      ).toMatchObject({
        commands: [],
        unknown: [],
      });
      const none = softetherChanges(
        state,
        withCert(() => undefined),
        drawHub,
      );
      expect(none.commands).toEqual([]);
      expect(none.unknown).toEqual([
        expect.stringMatching(/^pin the server certificate of cascade vps: it is not known/),
      ]);
    });
    it("a new cascade is pinned before it goes online", () => {
      const empty = serverStateFromConfig("declare root\n{\n}\n");
      const c = softetherChanges(empty, withCert(CERT), drawHub).commands;
      expect(c.indexOf("CascadeServerCertEnable vps")).toBeGreaterThan(
        c.indexOf("CascadePasswordSet vps /PASSWORD:homepw /TYPE:standard"),
      );
      expect(c.indexOf("CascadeServerCertEnable vps")).toBeLessThan(c.indexOf("CascadeOnline vps"));
    });
    it("reads the pin and the server's own certificate from the configuration", () => {
      const cfg = CONFIG.replace(
        "bool Online true\n\t\t\t\t\tdeclare ClientAuth",
        `bool CheckServerCert true\n\t\t\t\t\tbool Online true\n\t\t\t\t\tbyte ServerCert ${CERT}\n\t\t\t\t\tdeclare ClientAuth`,
      ).replace("string PortsUDP", `byte ServerCert ${CERT}\n\t\tstring PortsUDP`);
      const s = serverStateFromConfig(cfg);
      expect(s.serverCert).toBe(CERT);
      expect(s.hubs.get("VPN")!.cascades.get("vps")).toMatchObject({ checkServerCert: true, serverCert: CERT });
    });
  });
  it("changes only what differs, and never says a password in a reason", () => {
    const p = softetherChanges(
      state,
      {
        ...spec,
        adminPassword: secret("new-admin-pw"),
        listeners: [443, 992, 5555],
        hubs: [{ ...spec.hubs[0]!, users: [{ name: "bob", password: secret("bob-pw-1") }] }],
        bridges: [],
      },
      drawHub,
    );
    expect(p.whys).toEqual([
      "set the server administrator password",
      "add listener TCP 992",
      "create user bob on VPN",
      "remove user alice from VPN",
      "remove the bridge of hub VPN to vpn",
    ]);
    expect(p.commands).toEqual([
      "ServerPasswordSet new-admin-pw",
      "ListenerCreate 992",
      "Hub VPN",
      "UserCreate bob /GROUP:none /REALNAME:none /NOTE:none",
      "UserPasswordSet bob /PASSWORD:bob-pw-1",
      "UserDelete alice",
      "Hub",
      "BridgeDelete VPN /DEVICE:vpn",
    ]);
    expect(p.whys.join(" ")).not.toMatch(/new-admin-pw|bob-pw-1/);
  });
  it("re-creates a cascade whose destination changed, with brackets for IPv6", () => {
    const p = softetherChanges(
      state,
      { ...spec, hubs: [{ ...spec.hubs[0]!, cascades: [{ ...spec.hubs[0]!.cascades[0]!, server: "2001:db8::2" }] }] },
      drawHub,
    );
    expect(p.commands).toEqual([
      "Hub VPN",
      "CascadeOffline vps",
      "CascadeDelete vps",
      "CascadeCreate vps /SERVER:[2001:db8::2]:443 /HUB:VPN /USERNAME:home",
      "CascadePasswordSet vps /PASSWORD:homepw /TYPE:standard",
      "CascadeOnline vps",
      "Hub",
    ]);
  });
  it("creates a hub with SecureNAT off, its users and the tap bridge on an empty server", () => {
    const empty = serverStateFromConfig("declare root\n{\n}\n");
    const p = softetherChanges(empty, spec, drawHub);
    expect(p.commands[0]).toBe("ServerPasswordSet adminpw1");
    expect(p.commands).toContain("HubCreate VPN /PASSWORD:hubpw");
    // a hub without a password of the spec's gets the one the caller drew: planning draws nothing
    const q = softetherChanges(empty, { ...spec, hubs: [{ name: "VPN" }] }, drawHub);
    expect(q.commands).toContain("HubCreate VPN /PASSWORD:drawn-for-VPN");
    expect(softetherChanges(empty, { ...spec, hubs: [{ name: "VPN" }] }, drawHub)).toEqual(q);
    expect(p.commands).toContain("SecureNatDisable");
    expect(p.commands).toContain("BridgeCreate VPN /DEVICE:vpn /TAP:yes");
  });
  it("reads the services a fresh server runs by default, and what a configuration turned off", () => {
    expect(serverStateFromConfig("declare root\n{\n}\n").services).toEqual({
      keepalive: true,
      openvpn: true,
      sstp: true,
      udpPorts: [],
      ddns: true,
      natTraversal: true,
      jsonRpc: true,
      cipher: "~DEFAULT~",
    });
    expect(state.services).toMatchObject({ udpPorts: [443, 992] });
    const off = serverStateFromConfig(
      "declare root\n{\ndeclare DDnsClient\n{\nbool Disabled true\n}\ndeclare ServerConfiguration\n{\nstring CipherName ECDHE-RSA-AES256-GCM-SHA384\nbool DisableJsonRpcWebApi true\nbool DisableNatTraversal true\nstring PortsUDP $\nbool UseKeepConnect false\ndeclare Proto\n{\ndeclare OpenVPN\n{\nbool Enabled false\n}\ndeclare SSTP\n{\nbool Enabled false\n}\n}\n}\n}\n",
    );
    expect(off.services).toEqual({
      keepalive: false,
      openvpn: false,
      sstp: false,
      udpPorts: [],
      ddns: false,
      natTraversal: false,
      jsonRpc: false,
      cipher: "ECDHE-RSA-AES256-GCM-SHA384",
    });
  });
  it("sets the TLS 1.2 cipher list when it differs, and refuses one that is not a cipher list", () => {
    const fresh = serverStateFromConfig("declare root\n{\n}\n");
    const spec = { adminPassword: "x", services: { cipher: FORWARD_SECRET_CIPHERS } };
    const p = softetherChanges(fresh, spec, () => "");
    expect(p.commands).toContain(`ServerCipherSet ${FORWARD_SECRET_CIPHERS}`);
    expect(p.whys).toContain(`TLS 1.2 ciphers: ${FORWARD_SECRET_CIPHERS} (was ~DEFAULT~)`);
    fresh.services.cipher = FORWARD_SECRET_CIPHERS;
    expect(softetherChanges(fresh, spec, () => "").commands).not.toContain(`ServerCipherSet ${FORWARD_SECRET_CIPHERS}`);
    expect(checkSpec({ adminPassword: "x", services: { cipher: "ALL; reboot" } }, reveal)).toEqual([
      'services.cipher "ALL; reboot" is not an upper-case OpenSSL cipher list',
    ]);
  });
  it("turns off the services and hub features the spec turns off, and deletes hubs nobody declared", () => {
    const withDefault = serverStateFromConfig(
      CONFIG.replace(
        "\tdeclare VirtualHUB\n\t{\n",
        "\tdeclare VirtualHUB\n\t{\n\t\tdeclare DEFAULT\n\t\t{\n\t\t\tbool Online true\n\t\t}\n",
      ),
    );
    expect([...withDefault.hubs.keys()]).toEqual(["DEFAULT", "VPN"]);
    const p = softetherChanges(
      withDefault,
      {
        ...spec,
        services: { keepalive: false, openvpn: false, sstp: false, udpPorts: [] },
        hubs: [{ ...spec.hubs[0]!, packetLog: false, enumerate: false }],
      },
      drawHub,
    );
    expect(p.whys).toEqual([
      "stop the keepalive to keepalive.softether.org",
      "disable OpenVPN",
      "disable SSTP",
      "UDP listeners: none",
      "stop the packet log of hub VPN",
      "stop listing hub VPN to anonymous clients",
      "delete hub DEFAULT (not declared)",
    ]);
    expect(p.commands).toEqual([
      "KeepDisable",
      "ProtoOptionsSet OpenVPN /NAME:Enabled /VALUE:False",
      "ProtoOptionsSet SSTP /NAME:Enabled /VALUE:False",
      "PortsUDPSet 0",
      "Hub VPN",
      "LogDisable packet",
      "SetEnumDeny",
      "Hub",
      "HubDelete DEFAULT",
    ]);
    // what the spec leaves out is left as it is
    expect(softetherChanges(withDefault, { ...spec, hubs: undefined }, drawHub).commands).toEqual([]);
  });
  it("sets the policy items a user's spec names, and only those that differ", () => {
    const withPolicy = serverStateFromConfig(
      CONFIG.replace(
        "HojyYrp1eNEZ5O33WG4bYNCbIEU=\n\t\t\t\t\t\tuint AuthType 1\n",
        "HojyYrp1eNEZ5O33WG4bYNCbIEU=\n\t\t\t\t\t\tuint AuthType 1\n\t\t\t\t\t\tdeclare Policy\n\t\t\t\t\t\t{\n\t\t\t\t\t\t\tuint MultiLogins 1\n\t\t\t\t\t\t\tbool RAFilter false\n\t\t\t\t\t\t}\n",
      ),
    );
    expect(withPolicy.hubs.get("VPN")!.users.get("alice")!.policy?.get("MultiLogins")).toBe("1");
    const users = [{ name: "alice", password: secret("alicepw"), policy: { MultiLogins: 1, RAFilter: true } }];
    const p = softetherChanges(withPolicy, { ...spec, hubs: [{ ...spec.hubs[0]!, users }] }, drawHub);
    expect(p.commands).toEqual(["Hub VPN", "UserPolicySet alice /NAME:RAFilter /VALUE:yes", "Hub"]);
    expect(p.whys).toEqual(["set policy RAFilter = true of user alice on VPN"]);
    // a user without a policy of its own gets every item named
    expect(softetherChanges(state, { ...spec, hubs: [{ ...spec.hubs[0]!, users }] }, drawHub).commands).toEqual([
      "Hub VPN",
      "UserPolicySet alice /NAME:MultiLogins /VALUE:1",
      "UserPolicySet alice /NAME:RAFilter /VALUE:yes",
      "Hub",
    ]);
  });
  it("refuses specs vpncmd would misread", () => {
    expect(checkSpec({ adminPassword: "has space", listeners: [443] }, reveal)).toEqual([
      "adminPassword: a SoftEther password must be 1-255 characters without spaces or double quotes",
      "listeners must include the admin port 5555, or vpncmd loses its way in",
    ]);
    expect(
      checkSpec(
        { adminPassword: "x", hubs: [{ name: "H" }], bridges: [{ hub: "H", device: "toolongtapname", tap: true }] },
        reveal,
      )[0],
    ).toMatch(/1-11 lowercase/);
    // a bare argument that vpncmd would take for an option; inside /PASSWORD: it is fine
    for (const p of ["-starts-with-dash", "/starts-with-slash"])
      expect(checkSpec({ adminPassword: p }, reveal)).toEqual([
        expect.stringMatching(/^adminPassword: .*begins with - or \//),
      ]);
    expect(
      checkSpec({ adminPassword: "ok-inside", hubs: [{ name: "H", password: "-hub-pw-is-named" }] }, reveal),
    ).toEqual([]);
    expect(
      checkSpec({ adminPassword: "x", hubs: [{ name: "-H", users: [{ name: "/bob", password: "pw" }] }] }, reveal),
    ).toEqual(['hub "-H" is not a valid hub name', 'user "/bob" is not a valid user name']);
  });
});
