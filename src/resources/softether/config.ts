/**
 * SoftEther's configuration as `vpncmd ConfigGet` prints it: nested `declare NAME { ... }`
 * blocks of `type key value` lines. We read state from it (hubs, users, cascades, bridges,
 * listeners, password hashes) in one command instead of one vpncmd call per object.
 */
export interface ConfigNode {
  values: Map<string, string>;
  children: Map<string, ConfigNode>;
}

const decode = (v: string) =>
  v === "$" ? "" : v.replace(/\$([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));

export function parseConfigTree(text: string): ConfigNode {
  const root: ConfigNode = { values: new Map(), children: new Map() };
  const stack: ConfigNode[] = [root];
  let pending: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const decl = /^declare (\S+)$/.exec(line);
    if (decl) {
      pending = decl[1];
      continue;
    }
    if (line === "{") {
      const node: ConfigNode = { values: new Map(), children: new Map() };
      stack.at(-1)!.children.set(pending ?? "", node);
      stack.push(node);
      pending = undefined;
      continue;
    }
    if (line === "}") {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const kv = /^(bool|uint|uint64|string|byte) (\S+)(?: (.*))?$/.exec(line);
    if (kv) stack.at(-1)!.values.set(kv[2]!, decode(kv[3] ?? ""));
  }
  return root.children.get("root") ?? root;
}

export interface UserState {
  authType: number;
  passwordHash?: string;
  /** The user's own policy items as the configuration has them (absent: no policy of its own). */
  policy?: Map<string, string>;
}

export interface CascadeState {
  online: boolean;
  server: string;
  port: number;
  hub: string;
  user: string;
  authType: number;
  passwordHash?: string;
  /** The server certificate is checked against `serverCert` (CascadeServerCertEnable). */
  checkServerCert: boolean;
  /** The pinned server certificate, base64 DER. */
  serverCert?: string;
}

export interface HubState {
  name: string;
  online: boolean;
  /** Every TCP connection logged to packet_log/ (on by default). */
  packetLog: boolean;
  /** Listed to anonymous clients that ask which hubs there are (on by default). */
  enumerate: boolean;
  passwordHash?: string;
  secureNat: boolean;
  users: Map<string, UserState>;
  cascades: Map<string, CascadeState>;
}

export interface BridgeState {
  hub: string;
  device: string;
  tap: boolean;
}

/** Server-wide services that answer or call out, as the configuration has them. */
export interface ServicesState {
  /** The keepalive to keepalive.softether.org (UseKeepConnect). */
  keepalive: boolean;
  openvpn: boolean;
  sstp: boolean;
  /** UDP listeners (PortsUDP), besides NAT traversal's. */
  udpPorts: number[];
  /** The dynamic DNS client (publishes the server under a softether.net name). */
  ddns: boolean;
  natTraversal: boolean;
  jsonRpc: boolean;
  /** The TLS cipher list ("~DEFAULT~" on a fresh server). */
  cipher: string;
}

export interface ServerState {
  adminPasswordHash: string;
  /** The server's own certificate, base64 DER (what a client is shown). */
  serverCert?: string;
  services: ServicesState;
  listeners: number[];
  hubs: Map<string, HubState>; // keyed by upper-case name: SoftEther names are case-insensitive
  bridges: BridgeState[];
}

const kids = (n: ConfigNode | undefined) => [...(n?.children.entries() ?? [])];

export function serverStateFromConfig(text: string): ServerState {
  const root = parseConfigTree(text);
  const listeners = kids(root.children.get("ListenerList"))
    .filter(([, l]) => l.values.get("Enabled") !== "false")
    .map(([, l]) => Number(l.values.get("Port")))
    .sort((a, b) => a - b);
  const bridges = kids(root.children.get("LocalBridgeList")).map(([, b]) => ({
    hub: b.values.get("HubName") ?? "",
    device: b.values.get("DeviceName") ?? "",
    tap: b.values.get("TapMode") === "true",
  }));
  const hubs = new Map<string, HubState>();
  for (const [name, h] of kids(root.children.get("VirtualHUB"))) {
    const users = new Map<string, UserState>();
    for (const [uname, u] of kids(h.children.get("SecurityAccountDatabase")?.children.get("UserList"))) {
      const policy = u.children.get("Policy")?.values;
      users.set(uname.toLowerCase(), {
        authType: Number(u.values.get("AuthType") ?? 0),
        passwordHash: u.values.get("AuthPassword"),
        ...(policy ? { policy } : {}),
      });
    }
    const cascades = new Map<string, CascadeState>();
    for (const [, c] of kids(h.children.get("CascadeList"))) {
      const opt = c.children.get("ClientOption");
      const auth = c.children.get("ClientAuth");
      const account = opt?.values.get("AccountName") ?? "";
      cascades.set(account.toLowerCase(), {
        online: c.values.get("Online") === "true",
        server: opt?.values.get("Hostname") ?? "",
        port: Number(opt?.values.get("Port") ?? 0),
        hub: opt?.values.get("HubName") ?? "",
        user: auth?.values.get("Username") ?? "",
        authType: Number(auth?.values.get("AuthType") ?? 0),
        passwordHash: auth?.values.get("HashedPassword"),
        checkServerCert: c.values.get("CheckServerCert") === "true",
        serverCert: c.values.get("ServerCert"),
      });
    }
    hubs.set(name.toUpperCase(), {
      name,
      online: h.values.get("Online") === "true",
      packetLog: h.children.get("LogSetting")?.values.get("SavePacketLog") !== "false",
      enumerate: h.children.get("Option")?.values.get("NoEnum") !== "true",
      passwordHash: h.values.get("HashedPassword"),
      secureNat: h.children.get("SecureNAT")?.values.get("Disabled") === "false",
      users,
      cascades,
    });
  }
  const server = root.children.get("ServerConfiguration");
  const proto = server?.children.get("Proto");
  // SoftEther's defaults where a value is absent (a seeded or abridged configuration)
  const on = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : v === "true");
  return {
    adminPasswordHash: server?.values.get("HashedPassword") ?? "",
    serverCert: server?.values.get("ServerCert"),
    services: {
      keepalive: on(server?.values.get("UseKeepConnect"), true),
      openvpn: on(proto?.children.get("OpenVPN")?.values.get("Enabled"), true),
      sstp: on(proto?.children.get("SSTP")?.values.get("Enabled"), true),
      udpPorts: (server?.values.get("PortsUDP") ?? "")
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(Number)
        .sort((a, b) => a - b),
      ddns: !on(root.children.get("DDnsClient")?.values.get("Disabled"), false),
      natTraversal: !on(server?.values.get("DisableNatTraversal"), false),
      jsonRpc: !on(server?.values.get("DisableJsonRpcWebApi"), false),
      cipher: server?.values.get("CipherName") ?? "~DEFAULT~",
    },
    listeners,
    hubs,
    bridges,
  };
}
