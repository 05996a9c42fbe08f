// The session shell: one exec channel per host that runs every script of a run.
import { afterEach, describe, expect, it } from "vitest";
import { file, line, service } from "../../src/index.js";
import { shDialect, type ProbeItem } from "../../src/engine/dialect.js";
import type { Resource } from "../../src/engine/types.js";

/** A probe item as the engine makes it (in the script's own shell when the resource allows). */
const item = (id: string, r: Resource): ProbeItem => probeItem(id, r, false);
import { parseSections } from "../../src/engine/sections.js";
import { probeItem } from "../../src/engine/probe.js";
import { loadInventory } from "../../src/inventory/load.js";
import { resolveTargets } from "../../src/inventory/connection.js";
import { secret } from "../../src/secrets.js";
import { SshPool } from "../../src/transport/connect.js";
import type { RemoteShell } from "../../src/transport/target.js";
import { apply, holdLock, labInventoryFile, onHost } from "../support/lab.js";

const pool = new SshPool();
const opened: RemoteShell[] = [];
async function shell(host: string): Promise<RemoteShell> {
  const { targets } = resolveTargets(loadInventory(labInventoryFile()), [host], {});
  const sh = await pool.shell(targets.get(host)!);
  opened.push(sh);
  return sh;
}
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

/** The argv of the session shell, as the host's process table shows it. */
const ARGV = `tr '\\0' ' ' < /proc/$$/cmdline`;

describe("the session shell", () => {
  it("runs scripts one after another without one script's exit, cd, variables or stdin reaching the next", async () => {
    const sh = await shell("h1");
    expect(await sh.runScript("cd /tmp; X=1; echo out; echo err >&2; exit 3")).toEqual({
      stdout: "out\n",
      stderr: "err\n",
      code: 3,
    });
    expect(await sh.runScript('pwd; echo "x=${X:-unset}"; cat; printf no-newline')).toEqual({
      stdout: "/root\nx=unset\nno-newline",
      stderr: "",
      code: 0,
    });
    const big = await sh.runScript("head -c 300000 /dev/zero | tr '\\0' a; echo; seq 1 20000 >&2");
    expect(big.stdout.length).toBe(300001);
    expect(big.stderr.split("\n").length).toBe(20001);
    // two-byte characters, 400000 bytes: some are split between channel chunks
    expect((await sh.runScript("head -c 200000 /dev/zero | tr '\\0' x | sed 's/x/é/g'")).stdout).toBe(
      "é".repeat(200000),
    );
    expect(sh.remoteScripts).toBe(4);
  });

  it("sends a first script in the command line only when it holds no secret", async () => {
    const plain = await shell("h1");
    expect((await plain.runScript(`${ARGV}; echo ' marker-in-argv'`)).stdout).toContain("marker-in-argv");
    const pw = secret("hunter2-session-test");
    const withSecret = await shell("h2");
    const r = await withSecret.runScript(`${ARGV}; echo; echo ${pw.reveal()} | wc -c`);
    expect(r.stdout).not.toContain(pw.reveal());
    expect(r.stdout.trim().split("\n").pop()).toBe(String(pw.reveal().length + 1));
  });

  it("sends a first script whose quoted form would be too long for one argument on stdin", async () => {
    const sh = await shell("h3");
    // 40000 characters of script, 160000 once quoted for the command line (Linux allows 131072)
    const r = await sh.runScript(`tr -d '\\n' <<'EOF' | wc -c; ${ARGV} | wc -c\n${"'".repeat(40000)}\nEOF`);
    const [count, argvLength] = r.stdout.trim().split("\n").map(Number);
    expect(count).toBe(40000);
    expect(argvLength).toBeLessThan(200); // the script did not travel in the command line
  });

  it("takes the lock in the session shell, frees it when the session ends, and says when another run changed the host since the last read", async () => {
    const a = await shell("h3");
    await a.runScript("true"); // a's read of the host
    const b = await shell("h3");
    await b.runScript("true");
    expect((await b.lock!("run B")).status).toBe("locked");
    expect(onHost("h3", "cat /run/homecloud-deploy.owner")).toBe("run B\n");
    expect(await a.lock!("run A")).toMatchObject({ status: "busy", previous: "run B" });
    // a script's children do not inherit the lock
    await b.runScript("sleep 30 >/dev/null 2>&1 &");
    await b.close();
    opened.splice(opened.indexOf(b), 1);
    expect(onHost("h3", "cat /run/homecloud-deploy.owner 2>/dev/null; true")).toBe("");
    const l = await a.lock!("run A");
    expect(l).toMatchObject({ status: "locked", changedSinceRead: true });
    onHost("h3", "pkill -f '^sleep 30$'; true");
  });
});

describe("the run lock", () => {
  it("is taken only before a change: a run that changes nothing passes a host another run is converging", async () => {
    onHost("h4", "rm -f /srv/lazy-a; mkdir -p /srv");
    await apply("h4", () => [file({ path: "/srv/lazy-b", content: "b\n" })]);
    const slow = await holdLock("h4", "touch /srv/lazy-a");
    expect(onHost("h4", "cat /run/homecloud-deploy.owner")).toMatch(/^run by /);
    const noop = await apply("h4", () => [file({ path: "/srv/lazy-b", content: "b\n" })]);
    expect(noop.hosts.h4).toMatchObject({ ok: 1, changed: 0, failed: 0 });
    const busy = await apply("h4", () => [file({ path: "/srv/lazy-b", content: "changed\n" })]);
    expect(busy.hosts.h4!.error).toMatch(/being converged by another run/);
    slow.release();
    expect((await slow.done).hosts.h4!.changed).toBe(1);
  });

  it("reads the host again when another run changed it between our read and our lock", async () => {
    onHost("h4", "printf 'a=0\\n' > /srv/race.conf");
    const progress: string[] = [];
    const r = await apply("h4", () => [line({ path: "/srv/race.conf", line: "k=1" })], {
      // another run converges the host after our read, before our first change
      connect: async (t) => {
        const sh = await pool.shell(t);
        opened.push(sh);
        const lock = sh.lock!.bind(sh);
        return Object.assign(Object.create(sh), {
          runScript: sh.runScript.bind(sh),
          lock: async (owner: string) => {
            await apply("h4", () => [file({ path: "/srv/race.conf", content: "b=2\n" })]);
            return lock(owner);
          },
        });
      },
      reporter: {
        playStarted() {},
        hostStarted() {},
        progress: (_h, m) => progress.push(m),
        task() {},
        hostFinished() {},
        playFinished() {},
      },
    });
    expect(r.hosts.h4).toMatchObject({ changed: 1, failed: 0 });
    expect(r.tasks.filter((t) => t.host === "h4")).toHaveLength(1);
    expect(progress).toContain("changed by another run meanwhile: reading again");
    expect(onHost("h4", "cat /srv/race.conf")).toBe("b=2\nk=1\n");
  });
});

describe("the probe's unit table", () => {
  it("reads units as systemctl show per unit would: found, aliased, missing, generated", () => {
    const units = ["ssh", "sshd", "systemd-networkd", "no-such-unit-hcd", "systemd-journald.socket", "ssh"];
    const items = units.map((u, i) => item(`p${i}`, service({ name: u }).resource));
    const script = shDialect.probes("TOK", items);
    expect(script.match(/systemctl show/g)).toHaveLength(1);
    const sections = parseSections("TOK", onHost("h1", shDialect.header + script));
    const sorted = (t: string | undefined) => (t ?? "").trim().split("\n").sort();
    items.forEach(([id, fragment], i) => {
      // the fragment alone (no table: its own systemctl), and the pipeline probes used before tables
      const alone = onHost("h1", shDialect.header + fragment);
      const unit = units[i]!.includes(".") ? units[i] : `${units[i]}.service`;
      const before = onHost(
        "h1",
        `systemctl show -p LoadState -p ActiveState -p UnitFileState -p NeedDaemonReload ${unit} | sed -e 's/^LoadState=/load /' -e 's/^ActiveState=/active /' -e 's/^UnitFileState=/enabled /' -e 's/^NeedDaemonReload=/reload /'`,
      );
      expect(sorted(sections.get(id)?.output), units[i]).toEqual(sorted(alone));
      expect(
        sorted(sections.get(id)?.output).filter((l) => /^(load|active|enabled|reload) /.test(l)),
        units[i],
      ).toEqual(sorted(before));
    });
    expect(sections.get("p0")?.output).toMatch(/^load loaded$/m);
    expect(sections.get("p3")?.output).toMatch(/^load not-found$/m);
  });
});
