import { join } from "node:path";

/** Where the lab keeps its state; override with HCD_LAB_DIR (tests use their own). */
export function labDir(): string {
  return process.env.HCD_LAB_DIR ?? "/var/lib/homecloud-lab";
}

export const labPaths = {
  state: () => join(labDir(), "state.json"),
  key: () => join(labDir(), "id_ed25519"),
  knownHosts: () => join(labDir(), "known_hosts"),
  inventory: () => join(labDir(), "inventory.yaml"),
  host: (name: string) => join(labDir(), "hosts", name),
};

/** Short, unique names: interface names are limited to 15 characters. */
export const labNames = {
  netns: (host: string) => `hcd-${host}`,
  switchNs: () => "hcd-switch",
  mgmtBridge: () => "hcd-mgmt",
  mgmtVeth: (index: number) => `hcdm${index}`,
  linkVeth: (hostIndex: number, ifIndex: number) => `v${hostIndex}i${ifIndex}`,
  cgroup: (host: string) => `hcd-${host}`,
};
