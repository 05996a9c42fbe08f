import { parseArgs } from "node:util";
import { splitArgs } from "../transport/ssh-config.js";
import { InputError, type Problem } from "../errors.js";
import type { BecomeArgs } from "./become-options.js";
import type { VaultArgs } from "./vault-options.js";
import { type OptionTable, RUN_OPTIONS } from "./options.js";

export interface RunArgs {
  playbook: string;
  /** -i, as often as given (files or folders, merged in order); none: ansible.cfg's, else inventory/hosts.yaml. */
  inventories?: string[];
  vault: VaultArgs;
  become: BecomeArgs;
  check: boolean;
  diff: boolean;
  tags?: string[];
  skipTags?: string[];
  limit?: string;
  /** --forks, if given (default: ansible.cfg's forks, else 20). */
  forks?: number;
  json: boolean;
  verbose: number;
  acceptNewHostKeys: boolean;
  timeoutMs: number;
  lockTimeoutSeconds: number;
  /** Print what a run would touch, connect nowhere (as ansible-playbook --list-hosts / --list-tasks / --list-tags). */
  listHosts: boolean;
  listTasks: boolean;
  listTags: boolean;
  /** -e, as often as given: NAME=VALUE words, a JSON/YAML mapping, or @FILE. */
  extraVars: string[];
  /** -u and --private-key: above ansible.cfg's, below the inventory's ansible_user and key (as Ansible). */
  user?: string;
  privateKey?: string;
  /** --ssh-common-args and --ssh-extra-args, split as a shell would. */
  sshArgs?: string[];
  /** --start-at-task NAME, as Ansible's. */
  startAtTask?: string;
  /** --log FILE, else $DEPLOY_LOG: the run's lines, timestamped, appended to a 0600 file. */
  log?: string;
}

/** The command line parsed by Node's parseArgs; a word it cannot take is bad input (exit 3). */
export function parseCommandLine<O extends OptionTable>(
  args: string[],
  options: O,
  hint: string,
): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>> {
  try {
    return parseArgs({ args, allowPositionals: true, options });
  } catch (e) {
    throw new InputError([{ field: "command line", message: (e as Error).message, hint }]);
  }
}

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

export function parseRunArgs(argv: string[]): RunArgs {
  // -vvv counts as three -v
  const expanded = argv.flatMap((a) => (/^-v{2,}$/.test(a) ? Array(a.length - 1).fill("-v") : [a]));
  const parsed = parseCommandLine(expanded, RUN_OPTIONS, "deploy --help lists the options");
  const v = parsed.values;
  const problems: Problem[] = [];
  if (parsed.positionals.length !== 1)
    problems.push({
      field: "command line",
      message: parsed.positionals.length
        ? `one playbook expected, got ${parsed.positionals.join(" ")}`
        : "no playbook given",
      hint: "deploy playbooks/site.ts",
    });
  const forks = v.forks === undefined ? undefined : Number(v.forks);
  if (forks !== undefined && (!Number.isInteger(forks) || forks < 1))
    problems.push({ field: "--forks", message: `must be a whole number >= 1, not ${v.forks}` });
  const timeout = v.timeout === undefined ? 10 : Number(v.timeout);
  if (!(timeout > 0))
    problems.push({ field: "--timeout", message: `must be a positive number of seconds, not ${v.timeout}` });
  const lockTimeout = v["lock-timeout"] === undefined ? 0 : Number(v["lock-timeout"]);
  if (!(lockTimeout >= 0))
    problems.push({ field: "--lock-timeout", message: `must be a number of seconds >= 0, not ${v["lock-timeout"]}` });
  const sshArgs = sshArgsOf(v, problems);
  if (problems.length) throw new InputError(problems);
  return {
    sshArgs,
    startAtTask: v["start-at-task"],
    lockTimeoutSeconds: lockTimeout,
    playbook: parsed.positionals[0] ?? "",
    inventories: v.inventory,
    vault: {
      "vault-password-file": v["vault-password-file"],
      "vault-id": v["vault-id"],
      "ask-vault-pass": v["ask-vault-pass"],
    },
    become: { become: v.become, "become-user": v["become-user"], "ask-become-pass": v["ask-become-pass"] },
    check: !!v.check,
    diff: !!v.diff,
    tags: v.tags?.flatMap(list),
    skipTags: v["skip-tags"]?.flatMap(list),
    limit: v.limit,
    forks,
    json: !!v.json,
    verbose: v.verbose?.length ?? 0,
    acceptNewHostKeys: !!v["accept-new-host-keys"],
    timeoutMs: timeout * 1000,
    listHosts: !!v["list-hosts"],
    listTasks: !!v["list-tasks"],
    listTags: !!v["list-tags"],
    extraVars: v["extra-vars"] ?? [],
    user: v.user,
    privateKey: v["private-key"],
    log: v.log ?? (process.env.DEPLOY_LOG || undefined),
  };
}

/** --ssh-common-args and --ssh-extra-args as ssh arguments (as Ansible's: split as a shell would). */
export function sshArgsOf(v: Record<string, unknown>, problems: Problem[]): string[] | undefined {
  const out: string[] = [];
  for (const k of ["ssh-common-args", "ssh-extra-args"]) {
    const text = v[k];
    if (typeof text !== "string") continue;
    const words = splitArgs(text);
    if (words) out.push(...words);
    else problems.push({ field: `--${k}`, message: "has an unmatched quote", hint: "as a shell would read it" });
  }
  return out.length ? out : undefined;
}
