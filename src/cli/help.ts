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
  -f, --forks N            hosts converged at once (default 20)
      --json               one JSON document on stdout instead of progress
  -b, --become             run every host's scripts through sudo (as ansible_become: true)
      --become-user USER   sudo -u USER (default root; implies --become)
  -K, --ask-become-pass    ask the sudo password once, on the terminal (implies --become)
      --accept-new-host-keys  record keys of hosts seen for the first time (never a changed key)
      --timeout SECONDS    SSH connect timeout (default 10)
      --lock-timeout SECONDS  wait for a host that another run is converging (default: refuse)
  -v, -vv, -vvv            more output: ok tasks, progress, stack traces
  -h, --help               this text
  -V, --version            the version

Exit codes (bits, combined): 0 converged; 2 a task failed; 4 a host was unreachable;
8 (--check) something would change; 16 (verify) a check failed; 3 bad input, nothing was touched; 130 interrupted;
1 an internal error (a bug: -vvv shows the stack trace).
`;
