import { parseCommandLine } from "./args.js";
import { InputError } from "../errors.js";
import { encryptVault } from "../inventory/vault.js";
import { Secret } from "../secrets.js";
import { loadAnsibleConfig } from "./ansible-cfg.js";
import { vaultKeysFrom } from "./vault-options.js";
import { VAULT_COMMAND_OPTIONS } from "./options.js";

const USAGE =
  "deploy vault encrypt-string [--name VAR] (--vault-password-file F | --vault-id LABEL@F | --ask-vault-pass) < value";

/**
 * `deploy vault encrypt-string`: an Ansible Vault value (format 1.1, or 1.2 with a vault id) for
 * an inventory or a vars file, from the text on stdin; the text never travels in argv.
 */
export async function vaultCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, VAULT_COMMAND_OPTIONS, USAGE);
  if (parsed.positionals.join(" ") !== "encrypt-string")
    throw new InputError([{ field: "command line", message: "the vault command is encrypt-string", hint: USAGE }]);
  const keys = await vaultKeysFrom(parsed.values, loadAnsibleConfig());
  if (keys.length !== 1)
    throw new InputError([
      {
        field: "--vault-id",
        message: keys.length ? "give one vault password to encrypt with, not several" : "no vault password given",
        hint: USAGE,
      },
    ]);
  if (process.stdin.isTTY) process.stderr.write("the value to encrypt, then Ctrl-D:\n");
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  if (!text) throw new InputError([{ field: "stdin", message: "nothing to encrypt: give the value on stdin" }]);
  new Secret(text, "value to encrypt");
  const vault = encryptVault(text, keys[0]!.password, keys[0]!.label);
  const block = `!vault |\n${vault.trimEnd().replace(/^/gm, "          ")}\n`;
  process.stdout.write(parsed.values.name ? `${parsed.values.name}: ${block}` : block);
  return 0;
}
