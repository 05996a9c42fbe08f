import { z } from "zod";
import type { Task } from "../engine/types.js";
import type { Inventory } from "../inventory/types.js";
import { isSecret, Secret as SecretValue, type Secret } from "../secrets.js";
import type { Hop, VerifyCheck } from "./checks.js";
import type { HostBootstrap } from "../transport/target.js";

/** What roles and plays see of a host: its inventory name, merged vars and groups. */
export interface HostContext {
  readonly name: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly groups: readonly string[];
  /** Say something the user should know that does not stop the run (shown before it starts). */
  warn(message: string): void;
  /**
   * This host may be gone (e.g. a VM marked `state: absent`): when it cannot be reached, the run
   * skips it with this note instead of counting it unreachable, and `deploy verify` does not
   * check it (as Ansible's ignore_unreachable).
   */
  optional(note: string): void;
}

export interface RoleDefinition<S extends z.ZodType> {
  name: string;
  /** The parameters: checked by the compiler (z.input) and again at load time. */
  params: S;
  /** More tags than the role's name, which is always a tag. */
  tags?: string[];
  tasks(params: z.output<S>, host: HostContext): Task[];
  /**
   * The hop of `deploy verify` this role builds (default: its name). Verify also checks that the
   * role's tasks, in check mode, would change nothing ("as deployed"), in this hop.
   */
  hop?: string;
  /** What `deploy verify` checks of the role's work on the host, in the order given. */
  checks?(params: z.output<S>, host: HostContext): VerifyCheck[];
}

/** A role applied with its parameters, as a play lists it. */
export interface RoleInstance {
  readonly role: string;
  readonly tags: readonly string[];
  readonly input: unknown;
  readonly schema: z.ZodType;
  build(params: unknown, host: HostContext): Task[];
  readonly hop: string;
  checks(params: unknown, host: HostContext): VerifyCheck[];
}

export type RoleFactory<S extends z.ZodType> = ((params: z.input<S>) => RoleInstance) & {
  readonly roleName: string;
  readonly schema: S;
};

export function defineRole<S extends z.ZodType>(def: RoleDefinition<S>): RoleFactory<S> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(def.name))
    throw new Error(`role name "${def.name}" must be lowercase letters, digits and -`);
  // Unknown parameter keys are typos: refuse them instead of dropping them silently.
  const schema = (def.params instanceof z.ZodObject ? def.params.strict() : def.params) as z.ZodType;
  const factory = (params: z.input<S>): RoleInstance => ({
    role: def.name,
    tags: [def.name, ...(def.tags ?? [])],
    input: params,
    schema,
    build: (p, host) => def.tasks(p as z.output<S>, host),
    hop: def.hop ?? def.name,
    checks: (p, host) => def.checks?.(p as z.output<S>, host) ?? [],
  });
  return Object.assign(factory, { roleName: def.name, schema: def.params });
}

export interface Play<P = undefined, V = Readonly<Record<string, unknown>>> {
  name?: string;
  /** Inventory hosts or groups, as an Ansible pattern ("vps", "all:!vms") or a list. */
  hosts: string | string[];
  /**
   * The inventory variables the play reads, as a zod object: each host's merged vars are
   * checked against it before any connection (a missing one is named, with the inventory's
   * file and line of a wrong one), and the roles get them typed, defaults applied.
   */
  vars?: z.ZodType<V>;
  roles?: (host: HostContext, plan: P, vars: V) => RoleInstance[];
  /** Tasks without a role; they are tagged with the play's name. */
  tasks?: (host: HostContext, plan: P, vars: V) => Task[];
  /** What `deploy verify` checks for this host beyond its roles' own checks (e.g. that it reaches another). */
  checks?: (host: HostContext, plan: P, vars: V) => VerifyCheck[];
}

/** A play whose `vars` schema types what its roles read (definePlaybook cannot infer one per play). */
// biome-ignore lint/suspicious/noExplicitAny: a playbook holds plays of different vars types
export function definePlay<P, V>(play: Play<P, V> & { vars: z.ZodType<V> }): Play<P, any> {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  return play as Play<P, any>;
}

export interface Playbook<P = undefined> {
  name: string;
  /**
   * Derives what the plays need from the inventory (e.g. the site's address plan) before
   * any connection; throws InputError with every problem. `deploy plan` prints it.
   */
  plan?: (inventory: Inventory) => P;
  /** How `deploy plan` shows the plan to a person (default: JSON). */
  describePlan?: (plan: P) => string;
  /** The picture of the plan for `deploy plan --html` and `deploy verify --html` (boxes tied to hops). */
  picture?: (plan: P) => import("../output/sketch.js").Sketch;
  // biome-ignore lint/suspicious/noExplicitAny: each play has its own vars type
  plays: Array<Play<P, any>>;
  /** The hops `deploy verify` reports, in the order a packet meets them (others follow as found). */
  hops?: Hop[];
  /**
   * The address the plan gives a host, and the prefix it belongs to: one source of truth. A host
   * without ansible_host is reached there; an ansible_host inside that prefix that is another
   * address is refused with both (one outside it, a management path, stays the host's own).
   */
  hostAddress?: (plan: P, host: string) => PlannedAddress | undefined;
}

/** An address the plan gives a host (see Playbook.hostAddress). */
export interface PlannedAddress {
  address: string;
  /** The prefix it lies in (e.g. the home prefix): an ansible_host inside it must be this address. */
  prefix: string;
  /** Where the plan takes it from, for the message (e.g. "home_host_index 16"). */
  from?: string;
  /**
   * A first deploy: where the host is before it has its planned address. When the planned
   * address does not answer at the host's turn, `locate` (a POSIX sh script) runs on the host's
   * jump host (deploy_jump) and prints the address to reach it at from there (e.g. a link-local
   * address with its zone); `what` says how it is found, for the run's note and its errors.
   */
  bootstrap?: HostBootstrap;
}

/** Identity function that gives exact types to a playbook literal. */
export function definePlaybook<P = undefined>(playbook: Playbook<P>): Playbook<P> {
  return playbook;
}

/** A parameter that holds a secret: a Secret (from !env/!file/!secret or secret()) or a plain string. */
export const zSecret = z.union(
  [
    z.custom<Secret>((v) => isSecret(v), "expected a secret (!env, !file, !secret) or a string"),
    z
      .string()
      .min(1)
      .transform((s) => new SecretValue(s, "parameter")),
  ],
  {
    error: "expected a secret (!env NAME, !file PATH, !secret VALUE) or a non-empty text",
  },
);

export { z };
