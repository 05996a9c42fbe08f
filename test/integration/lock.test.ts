// Promise 4: one run at a time per host.
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { silentReporter } from "../../src/engine/reporter.js";
import { command } from "../../src/index.js";
import { apply, holdLock, onHost } from "../support/lab.js";

describe("the host lock", () => {
  it("refuses a second run while one converges the host, and waits with --lock-timeout", async () => {
    onHost("h2", "rm -f /srv/lock-a /srv/lock-b");
    const slow = await holdLock("h2", "touch /srv/lock-a");
    const refused = await apply("h2", () => [command({ run: "touch /srv/lock-b", creates: "/srv/lock-b" })]);
    expect(refused.hosts.h2!.failed).toBe(1);
    expect(refused.hosts.h2!.error).toMatch(/being converged by another run \(run by .* pid \d+ since .*\)/);
    expect(onHost("h2", "ls /srv/lock-b 2>/dev/null; true")).toBe("");
    const waited = apply("h2", () => [command({ run: "touch /srv/lock-b", creates: "/srv/lock-b" })], {
      lockTimeoutSeconds: 30,
    });
    slow.release();
    const [a, b] = await Promise.all([slow.done, waited]);
    expect(a.hosts.h2!.changed).toBe(1);
    expect(b.hosts.h2!.changed).toBe(1);
    expect(onHost("h2", "ls /srv/lock-a /srv/lock-b")).toBe("/srv/lock-a\n/srv/lock-b\n");
    // released at the end: nothing is left on the host
    expect(onHost("h2", "cat /run/homecloud-deploy.owner 2>/dev/null; true")).toBe("");
  });

  it("is root's alone: a local user cannot open the lock file, so cannot hold it and block every run", async () => {
    // a lock file left 0644 by an older version is made private again by the next run that locks
    onHost("h2", "rm -f /srv/lock-p; touch /run/homecloud-deploy.lock; chmod 0644 /run/homecloud-deploy.lock");
    const r = await apply("h2", () => [command({ run: "touch /srv/lock-p", creates: "/srv/lock-p" })]);
    expect(r.hosts.h2!.changed).toBe(1);
    expect(onHost("h2", "stat -c '%a %U' /run/homecloud-deploy.lock")).toBe("600 root\n");
    const held = onHost(
      "h2",
      "id nobody >/dev/null && setpriv --reuid=nobody --regid=nogroup --init-groups flock -n /run/homecloud-deploy.lock true 2>&1; echo rc=$?",
      true,
    );
    expect(held).toMatch(/Permission denied/);
    expect(held).toMatch(/rc=[1-9]/);
  });

  it("detects a lock left by a run that was killed, says so, and takes it over", async () => {
    onHost(
      "h2",
      "rm -f /srv/lock-c; echo 'run by someone@elsewhere pid 4242 since 2026-01-01T00:00:00Z' > /run/homecloud-deploy.owner",
    );
    const warnings: string[] = [];
    // (the lock is taken before the first change: this run has one)
    const r = await apply("h2", () => [command({ run: "touch /srv/lock-c", creates: "/srv/lock-c" })], {
      reporter: { ...silentReporter, warning: (w) => warnings.push(w) },
    });
    expect(r.hosts.h2!.failed).toBe(0);
    expect(warnings.join("\n")).toMatch(
      /h2: an earlier run did not finish \(run by someone@elsewhere pid 4242 since 2026-01-01T00:00:00Z\); its lock was stale/,
    );
    expect(onHost("h2", "cat /run/homecloud-deploy.owner 2>/dev/null; true")).toBe("");
  });

  it("a lock whose run ended on this machine while its session shell lives on (a connection that died unnoticed) is taken over", async () => {
    // a pid of this machine that no longer runs
    const gone = spawnSync("true").pid!;
    const line = `run by root@${hostname()} pid ${gone} since 2026-12-02T00:00:00Z`;
    // what such a shell leaves on the host: it holds the flock, names its run and itself
    onHost(
      "h2",
      `rm -f /srv/lock-e; setsid sh -c 'exec 9>>/run/homecloud-deploy.lock; flock -n 9 || exit 1; echo "${line}" > /run/homecloud-deploy.owner; echo $$ > /run/homecloud-deploy.holder; exec sleep 600' </dev/null >/dev/null 2>&1 &
      for i in $(seq 50); do [ -s /run/homecloud-deploy.holder ] && break; sleep 0.1; done`,
    );
    const holder = onHost("h2", "cat /run/homecloud-deploy.holder").trim();
    const warnings: string[] = [];
    const r = await apply("h2", () => [command({ run: "touch /srv/lock-e", creates: "/srv/lock-e" })], {
      reporter: { ...silentReporter, warning: (w) => warnings.push(w) },
    });
    expect(r.hosts.h2!.error).toBeUndefined();
    expect(r.hosts.h2!.changed).toBe(1);
    expect(warnings.join("\n")).toContain(`h2: the run that held its lock (${line}) has ended`);
    expect(onHost("h2", `kill -0 ${holder} 2>/dev/null && echo alive || echo ended`)).toBe("ended\n");
    expect(onHost("h2", "cat /run/homecloud-deploy.owner 2>/dev/null; true")).toBe("");
    // a live holder of another machine's run is never ended
    onHost(
      "h2",
      `setsid sh -c 'exec 9>>/run/homecloud-deploy.lock; flock -n 9 || exit 1; echo "run by root@elsewhere pid ${gone} since 2026-12-02T00:00:00Z" > /run/homecloud-deploy.owner; echo $$ > /run/homecloud-deploy.holder; exec sleep 600' </dev/null >/dev/null 2>&1 &
      for i in $(seq 50); do grep -q elsewhere /run/homecloud-deploy.owner 2>/dev/null && break; sleep 0.1; done`,
    );
    const other = onHost("h2", "cat /run/homecloud-deploy.holder").trim();
    onHost("h2", "rm -f /srv/lock-e");
    const refused = await apply("h2", () => [command({ run: "touch /srv/lock-e", creates: "/srv/lock-e" })]);
    expect(refused.hosts.h2!.error).toMatch(/being converged by another run \(run by root@elsewhere/);
    onHost(
      "h2",
      `kill ${other}; for i in $(seq 50); do kill -0 ${other} 2>/dev/null || break; sleep 0.1; done; rm -f /run/homecloud-deploy.owner`,
    );
  });

  it("check mode takes no lock (it writes nothing), where a run would be refused", async () => {
    onHost("h2", "rm -f /srv/lock-d");
    const slow = await holdLock("h2");
    const wouldChange = () => [command({ run: "touch /srv/lock-d", creates: "/srv/lock-d" })];
    const check = await apply("h2", wouldChange, { check: true });
    expect(check.hosts.h2!.failed).toBe(0);
    expect(check.hosts.h2!.changed).toBe(1);
    // the same tasks for real are refused at this moment: the lock is held
    const real = await apply("h2", wouldChange);
    expect(real.hosts.h2!.error).toMatch(/being converged by another run/);
    slow.release();
    await slow.done;
    expect(onHost("h2", "ls /srv/lock-d 2>/dev/null; true")).toBe("");
  });
});
