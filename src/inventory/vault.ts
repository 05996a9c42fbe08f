import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Ansible Vault, format 1.1 and 1.2 (with a vault id), with Node's crypto as the format defines:
 * a 32-byte salt; PBKDF2-HMAC-SHA256 over the password, 10000 rounds, 80 bytes: the AES key,
 * the HMAC key and the counter block; the text PKCS#7-padded and encrypted with AES-256-CTR;
 * an HMAC-SHA256 of the ciphertext. The envelope is
 *   $ANSIBLE_VAULT;1.1;AES256            (or $ANSIBLE_VAULT;1.2;AES256;LABEL)
 * then, in lines of 80, the hex of "hex(salt)\nhex(hmac)\nhex(ciphertext)".
 */
export interface VaultEnvelope {
  version: "1.1" | "1.2";
  label?: string;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

export class VaultFormatError extends Error {}

export function isVaultText(text: string): boolean {
  return text.trimStart().startsWith("$ANSIBLE_VAULT;");
}

export function parseVault(text: string): VaultEnvelope {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim());
  const head = (lines[0] ?? "").split(";");
  if (head[0] !== "$ANSIBLE_VAULT" || (head[1] !== "1.1" && head[1] !== "1.2") || head[2] !== "AES256")
    throw new VaultFormatError(`not a vault this tool can open: "${lines[0]}" (want $ANSIBLE_VAULT;1.1 or 1.2;AES256)`);
  const body = lines.slice(1).join("");
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(body)) throw new VaultFormatError("the vault's body is not hexadecimal");
  const parts = Buffer.from(body, "hex").toString("latin1").split("\n");
  if (parts.length !== 3 || !parts.every((p) => /^(?:[0-9a-f]{2})+$/i.test(p)))
    throw new VaultFormatError("the vault's body does not hold a salt, an HMAC and a ciphertext");
  const [salt, hmac, ciphertext] = parts.map((p) => Buffer.from(p, "hex")) as [Buffer, Buffer, Buffer];
  return { version: head[1] as "1.1" | "1.2", label: head[1] === "1.2" ? head[3] : undefined, salt, hmac, ciphertext };
}

function keys(password: string, salt: Buffer): { key: Buffer; hmacKey: Buffer; iv: Buffer } {
  const d = pbkdf2Sync(Buffer.from(password, "utf8"), salt, 10000, 80, "sha256");
  return { key: d.subarray(0, 32), hmacKey: d.subarray(32, 64), iv: d.subarray(64, 80) };
}

/** The clear text, or undefined when the password is not the one (or the vault was tampered with). */
export function decryptVault(env: VaultEnvelope, password: string): string | undefined {
  const { key, hmacKey, iv } = keys(password, env.salt);
  const mac = createHmac("sha256", hmacKey).update(env.ciphertext).digest();
  if (mac.length !== env.hmac.length || !timingSafeEqual(mac, env.hmac)) return undefined;
  const d = createDecipheriv("aes-256-ctr", key, iv);
  const padded = Buffer.concat([d.update(env.ciphertext), d.final()]);
  const pad = padded[padded.length - 1];
  if (!pad || pad > 16 || padded.length < pad) return undefined;
  return padded.subarray(0, padded.length - pad).toString("utf8");
}

export function encryptVault(plaintext: string, password: string, label?: string): string {
  const salt = randomBytes(32);
  const { key, hmacKey, iv } = keys(password, salt);
  const data = Buffer.from(plaintext, "utf8");
  const pad = 16 - (data.length % 16);
  const c = createCipheriv("aes-256-ctr", key, iv);
  const ciphertext = Buffer.concat([c.update(Buffer.concat([data, Buffer.alloc(pad, pad)])), c.final()]);
  const hmac = createHmac("sha256", hmacKey).update(ciphertext).digest();
  const body = Buffer.from(
    [salt.toString("hex"), hmac.toString("hex"), ciphertext.toString("hex")].join("\n"),
    "latin1",
  ).toString("hex");
  const head = label ? `$ANSIBLE_VAULT;1.2;AES256;${label}` : "$ANSIBLE_VAULT;1.1;AES256";
  return [head, ...(body.match(/.{1,80}/g) ?? [])].join("\n") + "\n";
}
