/**
 * Secrets: values marked where they enter (inventory tags, environment, files, code).
 * A Secret never prints itself; every sink (reporter, --json, errors, diffs) also passes
 * text through `redact`, which masks every secret value created in this process.
 */
import { randomBytes } from "node:crypto";

const MASK = "********";
const MIN_MASKED = 3;
// Shared by every copy of this module in a process (the CLI from dist/, and a playbook of this
// repository importing src/ through the loader's hooks while src/ is newer than dist/):
// identity is a global brand, not a class.
const BRAND = Symbol.for("homecloud-deploy.Secret");
const REGISTRY = Symbol.for("homecloud-deploy.secrets");
const g = globalThis as unknown as Record<symbol, Set<string>>;
const known: Set<string> = (g[REGISTRY] ??= new Set<string>());

export class Secret {
  readonly #value: string;
  readonly label: string;
  readonly [BRAND] = true;
  constructor(value: string, label = "secret") {
    this.#value = value;
    this.label = label;
    // Masking one or two characters everywhere would garble all output; such values are still
    // never printed by the Secret itself, and roles refuse them where a password is expected.
    if (value.length >= MIN_MASKED) known.add(value);
  }
  /** The clear value: only for code that puts it where it belongs (stdin, a 0600 file). */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return MASK;
  }
  toJSON(): string {
    return MASK;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Secret(${this.label})`;
  }
}

export function secret(value: string, label?: string): Secret {
  return new Secret(value, label);
}

export function isSecret(v: unknown): v is Secret {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[BRAND] === true;
}

/** The clear text of a string or Secret. */
export function reveal(v: string | Secret): string {
  return typeof v === "string" ? v : v.reveal();
}

/** Whether a text holds a known secret value, raw or in one of the given encodings (e.g. shell-quoted). */
export function holdsSecret(text: string, encodings: Array<(s: string) => string> = []): boolean {
  for (const s of known) if (text.includes(s) || encodings.some((e) => text.includes(e(s)))) return true;
  return false;
}

/** Mask every known secret value inside a text (longest first, so overlaps mask fully). */
export function redact(text: string): string {
  if (known.size === 0 || !text) return text;
  let out = text;
  for (const s of [...known].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(MASK);
  }
  return out;
}

/**
 * Deep-copy a value for output with every Secret and every known secret value masked inside
 * each string (keys included), before it is encoded: in JSON text a value holding a quote or
 * a backslash appears escaped, where a search for the raw value would miss it.
 */
export function redactValue<T>(v: T): T {
  return redactDeep(JSON.parse(JSON.stringify(v) ?? "null")) as T;
}

function redactDeep(v: unknown): unknown {
  if (typeof v === "string") return redact(v);
  if (Array.isArray(v)) return v.map(redactDeep);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k), redactDeep(x)]));
  return v;
}

/** A random value the tool makes (a hub's admin password nobody asked for): a Secret from birth. */
export function randomSecret(bytes: number, label: string): Secret {
  return new Secret(randomBytes(bytes).toString("base64url"), label);
}

export const SECRET_MASK = MASK;
