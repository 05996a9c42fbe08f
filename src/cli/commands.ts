// The deploy command as one declarative table: each subcommand's usage, description and options.
// Parsing (each command reads its own table), help (src/cli/help.ts) and shell completion
// (src/cli/completion.ts) all come from it. The code of a command is loaded only when it runs,
// so `deploy --help` stays fast.
import type { CommandSpec } from "./command-spec.js";
import {
  INVENTORY_COMMAND_OPTIONS,
  LAB_OPTIONS,
  PLAN_OPTIONS,
  RUN_OPTIONS,
  VAULT_COMMAND_OPTIONS,
  VERIFY_OPTIONS,
} from "./options.js";

export const RUN: CommandSpec = {
  name: "",
  usage: ["PLAYBOOK.ts [options]"],
  summary: "converge the hosts of the playbook",
  options: RUN_OPTIONS,
  run: async (argv) => (await import("./run.js")).runCommand(argv),
};

export const LIBRARY_COMMANDS: CommandSpec[] = [
  RUN,
  {
    name: "plan",
    usage: ["plan PLAYBOOK.ts [-i SOURCE]... [--json] [--html FILE]"],
    summary: "print the derived address plan; connects nowhere",
    about:
      "Print the address plan the playbook derives from the inventory, validated; connects nowhere.\nThe plan is the whole site's: there is no --limit.",
    options: PLAN_OPTIONS,
    run: async (argv) => (await import("./plan.js")).planCommand(argv),
  },
  {
    name: "verify",
    usage: ["verify PLAYBOOK.ts [-i SOURCE]... [--limit PATTERN] [--json] [--html FILE] [-v]"],
    summary: "prove the site works, hop by hop; changes nothing",
    about:
      "Prove the site works, hop by hop, with the checks the playbook and its roles declare; changes\nnothing. Exit 0 when every check passed, 16 when one failed, 4 when a host was unreachable.",
    options: VERIFY_OPTIONS,
    run: async (argv) => (await import("./verify.js")).verifyCommand(argv),
  },
  {
    name: "inventory",
    usage: ["inventory [-i SOURCE]... [--limit PATTERN] (--list | --host NAME | --graph [GROUP] | --list-hosts)"],
    summary: "what an inventory means, as ansible-inventory shows it",
    about: "What an inventory means, as ansible-inventory shows it; connects nowhere.",
    options: INVENTORY_COMMAND_OPTIONS,
    run: async (argv) => (await import("./inventory.js")).inventoryCommand(argv),
  },
  {
    name: "vault",
    usage: [
      "vault encrypt-string [--name VAR] (--vault-password-file F | --vault-id LABEL@F | --ask-vault-pass) < value",
    ],
    summary: "an Ansible Vault value from stdin",
    about:
      "An Ansible Vault value (format 1.1, or 1.2 with a vault id) for an inventory or a vars file, from\nthe text on stdin (it never travels in argv).",
    options: VAULT_COMMAND_OPTIONS,
    run: async (argv) => (await import("./vault.js")).vaultCommand(argv),
  },
  {
    name: "lab",
    usage: [
      "lab up [--topology plain] [--hosts N]",
      "lab hosts | lab down | lab verify [--json] [-v]",
      "lab exec HOST -- COMMAND...",
    ],
    summary: "lab hosts on this machine (root): up, hosts, exec, verify, down",
    about: "Lab hosts: real systemd in network namespaces on this machine (root).",
    options: LAB_OPTIONS,
    passThrough: true,
    run: async (argv) => (await import("./lab.js")).labCommand(argv),
  },
  {
    name: "completion",
    usage: ["completion bash|zsh|fish"],
    summary: "print a shell completion script (subcommands, options, hosts, tags)",
    about:
      "A completion script for the shell: subcommands, each one's options, the inventory's hosts and\ngroups after --limit, the playbook's tags after --tags. bash: eval \"$(deploy completion bash)\".",
    options: {},
    run: async (argv, all) => (await import("./completion.js")).completionCommand(argv, all),
  },
  {
    name: "__complete",
    usage: ["__complete hosts|tags ..."],
    summary: "what the completion offers",
    options: {},
    hidden: true,
    passThrough: true,
    run: async (argv) => (await import("./complete-values.js")).completeValues(argv),
  },
];

/** A table with some commands added or replaced (by name), in the order of `base` then the new ones. */
export function withCommands(base: CommandSpec[], more: CommandSpec[]): CommandSpec[] {
  const byName = new Map(more.map((c) => [c.name, c]));
  return [...base.map((c) => byName.get(c.name) ?? c), ...more.filter((c) => !base.some((b) => b.name === c.name))];
}

export type { CommandSpec };
