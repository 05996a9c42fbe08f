// The command line's options, each once: what Node's parseArgs reads (type, short, multiple) and
// what a person reads (arg, help). Help texts and shell completion are generated from these
// objects (src/cli/commands.ts), so an option cannot be parsed without being documented.

/** One option: parseArgs's fields, plus its help line and what completion offers after it. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** The value's name in the help (FILE, PATTERN, ...); a string option without one shows nothing. */
  arg?: string;
  /** The help text; further lines (after "\n") are indented under the first. */
  help: string;
  /** Completion: a file name, the inventory's hosts and groups, or the playbook's tags. */
  complete?: "file" | "hosts" | "tags";
  /** Written `--name=VALUE` in the help (a value that begins with a dash would read as an option). */
  joined?: boolean;
}

export type OptionTable = Record<string, OptionSpec>;

/** Options as a literal table: the parseArgs types of each entry stay known to the command that reads them. */
export const options = <T extends OptionTable>(t: T): T => t;

export const INVENTORY = options({
  inventory: {
    type: "string",
    short: "i",
    multiple: true,
    arg: "SOURCE",
    complete: "file",
    help: "Ansible-format YAML inventory, a file or a folder; several merge in order\n(default: ansible.cfg's inventory, else inventory/hosts.yaml)",
  },
});

export const VAULT_OPTIONS = options({
  "vault-password-file": {
    type: "string",
    multiple: true,
    arg: "FILE",
    complete: "file",
    help: "open Ansible Vault values (an executable prints the password)",
  },
  "vault-id": { type: "string", multiple: true, arg: "[LABEL@]FILE|prompt", help: "a labelled vault password" },
  "ask-vault-pass": { type: "boolean", help: "ask the vault password on the terminal" },
});

export const BECOME_OPTIONS = options({
  become: { type: "boolean", short: "b", help: "run every host's scripts through sudo (as ansible_become: true)" },
  "become-user": { type: "string", arg: "USER", help: "sudo -u USER (default root; implies --become)" },
  "ask-become-pass": {
    type: "boolean",
    short: "K",
    help: "ask the sudo password once, on the terminal (implies --become)",
  },
});

export const EXTRA_VARS = options({
  "extra-vars": {
    type: "string",
    short: "e",
    multiple: true,
    arg: "VARS",
    complete: "file",
    help: "NAME=VALUE ..., a JSON/YAML mapping, or @FILE: above every inventory variable",
  },
});

export const LIMIT = options({
  limit: {
    type: "string",
    short: "l",
    arg: "PATTERN",
    complete: "hosts",
    help: "only these hosts or groups (vps, vps:homegw, all:!vms, vms[0], ~vm[12])",
  },
});

/** How hosts are reached: the run's and verify's. */
export const CONNECTION_OPTIONS = options({
  "accept-new-host-keys": {
    type: "boolean",
    help: "record keys of hosts seen for the first time (never a changed key)",
  },
  timeout: { type: "string", arg: "SECONDS", help: "SSH connect timeout (default 10)" },
  "ssh-common-args": {
    type: "string",
    arg: "ARGS",
    joined: true,
    help: 'more ssh options for every host\n(e.g. --ssh-common-args="-F ~/.ssh/config.work"; our host-key policy stays)',
  },
  "ssh-extra-args": { type: "string", arg: "ARGS", joined: true, help: "more ssh options, after the common ones" },
});

export const JSON_OPTION = options({ json: { type: "boolean", help: "one JSON document on stdout" } });
export const VERBOSE = options({
  verbose: { type: "boolean", short: "v", multiple: true, help: "more output: -v, -vv, -vvv" },
});

/** The playbook run's own (besides inventory, vault, become, connection). */
export const RUN_OPTIONS = options({
  ...INVENTORY,
  ...VAULT_OPTIONS,
  check: { type: "boolean", short: "C", help: "read and plan only: change nothing anywhere" },
  diff: { type: "boolean", short: "D", help: "show file differences (secrets are never shown)" },
  tags: {
    type: "string",
    short: "t",
    multiple: true,
    arg: "A,B",
    complete: "tags",
    help: "only roles/tasks with these tags (a role's name is a tag)",
  },
  "skip-tags": { type: "string", multiple: true, arg: "A,B", complete: "tags", help: "leave these out" },
  ...LIMIT,
  "list-hosts": { type: "boolean", help: "print the hosts each play would touch; connect nowhere" },
  "list-tasks": { type: "boolean", help: "print each host's tasks too" },
  "list-tags": { type: "boolean", help: "print each play's tags" },
  "start-at-task": {
    type: "string",
    arg: "NAME",
    help: 'start each host at the first task so named (NAME or "ROLE : NAME"; * matches)',
  },
  ...EXTRA_VARS,
  user: {
    type: "string",
    short: "u",
    arg: "USER",
    help: "log in as USER where the inventory sets no ansible_user (above ansible.cfg)",
  },
  "private-key": {
    type: "string",
    arg: "FILE",
    complete: "file",
    help: "the SSH key where the inventory sets none (above ansible.cfg)",
  },
  ...CONNECTION_OPTIONS,
  forks: { type: "string", short: "f", arg: "N", help: "hosts converged at once (default 20)" },
  json: { type: "boolean", help: "one JSON document on stdout instead of progress" },
  log: {
    type: "string",
    arg: "FILE",
    complete: "file",
    help: "also append every line of the run, timestamped, to FILE (0600; or $DEPLOY_LOG)",
  },
  ...BECOME_OPTIONS,
  "lock-timeout": {
    type: "string",
    arg: "SECONDS",
    help: "wait for a host that another run is converging (default: refuse)",
  },
  ...VERBOSE,
});

export const PLAN_OPTIONS = options({
  ...INVENTORY,
  ...EXTRA_VARS,
  json: { type: "boolean", help: "the plan as one JSON document" },
  html: {
    type: "string",
    arg: "FILE",
    complete: "file",
    help: "draw the site as a picture (one self-contained HTML file, printable)",
  },
  ...VAULT_OPTIONS,
});

export const VERIFY_OPTIONS = options({
  ...INVENTORY,
  limit: { ...LIMIT.limit, help: "only these hosts' checks" },
  ...EXTRA_VARS,
  json: { type: "boolean", help: "one JSON document (every check, its evidence, the first failing hop)" },
  html: {
    type: "string",
    arg: "FILE",
    complete: "file",
    help: "also draw the site with every hop coloured pass, fail or skip (one HTML file)",
  },
  verbose: { type: "boolean", short: "v", multiple: true, help: "the evidence of passing checks too" },
  ...CONNECTION_OPTIONS,
  ...BECOME_OPTIONS,
  ...VAULT_OPTIONS,
});

export const INVENTORY_COMMAND_OPTIONS = options({
  ...INVENTORY,
  ...LIMIT,
  list: { type: "boolean", help: "every group and host with its merged variables (JSON)" },
  host: { type: "string", arg: "NAME", complete: "hosts", help: "one host's merged variables (JSON)" },
  graph: { type: "boolean", help: "the group tree (of GROUP, the first word after the options)" },
  "list-hosts": { type: "boolean", help: "the hosts, one a line" },
  "playbook-dir": {
    type: "string",
    arg: "DIR",
    complete: "file",
    help: "where group_vars/host_vars beside a playbook are read",
  },
  ...VAULT_OPTIONS,
});

export const VAULT_COMMAND_OPTIONS = options({
  name: { type: "string", arg: "VAR", help: 'print it as "VAR: !vault |" for a YAML file' },
  ...VAULT_OPTIONS,
});

export const LAB_OPTIONS = options({
  topology: { type: "string", arg: "NAME", help: "lab up: which lab (plain, or the site's)" },
  hosts: { type: "string", arg: "N", help: "lab up --topology plain: how many hosts (default 3)" },
  json: { type: "boolean", help: "lab verify: one JSON document" },
  verbose: { type: "boolean", short: "v", multiple: true, help: "lab verify: the evidence of passing checks too" },
  reboots: {
    type: "boolean",
    help: "lab verify: also reboot each host in turn (no deploy) and time until the VMs answer again",
  },
});
