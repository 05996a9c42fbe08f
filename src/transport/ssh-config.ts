import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";

/** The ~/.ssh/config options we honour for a host. First value wins, as in ssh. */
export interface SshConfigEntry {
  hostName?: string;
  user?: string;
  port?: number;
  identityFile?: string[];
  proxyJump?: string;
  userKnownHostsFile?: string;
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
}

interface Block {
  patterns: string[];
  options: Array<[string, string]>;
}

export function parseSshConfig(text: string): Block[] {
  const blocks: Block[] = [{ patterns: ["*"], options: [] }];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.+)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim().replace(/^"(.*)"$/, "$1");
    if (key === "host") blocks.push({ patterns: value.split(/\s+/), options: [] });
    else if (key === "match")
      blocks.push({ patterns: ["!*"], options: [] }); // Match blocks are not supported: skipped
    else blocks.at(-1)!.options.push([key, value]);
  }
  return blocks;
}

function hostMatches(patterns: string[], alias: string): boolean {
  let ok = false;
  for (const p of patterns) {
    const neg = p.startsWith("!");
    const glob = neg ? p.slice(1) : p;
    const re = new RegExp(
      "^" +
        glob
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, ".*")
          .replace(/\?/g, ".") +
        "$",
    );
    if (re.test(alias)) {
      if (neg) return false;
      ok = true;
    }
  }
  return ok;
}

function expandTilde(p: string, alias: string, home: string): string {
  return p
    .replace(/^~(?=\/|$)/, home)
    .replace(/%h/g, alias)
    .replace(/%d/g, home);
}

export function lookupSshConfig(blocks: Block[], alias: string, home = homedir()): SshConfigEntry {
  const e: SshConfigEntry = {};
  for (const b of blocks) {
    if (!hostMatches(b.patterns, alias)) continue;
    for (const [k, v] of b.options) {
      if (k === "hostname" && e.hostName === undefined) e.hostName = v.replace(/%h/g, alias);
      else if (k === "user" && e.user === undefined) e.user = v;
      else if (k === "port" && e.port === undefined) e.port = Number(v);
      else if (k === "identityfile") (e.identityFile ??= []).push(expandTilde(v, alias, home));
      else if (k === "proxyjump" && e.proxyJump === undefined) e.proxyJump = v;
      else if (k === "serveraliveinterval" && e.serverAliveInterval === undefined && /^\d+$/.test(v))
        e.serverAliveInterval = Number(v);
      else if (k === "serveralivecountmax" && e.serverAliveCountMax === undefined && /^\d+$/.test(v))
        e.serverAliveCountMax = Number(v);
      else if (k === "userknownhostsfile" && e.userKnownHostsFile === undefined)
        e.userKnownHostsFile = expandTilde(v.split(/\s+/)[0] ?? "", alias, home);
    }
  }
  return e;
}

export function loadSshConfig(path = `${homedir()}/.ssh/config`): Block[] {
  return existsSync(path) ? parseSshConfig(readFileSync(path, "utf8")) : [];
}
