import type { Inventory } from "../inventory/types.js";
import { loadInventory, type LoadOptions } from "../inventory/load.js";
import { forPerson } from "../output/sink.js";
import { loadAnsibleConfig, type AnsibleConfig } from "./ansible-cfg.js";
import { vaultKeysFrom, type VaultArgs } from "./vault-options.js";

/**
 * The inventory as every command reads it: the -i sources (else ansible.cfg's inventory, else
 * inventory/hosts.yaml) with the vault passwords the options and ansible.cfg give.
 */
export async function projectInventory(
  inventories: string[] | undefined,
  vault: VaultArgs,
  opts: Omit<LoadOptions, "vault">,
): Promise<{ inventory: Inventory; cfg?: AnsibleConfig }> {
  const cfg = loadAnsibleConfig();
  if (cfg?.warning) process.stderr.write(forPerson(`warning: ${cfg.warning}`) + "\n");
  const keys = await vaultKeysFrom(vault, cfg);
  return {
    inventory: loadInventory(inventories ?? cfg?.inventory ?? ["inventory/hosts.yaml"], { ...opts, vault: keys }),
    cfg,
  };
}
