import type { ScalarTag } from "yaml";

/**
 * YAML tags that mark secrets where they enter the inventory:
 *   password: !env HCD_VPN_PASSWORD     (from the environment)
 *   psk: !file ~/.config/homecloud/psk  (from a file outside git; first line)
 *   token: !secret s3cr3t               (inline, still masked everywhere)
 * The tag resolves to a placeholder; the loader turns it into a Secret with the line.
 */
export interface SecretRef {
  readonly __secretRef: "env" | "file" | "secret";
  readonly value: string;
}

export function isSecretRef(v: unknown): v is SecretRef {
  return typeof v === "object" && v !== null && "__secretRef" in v;
}

function tag(name: "env" | "file" | "secret"): ScalarTag {
  return {
    tag: `!${name}`,
    identify: () => false,
    resolve: (value: string): SecretRef => ({ __secretRef: name, value }),
    stringify: () => "********",
  } as unknown as ScalarTag;
}

export const secretTags: ScalarTag[] = [tag("env"), tag("file"), tag("secret")];

/** `!vault |` followed by an Ansible Vault text: opened by the loader with the run's vault passwords. */
export interface VaultRef {
  readonly __vaultRef: true;
  readonly text: string;
}

export function isVaultRef(v: unknown): v is VaultRef {
  return typeof v === "object" && v !== null && "__vaultRef" in v;
}

export const vaultTag: ScalarTag = {
  tag: "!vault",
  identify: () => false,
  resolve: (text: string): VaultRef => ({ __vaultRef: true, text }),
  stringify: () => "********",
} as unknown as ScalarTag;
