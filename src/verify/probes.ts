// Building blocks for the checks roles and playbooks declare (see playbook/checks.ts).
import type { VerifyCheck } from "../playbook/checks.js";
import { addr6, format6 } from "../net/prefix.js";
import { reveal, type Secret } from "../secrets.js";
import { commandLine, quote } from "../transport/quote.js";

type Base = Pick<VerifyCheck, "hop" | "on" | "after">;

/** A systemd unit is active. */
export function unitActive(hop: string, unit: string, base: Omit<Base, "hop"> = {}): VerifyCheck {
  return {
    ...base,
    hop,
    id: `${unit.replace(/\.service$/, "")}-running`,
    title: `${unit} is running`,
    script: commandLine("systemctl", "is-active", unit),
  };
}

/** `to` answers a ping (one reply within `seconds`, default 5). */
export function pingCheck(base: Base & { id: string; title: string }, to: string, seconds = 5): VerifyCheck {
  const family = to.includes(":") ? "-6" : "-4";
  return { ...base, script: commandLine("ping", family, "-n", "-c", 1, "-w", seconds, to) };
}

/**
 * A TCP port of `to` is reached (it connects, or the host itself refuses: the packet got
 * there), or with `expect: "filtered"` it is not (no answer within the time: dropped).
 */
export function tcpCheck(
  base: Base & { id: string; title: string },
  to: string,
  port: number,
  expect: "reached" | "filtered",
): VerifyCheck {
  const script = `timeout 8 nc -v -z -w 4 ${quote(to)} ${port} 2>&1; echo "nc exit $?"`;
  return {
    ...base,
    script,
    show: `nc -v -z -w 4 ${to} ${port}`,
    judge: (r) => {
      if (/command not found|not found/.test(r.stdout) && !/Connection|succeeded|open/.test(r.stdout))
        return { ok: false, note: "nc (netcat) is not installed on the vantage point" };
      const reached = /succeeded|open|Connected|refused/i.test(r.stdout);
      if (expect === "reached") return { ok: reached, note: reached ? "reached" : "no answer: dropped on the way" };
      return { ok: !reached, note: reached ? "it answered: nothing filters this port" : "no answer: filtered" };
    },
  };
}

/**
 * A vpncmd command against the local SoftEther server with the admin password on stdin; the
 * evidence shows the command without it.
 */
export function vpncmdScript(o: { port: number; password: Secret | string; hub?: string; command: string[] }): {
  script: string;
  show: string;
} {
  const args = [
    `localhost:${o.port}`,
    "/SERVER",
    ...(o.hub ? [`/ADMINHUB:${o.hub}`] : []),
    "/CSV",
    "/CMD",
    ...o.command,
  ];
  const cmd = commandLine("vpncmd", ...args);
  return { script: `printf '%s\\n' ${quote(reveal(o.password))} | timeout 20 ${cmd}`, show: cmd };
}

/** The addresses `ip -o addr` printed, as "address/length" in canonical form. */
function addressesIn(ipOutput: string): Set<string> {
  const found = new Set<string>();
  for (const m of ipOutput.matchAll(/\binet6? ([0-9A-Fa-f:.]+)\/(\d+)/g)) found.add(canonical(`${m[1]}/${m[2]}`));
  return found;
}

function canonical(cidr: string): string {
  const [a = "", len] = cidr.split("/");
  const v6 = a.includes(":") ? addr6(a) : undefined;
  return `${v6 !== undefined ? format6(v6) : a}/${len}`;
}

/** An interface holds every one of `addresses` (CIDR, IPv6 or IPv4). */
export function addressesCheck(
  base: Base & { id: string; title: string },
  dev: string,
  addresses: string[],
): VerifyCheck {
  return {
    ...base,
    script: commandLine("ip", "-o", "addr", "show", "dev", dev),
    judge: (r) => {
      const have = addressesIn(r.stdout);
      const missing = addresses.filter((a) => !have.has(canonical(a)));
      return {
        ok: r.code === 0 && !missing.length,
        note: missing.length ? `missing: ${missing.join(", ")}` : undefined,
      };
    },
  };
}
