// A first deploy: a host not yet at its planned address is located through its jump host and
// reached there (HostSessions.reach); a host whose connection goes down during its turn (its
// address moved under the session) is reached again and converged once more (hostTurn). The
// hosts are local sessions (test/support/local-host.ts); only the dialling is staged.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hostTurn } from "../../src/engine/host-turn.js";
import type { Reporter } from "../../src/engine/reporter.js";
import type { TaskResult } from "../../src/engine/results.js";
import { DeployError } from "../../src/errors.js";
import { command, directory } from "../../src/index.js";
import { HostSessions } from "../../src/transport/sessions.js";
import type { RemoteShell, SshTarget } from "../../src/transport/target.js";
import { type LocalHost, localHost } from "../support/local-host.js";
import { bootstrapByMac } from "../../site/bootstrap.js";
import { vmSchema } from "../../site/plan/site-schema.js";

const PLANNED = "2001:db8::10";
const target = (alias: string, extra: Partial<SshTarget> = {}) =>
  ({ name: alias, alias, host: alias, port: 22, user: "root", knownHostsFile: "/dev/null", ...extra }) as SshTarget;

/** A VM reached through "jump" at its planned address, which never answers; the jump host runs `locate`. */
function staged(h: LocalHost, locate: string, opts: { dropOn?: string; lazy?: boolean } = {}) {
  const vm = target(PLANNED, { name: "vm", jump: target("jump"), bootstrap: { locate, what: "by a test" } });
  const dials: string[] = [];
  let dropped = false;
  const connect = async (t: SshTarget): Promise<RemoteShell> => {
    dials.push(t.alias);
    const down = new DeployError("connect", `ssh: connect to host ${PLANNED} port 22: No route to host`, {
      host: "vm",
    });
    // lazy: a shell opens without a word (the host's key is on file); its first script fails
    if (t.alias === PLANNED && opts.lazy)
      return Object.assign(Object.create(h.shell(t)) as RemoteShell, {
        target: t,
        runScript: async () => {
          throw down;
        },
      });
    if (t.alias === PLANNED) throw down;
    const sh = h.shell(t);
    // the connection goes down as the marked script's change lands (its answer never comes back)
    return Object.assign(Object.create(sh) as RemoteShell, {
      runScript: async (script: string) => {
        const r = await sh.runScript(script);
        if (opts.dropOn && script.includes(opts.dropOn) && !dropped) {
          dropped = true;
          await sh.close();
          throw new DeployError("connect", `lost during the run: the connection to ${t.alias} went down`, {
            host: "vm",
          });
        }
        return r;
      },
    });
  };
  const sessions = new HostSessions(new Map([["vm", vm]]), connect);
  const tasks: TaskResult[] = [];
  const notes: string[] = [];
  const reporter: Reporter = {
    playStarted() {},
    hostStarted() {},
    progress() {},
    task: (r) => tasks.push(r),
    hostFinished() {},
    playFinished() {},
    warning: (m) => notes.push(m),
  };
  return { sessions, dials, tasks, notes, reporter };
}

describe("reaching a host before it has its planned address", () => {
  it("locates it through its jump host, reaches it there, and carries on when its address moves under the session", async () => {
    const h = localHost();
    const d = join(h.root, "vm");
    const s = staged(h, "echo fe80::1%lo", { dropOn: "MOVE" });
    const roles = h.roles(() => [
      directory({ path: d }),
      command({ run: `touch ${d}/moved # MOVE`, creates: `${d}/moved` }),
      command({ run: `touch ${d}/after`, creates: `${d}/after` }),
    ]);
    const out = await hostTurn({
      sessions: s.sessions,
      host: "vm",
      roles,
      options: { check: false, diff: false, interrupted: () => false, takeLock: async () => false },
      first: true,
      reporter: s.reporter,
      forgetLock: () => false,
    });
    expect(out.error).toBeUndefined();
    expect(existsSync(`${d}/moved`) && existsSync(`${d}/after`)).toBe(true);
    // planned (at the start), planned again, then located; after the drop the same again
    expect(s.dials).toEqual([PLANNED, PLANNED, "jump", "fe80::1%lo", PLANNED, PLANNED, "jump", "fe80::1%lo"]);
    expect(s.notes[0]).toBe(
      `vm: ${PLANNED} does not answer yet (a first deploy): reached at fe80::1%lo through jump, found by a test`,
    );
    expect(s.notes[1]).toMatch(/^vm: lost during the run: .*; reaching it again to carry on$/);
    // each task once: the one whose answer was lost changed (it is in place), the others as they went
    expect(s.tasks.map((t) => `${t.task}: ${t.status}`)).toEqual([
      expect.stringMatching(/^directory .*: changed$/),
      expect.stringMatching(/^command .*moved.*: changed$/),
      expect.stringMatching(/^command .*after.*: changed$/),
    ]);
    expect(out.recap).toMatchObject({ changed: 3, ok: 0, failed: 0, unreachable: 0 });
  }, 30_000);

  it("a session at the planned address that opened without a word and failed at its first script: located at once", async () => {
    const h = localHost();
    const s = staged(h, "echo fe80::1%lo", { lazy: true });
    const out = await hostTurn({
      sessions: s.sessions,
      host: "vm",
      roles: h.roles(() => [directory({ path: join(h.root, "lazy") })]),
      options: { check: false, diff: false, interrupted: () => false, takeLock: async () => false },
      first: true,
      reporter: s.reporter,
      forgetLock: () => false,
    });
    expect(out.error).toBeUndefined();
    expect(s.dials).toEqual([PLANNED, "jump", "fe80::1%lo"]);
    expect(existsSync(join(h.root, "lazy"))).toBe(true);
  }, 30_000);

  it("says where it looked when the host is not found, and leaves the host unreachable", async () => {
    const h = localHost();
    const s = staged(h, "echo 'no neighbour with MAC 52:54:00:12:34:56 answers on tap_vpn' >&2; exit 1");
    const out = await hostTurn({
      sessions: s.sessions,
      host: "vm",
      roles: h.roles(() => [directory({ path: join(h.root, "x") })]),
      options: { check: false, diff: false, interrupted: () => false, takeLock: async () => false },
      first: true,
      reporter: s.reporter,
      forgetLock: () => false,
    });
    expect(out.recap.unreachable).toBe(1);
    expect(out.error).toContain(
      `vm: ${PLANNED} does not answer (ssh: connect to host ${PLANNED} port 22: No route to host), and it was not found by a test: no neighbour with MAC 52:54:00:12:34:56 answers on tap_vpn`,
    );
    expect(existsSync(join(h.root, "x"))).toBe(false);
  }, 30_000);

  it("refuses a located address that ssh could take for something else", async () => {
    const h = localHost();
    const s = staged(h, "echo '-oProxyCommand=evil'");
    await expect(s.sessions.reach("vm")).rejects.toThrow(/it printed "-oProxyCommand=evil"/);
  }, 30_000);
});

describe("the run lock after a lost session", () => {
  it("this run takes over the lock its lost session's shell still holds (ending that shell); another run stays out", async () => {
    const h = localHost();
    const lost = h.shell(target("vm"));
    expect(await lost.lock!("run 1")).toMatchObject({ status: "locked" });
    // another run: busy while the lost session's shell lives on
    expect(await h.shell(target("vm")).lock!("run 2")).toMatchObject({ status: "busy", previous: "run 1" });
    const again = h.shell(target("vm"));
    expect(await again.lock!("run 1", { takeOver: true })).toMatchObject({ status: "locked" });
    // the old holder is gone, and the lock is held by the new session
    await expect(lost.runScript("true")).rejects.toThrow();
    expect(await h.shell(target("vm")).lock!("run 2")).toMatchObject({ status: "busy", previous: "run 1" });
    await again.close();
    const next = h.shell(target("vm"));
    expect(await next.lock!("run 2")).toMatchObject({ status: "locked" });
    await next.close();
  }, 30_000);
});

describe("home_mac", () => {
  it.each([
    ["BC:24:11:AA:bb:0C", { success: true, mac: "bc:24:11:aa:bb:0c" }],
    ["03:00:00:00:00:01", /not a unicast MAC address/],
    ["52:54:00:12:34", /not a unicast MAC address/],
    // YAML 1.1 reads an unquoted all-digit MAC in base 60
    [1555200061, /quote the MAC/],
  ])("%s", (value, want) => {
    const r = vmSchema.safeParse({ home_mac: value });
    if (want instanceof RegExp) expect(r.error?.issues[0]?.message).toMatch(want);
    else expect(r.data?.home_mac).toBe(want.mac);
  });

  it("its locate script names the tap and the MAC it looks for", () => {
    const b = bootstrapByMac("tap_vpn", "52:54:00:12:34:56");
    expect(b.what).toBe("by its MAC 52:54:00:12:34:56 on tap_vpn");
    expect(b.locate).toContain("dev=tap_vpn\nmac=52:54:00:12:34:56\n");
  });
});
