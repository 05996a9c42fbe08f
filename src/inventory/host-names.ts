import { isIPv6 } from "node:net";

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * A host key of an inventory as Ansible reads it: ranges expanded (`vm[1:3]`, `node[01:03]`
 * zero-padded, `db-[a:c]`, `s[1:6:2]` with a step; several in one name), an IPv6 literal taken
 * whole, and `name:port` / `[ipv6]:port` split into the name and `ansible_port`.
 */
export function expandHostKey(key: string): { names: string[]; port?: number } | { error: string } {
  let base = key;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(key);
  const hostPort = /^([^:]+):(\d+)$/.exec(key);
  if (bracketed && isIPv6(bracketed[1]!)) [base, port] = [bracketed[1]!, Number(bracketed[2])];
  else if (hostPort) [base, port] = [hostPort[1]!, Number(hostPort[2])];
  if (port !== undefined && (port < 1 || port > 65535))
    return { error: `port ${port} of "${key}" is not from 1 to 65535` };
  // (node's isIPv6 builds a large pattern on its first call: a name with no colon is not one)
  if (base.includes(":") && isIPv6(base)) return { names: [base], port };
  let names: string[];
  try {
    names = expandRanges(base);
  } catch (e) {
    return { error: `"${key}": ${(e as Error).message}` };
  }
  // any letters (Ansible takes any text); none of what a shell, a pattern or a URL would read
  const bad = names.find((n) => !/^[\p{L}\p{N}_][\p{L}\p{N}_.-]*$/u.test(n));
  if (bad !== undefined) return { error: `"${bad}" is not a valid host name` };
  return { names, port };
}

/** Ansible's expand_hostname_range: the first [beg:end(:step)] in a name, then the rest. */
export function expandRanges(name: string): string[] {
  const open = name.indexOf("[");
  const close = name.indexOf("]");
  if (open < 0 || close < open) {
    if (name.includes("[") || name.includes("]")) throw new Error("a host range needs [begin:end]");
    return [name];
  }
  const head = name.slice(0, open);
  const tail = name.slice(close + 1);
  const bounds = name.slice(open + 1, close).split(":");
  if (bounds.length !== 2 && bounds.length !== 3) throw new Error("a host range is [begin:end] or [begin:end:step]");
  const beg = bounds[0] || "0";
  const end = bounds[1];
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!end) throw new Error("a host range needs an end");
  if (!Number.isInteger(step) || step < 1)
    throw new Error(`the step of a host range is a whole number above 0, not ${bounds[2]}`);
  let seq: string[];
  const ib = beg.length === 1 ? LETTERS.indexOf(beg) : -1;
  const ie = end.length === 1 ? LETTERS.indexOf(end) : -1;
  if (ib >= 0 && ie >= 0) {
    if (ib > ie) throw new Error("a host range must have begin <= end");
    seq = [];
    for (let i = ib; i <= ie; i += step) seq.push(LETTERS[i]!);
  } else {
    if (!/^\d+$/.test(beg) || !/^\d+$/.test(end))
      throw new Error(`[${bounds.join(":")}] is neither a numeric nor an alphabetic range`);
    const pad = beg[0] === "0" && beg.length > 1 ? beg.length : 0;
    if (pad && end.length !== pad) throw new Error("a zero-padded host range needs begin and end of the same length");
    seq = [];
    for (let i = Number(beg); i <= Number(end); i += step) seq.push(pad ? String(i).padStart(pad, "0") : String(i));
  }
  return seq.flatMap((x) => expandRanges(head + x + tail));
}
