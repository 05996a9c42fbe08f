import { InputError, type Problem } from "../errors.js";
import { passwordFromFile, type VaultKeys } from "../inventory/vault-keys.js";
import { Secret } from "../secrets.js";
import type { AnsibleConfig } from "./ansible-cfg.js";

/** The vault options, as ansible-playbook has them. */
export const VAULT_OPTIONS = {
  "vault-password-file": { type: "string", multiple: true },
  "vault-id": { type: "string", multiple: true },
  "ask-vault-pass": { type: "boolean" },
} as const;

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
        password: await prompt(`Vault password${label ? ` (${label})` : ""}: `, problems),
        from: `${label ? label + "@" : ""}prompt`,
      });
    else fromFile(source, "--vault-id", label);
  }
  for (const f of v["vault-password-file"] ?? []) fromFile(f, "--vault-password-file");
  if (v["ask-vault-pass"]) keys.push({ password: await prompt("Vault password: ", problems), from: "the prompt" });
  if (env.ANSIBLE_VAULT_PASSWORD_FILE) fromFile(env.ANSIBLE_VAULT_PASSWORD_FILE, "ANSIBLE_VAULT_PASSWORD_FILE");
  if (cfg?.vaultPasswordFile) fromFile(cfg.vaultPasswordFile, `${cfg.file} vault_password_file`);
  if (problems.length) throw new InputError(problems);
  return keys;
}

/** Ask on the terminal without echo; no terminal is a refusal, not a hang. */
async function prompt(question: string, problems: Problem[]): Promise<string> {
  if (!process.stdin.isTTY) {
    problems.push({
      field: "--ask-vault-pass",
      message: "no terminal to ask the vault password on",
      hint: "give --vault-password-file FILE instead",
    });
    return "";
  }
  process.stderr.write(question);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  const answer = await new Promise<string>((resolve) => {
    let text = "";
    const onData = (d: Buffer) => {
      for (const c of d.toString("utf8")) {
        if (c === "\r" || c === "\n") return done(text);
        if (c === "\u0003") return done(undefined);
        if (c === "\u007f") text = text.slice(0, -1);
        else text += c;
      }
    };
    const done = (t: string | undefined) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (t === undefined) process.exit(130);
      resolve(t);
    };
    stdin.on("data", onData);
  });
  new Secret(answer, "vault password");
  return answer;
}
