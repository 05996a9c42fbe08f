import { execFileSync, spawnSync } from "node:child_process";
import { closeMasters } from "../../src/transport/openssh.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  command,
  definePlaybook,
  directory,
  file,
  handler,
  keys,
  line,
  loadInventory,
  runPlaybook,
} from "../../src/index.js";
import { labPaths } from "../../src/lab/paths.js";
import { address, apply, baseVars, changedOf, failedOf, onHost, writeInventory } from "../support/lab.js";

/** Restart sshd in a lab host and wait until it listens again (its new config in force). */
const RESTART_SSHD =
  "systemctl restart ssh; for i in $(seq 1 50); do ss -ltn | grep -q ':22 ' && break; sleep 0.1; done";

describe("engine against lab hosts", () => {
  it("a validate command that fails leaves the old file in place and fails the task", async () => {
    onHost("h1", "mkdir -p /srv/e1 && echo 'good = 1' > /srv/e1/app.conf");
    const r = await apply("h1", () => [
      file({ path: "/srv/e1/app.conf", content: "broken\n", validate: "grep -q '=' %s" }),
    ]);
    expect(r.hosts.h1!.failed).toBe(1);
    expect(r.tasks.find((t) => t.status === "failed")?.error).toMatch(/validation failed/);
    expect(onHost("h1", "cat /srv/e1/app.conf")).toBe("good = 1\n");
    expect(onHost("h1", "ls -A /srv/e1")).toBe("app.conf\n"); // no temp file left behind
  });

  it("runs a notified handler once at the end of the role", async () => {
    onHost("h1", "rm -rf /srv/e2; mkdir -p /srv/e2");
    const h = handler("count", "echo run >> /srv/e2/handler.log");
    const tasks = () => [
      file({ path: "/srv/e2/a", content: "a\n", notify: h }),
      file({ path: "/srv/e2/b", content: "b\n", notify: h }),
    ];
    await apply("h1", tasks);
    expect(onHost("h1", "cat /srv/e2/handler.log")).toBe("run\n");
    await apply("h1", tasks); // nothing changed: no handler
    expect(onHost("h1", "cat /srv/e2/handler.log")).toBe("run\n");
  });

  it("keeps a notification when a later task fails, and runs the handler on the next run", async () => {
    onHost("h1", "rm -rf /srv/e3; mkdir -p /srv/e3");
    const h = handler("restart-e3", "echo restarted >> /srv/e3/handler.log");
    const failing = () => [file({ path: "/srv/e3/conf", content: "v2\n", notify: h }), command({ run: "exit 3" })];
    const r1 = await apply("h1", failing);
    expect(r1.hosts.h1!.failed).toBe(1);
    expect(onHost("h1", "cat /srv/e3/handler.log 2>/dev/null; true")).toBe("");
    const fixed = () => [file({ path: "/srv/e3/conf", content: "v2\n", notify: h })];
    const r2 = await apply("h1", fixed);
    expect(r2.tasks.map((t) => `${t.task}:${t.status}`)).toEqual([
      "file /srv/e3/conf:ok",
      "handler: restart-e3:changed",
    ]);
    expect(onHost("h1", "cat /srv/e3/handler.log")).toBe("restarted\n");
    const r3 = await apply("h1", fixed);
    expect(changedOf(r3)).toBe(0);
  });

  it("reads a 20-task host in one remote script when nothing changes, and batches the first run", async () => {
    onHost("h2", "rm -rf /srv/e4");
    const tasks = () => [
      directory({ path: "/srv/e4" }),
      directory({ path: "/srv/e4/d1" }),
      directory({ path: "/srv/e4/d2" }),
      ...Array.from({ length: 7 }, (_, i) => file({ path: `/srv/e4/f${i}`, content: `file ${i}\n`, mode: "0644" })),
      ...Array.from({ length: 6 }, (_, i) => line({ path: "/srv/e4/lines", line: `line ${i}` })),
      ...Array.from({ length: 4 }, (_, i) =>
        command({ run: `touch /srv/e4/c${i}`, creates: `/srv/e4/c${i}`, affects: [keys.tree(`/srv/e4/c${i}`)] }),
      ),
    ];
    expect(tasks().length).toBe(20);
    const first = await apply("h2", tasks);
    expect(failedOf(first)).toBe(0);
    expect(changedOf(first)).toBe(20);
    // the six lines edit one file: each must see the previous one's result
    expect(onHost("h2", "cat /srv/e4/lines")).toBe("line 0\nline 1\nline 2\nline 3\nline 4\nline 5\n");
    expect(first.hosts.h2!.remoteScripts).toBeLessThanOrEqual(2); // the probe, then one batch: line edits of one file are planned against the new text
    const again = await apply("h2", tasks);
    expect(changedOf(again)).toBe(0);
    expect(again.hosts.h2!.remoteScripts).toBe(1);
  });

  it("shows the changed lines in diff mode", async () => {
    onHost("h2", "mkdir -p /srv/e5 && printf 'a\\nb\\nc\\n' > /srv/e5/f");
    const r = await apply("h2", () => [file({ path: "/srv/e5/f", content: "a\nB\nc\n" })], { check: true, diff: true });
    const d = r.tasks[0]!.diff![0];
    expect(d!.before).toBe("a\nb\nc\n");
    expect(d!.after).toBe("a\nB\nc\n");
  });

  it("check mode predicts what the run does when line tasks edit the same file", async () => {
    onHost("h2", "mkdir -p /srv/e10 && printf 'a=1\\n' > /srv/e10/f");
    const tasks = () => [
      line({ path: "/srv/e10/f", line: "b=2" }),
      line({ path: "/srv/e10/f", line: "b=2" }), // already there once the first has run
      line({ path: "/srv/e10/f", regexp: "^a=", line: "a=3" }),
      line({ path: "/srv/e10/f", regexp: "^a=", line: "a=3" }), // the one above did it
    ];
    const statuses = (r: Awaited<ReturnType<typeof apply>>) => r.tasks.map((t) => t.status);
    // (a run reports a task when it is done: changes after the unchanged ones of their batch)
    const sorted = (r: Awaited<ReturnType<typeof apply>>) => r.tasks.map((t) => `${t.task}: ${t.status}`).sort();
    const check = await apply("h2", tasks, { check: true, diff: true });
    expect(statuses(check)).toEqual(["changed", "ok", "changed", "ok"]);
    expect(check.tasks[2]!.diff?.[0]).toMatchObject({ before: "a=1\nb=2\n", after: "a=3\nb=2\n" });
    expect(onHost("h2", "cat /srv/e10/f")).toBe("a=1\n");
    const run = await apply("h2", tasks);
    expect(sorted(run)).toEqual(sorted(check));
    expect(onHost("h2", "cat /srv/e10/f")).toBe("a=3\nb=2\n");
  });

  it("converges reachable hosts when another is unreachable", async () => {
    const inv = writeInventory(
      `all:\n  vars:\n${baseVars()}  hosts:\n    h3:\n      ansible_host: ${address("h3")}\n    ghost:\n      ansible_host: 127.0.0.1\n      ansible_port: 1\n`,
    );
    onHost("h3", "rm -f /srv/e6");
    const r = await apply("all", () => [file({ path: "/srv/e6", content: "x\n" })], { inventory: inv });
    expect(r.hosts.ghost!.unreachable).toBe(1);
    expect(r.hosts.ghost!.error).toMatch(/cannot reach/);
    expect(r.hosts.h3!.changed).toBe(1);
    expect(r.exitCode).toBe(4);
  });

  it("a host marked optional (e.g. a VM retired from the site) that cannot be reached is skipped with its note, not an error", async () => {
    const inv = writeInventory(
      `all:\n  vars:\n${baseVars()}  hosts:\n    h3:\n      ansible_host: ${address("h3")}\n    ghost:\n      ansible_host: 127.0.0.1\n      ansible_port: 1\n`,
    );
    onHost("h3", "rm -f /srv/e6b");
    const pb = definePlaybook({
      name: "t",
      plays: [
        {
          name: "p",
          hosts: "all",
          tasks: (h) => {
            if (h.name === "ghost") h.optional("ghost is marked state: absent");
            return [file({ path: "/srv/e6b", content: "x\n" })];
          },
        },
      ],
    });
    const r = await runPlaybook(pb, loadInventory(inv), { playbookFile: "t" });
    expect(r.hosts.ghost).toMatchObject({ unreachable: 0, failed: 0, skipped: 1 });
    expect(r.hosts.ghost!.error).toBeUndefined();
    expect(r.warnings.join("\n")).toMatch(
      /ghost: ghost is marked state: absent; it cannot be reached, so it is skipped \(.*cannot reach/,
    );
    expect(r.hosts.h3!.changed).toBe(1);
    expect(r.exitCode).toBe(0);
  });

  it("refuses an unknown host key unless asked to record it, and a changed key always", async () => {
    const kh = `${labPaths.knownHosts()}.test`;
    writeFileSync(kh, "");
    const inv = writeInventory(
      `all:\n  vars:\n${baseVars().replace(labPaths.knownHosts(), kh)}  hosts:\n    h4:\n      ansible_host: ${address("h4")}\n`,
    );
    const t = () => [file({ path: "/srv/e7", content: "x\n" })];
    const unknown = await apply("h4", t, { inventory: inv });
    expect(unknown.hosts.h4!.unreachable).toBe(1);
    expect(unknown.hosts.h4!.error).toMatch(/not known .*SHA256:/);
    const accepted = await apply("h4", t, { inventory: inv, acceptNewHostKeys: true });
    expect(accepted.hosts.h4!.unreachable).toBe(0);
    expect(readFileSync(kh, "utf8")).toMatch(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /); // recorded hashed
    const again = await apply("h4", t, { inventory: inv });
    expect(again.hosts.h4!.unreachable).toBe(0);
    // another key for the same name: changed, refused even with the opt-in
    const other = readFileSync(`${labPaths.host("h1")}/root/etc/ssh/ssh_host_ed25519_key.pub`, "utf8")
      .split(" ")
      .slice(0, 2)
      .join(" ");
    writeFileSync(kh, `${address("h4")} ${other}\n`);
    const changed = await apply("h4", t, { inventory: inv, acceptNewHostKeys: true });
    expect(changed.hosts.h4!.unreachable).toBe(1);
    expect(changed.hosts.h4!.error).toMatch(/HAS CHANGED.*SHA256:.*expects ssh-ed25519 SHA256:/);
  });

  it("deploy_host_key: a key pinned before first contact is trusted and recorded; any other is refused", async () => {
    const pub = (h: string) =>
      readFileSync(`${labPaths.host(h)}/root/etc/ssh/ssh_host_ed25519_key.pub`, "utf8")
        .split(" ")
        .slice(0, 2)
        .join(" ");
    const kh = `${labPaths.knownHosts()}.pin`;
    const inv = (pin: string) =>
      writeInventory(
        `all:\n  vars:\n${baseVars().replace(labPaths.knownHosts(), kh)}  hosts:\n    h4:\n      ansible_host: ${address("h4")}\n      deploy_host_key: ${JSON.stringify(pin)}\n`,
      );
    const t = () => [file({ path: "/srv/e7p", content: "pinned\n" })];
    // another host's key pinned: refused, both named, nothing recorded
    writeFileSync(kh, "");
    const wrong = await apply("h4", t, { inventory: inv(pub("h1")) });
    expect(wrong.hosts.h4!.unreachable).toBe(1);
    expect(wrong.hosts.h4!.error).toMatch(
      /not the pinned one: it presented ssh-ed25519 SHA256:\S+, deploy_host_key pins ssh-ed25519 SHA256:/,
    );
    expect(readFileSync(kh, "utf8")).toBe("");
    // its own key, as a public key and as the fingerprint a provider's console shows: no opt-in needed
    const right = await apply("h4", t, { inventory: inv(pub("h4")) });
    expect(right.hosts.h4!.unreachable).toBe(0);
    expect(readFileSync(kh, "utf8")).toMatch(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
    writeFileSync(kh, "");
    const fp = execFileSync(
      "ssh-keygen",
      ["-l", "-f", `${labPaths.host("h4")}/root/etc/ssh/ssh_host_ed25519_key.pub`],
      {
        encoding: "utf8",
      },
    ).split(" ")[1]!;
    const byFingerprint = await apply("h4", t, { inventory: inv(fp) });
    expect(byFingerprint.hosts.h4!.unreachable).toBe(0);
    expect(onHost("h4", "cat /srv/e7p")).toBe("pinned\n");
  });

  it("refuses a key of another type as changed: it negotiates only the types on file, and no option accepts it", async () => {
    const kh = labPaths.knownHosts();
    const before = readFileSync(kh, "utf8");
    // a new connection: a master kept from an earlier test (ControlPersist) still runs on the old sshd
    closeMasters();
    // the host now offers only an ECDSA key; known_hosts has its ED25519 key
    onHost(
      "h4",
      `[ -f /etc/ssh/ssh_host_ecdsa_key ] || ssh-keygen -q -t ecdsa -N '' -f /etc/ssh/ssh_host_ecdsa_key; echo 'HostKey /etc/ssh/ssh_host_ecdsa_key' > /etc/ssh/sshd_config.d/zz-hcd-ecdsa-only.conf; ${RESTART_SSHD}`,
    );
    const ecdsa = onHost("h4", "ssh-keygen -lf /etc/ssh/ssh_host_ecdsa_key.pub").split(" ")[1];
    try {
      const inv = writeInventory(
        `all:\n  vars:\n${baseVars()}    deploy_accept_new_host_key: true\n  hosts:\n    h4:\n      ansible_host: ${address("h4")}\n`,
      );
      for (const opts of [{ acceptNewHostKeys: true, inventory: inv }, { inventory: inv }]) {
        const r = await apply("h4", () => [file({ path: "/srv/e7c", content: "x\n" })], opts);
        expect(r.hosts.h4!.unreachable, JSON.stringify(r.hosts.h4)).toBe(1);
        expect(r.hosts.h4!.error).toMatch(
          new RegExp(
            `HOST KEY OF ${address("h4").replace(/\./g, "\\.")} HAS CHANGED: it presented only ecdsa-sha2-nistp256 ${ecdsa!.replace(/[+/]/g, "\\$&")} \\(none of the type on file\\), .* expects ssh-ed25519 SHA256:[^,]+; refusing`,
          ),
        ); // only this host's key on file
      }
      expect(readFileSync(kh, "utf8")).toBe(before); // nothing recorded
      expect(onHost("h4", "test -e /srv/e7c && echo yes || echo no")).toBe("no\n");
    } finally {
      onHost("h4", `rm -f /etc/ssh/sshd_config.d/zz-hcd-ecdsa-only.conf; ${RESTART_SSHD}`);
    }
    const back = await apply("h4", () => [command({ run: "true", creates: "/" })]);
    expect(back.hosts.h4!.unreachable, back.hosts.h4!.error).toBe(0);
  });

  it("names the host and the key file when the host refuses our key, and touches no other host", async () => {
    const dir = dirname(writeInventory(""));
    const key = join(dir, "other_key");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    const inv = writeInventory(
      `all:\n  vars:\n${baseVars()}  hosts:\n    h4:\n      ansible_host: ${address("h4")}\n      ansible_ssh_private_key_file: ${key}\n`,
    );
    const r = await apply("h4", () => [file({ path: "/srv/e7b", content: "x\n" })], { inventory: inv });
    expect(r.hosts.h4!.unreachable).toBe(1);
    expect(r.hosts.h4!.error).toContain(
      `refused our key (authentication failed; tried ${key} and ssh's own identities): ssh says Permission denied (publickey)`,
    );
    expect(onHost("h4", "test -e /srv/e7b && echo yes || echo no")).toBe("no\n");
  });

  it("reaches a host through a jump host", async () => {
    const inv = writeInventory(
      `all:\n  vars:\n${baseVars()}  hosts:\n    h1:\n      ansible_host: ${address("h1")}\n    behind:\n      ansible_host: 10.232.0.11\n      deploy_jump: h1\n`,
    );
    // the known_hosts entry for h2's LAN address, as seen through h1
    const key = readFileSync(`${labPaths.host("h2")}/root/etc/ssh/ssh_host_ed25519_key.pub`, "utf8")
      .split(" ")
      .slice(0, 2)
      .join(" ");
    writeFileSync(labPaths.knownHosts(), readFileSync(labPaths.knownHosts(), "utf8") + `10.232.0.11 ${key}\n`);
    const r = await apply("behind", () => [file({ path: "/srv/e8", content: "via jump\n" })], { inventory: inv });
    expect(r.hosts.behind!.error).toBeUndefined();
    expect(onHost("h2", "cat /srv/e8")).toBe("via jump\n");
  });

  it("becomes root with sudo, with and without a password", async () => {
    onHost(
      "h3",
      [
        "id deployer >/dev/null 2>&1 || useradd -m -s /bin/sh deployer",
        "id deployer2 >/dev/null 2>&1 || useradd -m -s /bin/sh deployer2",
        "echo 'deployer2:s3cret-sudo-pw' | chpasswd",
        "for u in deployer deployer2; do mkdir -p /home/$u/.ssh && cp /root/.ssh/authorized_keys /home/$u/.ssh/ && chown -R $u /home/$u/.ssh; done",
        "echo 'deployer ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/deployer && echo 'deployer2 ALL=(ALL) ALL' > /etc/sudoers.d/deployer2",
      ].join(" && "),
    );
    const vars = `    ansible_ssh_private_key_file: ${labPaths.key()}\n    deploy_known_hosts_file: ${labPaths.knownHosts()}\n    ansible_become: true\n`;
    const inv = writeInventory(
      `all:\n  vars:\n${vars}  hosts:\n    nopw:\n      ansible_host: ${address("h3")}\n      ansible_user: deployer\n    pw:\n      ansible_host: ${address("h3")}\n      ansible_user: deployer2\n      ansible_become_password: !secret s3cret-sudo-pw\n    wrongpw:\n      ansible_host: ${address("h3")}\n      ansible_user: deployer2\n      ansible_become_password: !secret not-the-sudo-pw\n`,
    );
    const writeHere = (h: string) => [file({ path: `/root/become-${h}`, content: "root\n", mode: "0600" })];
    const r = await apply("all", writeHere, { inventory: inv });
    expect(r.hosts.nopw!.error).toBeUndefined();
    expect(r.hosts.pw!.error).toBeUndefined();
    // a refused password ends the session at once (sudo would otherwise wait for another try)
    expect(r.hosts.wrongpw!.failed).toBe(1);
    expect(r.hosts.wrongpw!.error).toMatch(/incorrect password|try again/);
    expect(JSON.stringify(r)).not.toContain("not-the-sudo-pw");
    expect(onHost("h3", "stat -c %U /root/become-nopw /root/become-pw")).toBe("root\nroot\n");
  });
});

describe("the deploy command", () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ["dist/site/cli.js", ...args], { encoding: "utf8", env: { ...process.env, CI: "1" } });

  it("prints one JSON document with hosts and tasks, honours --limit and --tags, and exits by the documented codes", () => {
    const inv = labPaths.inventory();
    const check = cli(["playbooks/example.ts", "-i", inv, "--limit", "h4", "--check", "--json"]);
    const doc = JSON.parse(check.stdout);
    expect(Object.keys(doc.hosts)).toEqual(["h4"]);
    expect(doc.hosts.h4).toMatchObject({
      ok: expect.any(Number),
      changed: expect.any(Number),
      failed: 0,
      unreachable: 0,
    });
    expect(doc.tasks.length).toBeGreaterThan(5);
    for (const t of doc.tasks)
      expect(Object.keys(t)).toEqual(expect.arrayContaining(["host", "role", "task", "status"]));
    expect(check.status).toBe(doc.hosts.h4.changed ? 8 : 0);

    const tagged = JSON.parse(
      cli(["playbooks/example.ts", "-i", inv, "--limit", "h4", "--tags", "forwarding", "--json"]).stdout,
    );
    expect(new Set(tagged.tasks.map((t: { role: string }) => t.role))).toEqual(new Set(["forwarding"]));

    const logFile = join(mkdtempSync(join(tmpdir(), "hcd-runlog-")), "run.log");
    const full = cli(["playbooks/example.ts", "-i", inv, "--limit", "h4", "--log", logFile]);
    expect(full.status).toBe(0);
    expect(full.stdout).toMatch(/RECAP\nh4 +ok=\d+ changed=\d+ failed=0 unreachable=0/);
    // --log: the command, every task (ok ones too), the recap and the exit code, timestamped
    const logged = readFileSync(logFile, "utf8");
    expect(logged).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z deploy playbooks\/example.ts -i /);
    expect(logged).toMatch(/Z h4 \| [^|]+ \| .*: (ok|changed)\n/);
    expect(logged).toMatch(/Z RECAP\n.*Z h4 +ok=\d+ changed=\d+ failed=0/s);
    expect(logged).toMatch(/Z exit 0\n$/);
    const again = JSON.parse(cli(["playbooks/example.ts", "-i", inv, "--limit", "h4", "--json"]).stdout);
    expect(again.hosts.h4.changed).toBe(0);
    expect(again.hosts.h4.remote_scripts).toBe(1);
  });

  it("refuses bad input before connecting, naming the file and line", () => {
    const inv = writeInventory("all:\n  hosts:\n    h1:\n      ansible_port: 99999\n  bogus: 1\n");
    const r = cli(["playbooks/example.ts", "-i", inv]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`${inv}:5`);
    expect(r.stderr).toMatch(/unknown key "bogus"/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
