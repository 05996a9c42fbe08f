import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import { sshProgram } from "./openssh.js";

/** What ssh itself will use for a host (`ssh -G`): its config files, Include and Match applied. */
export interface SshEffective {
  hostname: string;
  user: string;
  port: number;
  hostKeyAlias?: string;
  userKnownHostsFile?: string;
  /** Set in a config (0 is ssh's default: none set). */
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  proxyJump?: string;
  proxyCommand?: string;
  identityFiles: string[];
}

/**
 * Ask ssh how it would reach `alias` with these arguments. Touches no network: ssh reads its
 * config and stops (a `Match exec` in the user's config runs, as it would for any ssh).
 */
export function sshEffective(
  alias: string,
  opts: { configFile?: string; args?: string[]; user?: string; port?: number } = {},
): SshEffective | { error: string } {
  const argv = [
    "-G",
    ...(opts.configFile ? ["-F", opts.configFile] : []),
    ...(opts.args ?? []),
    ...(opts.user ? ["-l", opts.user] : []),
    ...(opts.port ? ["-p", String(opts.port)] : []),
    "--",
    alias,
  ];
  const r = spawnSync(sshProgram(), argv, { encoding: "utf8", timeout: 10_000 });
  if (r.error)
    return {
      error:
        (r.error as NodeJS.ErrnoException).code === "ENOENT"
          ? `the OpenSSH client (${sshProgram()}) is not installed: install openssh-client`
          : r.error.message,
    };
  if (r.status !== 0)
    return { error: (r.stderr || `ssh -G exited ${r.status}`).trim().split("\n").slice(-3).join("; ") };
  const one = new Map<string, string>();
  const identityFiles: string[] = [];
  for (const line of r.stdout.split("\n")) {
    const sp = line.indexOf(" ");
    if (sp < 0) continue;
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === "identityfile") identityFiles.push(value.replace(/^~(?=\/)/, homedir()));
    else if (!one.has(key)) one.set(key, value);
  }
  const num = (k: string): number | undefined => {
    const v = one.get(k);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const alive = num("serveraliveinterval");
  const kh = one.get("userknownhostsfile")?.split(" ")[0];
  return {
    hostname: one.get("hostname") ?? alias,
    user: one.get("user") ?? process.env.USER ?? "root",
    port: num("port") ?? 22,
    hostKeyAlias: one.get("hostkeyalias"),
    userKnownHostsFile: kh?.replace(/^~(?=\/)/, homedir()),
    serverAliveInterval: alive ? alive : undefined,
    serverAliveCountMax: num("serveralivecountmax"),
    proxyJump: one.get("proxyjump"),
    proxyCommand: one.get("proxycommand"),
    identityFiles,
  };
}

/** Split an argument string as a POSIX shell would (quotes and backslashes; no expansion). */
export function splitArgs(text: string): string[] | undefined {
  const out: string[] = [];
  let cur: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      cur = (cur ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let s = "";
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && /["\\$`]/.test(text[j + 1] ?? "")) j++;
        s += text[j];
      }
      if (j >= text.length) return undefined;
      cur = (cur ?? "") + s;
      i = j;
    } else if (c === "\\") {
      cur = (cur ?? "") + (text[++i] ?? "");
    } else if (/\s/.test(c)) {
      if (cur !== undefined) out.push(cur);
      cur = undefined;
    } else cur = (cur ?? "") + c;
  }
  if (cur !== undefined) out.push(cur);
  return out;
}
