import { keys } from "../../engine/keys.js";
import type { Resource, Step, Task, TaskOptions } from "../../engine/types.js";
import { task } from "../../engine/types.js";
import { atomicWrite } from "../files/write.js";

export interface ResolversOptions extends TaskOptions {
  /** Resolvers (IPv6 or IPv4): the first three (glibc reads no more). */
  servers: string[];
}

interface ResolversState {
  /** What manages /etc/resolv.conf: systemd-resolved, resolvconf or NetworkManager (it then reads the stack's DNS setting). */
  manager?: string;
  text?: string;
}

const PATH = "/etc/resolv.conf";

/**
 * The host's resolvers where nothing else puts them: a stack's DNS setting (networkd's DNS=,
 * ifupdown's dns-nameservers, netplan's nameservers) reaches /etc/resolv.conf only through
 * systemd-resolved or resolvconf, and a Debian host often has neither. Where one of them (or
 * NetworkManager, which writes the file itself) manages the file, this leaves it alone; else it
 * writes the file with these resolvers.
 */
export function resolvers(opts: ResolversOptions): Task {
  for (const s of opts.servers)
    if (!/^[0-9A-Fa-f:.]+$/.test(s)) throw new Error(`resolvers: "${s}" is not an IPv4 or IPv6 address`);
  const servers = opts.servers.slice(0, 3);
  const text = [
    "# written by homecloud-deploy: the site's resolvers (nothing else manages this file here)",
    ...servers.map((s) => `nameserver ${s}`),
    "",
  ].join("\n");
  const resource: Resource<ResolversState> = {
    kind: "resolvers",
    name: `resolvers ${servers.join(" ") || "(none)"}`,
    reads: [keys.tree(PATH)],
    writes: [keys.tree(PATH)],
    speed: { inShell: true },
    probe: () =>
      [
        // a link to systemd-resolved's or resolvconf's file: they hold the stack's DNS setting
        `case "$(readlink -f ${PATH} 2>/dev/null)" in`,
        "  /run/systemd/resolve/*) echo 'manager systemd-resolved' ;;",
        "  /run/resolvconf/*|/etc/resolvconf/run/*) echo 'manager resolvconf' ;;",
        "esac",
        "if systemctl is-active --quiet NetworkManager 2>/dev/null; then echo 'manager NetworkManager'; fi",
        "echo text",
        `cat ${PATH} 2>/dev/null || true`,
      ].join("\n"),
    parse: (out) => {
      const at = out.indexOf("text\n");
      const head = at >= 0 ? out.slice(0, at) : out;
      const manager = /^manager (.+)$/m.exec(head)?.[1];
      return { manager, text: at >= 0 ? out.slice(at + 5) : undefined };
    },
    steps: (cur): Step[] => {
      if (!servers.length || cur.manager) return [];
      if ((cur.text ?? "").trimEnd() === text.trimEnd()) return [];
      return [
        {
          why: `${PATH}: nameserver ${servers.join(", ")}`,
          script: atomicWrite(PATH, text, { mode: "0644" }),
          diff: { path: PATH, before: cur.text ?? null, after: text },
        },
      ];
    },
  };
  return task(resource, opts);
}
