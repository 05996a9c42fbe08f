import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { randomSecret, reveal, type Secret } from "../../secrets.js";
import { serverStateFromConfig, type ServerState } from "./config.js";
import { softetherChanges } from "./changes.js";
import { checkSpec, type SoftEtherSpec } from "./spec.js";
import { applyScript, configProbe } from "./vpncmd.js";
import { quote } from "../../transport/quote.js";

export type { SoftEtherSpec, HubSpec, UserSpec, CascadeSpec, BridgeSpec } from "./spec.js";
export { FORWARD_SECRET_CIPHERS } from "./spec.js";

type Probe =
  | { state: "ok"; server: ServerState; login: number }
  | { state: "absent" | "stopped" | "denied" | "unreachable" | "error"; detail: string };

/**
 * A SoftEther VPN server (or bridge) as declared: admin password, listeners, hubs with
 * their users and cascades, local bridges. State is read with one `vpncmd ConfigGet`;
 * passwords are compared by their SHA-0 hashes, never printed, never in an argv.
 */
export function softether(spec: SoftEtherSpec & TaskOptions): Task {
  const problems = checkSpec(spec, reveal);
  if (problems.length) throw new Error(`softether: ${problems.join("; ")}`);
  const port = spec.adminPort ?? 5555;
  const admin = reveal(spec.adminPassword);
  const previous = (spec.previousAdminPasswords ?? []).map(reveal);
  // drawn here, once, so that steps() stays pure; a Secret from birth (masked wherever it shows)
  const drawn = new Map<string, Secret>();
  const newHubPassword = (hub: string) =>
    reveal(drawn.get(hub) ?? drawn.set(hub, randomSecret(18, `hub ${hub} administrator password`)).get(hub)!);
  const resource: Resource<Probe> = {
    kind: "softether",
    name: `softether ${(spec.hubs ?? []).map((h) => `hub ${h.name}`).join(", ") || "server"}`,
    reads: [keys.unit("softether-vpnserver.service"), keys.state("softether", "server")],
    speed: { slow: true },
    secretProbe: true,
    writes: [keys.state("softether", "server"), keys.state("interface", "softether taps")],
    probe: () => configProbe(admin, port, previous),
    parse: (out): Probe => {
      const first = out.split("\n", 1)[0];
      const state = (first ?? "").replace(/^state /, "");
      if (state === "ok") {
        const login = Number(/^login (\d+)$/m.exec(out)?.[1] ?? 0);
        return { state: "ok", server: serverStateFromConfig(out), login };
      }
      return { state: state as "absent", detail: out.split("\n").slice(1).join("\n").trim() };
    },
    steps: (cur): Step[] => {
      if (cur.state !== "ok") {
        const why = {
          absent: "vpncmd is not installed (install softether-vpnserver and softether-vpncmd first)",
          stopped: "softether-vpnserver is not running",
          denied: previous.length
            ? "the server refused the administrator password from the inventory and every previous one given"
            : "the server refused the administrator password from the inventory: it was set to another one (to rotate it, give the one it has as the previous password)",
          unreachable: `vpncmd cannot reach the server on localhost:${port}`,
          error: `vpncmd failed: ${cur.detail}`,
        }[cur.state];
        throw new Error(why);
      }
      spec.onServerCert?.(cur.server.serverCert);
      const p = softetherChanges(cur.server, spec, newHubPassword);
      const steps: Step[] = p.unknown.map((why) => ({ why, script: `echo ${quote(`cannot ${why}`)} >&2; exit 1` }));
      if (!p.commands.length) return steps;
      const files = p.files.map((f) => `printf '%s' ${quote(f.text)} > ${quote(f.path)}`);
      // after a rotation the server still has a previous password: log in with it, set the new one
      const login = [admin, ...previous][cur.login] ?? admin;
      const script = applyScript(
        p.commands,
        login,
        port,
        files,
        p.files.map((f) => f.path),
      );
      return [...steps, { why: p.whys.join("; "), script }];
    },
  };
  return task(resource, spec);
}
