// The chaos fixture: a fault hook installed in lab hosts, fired from inside the host at the
// phase of a run it is armed for, so a fault lands exactly there with the real command:
//   login         pam_exec in sshd's account stack (during the SSH login, before it is ready)
//   probe         the playbook's slow probe (its output is in a temp file meanwhile)
//   lock          a flock wrapper first on PATH (the run lock is being taken)
//   apply         a command task (an apply batch is running)
//   confirmation  the second login of the run: the new connection that confirms a firewall change
//   handler       the playbook's handler
// Faults: stop (the host stops answering: an nft table in it drops SSH both ways), cut (sshd's
// processes of the connections killed: every one but the listener's), kill (the hook waits while the test SIGKILLs the tool).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { labPaths } from "../../../src/lab/paths.js";
import { onHost } from "../../support/lab.js";

export const PHASES = ["login", "probe", "lock", "apply", "confirmation", "handler"] as const;
export const FAULTS = ["stop", "cut", "kill"] as const;
export type Phase = (typeof PHASES)[number];
export type Fault = (typeof FAULTS)[number];

const HOOK = `#!/bin/sh
# hcd-chaos-hook PHASE: fires the fault armed in /run/hcd-chaos/armed ("PHASE FAULT"), once
phase=$1
[ -f /run/hcd-chaos/armed ] || exit 0
read -r want fault < /run/hcd-chaos/armed || exit 0
if [ "$phase" = login ]; then
  n=$(cat /run/hcd-chaos/logins 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > /run/hcd-chaos/logins
  case "$want:$n" in login:1|confirmation:2) ;; *) exit 0 ;; esac
elif [ "$phase" != "$want" ]; then
  exit 0
fi
mv /run/hcd-chaos/armed /run/hcd-chaos/fired 2>/dev/null || exit 0
echo "$want $fault" > /var/tmp/hcd-chaos-fired
case "$fault" in
  stop) nft -f - <<'EOF'
table inet hcdchaosdrop {
  chain in { type filter hook input priority -300; policy accept; tcp dport 22 drop; }
  chain out { type filter hook output priority -300; policy accept; tcp sport 22 drop; }
}
EOF
  ;;
  cut) pkill -KILL -f '^sshd: [^/]' ;;
  kill) sleep 3 ;;
esac
exit 0
`;

const FLOCK = `#!/bin/sh
/usr/local/sbin/hcd-chaos-hook lock
exec /usr/bin/flock "$@"
`;

const PAM_LINE = "account optional pam_exec.so quiet /usr/local/sbin/hcd-chaos-hook login";

const b64 = (s: string) => Buffer.from(s).toString("base64");

export function installHook(host: string): void {
  onHost(
    host,
    [
      `mkdir -p /run/hcd-chaos /etc/hcd-chaos`,
      `echo ${b64(HOOK)} | base64 -d > /usr/local/sbin/hcd-chaos-hook && chmod 755 /usr/local/sbin/hcd-chaos-hook`,
      `echo ${b64(FLOCK)} | base64 -d > /usr/local/sbin/flock && chmod 755 /usr/local/sbin/flock`,
      `grep -qxF '${PAM_LINE}' /etc/pam.d/sshd || echo '${PAM_LINE}' >> /etc/pam.d/sshd`,
    ].join("\n"),
  );
}

export function removeHook(host: string): void {
  onHost(
    host,
    [
      `rm -rf /run/hcd-chaos /etc/hcd-chaos /usr/local/sbin/hcd-chaos-hook /usr/local/sbin/flock /var/tmp/hcd-chaos-fired`,
      `sed -i '\\#hcd-chaos-hook#d' /etc/pam.d/sshd`,
      `nft delete table inet hcdchaos 2>/dev/null; nft delete table inet hcdchaosdrop 2>/dev/null; true`,
    ].join("\n"),
  );
}

export function arm(host: string, phase: Phase, fault: Fault): void {
  onHost(
    host,
    `rm -f /var/tmp/hcd-chaos-fired /run/hcd-chaos/fired /run/hcd-chaos/logins; echo '${phase} ${fault}' > /run/hcd-chaos/armed`,
  );
}

/** The host's marker that the fault fired. */
export function fired(host: string): boolean {
  return onHost(host, "test -e /var/tmp/hcd-chaos-fired && echo yes || echo no").trim() === "yes";
}

/** Undo what a fault left: the drop table; a disarmed hook. */
export function heal(host: string): void {
  onHost(host, `rm -f /run/hcd-chaos/armed; nft delete table inet hcdchaosdrop 2>/dev/null; true`);
}

/** Remote scripts of the run still going on the host (the hook sleeping, a session shell). */
export function busy(host: string): boolean {
  return onHost(host, `pgrep -f 'hcd-chaos-hoo[k] ' >/dev/null && echo yes || echo no`).trim() === "yes";
}

/** Temp files anywhere a script of ours could have made one. */
export function tempFiles(host: string): string[] {
  const out = onHost(
    host,
    `find /tmp /var/tmp /run /dev/shm /etc /var/lib/homecloud-deploy /usr/local -xdev \\( -name 'tmp.*' -o -name '.hcd-*' -o -name '*.hcd-tmp' -o -name '*.tmp' \\) -print 2>/dev/null; true`,
  );
  return out.split("\n").filter(Boolean);
}

/**
 * Files that hold one of the values outside the files meant to hold them: the host's tmpfs
 * (/tmp, /run, /dev/shm) and /var/tmp, and everything it ever wrote to disk (its overlay upper
 * dir: what a host writes anywhere on its disk lands there). A meant path ending in / stands for
 * everything under it.
 */
export function leaks(host: string, values: string[], meant: string[]): string[] {
  const pattern = values.map((v) => v.replace(/'/g, "'\\''")).join("\n");
  const inside = onHost(
    host,
    `printf '%s\\n' '${pattern}' > /run/hcd-needles; grep -rlF -f /run/hcd-needles /tmp /var/tmp /run /dev/shm 2>/dev/null | grep -v -x -e /run/hcd-needles; rm -f /run/hcd-needles; true`,
  )
    .split("\n")
    .filter(Boolean);
  const upper = join(labPaths.host(host), "upper");
  const onDisk: string[] = [];
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(join(upper, rel));
    } catch {
      return;
    }
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      if (/^(proc|sys|var\/log|var\/cache|usr\/lib|usr\/share)(\/|$)/.test(r)) continue;
      let text: string;
      try {
        text = readFileSync(join(upper, r), "latin1");
      } catch {
        walk(r);
        continue;
      }
      if (values.some((v) => text.includes(v))) onDisk.push("/" + r);
    }
  };
  walk("");
  return [...new Set([...inside, ...onDisk])]
    .filter((f) => !meant.some((m) => (m.endsWith("/") ? f.startsWith(m) : f === m)))
    .sort();
}
