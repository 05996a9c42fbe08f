// Become with real sudo on a lab host: the password goes to sudo only when sudo asks for it,
// and is never read by a shell, whatever the sudoers policy (NOPASSWD, a cached timestamp,
// requiretty, a lecture). Every password here is itself a shell command that leaves a mark.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { command, file } from "../../src/index.js";
import { resolveTargets } from "../../src/inventory/connection.js";
import { loadInventory } from "../../src/inventory/load.js";
import { labExec } from "../../src/lab/lab.js";
import { labPaths } from "../../src/lab/paths.js";
import { SshPool } from "../../src/transport/connect.js";
import { address, apply, onHost, writeInventory } from "../support/lab.js";

const HOST = "h3";
/** A password that runs as a command if any shell reads it: it leaves /tmp/hcd-pw-ran. */
const EVIL = "touch /tmp/hcd-pw-ran; echo x > /tmp/hcd-pw-ran2 #pw";
const WRONG = "touch /tmp/hcd-pw-ran; #wrong";

/** sudoers entries per login user; each user logs in with the lab key. */
const USERS: Record<string, { sudoers: string; password?: string }> = {
  // NOPASSWD, as a cloud image's default user (ubuntu, debian) has it
  bnopw: { sudoers: "bnopw ALL=(ALL) NOPASSWD: ALL" },
  // sudo wants the user's password; the user's password is the shell command above
  bpw: { sudoers: "bpw ALL=(ALL) ALL", password: EVIL },
  btty: { sudoers: "Defaults:btty requiretty\nbtty ALL=(ALL) ALL", password: EVIL },
  blect: { sudoers: "Defaults:blect lecture=always\nblect ALL=(ALL) ALL", password: EVIL },
};

function inventory(hosts: Record<string, { user: string; password?: string; becomeUser?: string }>): string {
  const lines = ["all:", "  vars:"];
  lines.push(`    ansible_ssh_private_key_file: ${labPaths.key()}`);
  lines.push(`    deploy_known_hosts_file: ${labPaths.knownHosts()}`);
  lines.push("    ansible_become: true", "  hosts:");
  for (const [name, h] of Object.entries(hosts)) {
    lines.push(`    ${name}:`, `      ansible_host: ${address(HOST)}`, `      ansible_user: ${h.user}`);
    if (h.password !== undefined) lines.push(`      ansible_become_password: !secret ${JSON.stringify(h.password)}`);
    if (h.becomeUser !== undefined) lines.push(`      ansible_become_user: ${h.becomeUser}`);
  }
  return writeInventory(lines.join("\n") + "\n");
}

/** Did any shell on the host run the password? (and nothing left by an earlier case) */
function passwordRan(): boolean {
  const out = onHost(HOST, "ls /tmp/hcd-pw-ran /tmp/hcd-pw-ran2 2>/dev/null; true");
  onHost(HOST, "rm -f /tmp/hcd-pw-ran /tmp/hcd-pw-ran2");
  return out.trim() !== "";
}

// Every process's argv and environment on the host, sampled every ~10 ms during the test.
const SAMPLER = `n=0; hits=0; while [ ! -e /run/hcd-bsampler.stop ]; do c=$(cat /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c -F -f /run/hcd-bsecrets); hits=$((hits + c)); n=$((n + 1)); sleep 0.01; done; echo "samples $n hits $hits" > /run/hcd-bsampler.out`;

beforeAll(() => {
  const script = [
    "rm -f /tmp/hcd-pw-ran /tmp/hcd-pw-ran2 /run/hcd-bsampler.stop /run/hcd-bsampler.out",
    ...Object.entries(USERS).flatMap(([u, c]) => [
      `id ${u} >/dev/null 2>&1 || useradd -m -s /bin/sh ${u}`,
      `mkdir -p /home/${u}/.ssh && cp /root/.ssh/authorized_keys /home/${u}/.ssh/ && chown -R ${u} /home/${u}/.ssh`,
      `printf '%s\\n' '${c.sudoers}' > /etc/sudoers.d/${u} && chmod 0440 /etc/sudoers.d/${u}`,
      `visudo -cq -f /etc/sudoers.d/${u}`,
      `rm -rf /var/lib/sudo/lectured/${u} /run/sudo/ts/${u}`,
    ]),
  ].join(" && ");
  onHost(HOST, script);
  for (const [u, c] of Object.entries(USERS))
    if (c.password) labExec(HOST, ["chpasswd"], { input: `${u}:${c.password}\n`, capture: true });
  labExec(HOST, ["sh", "-c", "umask 077; cat > /run/hcd-bsecrets"], { input: `${EVIL}\n${WRONG}\n` });
  labExec(HOST, ["systemd-run", "--quiet", "--unit=hcd-bsampler", "--collect", "sh", "-c", SAMPLER], {
    capture: true,
  });
});

afterAll(async () => {
  onHost(HOST, "touch /run/hcd-bsampler.stop");
  let text = "";
  for (let i = 0; i < 25 && !text; i++) {
    await new Promise((r) => setTimeout(r, 200));
    text = onHost(HOST, "cat /run/hcd-bsampler.out 2>/dev/null; true");
  }
  // no password in any argv or environment while the cases ran
  expect(text).toMatch(/^samples [1-9]\d+ hits 0$/m);
  // nor in any file a login, sudo or the tool could have written
  const found = onHost(
    HOST,
    "rm -f /run/hcd-bsecrets /run/hcd-bsampler.out; grep -rlF -e 'hcd-pw-ran' /tmp /var/tmp /run /root /home /etc /var/lib/sudo /var/log 2>/dev/null; true",
  );
  expect(found).toBe("");
});

const writeRoot = (tag: string) => [file({ path: `/root/become-${tag}`, content: "root\n", mode: "0600" })];

describe("become with sudo", () => {
  it("NOPASSWD with a password configured: sudo never asks, and no shell reads the password", async () => {
    const inv = inventory({ nopwset: { user: "bnopw", password: EVIL } });
    const r = await apply("nopwset", () => writeRoot("nopwset"), { inventory: inv });
    expect(r.hosts.nopwset!.error).toBeUndefined();
    expect(r.hosts.nopwset!.failed).toBe(0);
    expect(onHost(HOST, "stat -c %U /root/become-nopwset")).toBe("root\n");
    expect(passwordRan()).toBe(false);
    expect(JSON.stringify(r)).not.toContain("hcd-pw-ran");
  });

  it("NOPASSWD with a password configured: a fresh login (the firewall's confirmation) reads no password either", async () => {
    const inv = inventory({ fresh: { user: "bnopw", password: EVIL } });
    const { targets } = resolveTargets(loadInventory(inv), ["fresh"], {});
    const pool = new SshPool();
    const sh = await pool.shell(targets.get("fresh")!);
    try {
      expect(await sh.runScriptFresh("id -un; cat; echo done")).toMatchObject({ stdout: "root\ndone\n", code: 0 });
      expect(await sh.runScript("id -un")).toMatchObject({ stdout: "root\n", code: 0 });
    } finally {
      await sh.close();
      await pool.closeAll();
    }
    expect(passwordRan()).toBe(false);
  });

  it("NOPASSWD without a password", async () => {
    const r = await apply("nopw", () => writeRoot("nopw"), { inventory: inventory({ nopw: { user: "bnopw" } }) });
    expect(r.hosts.nopw!.error).toBeUndefined();
    expect(onHost(HOST, "stat -c %U /root/become-nopw")).toBe("root\n");
  });

  it("password required: the right one is given to sudo's prompt (twice: also after the timestamp is cached)", async () => {
    onHost(HOST, "rm -rf /run/sudo/ts/bpw");
    const inv = inventory({ pw: { user: "bpw", password: EVIL } });
    for (const tag of ["pw1", "pw2"]) {
      const r = await apply("pw", () => writeRoot(tag), { inventory: inv });
      expect(r.hosts.pw!.error).toBeUndefined();
      expect(r.hosts.pw!.failed).toBe(0);
      expect(onHost(HOST, `stat -c %U /root/become-${tag}`)).toBe("root\n");
      expect(passwordRan()).toBe(false);
    }
  });

  it("password required: a wrong one is refused at once and never run", async () => {
    const r = await apply("wrong", () => writeRoot("wrong"), {
      inventory: inventory({ wrong: { user: "bpw", password: WRONG } }),
    });
    expect(r.hosts.wrong!.failed + (r.hosts.wrong!.unreachable ?? 0)).toBeGreaterThan(0);
    expect(r.hosts.wrong!.error).toMatch(/incorrect password|try again/);
    expect(JSON.stringify(r)).not.toContain("hcd-pw-ran");
    expect(onHost(HOST, "ls /root/become-wrong 2>/dev/null; true")).toBe("");
    expect(passwordRan()).toBe(false);
  });

  it("password required and none configured: sudo's reason, nothing run", async () => {
    onHost(HOST, "rm -rf /run/sudo/ts/bpw");
    const r = await apply("missing", () => writeRoot("missing"), {
      inventory: inventory({ missing: { user: "bpw" } }),
    });
    expect(r.hosts.missing!.error).toMatch(/a password is required/);
    expect(onHost(HOST, "ls /root/become-missing 2>/dev/null; true")).toBe("");
  });

  it("Defaults requiretty: sudo's refusal is reported and the password is never run", async () => {
    const r = await apply("tty", () => writeRoot("tty"), {
      inventory: inventory({ tty: { user: "btty", password: EVIL } }),
    });
    expect(r.hosts.tty!.error).toMatch(/tty/);
    expect(onHost(HOST, "ls /root/become-tty 2>/dev/null; true")).toBe("");
    expect(passwordRan()).toBe(false);
  });

  it("ansible_become_user: the scripts run as that user (sudo -u), with or without a password", async () => {
    // a task that changes something only where the shell is not the user to become
    const asBpw = () => [command({ run: "true", unless: '[ "$(id -un)" = bpw ]' })];
    for (const [name, h] of [
      ["asbpw", { user: "bnopw", becomeUser: "bpw" }],
      ["asbpwpw", { user: "blect", password: EVIL, becomeUser: "bpw" }],
    ] as const) {
      const r = await apply(name, asBpw, { inventory: inventory({ [name]: h }) });
      expect(r.hosts[name]!.error).toBeUndefined();
      expect(r.hosts[name]!.failed).toBe(0);
      expect(r.hosts[name]!.changed).toBe(0);
    }
    expect(passwordRan()).toBe(false);
  });

  it("a sudo lecture before the prompt: the run works and the lecture is no script's output", async () => {
    const r = await apply("lect", () => writeRoot("lect"), {
      inventory: inventory({ lect: { user: "blect", password: EVIL } }),
    });
    expect(r.hosts.lect!.error).toBeUndefined();
    expect(onHost(HOST, "stat -c %U /root/become-lect")).toBe("root\n");
    expect(JSON.stringify(r)).not.toMatch(/usual lecture|Respect the privacy/);
    expect(passwordRan()).toBe(false);
  });
});

describe("doas (Debian's doas, a nopass rule)", () => {
  it("becomes root through doas -n with a nopass rule; without a rule, doas's own reason and nothing run", async () => {
    onHost(HOST, "printf 'permit nopass bnopw as root\\n' > /etc/doas.conf && chmod 0600 /etc/doas.conf");
    try {
      const inv = (user: string) =>
        writeInventory(
          `all:\n  vars:\n    ansible_ssh_private_key_file: ${labPaths.key()}\n    deploy_known_hosts_file: ${labPaths.knownHosts()}\n    ansible_become: true\n    ansible_become_method: doas\n  hosts:\n    d:\n      ansible_host: ${address(HOST)}\n      ansible_user: ${user}\n`,
        );
      onHost(HOST, "rm -f /srv/hcd-doas");
      const ok = await apply("d", () => [command({ run: "id -un > /srv/hcd-doas", creates: "/srv/hcd-doas" })], {
        inventory: inv("bnopw"),
      });
      expect(ok.hosts.d!.error).toBeUndefined();
      expect(onHost(HOST, "cat /srv/hcd-doas; stat -c %U /srv/hcd-doas")).toBe("root\nroot\n");
      // bpw has no doas rule: doas refuses, and says so
      const refused = await apply("d", () => [command({ run: "touch /srv/hcd-doas2", creates: "/srv/hcd-doas2" })], {
        inventory: inv("bpw"),
      });
      expect(refused.hosts.d!.failed + refused.hosts.d!.unreachable).toBe(1);
      expect(refused.hosts.d!.error).toMatch(
        /doas: (Operation not permitted|Authentication failed|a password is required)/,
      );
      expect(onHost(HOST, "test -e /srv/hcd-doas2 && echo yes || echo no")).toBe("no\n");
    } finally {
      onHost(HOST, "rm -f /etc/doas.conf /srv/hcd-doas /srv/hcd-doas2");
    }
  });
});
