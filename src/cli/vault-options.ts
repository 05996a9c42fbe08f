import { InputError, type Problem } from "../errors.js";
import { passwordFromFile, type VaultKeys } from "../inventory/vault-keys.js";
import { Secret } from "../secrets.js";
import { askHidden } from "./prompt.js";
import type { AnsibleConfig } from "./ansible-cfg.js";

export interface VaultArgs {
  "vault-password-file"?: string[];
  "vault-id"?: string[];
  "ask-vault-pass"?: boolean;
}

/**
 * The run's vault passwords: --vault-id [LABEL@]FILE|prompt, --vault-password-file FILE (an
 * executable prints the password), --ask-vault-pass (a TTY), then ANSIBLE_VAULT_PASSWORD_FILE and
 * ansible.cfg's vault_password_file. Each password is a Secret from the moment it is read.
 */
export async function vaultKeysFrom(v: VaultArgs, cfg?: AnsibleConfig, env = process.env): Promise<VaultKeys> {
  const keys: VaultKeys = [];
  const problems: Problem[] = [];
  const fromFile = (path: string, field: string, label?: string) => {
    try {
      const password = passwordFromFile(path, label);
      if (!password) throw new Error("it is empty");
      new Secret(password, "vault password");
      keys.push({ label, password, from: `${label ? label + "@" : ""}${path}` });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      problems.push({ field, message: `cannot read the vault password from ${path}: ${err.code ?? err.message}` });
    }
  };
  for (const id of v["vault-id"] ?? []) {
    const at = id.indexOf("@");
    const [label, source] = at >= 0 ? [id.slice(0, at), id.slice(at + 1)] : [undefined, id];
    if (source === "prompt")
      keys.push({
        label,
        password: await vaultPrompt(`Vault password${label ? ` (${label})` : ""}: `, problems),
        from: `${label ? label + "@" : ""}prompt`,
      });
    else fromFile(source, "--vault-id", label);
  }
  for (const f of v["vault-password-file"] ?? []) fromFile(f, "--vault-password-file");
  if (v["ask-vault-pass"]) keys.push({ password: await vaultPrompt("Vault password: ", problems), from: "the prompt" });
  if (env.ANSIBLE_VAULT_PASSWORD_FILE) fromFile(env.ANSIBLE_VAULT_PASSWORD_FILE, "ANSIBLE_VAULT_PASSWORD_FILE");
  if (cfg?.vaultPasswordFile) fromFile(cfg.vaultPasswordFile, `${cfg.file} vault_password_file`);
  if (problems.length) throw new InputError(problems);
  return keys;
}

const vaultPrompt = (question: string, problems: Problem[]) =>
  askHidden(question, problems, {
    field: "--ask-vault-pass",
    message: "no terminal to ask the vault password on",
    hint: "give --vault-password-file FILE instead",
    label: "vault password",
  }).then((s) => s.reveal());
