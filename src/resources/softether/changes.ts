import { reveal } from "../../secrets.js";
import type { CascadeState, ServerState } from "./config.js";
import { adminPasswordHash, userPasswordHash } from "./sha0.js";
import type { CascadeSpec, SoftEtherSpec } from "./spec.js";

export interface SoftEtherChanges {
  /** One line per change, for people (no secret in them). */
  whys: string[];
  /** vpncmd commands in order (they carry passwords: never shown). */
  commands: string[];
  /** Certificates the commands load (/LOADCERT): written to these paths first, PEM. */
  files: { path: string; text: string }[];
  /** Changes that cannot be made in this run, and why (the step fails with it). */
  unknown: string[];
}

/** Where a cascade's server certificate is put for vpncmd's /LOADCERT, for the moment of the change. */
export const certPath = (cascade: string) => `/run/homecloud-cascade-${cascade}.cert`;

const pem = (der64: string) =>
  `-----BEGIN CERTIFICATE-----\n${der64.replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;

/**
 * The pin of a cascade's server certificate: the vpncmd commands that make it the wanted one,
 * checked. Not managed when the spec has none; kept as it is when it is not known in this run.
 */
function certPin(c: CascadeSpec, have: CascadeState | undefined, out: SoftEtherChanges, hw: string[]): string[] {
  if (c.serverCert === undefined) return [];
  const want = typeof c.serverCert === "function" ? c.serverCert() : c.serverCert;
  if (want === undefined) {
    if (have?.checkServerCert && have.serverCert) return [];
    out.unknown.push(
      `pin the server certificate of cascade ${c.name}: it is not known in this run (it is read from the server in its own play: run that play too, after the server is installed)`,
    );
    return [];
  }
  const cmds: string[] = [];
  if (have?.serverCert !== want) {
    hw.push(`pin the server certificate of cascade ${c.name}${have?.serverCert ? " (another one was pinned)" : ""}`);
    out.files.push({ path: certPath(c.name), text: pem(want) });
    cmds.push(`CascadeServerCertSet ${c.name} /LOADCERT:${certPath(c.name)}`);
  }
  if (!have?.checkServerCert) {
    hw.push(`check the server certificate of cascade ${c.name}`);
    cmds.push(`CascadeServerCertEnable ${c.name}`);
  }
  return cmds;
}

const serverArg = (c: CascadeSpec) => `${c.server.includes(":") ? `[${c.server}]` : c.server}:${c.port}`;
const sameHost = (a: string, b: string) =>
  a.replace(/^\[|\]$/g, "").toLowerCase() === b.replace(/^\[|\]$/g, "").toLowerCase();

/**
 * Pure: the vpncmd commands that make the server match the spec; none when it does. A hub
 * created without a password of the spec's gets `newHubPassword(hub)` (the caller draws it).
 */
export function softetherChanges(
  state: ServerState,
  spec: SoftEtherSpec,
  newHubPassword: (hub: string) => string,
): SoftEtherChanges {
  const out: SoftEtherChanges = { whys: [], commands: [], files: [], unknown: [] };
  const { whys, commands } = out;
  const admin = reveal(spec.adminPassword);
  if (state.adminPasswordHash !== adminPasswordHash(admin)) {
    whys.push("set the server administrator password");
    commands.push(`ServerPasswordSet ${admin}`);
  }
  const listeners = spec.listeners;
  if (listeners) {
    for (const p of listeners.filter((p) => !state.listeners.includes(p))) {
      whys.push(`add listener TCP ${p}`);
      commands.push(`ListenerCreate ${p}`);
    }
  }
  serviceChanges(state, spec, whys, commands);
  for (const hub of spec.hubs ?? []) {
    const cur = state.hubs.get(hub.name.toUpperCase());
    const ctx: string[] = [];
    const hw: string[] = [];
    if (!cur) {
      whys.push(`create hub ${hub.name}`);
      commands.push(
        `HubCreate ${hub.name} /PASSWORD:${hub.password ? reveal(hub.password) : newHubPassword(hub.name)}`,
      );
    } else if (hub.password && cur.passwordHash !== adminPasswordHash(reveal(hub.password))) {
      hw.push(`set the administrator password of hub ${hub.name}`);
      ctx.push(`SetHubPassword /PASSWORD:${reveal(hub.password)}`);
    }
    if (cur && !cur.online) {
      hw.push(`put hub ${hub.name} online`);
      ctx.push("Online");
    }
    const wantNat = hub.secureNat ?? false;
    if ((cur?.secureNat ?? false) !== wantNat || (!cur && !wantNat)) {
      // a new hub has SecureNAT off already, but say so explicitly: it must never route
      if (cur || wantNat) hw.push(`${wantNat ? "enable" : "disable"} SecureNAT on ${hub.name}`);
      ctx.push(wantNat ? "SecureNatEnable" : "SecureNatDisable");
    }
    if (hub.packetLog !== undefined && (cur?.packetLog ?? true) !== hub.packetLog) {
      hw.push(`${hub.packetLog ? "start" : "stop"} the packet log of hub ${hub.name}`);
      ctx.push(`${hub.packetLog ? "LogEnable" : "LogDisable"} packet`);
    }
    if (hub.enumerate !== undefined && (cur?.enumerate ?? true) !== hub.enumerate) {
      hw.push(`${hub.enumerate ? "list" : "stop listing"} hub ${hub.name} to anonymous clients`);
      ctx.push(hub.enumerate ? "SetEnumAllow" : "SetEnumDeny");
    }
    if (hub.users) {
      for (const u of hub.users) {
        const have = cur?.users.get(u.name.toLowerCase());
        const pw = reveal(u.password);
        if (!have) {
          hw.push(`create user ${u.name} on ${hub.name}`);
          ctx.push(
            `UserCreate ${u.name} /GROUP:none /REALNAME:none /NOTE:none`,
            `UserPasswordSet ${u.name} /PASSWORD:${pw}`,
          );
        } else if (have.authType !== 1 || have.passwordHash !== userPasswordHash(u.name, pw)) {
          hw.push(`set the password of user ${u.name} on ${hub.name}`);
          ctx.push(`UserPasswordSet ${u.name} /PASSWORD:${pw}`);
        }
        for (const [item, value] of Object.entries(u.policy ?? {})) {
          // the configuration says true/false and numbers as they are
          if (have?.policy?.get(item) === String(value)) continue;
          hw.push(`set policy ${item} = ${value} of user ${u.name} on ${hub.name}`);
          ctx.push(
            `UserPolicySet ${u.name} /NAME:${item} /VALUE:${typeof value === "boolean" ? (value ? "yes" : "no") : value}`,
          );
        }
      }
      for (const [name] of cur?.users ?? []) {
        if (!hub.users.some((u) => u.name.toLowerCase() === name)) {
          hw.push(`remove user ${name} from ${hub.name}`);
          ctx.push(`UserDelete ${name}`);
        }
      }
    }
    if (hub.cascades) {
      for (const c of hub.cascades) {
        const have = cur?.cascades.get(c.name.toLowerCase());
        const pw = reveal(c.password);
        const create = [
          `CascadeCreate ${c.name} /SERVER:${serverArg(c)} /HUB:${c.hub} /USERNAME:${c.user}`,
          `CascadePasswordSet ${c.name} /PASSWORD:${pw} /TYPE:standard`,
        ];
        const online = c.online ?? true;
        if (!have) {
          hw.push(`create cascade ${c.name} on ${hub.name} to ${serverArg(c)} hub ${c.hub} as ${c.user}`);
          ctx.push(...create, ...certPin(c, undefined, out, hw), ...(online ? [`CascadeOnline ${c.name}`] : []));
          continue;
        }
        if (
          !sameHost(have.server, c.server) ||
          have.port !== c.port ||
          have.hub.toUpperCase() !== c.hub.toUpperCase() ||
          have.user !== c.user
        ) {
          hw.push(
            `re-create cascade ${c.name} on ${hub.name}: ${have.server}:${have.port}/${have.hub}/${have.user} -> ${serverArg(c)}/${c.hub}/${c.user}`,
          );
          ctx.push(
            ...(have.online ? [`CascadeOffline ${c.name}`] : []),
            `CascadeDelete ${c.name}`,
            ...create,
            ...certPin(c, undefined, out, hw),
            ...(online ? [`CascadeOnline ${c.name}`] : []),
          );
          continue;
        }
        if (have.authType !== 1 || have.passwordHash !== userPasswordHash(c.user, pw)) {
          hw.push(`set the password of cascade ${c.name} on ${hub.name}`);
          ctx.push(`CascadePasswordSet ${c.name} /PASSWORD:${pw} /TYPE:standard`);
        }
        const pin = certPin(c, have, out, hw);
        if (pin.length && have.online && online) {
          // a session up now was not checked against the new pin: connect again under it
          hw.push(`reconnect cascade ${c.name} under the pin`);
          ctx.push(`CascadeOffline ${c.name}`, ...pin, `CascadeOnline ${c.name}`);
        } else ctx.push(...pin);
        if (have.online !== online) {
          hw.push(`put cascade ${c.name} ${online ? "online" : "offline"}`);
          ctx.push(`${online ? "CascadeOnline" : "CascadeOffline"} ${c.name}`);
        }
      }
      for (const [name, have] of cur?.cascades ?? []) {
        if (!hub.cascades.some((c) => c.name.toLowerCase() === name)) {
          hw.push(`remove cascade ${name} from ${hub.name}`);
          ctx.push(...(have.online ? [`CascadeOffline ${name}`] : []), `CascadeDelete ${name}`);
        }
      }
    }
    whys.push(...hw);
    if (ctx.length) commands.push(`Hub ${hub.name}`, ...ctx, "Hub");
  }
  if (spec.bridges) {
    const key = (b: { hub: string; device: string; tap?: boolean }) => `${b.hub.toUpperCase()}|${b.device}|${!!b.tap}`;
    const have = new Set(state.bridges.map(key));
    const want = new Set(spec.bridges.map(key));
    for (const b of spec.bridges.filter((b) => !have.has(key(b)))) {
      whys.push(`bridge hub ${b.hub} to ${b.tap ? `a new tap tap_${b.device}` : `interface ${b.device}`}`);
      commands.push(`BridgeCreate ${b.hub} /DEVICE:${b.device}${b.tap ? " /TAP:yes" : ""}`);
    }
    for (const b of state.bridges.filter((b) => !want.has(key(b)))) {
      whys.push(`remove the bridge of hub ${b.hub} to ${b.device}`);
      commands.push(`BridgeDelete ${b.hub} /DEVICE:${b.device}`);
    }
  }
  if (spec.hubs) {
    // exactly the declared hubs: DEFAULT and any other made behind our back go
    const declared = new Set(spec.hubs.map((h) => h.name.toUpperCase()));
    for (const [key, hub] of state.hubs)
      if (!declared.has(key)) {
        whys.push(`delete hub ${hub.name} (not declared)`);
        commands.push(`HubDelete ${hub.name}`);
      }
  }
  if (listeners) {
    for (const p of state.listeners.filter((p) => !listeners.includes(p))) {
      whys.push(`remove listener TCP ${p}`);
      commands.push(`ListenerDelete ${p}`);
    }
  }
  return out;
}

/** Server-wide services: each one the spec names is set as it says. */
function serviceChanges(state: ServerState, spec: SoftEtherSpec, whys: string[], commands: string[]): void {
  const want = spec.services;
  if (!want) return;
  const have = state.services;
  if (want.keepalive !== undefined && have.keepalive !== want.keepalive) {
    whys.push(`${want.keepalive ? "start" : "stop"} the keepalive to keepalive.softether.org`);
    commands.push(want.keepalive ? "KeepEnable" : "KeepDisable");
  }
  for (const [proto, key] of [
    ["OpenVPN", "openvpn"],
    ["SSTP", "sstp"],
  ] as const) {
    const on = want[key];
    if (on !== undefined && have[key] !== on) {
      whys.push(`${on ? "enable" : "disable"} ${proto}`);
      commands.push(`ProtoOptionsSet ${proto} /NAME:Enabled /VALUE:${on ? "True" : "False"}`);
    }
  }
  if (want.cipher !== undefined && have.cipher !== want.cipher) {
    whys.push(`TLS 1.2 ciphers: ${want.cipher} (was ${have.cipher})`);
    commands.push(`ServerCipherSet ${want.cipher}`);
  }
  if (want.udpPorts) {
    const ports = [...want.udpPorts].sort((a, b) => a - b);
    if (ports.join(",") !== have.udpPorts.join(",")) {
      whys.push(`UDP listeners: ${ports.length ? ports.join(", ") : "none"}`);
      commands.push(`PortsUDPSet ${ports.length ? ports.join(",") : "0"}`);
    }
  }
}
