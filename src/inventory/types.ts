export type VarValue = unknown;

/** Where a value was set: a file and, when known, its line. */
export interface Origin {
  file: string;
  line?: number;
}

export interface Host {
  name: string;
  /** Merged variables with Ansible's precedence (inventory groups, group_vars, host, host_vars). */
  vars: Record<string, VarValue>;
  /** For each variable, the owner whose value won ("group web", "host vm1", "file /p/group_vars/all.yml"). */
  origins: Map<string, string>;
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
  /** The first source (for messages); `sources` lists them all. */
  file: string;
  sources: string[];
  hosts: Map<string, Host>;
  groups: Map<string, Group>;
  /** Where each variable (and each key inside one) was set: "host vm1:site.dns[0]", "group all:x", "file P:x". */
  where: Map<string, Origin>;
  /** The variables of group all as every host starts from them (inventory, then group_vars/all files). */
  allVars: Record<string, VarValue>;
  allOrigins: Map<string, string>;
}

/** Where a host's variable (or a key inside it: "site.dns[1]") was set. */
export function originOf(inv: Inventory, owner: { origins: Map<string, string> }, path: string): Origin | undefined {
  const top = path.split(/[.[]/)[0] ?? path;
  const who = owner.origins.get(top);
  if (!who) return undefined;
  return (
    inv.where.get(`${who}:${path}`) ??
    inv.where.get(`${who}:${path.replace(/\[[^\]]*\]$/, "")}`) ??
    inv.where.get(`${who}:${top}`)
  );
}
