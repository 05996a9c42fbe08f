import type { Task, TaskOptions } from "../../engine/types.js";
import { directory } from "../files/directory.js";
import { file } from "../files/file.js";
import { reveal, secret, type Secret } from "../../secrets.js";
import { adminPasswordHash } from "./sha0.js";

/** Where Debian's softether-vpnserver keeps its configuration (its unit's StateDirectory). */
export const SOFTETHER_STATE_DIR = "/var/lib/softether";
export const SOFTETHER_CONFIG = `${SOFTETHER_STATE_DIR}/vpn_server.config`;
/** The addresses administration is accepted from (vpnserver's own file, beside its configuration). */
export const SOFTETHER_ADMINIP = `${SOFTETHER_STATE_DIR}/adminip.txt`;

export interface SeedOptions extends TaskOptions {
  adminPassword: Secret | string;
  /** The TCP listeners the server starts with (default 5555 only: the admin port). */
  listeners?: number[];
}

/**
 * The configuration a SoftEther server first starts with, in its own file format: the
 * administrator password's hash, only these listeners, no hub (no DEFAULT), and none of the
 * services that call out or answer the internet by default (dynamic DNS, the keepalive to
 * softether.org, NAT traversal, the JSON-RPC web API, OpenVPN, MS-SSTP, the UDP listeners). vpnserver fills in
 * every other setting with its defaults at its first start and writes the file anew.
 */
export function softetherSeedConfig(o: SeedOptions): Secret {
  const listeners = o.listeners?.length ? o.listeners : [5555];
  const listener = (port: number, i: number) => [
    `\t\tdeclare Listener${i}`,
    "\t\t{",
    "\t\t\tbool DisableDos false",
    "\t\t\tbool Enabled true",
    `\t\t\tuint Port ${port}`,
    "\t\t}",
  ];
  const text = [
    "# Seeded by homecloud-deploy before softether-vpnserver was installed: its first start",
    "# already has the administrator password (a fresh server otherwise has none).",
    "declare root",
    "{",
    "\tdeclare DDnsClient",
    "\t{",
    "\t\tbool Disabled true",
    "\t}",
    "\tdeclare ListenerList",
    "\t{",
    ...listeners.flatMap(listener),
    "\t}",
    "\tdeclare ServerConfiguration",
    "\t{",
    "\t\tbool DisableJsonRpcWebApi true",
    "\t\tbool DisableNatTraversal true",
    `\t\tbyte HashedPassword ${adminPasswordHash(reveal(o.adminPassword))}`,
    "\t\tstring PortsUDP $",
    "\t\tbool UseKeepConnect false",
    "\t\tdeclare Proto",
    "\t\t{",
    "\t\t\tdeclare OpenVPN",
    "\t\t\t{",
    "\t\t\t\tbool Enabled false",
    "\t\t\t}",
    "\t\t\tdeclare SSTP",
    "\t\t\t{",
    "\t\t\t\tbool Enabled false",
    "\t\t\t}",
    "\t\t}",
    "\t}",
    "\tdeclare VirtualHUB",
    "\t{",
    "\t}",
    "}",
    "",
  ].join("\n");
  // the hash is as good as the password: the whole text is a secret (masked, 0600, never in a diff)
  return secret(text, "SoftEther seed configuration");
}

/**
 * Tasks that go BEFORE the package is installed: Debian's postinst starts vpnserver at once,
 * listening on every address with an empty administrator password until someone sets one (the
 * first to reach it, from anywhere). Seeded, its first start already has ours. A server that
 * has a configuration already is left to the softether resource.
 */
export function softetherSeed(o: SeedOptions): Task[] {
  return [
    directory({ path: SOFTETHER_STATE_DIR, tags: o.tags }),
    // administration from the host itself only (vpncmd on localhost): checked at every admin
    // login, so the password alone no longer opens the server to the internet or the home LAN
    file({
      path: SOFTETHER_ADMINIP,
      content: "127.0.0.1\n::1\n",
      mode: "0600",
      owner: "root",
      tags: o.tags,
    }),
    file({
      path: SOFTETHER_CONFIG,
      content: softetherSeedConfig(o),
      mode: "0600",
      owner: "root",
      force: false,
      tags: o.tags,
      title: `seed ${SOFTETHER_CONFIG} (the administrator password before the first start)`,
    }),
  ];
}
