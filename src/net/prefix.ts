import { Address4, Address6 } from "ip-address";

export interface Prefix6 {
  text: string; // canonical "addr/len"
  network: bigint;
  length: number;
}

export interface Prefix4 {
  text: string;
  address: bigint; // the address as written (host part kept)
  network: bigint;
  length: number;
}

const ALL6 = (1n << 128n) - 1n;
const ALL4 = (1n << 32n) - 1n;

export const hostMask6 = (len: number) => (1n << BigInt(128 - len)) - 1n;
export const hostMask4 = (len: number) => (1n << BigInt(32 - len)) - 1n;

export function addr6(text: string): bigint | undefined {
  if (typeof text !== "string" || text.includes("/") || !Address6.isValid(text)) return undefined;
  return new Address6(text).bigInt();
}

export function addr4(text: string): bigint | undefined {
  if (typeof text !== "string" || text.includes("/") || !Address4.isValid(text)) return undefined;
  return new Address4(text).bigInt();
}

export const format6 = (v: bigint) => Address6.fromBigInt(v & ALL6).correctForm();
export const format4 = (v: bigint) => Address4.fromBigInt(v & ALL4).correctForm();

/** A prefix "addr/len" whose host bits are zero; otherwise a reason. */
export function parsePrefix6(text: unknown): Prefix6 | string {
  if (typeof text !== "string") return `must be an IPv6 prefix such as 2001:db8::/64, not ${JSON.stringify(text)}`;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return `"${text}" is not an IPv6 prefix (address/length)`;
  const a = addr6(m[1]!);
  if (a === undefined) return `"${m[1]}" is not an IPv6 address`;
  const length = Number(m[2]);
  if (length > 128) return `prefix length ${length} is longer than 128`;
  if ((a & hostMask6(length)) !== 0n) {
    return `"${text}" is not aligned: the bits after /${length} must be zero (did you mean ${format6(a & ~hostMask6(length))}/${length}?)`;
  }
  return { text: `${format6(a)}/${length}`, network: a, length };
}

export function parseInterface4(text: unknown): Prefix4 | string {
  if (typeof text !== "string")
    return `must be an IPv4 address with a prefix length such as 10.89.64.1/24, not ${JSON.stringify(text)}`;
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return `"${text}" is not an IPv4 address/length`;
  const a = addr4(m[1]!);
  if (a === undefined) return `"${m[1]}" is not an IPv4 address`;
  const length = Number(m[2]);
  if (length > 30 || length < 8) return `prefix length /${length} is not usable for a LAN (8 to 30)`;
  return { text: `${format4(a)}/${length}`, address: a, network: a & ~hostMask4(length) & ALL4, length };
}

export const inPrefix6 = (a: bigint, p: Prefix6) => (a & ~hostMask6(p.length) & ALL6) === p.network;
export const prefixInPrefix6 = (inner: Prefix6, outer: Prefix6) =>
  inner.length >= outer.length && inPrefix6(inner.network, outer);
