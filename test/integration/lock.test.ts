// Promise 4: one run at a time per host.
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
