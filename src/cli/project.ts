import type { Inventory } from "../inventory/types.js";
import { loadInventory, type LoadOptions } from "../inventory/load.js";
import { forPerson } from "../output/sink.js";
import { loadAnsibleConfig, type AnsibleConfig } from "./ansible-cfg.js";
import { vaultKeysFrom, type VaultArgs } from "./vault-options.js";
import { parseExtraVars, withExtraVars } from "../inventory/extra-vars.js";

/**
 * The inventory as every command reads it: the -i sources (else ansible.cfg's inventory, else
 * inventory/hosts.yaml) with the vault passwords the options and ansible.cfg give.
 */
export async function projectInventory(
  inventories: string[] | undefined,
  vault: VaultArgs,
  opts: Omit<LoadOptions, "vault"> & { extraVars?: string[] },
): Promise<{ inventory: Inventory; cfg?: AnsibleConfig }> {
  const cfg = loadAnsibleConfig();
  if (cfg?.warning) process.stderr.write(forPerson(`warning: ${cfg.warning}`) + "\n");
  const keys = await vaultKeysFrom(vault, cfg);
  const { extraVars, ...load } = opts;
  // -e: above every inventory variable, as in Ansible (read first: a bad one touches nothing)
  const extra = parseExtraVars(extraVars ?? []);
  const inv = loadInventory(inventories ?? cfg?.inventory ?? ["inventory/hosts.yaml"], { ...load, vault: keys });
  return { inventory: withExtraVars(inv, extra), cfg };
}
