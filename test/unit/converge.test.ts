// The converge loop without root or the lab (test/support/local-host.ts: the real session
// protocol over a local sh in namespaces of its own): check mode, a partial failure, handlers
// and their notifications kept across runs, a later task reading what an earlier one changed,
// and a host changed by another run between our read and our lock.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { command, directory, file, handler, keys, line } from "../../src/index.js";
import { localHost } from "../support/local-host.js";

const statuses = (r: { tasks: Array<{ task: string; status: string }> }) =>
  r.tasks.map((t) => `${t.task}: ${t.status}`);

describe("the converge loop on a local host (no root, no lab)", () => {
  it("check mode changes nothing and predicts the run; a second run changes nothing", async () => {
    const h = localHost();
    const d = join(h.root, "app");
    const tasks = () => [
      directory({ path: d }),
      file({ path: `${d}/conf`, content: "a=1\n" }),
      // a file a command makes, then edited: the edit reads what the command left
      command({ run: `printf 'x=0\\n' > ${d}/made`, creates: `${d}/made`, affects: [keys.tree(`${d}/made`)] }),
      line({ path: `${d}/made`, line: "b=2" }),
    ];
    const check = await h.converge(tasks, { check: true });
    expect(check.recap.changed).toBe(4);
    expect(existsSync(d)).toBe(false);
    expect(check.remoteScripts).toBe(1); // the probe only
    const run = await h.converge(tasks);
    expect([...statuses(run)].sort()).toEqual([...statuses(check)].sort());
    expect(readFileSync(`${d}/conf`, "utf8")).toBe("a=1\n");
    // the line task read the file after the command had written it (a changed-since-read key)
    expect(readFileSync(`${d}/made`, "utf8")).toBe("x=0\nb=2\n");
    const again = await h.converge(tasks);
    expect(again.recap.changed).toBe(0);
    expect(again.remoteScripts).toBe(1);
  }, 30_000);

  it("a failed task stops the host: what came before is applied, what comes after is not started", async () => {
    const h = localHost();
    const tasks = (code: number) => () => [
      file({ path: join(h.root, "before"), content: "1\n" }),
      command({ run: `exit ${code}`, title: "the failing step" }),
      file({ path: join(h.root, "after"), content: "2\n" }),
    ];
    const r = await h.converge(tasks(3));
    expect(statuses(r)).toEqual([`file ${join(h.root, "before")}: changed`, "the failing step: failed"]);
    expect(r.recap.failed).toBe(1);
    expect(existsSync(join(h.root, "before"))).toBe(true);
    expect(existsSync(join(h.root, "after"))).toBe(false);
    const fixed = await h.converge(tasks(0));
    expect(fixed.recap.failed).toBe(0);
    expect(readFileSync(join(h.root, "after"), "utf8")).toBe("2\n");
  }, 30_000);

  it("a handler runs once for several notifications; one notified before a failure runs on the next run", async () => {
    const h = localHost();
    const log = join(h.root, "handler.log");
    const restart = handler("restart", `echo run >> ${log}`);
    const two = () => [
      file({ path: join(h.root, "a"), content: "a\n", notify: restart }),
      file({ path: join(h.root, "b"), content: "b\n", notify: restart }),
    ];
    await h.converge(two);
    expect(readFileSync(log, "utf8")).toBe("run\n");
    await h.converge(two);
    expect(readFileSync(log, "utf8")).toBe("run\n");

    const failing = () => [
      file({ path: join(h.root, "c"), content: "v2\n", notify: restart }),
      command({ run: "exit 3" }),
    ];
    const r1 = await h.converge(failing);
    expect(r1.recap.failed).toBe(1);
    expect(readFileSync(log, "utf8")).toBe("run\n");
    const r2 = await h.converge(() => [file({ path: join(h.root, "c"), content: "v2\n", notify: restart })]);
    expect(statuses(r2)).toEqual([`file ${join(h.root, "c")}: ok`, "handler: restart: changed"]);
    expect(readFileSync(log, "utf8")).toBe("run\nrun\n");
    expect((await h.converge(() => [file({ path: join(h.root, "c"), content: "v2\n" })])).recap.changed).toBe(0);
  }, 30_000);

  it("a host changed by another run between the read and the lock is read again before any change", async () => {
    const h = localHost();
    const path = join(h.root, "conf");
    writeFileSync(path, "old\n");
    let asked = 0;
    const r = await h.converge(() => [line({ path, regexp: "^v=", line: "v=ours" })], {
      // another run wrote the file after our read; our lock says so
      takeLock: async () => {
        asked++;
        if (asked === 1) writeFileSync(path, "v=theirs\nkept\n");
        return asked === 1;
      },
    });
    expect(r.recap.failed).toBe(0);
    // the edit was planned against what the other run left, not against what was read first
    expect(readFileSync(path, "utf8")).toBe("v=ours\nkept\n");
    expect(statuses(r)).toEqual([`line in ${path}: v=ours: changed`]);
  }, 30_000);
});
