import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { keys } from "../../engine/keys.js";
import { task } from "../../engine/types.js";
import { IFNAME, PORT } from "./ufw.js";

export interface FirewalldOpeningsOptions extends TaskOptions {
  /** Ports open on the host itself: "443/tcp", "500/udp". */
  allow: string[];
  /** The interface towards the home side (it gets a zone of ours). */
  tap: string;
  /** The interface towards the provider (for the name; our nftables table decides what passes). */
  uplink: string;
}

/** What firewalld lists for one zone or policy (`firewall-cmd --info-zone/--info-policy`). */
export interface FirewalldObject {
  target: string;
  interfaces: string[];
  ingress: string[];
  egress: string[];
  ports: string[];
}

export interface FirewalldState {
  /** firewalld is not running: nothing filters through it now. */
  stopped: boolean;
  permanent: Record<string, FirewalldObject | undefined>;
  runtime: Record<string, FirewalldObject | undefined>;
}

/** The objects we own in firewalld: one zone for the tap, three policies. Nobody else's is touched. */
const FIREWALLD_ZONE = "homecloud";
const OBJECTS = [
  { kind: "zone", name: FIREWALLD_ZONE },
  { kind: "policy", name: "homecloud-host" },
  { kind: "policy", name: "homecloud-in" },
  { kind: "policy", name: "homecloud-out" },
] as const;

/**
 * The probe, shared with `deploy verify`: whether firewalld runs, and our objects as firewalld
 * holds them, permanent and at runtime ("missing" where there is none).
 */
export function firewalldProbe(): string {
  const info = (scope: string, kind: string, name: string) =>
    `echo "== ${scope || "runtime"} ${name}"; firewall-cmd ${scope && `--${scope} `}--info-${kind}=${name} 2>/dev/null || echo missing`;
  return [
    "if ! systemctl is-active -q firewalld 2>/dev/null; then echo stopped; exit 0; fi",
    // active on D-Bus before it has loaded its rules: wait until it says "running" (10 s at most)
    "i=0; until firewall-cmd --state >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 50 ] || { echo 'firewalld is active but does not answer (firewall-cmd --state)' >&2; exit 1; }; sleep 0.2; done",
    ...OBJECTS.flatMap((o) => [info("permanent", o.kind, o.name), info("", o.kind, o.name)]),
  ].join("\n");
}

const field = (body: string, key: string) =>
  (new RegExp(`^\\s*${key}:[ \\t]*(.*)$`, "m").exec(body)?.[1] ?? "").split(/\s+/).filter(Boolean);

export function parseFirewalld(out: string): FirewalldState {
  const st: FirewalldState = { stopped: /^stopped$/m.test(out), permanent: {}, runtime: {} };
  for (const part of out.split(/^== /m).slice(1)) {
    const [head = "", ...rest] = part.split("\n");
    const [scope, name = ""] = head.trim().split(" ");
    const body = rest.join("\n");
    const obj: FirewalldObject | undefined = /^missing$/m.test(body)
      ? undefined
      : {
          target: field(body, "target")[0] ?? "",
          interfaces: field(body, "interfaces"),
          ingress: field(body, "ingress-zones"),
          egress: field(body, "egress-zones"),
          ports: field(body, "ports"),
        };
    (scope === "permanent" ? st.permanent : st.runtime)[name] = obj;
  }
  return st;
}

/**
 * What our objects must hold. The forwarding policies name ANY zone on the far side, not the
 * uplink's: firewalld (1.3) leaves a policy inactive whose zone is the default zone by no
 * interface of its own, the common case of a VPS's uplink (firewalld issue 1205). What passes
 * between which interfaces is decided by our own table (tap <-> uplink, the declared hosts).
 */
function firewalldWanted(o: Pick<FirewalldOpeningsOptions, "allow" | "tap">) {
  const none = { target: "", interfaces: [] as string[], ingress: [] as string[], egress: [] as string[], ports: [] };
  return {
    [FIREWALLD_ZONE]: { ...none, target: "default", interfaces: [o.tap] },
    "homecloud-host": { ...none, target: "CONTINUE", ingress: ["ANY"], egress: ["HOST"], ports: [...o.allow] },
    "homecloud-in": { ...none, target: "ACCEPT", ingress: ["ANY"], egress: [FIREWALLD_ZONE] },
    "homecloud-out": { ...none, target: "ACCEPT", ingress: [FIREWALLD_ZONE], egress: ["ANY"] },
  } as Record<string, FirewalldObject>;
}

const same = (a: string[], b: string[]) => [...a].sort().join(" ") === [...b].sort().join(" ");
const holds = (have: FirewalldObject | undefined, want: FirewalldObject) =>
  !!have &&
  have.target === want.target &&
  same(have.interfaces, want.interfaces) &&
  same(have.ingress, want.ingress) &&
  same(have.egress, want.egress) &&
  same(have.ports, want.ports);

/** Our objects that are missing or differ, in one scope ("permanent" or "runtime"). */
export function firewalldDiffers(
  st: FirewalldState,
  o: Pick<FirewalldOpeningsOptions, "allow" | "tap">,
  scope: "permanent" | "runtime",
): string[] {
  const want = firewalldWanted(o);
  return OBJECTS.map((x) => x.name).filter((n) => !holds(st[scope][n], want[n]!));
}

/**
 * What the site needs opened in firewalld, where it runs (Fedora's, Rocky's and some providers'
 * images): the tap in a zone of ours (`homecloud`), and three policies of ours: the input ports
 * from anywhere to the host (`homecloud-host`), and forwarding accepted both ways between the
 * tap's zone and the others (`homecloud-in`, `homecloud-out`); which interfaces and which home
 * addresses may pass is still decided by our own nftables table. Written to the permanent configuration, then
 * `firewall-cmd --reload`; firewalld is never stopped, and nobody else's zone or policy is
 * changed. Where it does not run, nothing is done (`deploy verify` names it if it starts later).
 */
export function firewalldOpenings(o: FirewalldOpeningsOptions): Task {
  for (const p of o.allow) if (!PORT.test(p)) throw new Error(`firewalld: "${p}" is not PORT/tcp or PORT/udp`);
  if (!IFNAME.test(o.tap) || !IFNAME.test(o.uplink))
    throw new Error(`firewalld: ${o.tap}, ${o.uplink}: not interface names`);
  const resource: Resource<FirewalldState> = {
    kind: "firewalld",
    name: `firewalld: ${o.allow.join(", ")} in, forwarding ${o.tap} <-> ${o.uplink}`,
    reads: [keys.tree("/etc/firewalld"), keys.state("firewall", "firewalld")],
    writes: [keys.tree("/etc/firewalld"), keys.state("firewall", "firewalld")],
    probe: () => firewalldProbe(),
    parse: parseFirewalld,
    steps: (cur): Step[] => {
      if (cur.stopped) return [];
      const want = firewalldWanted(o);
      const rebuild = firewalldDiffers(cur, o, "permanent");
      const steps: Step[] = rebuild.map((name) => {
        const kind = name === FIREWALLD_ZONE ? "zone" : "policy";
        const w = want[name]!;
        const p = `firewall-cmd --permanent --${kind}=${name}`;
        const lines = [
          cur.permanent[name] ? `firewall-cmd --permanent --delete-${kind}=${name} >/dev/null` : "",
          `firewall-cmd --permanent --new-${kind}=${name} >/dev/null`,
          ...w.interfaces.map((i) => `${p} --change-interface=${i} >/dev/null`),
          ...(kind === "policy" ? [`${p} --set-target=${w.target} >/dev/null`] : []),
          ...w.ingress.map((z) => `${p} --add-ingress-zone=${z} >/dev/null`),
          ...w.egress.map((z) => `${p} --add-egress-zone=${z} >/dev/null`),
          ...w.ports.map((port) => `${p} --add-port=${port} >/dev/null`),
        ];
        const what =
          kind === "zone"
            ? `zone ${name} for ${o.tap}`
            : w.ports.length
              ? `policy ${name}: ${w.ports.join(", ")} to this host`
              : `policy ${name}: forwarding ${w.ingress.join(",")} -> ${w.egress.join(",")} accepted`;
        return {
          why: `firewalld ${cur.permanent[name] ? "correct" : "add"} ${what}`,
          script: lines.filter(Boolean).join("\n"),
        };
      });
      if (steps.length || firewalldDiffers(cur, o, "runtime").length)
        steps.push({
          why: "firewall-cmd --reload (the permanent configuration takes effect)",
          script: "firewall-cmd --reload >/dev/null",
        });
      return steps;
    },
  };
  return task(resource, o);
}
