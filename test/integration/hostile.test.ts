// A hostile host (issue 17): what it sends back reaches the operator escaped and redacted in
// human output, on a TTY and without one; --json stays exact, and redacted.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { address, baseVars, onHost } from "../support/lab.js";

const SECRET = 'hostile-"sec\\ret"-ünï-7f3';
const SEEDED = `old motd \x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;owned\x07 looks\rfine ${SECRET}\n`;
const RAW = /\x1b\[2J|\x1b\]52|\x1b\]0;|\x07|\r(?!\n)/;
let inventory = "";

const deploy = (extra: string[], env: Record<string, string | undefined> = { CI: "1" }) =>
  spawnSync(process.execPath, ["dist/site/cli.js", "test/integration/hostile/playbook.ts", "-i", inventory, ...extra], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });

describe("a hostile host", () => {
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-hostile-"));
    writeFileSync(join(dir, "secret"), SECRET + "\n", { mode: 0o600 });
    inventory = join(dir, "inventory.yaml");
    writeFileSync(
      inventory,
      `all:\n  vars:\n${baseVars()}    hostile_secret: !file ${join(dir, "secret")}\n  children:\n    hostile:\n      hosts:\n        h2:\n          ansible_host: ${address("h2")}\n`,
    );
  });

  const seed = () =>
    onHost(
      "h2",
      `rm -rf /srv/hostile; mkdir -p /srv/hostile; printf '%s' '${Buffer.from(SEEDED).toString("base64")}' | base64 -d > /srv/hostile/motd`,
    );

  it("without a TTY: every line escaped and redacted (diff, task error, RECAP)", () => {
    seed();
    const r = deploy(["--diff", "-v"]);
    expect(r.status).toBe(2);
    const out = r.stdout + r.stderr;
    expect(out).not.toContain(SECRET);
    expect(out).not.toMatch(RAW);
    expect(out).toContain("-old motd \\e[2J\\e]52;c;cm0gLXJmIH4=\\x07\\e]0;owned\\x07 looks\\rfine ********"); // the diff
    expect(out).toMatch(
      /^RECAP\n[\s\S]*^ +! \*{8}boom \\e\[2J \\e\]52;c;cm0gLXJmIH4=\\x07 \\e\]0;owned\\x07 over\\rwrite$/m,
    ); // RECAP
    expect(out).toMatch(/^\s+! \*{8}boom|^\s+! \*{8}$/m); // the echoed secret, masked in the task's error
  });

  it("on a TTY (listr2): the host's sequences never reach the terminal raw, nor the secret", () => {
    seed();
    const cmd = `${process.execPath} dist/site/cli.js test/integration/hostile/playbook.ts -i ${inventory} --diff`;
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
      encoding: "utf8",
      env: { ...process.env, CI: "", TERM: "xterm" },
    });
    expect(r.stdout).toMatch(/RECAP/);
    expect(r.stdout).toContain("\x1b["); // it is a TTY: listr2 draws with escape sequences of its own
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stdout).not.toMatch(/\x1b\[2J|\x1b\]52|\x1b\]0;/);
  });

  it("--json: the host's text exact (control characters included), every secret masked", () => {
    seed();
    const r = deploy(["--json", "--diff"]);
    expect(r.status).toBe(2);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stdout).not.toContain(JSON.stringify(SECRET).slice(1, -1));
    const doc = JSON.parse(r.stdout) as {
      hosts: Record<string, { error: string }>;
      tasks: Array<{ task: string; error?: string; diff?: string }>;
    };
    const failed = doc.tasks.find((t) => t.error)!;
    expect(failed.error).toContain("********boom \x1b[2J \x1b]52;c;cm0gLXJmIH4=\x07 \x1b]0;owned\x07 over\rwrite");
    expect(doc.tasks.find((t) => t.task === "file /srv/hostile/motd")!.diff).toContain(
      "-old motd \x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;owned\x07 looks\rfine ********",
    );
    expect(doc.hosts.h2!.error).toContain("\x1b]52");
  });
});
