import type { Secret } from "../secrets.js";

export type VarValue = unknown;

export interface Host {
  name: string;
  /** Merged variables: all < parent groups < child groups < host, as in Ansible. */
  vars: Record<string, VarValue>;
  /** Every group the host is in, "all" included. */
  groups: string[];
  /** Where the host was first declared. */
  line?: number;
}

export interface Group {
  name: string;
  hosts: Set<string>;
  children: Set<string>;
  parents: Set<string>;
  vars: Record<string, VarValue>;
  line?: number;
}

export interface Inventory {
  file: string;
  hosts: Map<string, Host>;
  groups: Map<string, Group>;
  /** Where each variable was set, for messages: "host:var" or "group:var" -> line. */
  lines: Map<string, number>;
}

/** Connection settings of a host, validated. */
export interface ConnectionVars {
  host: string;
  port?: number;
  user?: string;
  privateKeyFile?: string;
  become: boolean;
  becomePassword?: Secret;
  jump?: string;
  knownHostsFile?: string;
  acceptNewHostKey: boolean;
  connection: "ssh" | "local";
}
