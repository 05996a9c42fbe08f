import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { decryptVault, parseVault, type VaultEnvelope, VaultFormatError } from "./vault.js";

/** The vault passwords of a run, each with the vault id it was given for (if any). */
export type VaultKeys = Array<{ label?: string; password: string; from: string }>;

/**
 * Open a vault text with the run's passwords: the one given for its vault id first (format 1.2),
 * then every other, as Ansible tries them.
 */
export function openVault(
  text: string,
  keys: VaultKeys | undefined,
): { text: string } | { error: string; hint?: string; kind: "no-password" | "wrong" | "format" } {
  let env: VaultEnvelope;
  try {
    env = parseVault(text);
  } catch (e) {
    if (e instanceof VaultFormatError)
      return { error: `not a vault value this tool can open: ${e.message}`, kind: "format" };
    throw e;
  }
  if (!keys?.length)
    return {
      error: `an Ansible Vault value${env.label ? ` (vault id ${env.label})` : ""} and no vault password to open it`,
      hint: "give --vault-password-file FILE, --vault-id [LABEL@]FILE, --ask-vault-pass or ANSIBLE_VAULT_PASSWORD_FILE",
      kind: "no-password",
    };
  const ordered = [...keys.filter((k) => k.label === env.label), ...keys.filter((k) => k.label !== env.label)];
  for (const k of ordered) {
    const clear = decryptVault(env, k.password);
    if (clear !== undefined) return { text: clear };
  }
  return {
    error: `no vault password given opens this value${env.label ? ` (vault id ${env.label})` : ""}: tried ${keys.map((k) => k.from).join(", ")}`,
    hint: "a wrong password, or the value was changed since it was encrypted",
    kind: "wrong",
  };
}

/**
 * A password from a file, as Ansible reads one: an executable file is run and prints it (a
 * "client" script is asked for a vault id with --vault-id), any other file holds it (trimmed).
 */
export function passwordFromFile(path: string, label?: string): string {
  let executable = false;
  try {
    accessSync(path, constants.X_OK);
    executable = !readFileSync(path, "latin1").startsWith("$ANSIBLE_VAULT");
  } catch {
    executable = false;
  }
  if (executable) {
    const args = /-client(\.\w+)?$/.test(path) && label ? ["--vault-id", label] : [];
    const r = spawnSync(path, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (r.status !== 0)
      throw new Error(
        `vault password script ${path} failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? "").trim().split("\n")[0]}`,
      );
    return r.stdout.replace(/^[\r\n]+|[\r\n]+$/g, "");
  }
  return readFileSync(path, "utf8").trim();
}
