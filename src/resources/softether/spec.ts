import type { Secret } from "../../secrets.js";

/** SoftEther security policy items of a user (vpncmd PolicyList), e.g. { MultiLogins: 1, RAFilter: true }. */
export type PolicySpec = Record<string, number | boolean>;

export interface UserSpec {
  name: string;
  password: Secret | string;
  /** These policy items of the user's own policy; items not named keep their values. */
  policy?: PolicySpec;
}

export interface CascadeSpec {
  name: string;
  /** Host name or address of the VPN server (IPv6 literals without brackets). */
  server: string;
  port: number;
  /** The hub on the remote server. */
  hub: string;
  user: string;
  password: Secret | string;
  online?: boolean;
  /**
   * The server's certificate (base64 DER) that the cascade accepts, and no other: a function
   * when it is learned during the run (undefined: not known; a pin already there is kept).
   */
  serverCert?: string | (() => string | undefined);
}

export interface HubSpec {
  name: string;
  /** Log every TCP connection to the hub's packet_log/ (SoftEther's default: on). Left as it is when not given. */
  packetLog?: boolean;
  /** List the hub to anonymous clients that ask (SoftEther's default: on). Left as it is when not given. */
  enumerate?: boolean;
  /** Hub administrator password; a random one is set when omitted. */
  password?: Secret | string;
  secureNat?: boolean;
  /** Exactly these users (others are removed). */
  users?: UserSpec[];
  /** Exactly these cascade connections (others are removed). */
  cascades?: CascadeSpec[];
}

export interface BridgeSpec {
  hub: string;
  /** A NIC name, or with tap: the tap's name (the interface becomes tap_<name>). */
  device: string;
  tap?: boolean;
}

/** Server-wide services; each is left as it is when not given. */
/** TLS 1.2 with forward secrecy only (ECDHE), for SoftEther's RSA server certificate. */
export const FORWARD_SECRET_CIPHERS =
  "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305";

export interface ServicesSpec {
  /** The keepalive connection to keepalive.softether.org every 50 s. */
  keepalive?: boolean;
  /** OpenVPN and MS-SSTP on the TCP listeners (and OpenVPN on UDP). */
  openvpn?: boolean;
  sstp?: boolean;
  /** Exactly these UDP listeners ([] none). */
  udpPorts?: number[];
  /**
   * The TLS 1.2 cipher list (OpenSSL's syntax, upper case as SoftEther stores it); TLS 1.3's
   * suites are forward secret anyway. SoftEther's default "~DEFAULT~" also accepts RSA key exchange.
   */
  cipher?: string;
}

export interface SoftEtherSpec {
  adminPassword: Secret | string;
  /**
   * Passwords the server may still have (a rotation): tried in order when `adminPassword` is
   * refused; the one that gets in is used to set `adminPassword`.
   */
  previousAdminPasswords?: Array<Secret | string>;
  /** Told the server's own certificate (base64 DER) whenever the state is read. */
  onServerCert?: (cert: string | undefined) => void;
  services?: ServicesSpec;
  /** The listener vpncmd uses on localhost. */
  adminPort?: number;
  /** Exactly these TCP listeners. */
  listeners?: number[];
  /** Exactly these hubs: any other (DEFAULT included) is deleted. */
  hubs?: HubSpec[];
  /** Exactly these local bridges. */
  bridges?: BridgeSpec[];
}

/** Names travel as bare vpncmd arguments (HubCreate NAME, Hub NAME, ...): vpncmd takes one that begins with - or / for an option. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const WORD = /^[^\s"]{1,255}$/;

/** Problems with a spec, before any command is written (vpncmd splits its arguments on spaces). */
export function checkSpec(spec: SoftEtherSpec, reveal: (v: Secret | string) => string): string[] {
  const out: string[] = [];
  const pw = (what: string, v: Secret | string | undefined) => {
    if (v === undefined) return;
    const s = reveal(v);
    if (!WORD.test(s))
      out.push(`${what}: a SoftEther password must be 1-255 characters without spaces or double quotes`);
  };
  pw("adminPassword", spec.adminPassword);
  for (const [i, p] of (spec.previousAdminPasswords ?? []).entries()) pw(`previousAdminPasswords[${i}]`, p);
  // ServerPasswordSet takes it as a bare argument, which vpncmd reads as an option when it begins
  // with - or / (as it would a name, see NAME): the server would get an empty password
  if (spec.adminPassword !== undefined && /^[-/]/.test(reveal(spec.adminPassword)))
    out.push(
      "adminPassword: vpncmd takes a server administrator password that begins with - or / for an option (ServerPasswordSet would set an empty one): choose one that does not",
    );
  const port = spec.adminPort ?? 5555;
  if (spec.listeners && !spec.listeners.includes(port))
    out.push(`listeners must include the admin port ${port}, or vpncmd loses its way in`);
  if (spec.services?.cipher !== undefined && !/^[A-Z0-9-]+(:[A-Z0-9-]+)*$/.test(spec.services.cipher))
    out.push(`services.cipher "${spec.services.cipher}" is not an upper-case OpenSSL cipher list`);
  for (const l of [...(spec.listeners ?? []), ...(spec.services?.udpPorts ?? [])])
    if (!Number.isInteger(l) || l < 1 || l > 65535) out.push(`listener ${l} is not a port`);
  for (const h of spec.hubs ?? []) {
    if (!NAME.test(h.name)) out.push(`hub "${h.name}" is not a valid hub name`);
    pw(`hub ${h.name} password`, h.password);
    for (const u of h.users ?? []) {
      if (!NAME.test(u.name)) out.push(`user "${u.name}" is not a valid user name`);
      for (const [k, v] of Object.entries(u.policy ?? {}))
        if (!/^[A-Za-z0-9]{1,64}$/.test(k) || (typeof v === "number" && (!Number.isInteger(v) || v < 0)))
          out.push(`user ${u.name}: policy ${k}: ${v} is not a policy item and value`);
      pw(`user ${u.name} password`, u.password);
    }
    for (const c of h.cascades ?? []) {
      if (!NAME.test(c.name)) out.push(`cascade "${c.name}" is not a valid name`);
      if (!/^[A-Za-z0-9.:-]+$/.test(c.server))
        out.push(`cascade ${c.name}: "${c.server}" is not a host name or address`);
      if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535)
        out.push(`cascade ${c.name}: port ${c.port} is not a port`);
      if (!NAME.test(c.hub) || !NAME.test(c.user)) out.push(`cascade ${c.name}: hub and user must be plain names`);
      pw(`cascade ${c.name} password`, c.password);
      if (typeof c.serverCert === "string" && !/^[A-Za-z0-9+/]+={0,2}$/.test(c.serverCert))
        out.push(`cascade ${c.name}: serverCert is not base64 (DER)`);
    }
  }
  for (const b of spec.bridges ?? []) {
    if (!(spec.hubs ?? []).some((h) => h.name.toUpperCase() === b.hub.toUpperCase()))
      out.push(`bridge to ${b.device}: hub ${b.hub} is not among the hubs`);
    if (b.tap && !/^[a-z0-9_-]{1,11}$/.test(b.device))
      out.push(`tap device "${b.device}" must be 1-11 lowercase letters/digits (the interface is tap_${b.device})`);
    if (!b.tap && !/^[A-Za-z0-9_.-]{1,15}$/.test(b.device))
      out.push(`bridge device "${b.device}" is not an interface name`);
  }
  return out;
}
