import { z } from "zod";
import type { Problem } from "../errors.js";
import { isSecret, Secret } from "../secrets.js";
import { parseHostKeyPin } from "../transport/known-hosts.js";
import { splitArgs } from "../transport/ssh-config.js";
import type { HostKeyPin } from "../transport/target.js";
import type { Host, Inventory } from "./types.js";
import { issueProblems, varAt } from "./var-issues.js";

/** A user name sudo -u takes (a login name: letters, digits, _ . -). */
export const BECOME_USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;

const show = (x: unknown) => JSON.stringify(x);
/** Absent: not set, or set to null (YAML's `key:`). */
const opt = <T extends z.ZodType>(s: T) => z.preprocess((x) => (x === null ? undefined : x), s.optional());

const text = (k: string) =>
  z.preprocess(
    (x) => (typeof x === "number" ? String(x) : x),
    z
      .string({ error: `${k} must be a non-empty string` })
      .refine((s) => s.trim() !== "", { error: `${k} must be a non-empty string` }),
  );
const flag = (k: string) =>
  z.preprocess(
    (x) => (x === "true" ? true : x === "false" ? false : x),
    z.boolean({ error: (i) => `${k} must be true or false, not ${show(i.input)}` }),
  );
const secret = (k: string) =>
  z.custom<Secret | string>((x) => isSecret(x) || typeof x === "string", {
    error: `${k} must be a string or a secret (!env NAME)`,
  });
const wholeAny = (k: string, min: number) =>
  z.custom<number>((x) => typeof x === "number" && Number.isInteger(x) && x >= min, {
    error: (i) => `${k} must be a whole number of at least ${min}, not ${show(i.input)}`,
  });
const sshWords = (k: string) =>
  text(k).transform((s, ctx) => {
    const words = splitArgs(s);
    if (!words) ctx.addIssue({ code: "custom", message: `${k} has an unmatched quote` });
    return words ?? [];
  });
const notPin = (x: unknown) =>
  `${show(x)} is neither a public key ("ssh-ed25519 AAAA...") nor a fingerprint ("SHA256:...")`;
/** One key or fingerprint, or a list of them: each item named by its index when it is wrong. */
const pins = z.preprocess(
  (x) => (Array.isArray(x) ? x : [x]),
  z.array(
    z.string({ error: (i) => notPin(i.input) }).transform((s, ctx) => {
      const p = parseHostKeyPin(s);
      if (!p) ctx.addIssue({ code: "custom", message: notPin(s) });
      return p as HostKeyPin;
    }),
  ),
);

/**
 * The connection variables: Ansible's names we understand, and our own deploy_* keys. Each is
 * typed here, with the message a person reads; relations between them (an RTX needs its
 * passwords, a jump host must exist) are checked where the target is built.
 */
export const connectionVarsSchema = z.object({
  ansible_host: opt(text("ansible_host")),
  ansible_port: opt(
    z.preprocess(
      (x) => (typeof x === "string" && /^\d+$/.test(x) ? Number(x) : x),
      z.custom<number>((x) => typeof x === "number" && Number.isInteger(x) && x >= 1 && x <= 65535, {
        error: (i) => `ansible_port must be a whole number from 1 to 65535, not ${show(i.input)}`,
      }),
    ),
  ),
  ansible_user: opt(text("ansible_user")),
  ansible_ssh_private_key_file: opt(text("ansible_ssh_private_key_file")),
  ansible_ssh_common_args: opt(sshWords("ansible_ssh_common_args")),
  ansible_ssh_extra_args: opt(sshWords("ansible_ssh_extra_args")),
  ansible_become: opt(flag("ansible_become")),
  ansible_become_password: opt(secret("ansible_become_password")),
  ansible_become_pass: opt(secret("ansible_become_password")),
  ansible_become_method: opt(text("ansible_become_method")),
  ansible_become_user: opt(
    text("ansible_become_user").refine((u) => BECOME_USER.test(u), {
      error: (i) => `become user "${i.input}" is not a user name`,
    }),
  ),
  ansible_become_exe: opt(
    text("ansible_become_exe").refine((e) => /^[A-Za-z0-9_./-]+$/.test(e), {
      error: (i) => `"${i.input}" is not a command (a path or a name)`,
    }),
  ),
  ansible_connection: opt(
    text("ansible_connection").refine((c) => c === "ssh" || c === "rtx", {
      error: (i) => `connection "${i.input}" is not supported`,
    }),
  ),
  ansible_password: opt(secret("ansible_password")),
  ansible_python_interpreter: z.unknown().optional(), // harmless: we need no Python on hosts
  deploy_jump: opt(text("deploy_jump")),
  deploy_known_hosts_file: opt(text("deploy_known_hosts_file")),
  deploy_accept_new_host_key: opt(flag("deploy_accept_new_host_key")),
  deploy_host_key: opt(pins),
  deploy_timeout: opt(
    z.custom<number>((x) => typeof x === "number" && x > 0, {
      error: "deploy_timeout must be a positive number of seconds",
    }),
  ),
  deploy_server_alive_interval: opt(wholeAny("deploy_server_alive_interval", 0)),
  deploy_server_alive_count_max: opt(wholeAny("deploy_server_alive_count_max", 1)),
  deploy_ssh_persist: opt(wholeAny("deploy_ssh_persist", 0)),
});

export type ConnectionVars = z.output<typeof connectionVarsSchema>;

const KNOWN = new Set(Object.keys(connectionVarsSchema.shape));

const HINTS: Record<string, string> = {
  ansible_connection: "ssh (Linux hosts) or rtx (YAMAHA RTX routers)",
  ansible_ssh_common_args: "as a shell would read it",
  ansible_ssh_extra_args: "as a shell would read it",
  deploy_host_key: "the host's /etc/ssh/ssh_host_ed25519_key.pub, or the fingerprint your provider's console shows",
};

/** A host's connection variables, typed; every problem names its file, line and field. */
export function parseConnectionVars(inv: Inventory, h: Host): { vars?: ConnectionVars; problems: Problem[] } {
  const problems: Problem[] = [];
  for (const k of Object.keys(h.vars))
    if ((k.startsWith("ansible_") || k.startsWith("deploy_")) && !KNOWN.has(k))
      problems.push({
        ...varAt(inv, h, k),
        message: `unknown connection variable ${k}`,
        hint: `supported: ${[...KNOWN].join(", ")}`,
      });
  const r = connectionVarsSchema.safeParse(h.vars);
  if (r.success) return { vars: r.data, problems };
  problems.push(...issueProblems(inv, h, r.error.issues, (k) => HINTS[k]));
  // the rest is still read, so that every problem of the host is told at once
  const bad = new Set(r.error.issues.map((i) => String(i.path[0])));
  const rest = Object.fromEntries(Object.entries(h.vars).filter(([k]) => !bad.has(k)));
  return { vars: connectionVarsSchema.parse(rest), problems };
}

/** The become password, whichever of Ansible's two names set it, as a Secret. */
export function becomePasswordOf(v: ConnectionVars): Secret | undefined {
  const bp = v.ansible_become_password ?? v.ansible_become_pass;
  return bp === undefined ? undefined : isSecret(bp) ? bp : new Secret(bp, "ansible_become_password");
}

export function secretOf(x: Secret | string | undefined, name: string): Secret | undefined {
  return x === undefined ? undefined : isSecret(x) ? x : new Secret(x, name);
}
