export const HELP = `deploy: converge hosts over SSH to what a typed playbook declares

Usage:
  deploy PLAYBOOK.ts [options]           converge the hosts of the playbook
  deploy plan PLAYBOOK.ts [-i FILE]      print the derived address plan; connects nowhere
  deploy verify PLAYBOOK.ts [-i FILE] [--limit P] [--json] [-v]
                                         prove the site works, hop by hop; changes nothing
  deploy inventory [-i FILE] [--limit P] (--list | --host NAME | --graph [GROUP] | --list-hosts)
  deploy vault encrypt-string [--name VAR] --vault-password-file F < value
  deploy lab up [--topology plain|site] [--hosts N]
  deploy lab hosts | lab down | lab verify
  deploy lab exec HOST -- COMMAND...     run a command inside a lab host
  deploy init [DIR] [--vps-prefix P ...] write a project of your own (inventory, playbook), asked on a terminal
  deploy completion bash|zsh|fish        print a shell completion script (subcommands, options, hosts, tags)

Options:
  -i, --inventory SOURCE   Ansible-format YAML inventory, a file or a folder; several merge in order
                           (default: ansible.cfg's inventory, else inventory/hosts.yaml)
      --vault-password-file FILE  open Ansible Vault values (an executable prints the password)
      --vault-id [LABEL@]FILE|prompt, --ask-vault-pass
  -C, --check              read and plan only: change nothing anywhere
  -D, --diff               show file differences (secrets are never shown)
  -t, --tags A,B           only roles/tasks with these tags (a role's name is a tag)
      --skip-tags A,B      leave these out
  -l, --limit PATTERN      only these hosts or groups (vps, vps:homegw, all:!vms, vms[0], ~vm[12])
      --list-hosts         print the hosts each play would touch; connect nowhere
      --list-tasks         print each host's tasks too
      --list-tags          print each play's tags
      --start-at-task NAME start each host at the first task so named (NAME or "ROLE : NAME"; * matches)
  -e, --extra-vars VARS    NAME=VALUE ..., a JSON/YAML mapping, or @FILE: above every inventory variable
  -u, --user USER          log in as USER where the inventory sets no ansible_user (above ansible.cfg)
      --private-key FILE   the SSH key where the inventory sets none (above ansible.cfg)
      --ssh-common-args=ARGS, --ssh-extra-args=ARGS  more ssh options for every host
                           (e.g. --ssh-common-args="-F ~/.ssh/config.work"; our host-key policy stays)
  -f, --forks N            hosts converged at once (default 20)
      --json               one JSON document on stdout instead of progress
      --log FILE           also append every line of the run, timestamped, to FILE (0600; or $DEPLOY_LOG)
  -b, --become             run every host's scripts through sudo (as ansible_become: true)
      --become-user USER   sudo -u USER (default root; implies --become)
  -K, --ask-become-pass    ask the sudo password once, on the terminal (implies --become)
      --accept-new-host-keys  record keys of hosts seen for the first time (never a changed key)
      --timeout SECONDS    SSH connect timeout (default 10)
      --lock-timeout SECONDS  wait for a host that another run is converging (default: refuse)
  -v, -vv, -vvv            more output: ok tasks, progress, stack traces
  -h, --help               this text; deploy SUBCOMMAND --help (or deploy help SUBCOMMAND) for one
  -V, --version            the version

Colour: NO_COLOR=1 turns it off, FORCE_COLOR=1 on; TERM=dumb gets neither colour nor the live display.

Exit codes (bits, combined): 0 converged; 2 a task failed; 4 a host was unreachable;
8 (--check) something would change; 16 (verify) a check failed; 3 bad input, nothing was touched; 130 interrupted;
1 an internal error (a bug: -vvv shows the stack trace).
`;

/** Each subcommand's own help: `deploy SUB --help`, `deploy help SUB`. */
export const SUB_HELP: Record<string, string> = {
  plan: `usage: deploy plan PLAYBOOK.ts [-i SOURCE]... [--json] [--html FILE] [--vault-password-file F]

Print the address plan the playbook derives from the inventory, validated; connects nowhere.
The plan is the whole site's: there is no --limit.

  -i, --inventory SOURCE   the inventory (default: ansible.cfg's, else inventory/hosts.yaml)
  -e, --extra-vars VARS    NAME=VALUE ..., a JSON/YAML mapping, or @FILE: above every inventory variable
      --json               the plan as one JSON document
      --html FILE          draw the site as a picture (one self-contained HTML file, printable)
      --vault-password-file FILE, --vault-id [LABEL@]FILE|prompt, --ask-vault-pass
  -h, --help               this text
`,
  verify: `usage: deploy verify PLAYBOOK.ts [-i SOURCE]... [--limit PATTERN] [--json] [-v]

Prove the site works, hop by hop, with the checks the playbook and its roles declare; changes
nothing. Exit 0 when every check passed, 16 when one failed, 4 when a host was unreachable.

  -i, --inventory SOURCE   the inventory (default: ansible.cfg's, else inventory/hosts.yaml)
  -l, --limit PATTERN      only these hosts' checks
  -e, --extra-vars VARS    NAME=VALUE ..., a JSON/YAML mapping, or @FILE: above every inventory variable
      --json               one JSON document (every check, its evidence, the first failing hop)
      --html FILE          also draw the site with every hop coloured pass, fail or skip (one HTML file)
  -v                       the evidence of passing checks too
      --timeout SECONDS    SSH connect timeout (default 10)
      --accept-new-host-keys  record keys of hosts seen for the first time
      --ssh-common-args=ARGS, --ssh-extra-args=ARGS  more ssh options for every host
  -b, --become, --become-user USER, -K, --ask-become-pass
      --vault-password-file FILE, --vault-id [LABEL@]FILE|prompt, --ask-vault-pass
  -h, --help               this text
`,
  inventory: `usage: deploy inventory [-i SOURCE]... [--limit PATTERN] [--playbook-dir DIR]
                        (--list | --host NAME | --graph [GROUP] | --list-hosts)

What an inventory means, as ansible-inventory shows it; connects nowhere.

  -i, --inventory SOURCE   the inventory, a file or a folder; several merge in order
  -l, --limit PATTERN      only these hosts or groups
      --list               every group and host with its merged variables (JSON)
      --host NAME          one host's merged variables (JSON)
      --graph [GROUP]      the group tree
      --list-hosts         the hosts, one a line
      --playbook-dir DIR   where group_vars/host_vars beside a playbook are read
      --vault-password-file FILE, --vault-id [LABEL@]FILE|prompt, --ask-vault-pass
  -h, --help               this text
`,
  vault: `usage: deploy vault encrypt-string [--name VAR] (--vault-password-file F | --vault-id LABEL@F | --ask-vault-pass) < value

An Ansible Vault value (format 1.1, or 1.2 with a vault id) for an inventory or a vars file, from
the text on stdin (it never travels in argv).

      --name VAR           print it as "VAR: !vault |" for a YAML file
  -h, --help               this text
`,
  lab: `usage: deploy lab up [--topology plain|site] [--hosts N]
       deploy lab hosts | lab down | lab verify [--json] [-v]
       deploy lab exec HOST -- COMMAND...

Lab hosts: real systemd in network namespaces on this machine (root). The site topology is the
whole site (inet, upstream, vps, homegw, vm1-vm4); lab verify is deploy verify plus a timed
restart of vpnserver on the VPS.

  -h, --help               this text
`,
};
