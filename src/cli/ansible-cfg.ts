import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { InputError, type Problem } from "../errors.js";

/** The [defaults] of ansible.cfg that carry over (paths resolved against the file's folder). */
export interface AnsibleConfig {
  file: string;
  inventory?: string[];
  remoteUser?: string;
  privateKeyFile?: string;
  vaultPasswordFile?: string;
  forks?: number;
  /** Why the current folder's ansible.cfg was passed over, if it was. */
  warning?: string;
}

/**
 * Find ansible.cfg as Ansible does: ANSIBLE_CONFIG, then ./ansible.cfg (not in a world-writable
 * folder, which Ansible refuses too), then ~/.ansible.cfg, then /etc/ansible/ansible.cfg.
 */
export function findAnsibleConfig(cwd = process.cwd(), env = process.env): { file?: string; warning?: string } {
  if (env.ANSIBLE_CONFIG) return { file: resolve(cwd, env.ANSIBLE_CONFIG) };
  let warning: string | undefined;
  const local = resolve(cwd, "ansible.cfg");
  if (existsSync(local)) {
    if (statSync(cwd).mode & 0o002)
      warning = `${local} is ignored: the folder ${cwd} is world-writable (as Ansible ignores it)`;
    else return { file: local };
  }
  for (const f of [`${homedir()}/.ansible.cfg`, "/etc/ansible/ansible.cfg"])
    if (existsSync(f)) return { file: f, warning };
  return { warning };
}

export function loadAnsibleConfig(cwd = process.cwd(), env = process.env): AnsibleConfig | undefined {
  const { file, warning } = findAnsibleConfig(cwd, env);
  if (!file) return warning ? { file: "", warning } : undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError([{ file, message: `cannot read ansible.cfg: ${(e as NodeJS.ErrnoException).code ?? e}` }]);
  }
  return { ...parseAnsibleConfig(text, file), warning };
}

/** The INI text's [defaults] keys we honour; `host_key_checking = False` is refused, not obeyed. */
export function parseAnsibleConfig(text: string, file: string): AnsibleConfig {
  const cfg: AnsibleConfig = { file };
  const problems: Problem[] = [];
  const base = dirname(file);
  const path = (v: string) => resolve(base, v.replace(/^~(?=\/|$)/, homedir()));
  let section = "";
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) return;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) return void (section = sec[1]!.trim());
    if (section !== "defaults") return;
    const kv = /^([A-Za-z_]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!kv) return;
    const key = kv[1]!.toLowerCase();
    const value = kv[2]!.replace(/\s+[#;].*$/, "").trim();
    const at = { file, line: i + 1, field: `[defaults] ${key}` };
    if (key === "inventory")
      cfg.inventory = value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map(path);
    else if (key === "remote_user") cfg.remoteUser = value;
    else if (key === "private_key_file") cfg.privateKeyFile = path(value);
    else if (key === "vault_password_file") cfg.vaultPasswordFile = path(value);
    else if (key === "forks") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1)
        problems.push({ ...at, message: `forks must be a whole number >= 1, not ${value}` });
      else cfg.forks = n;
    } else if (key === "host_key_checking" && /^(false|no|off|0)$/i.test(value)) {
      problems.push({
        ...at,
        message: "host key checking cannot be turned off here",
        hint: "record keys with --accept-new-host-keys instead; a changed key is always refused",
      });
    }
  });
  if (problems.length) throw new InputError(problems);
  return cfg;
}
