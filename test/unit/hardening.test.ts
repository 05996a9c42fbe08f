// Issue 17: what a failing or hostile host can do to the operator. Sinks, temp files, host keys.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blob } from "../support/key-blob.js";
import { shDialect, type ProbeItem } from "../../src/engine/dialect.js";
import { parseSections } from "../../src/engine/sections.js";
import type { RunSummary } from "../../src/engine/run.js";
import { jsonDocument } from "../../src/output/json.js";
import { plainReporter } from "../../src/output/plain.js";
import { recapLines } from "../../src/output/recap.js";
import { escapeControls, forPerson } from "../../src/output/sink.js";
import { atomicWrite } from "../../src/resources/files/write.js";
import { serverStateFromConfig } from "../../src/resources/softether/config.js";
import { softether } from "../../src/resources/softether/server.js";
import { configProbe } from "../../src/resources/softether/vpncmd.js";
import { redact, secret } from "../../src/secrets.js";
import {
  checkHostKey,
  fingerprint,
  hostKeyAlgorithms,
  knownKeyTypes,
  parseKnownHosts,
} from "../../src/transport/known-hosts.js";

const HOSTILE = "a\x1b[2Jb\x1b]52;c;cm0gLXJmIH4=\x07c\x1b]0;pwned\x07d\rOVERWRITE\x9b31m\u202eevil\u2066";

describe("human output escapes what hosts send (terminal injection)", () => {
  it("shows C0/C1 controls, bidi and zero-width characters as visible escapes, keeps newline and tab", () => {
    const shown = escapeControls(HOSTILE + "\n\tend");
    expect(shown).toBe(
      "a\\e[2Jb\\e]52;c;cm0gLXJmIH4=\\x07c\\e]0;pwned\\x07d\\rOVERWRITE\\x9b31m\\u{202e}evil\\u{2066}\n\tend",
    );
    expect(shown).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\u2066]/);
  });
  it("masks secrets before escaping, and leaves plain text alone", () => {
    const s = secret("pa\x1bss-word-1");
    expect(forPerson(`x ${s.reveal()} y`)).toBe("x ******** y");
    expect(forPerson("plain text: ümlaut, 日本語")).toBe("plain text: ümlaut, 日本語");
  });
});

function summary(error: string): RunSummary {
  return {
    check: false,
    warnings: [],
    hosts: { "vps\x1b[2J": { ok: 1, changed: 0, failed: 1, unreachable: 0, skipped: 0, remoteScripts: 2, error } },
    tasks: [
      {
        host: "vps",
        role: "softether-server",
        task: "softether hub VPN",
        status: "failed",
        error,
        why: [`set ${error}`],
      },
    ],
    exitCode: 2,
    durationMs: 1,
  };
}

describe("every sink redacts every secret of the run (recap, plain lines, --json)", () => {
  const tricky = secret('hub-"pass\\word"-ünï-9');
  const echo = `UserPasswordSet home /PASSWORD:${tricky.reveal()}\nError occurred. (Error code: 29)${HOSTILE}`;

  it("RECAP shows the host's error redacted and escaped, with and without colour", () => {
    for (const color of [false, true]) {
      const text = recapLines(summary(echo), color).join("\n");
      expect(text).not.toContain(tricky.reveal());
      expect(text).toContain("/PASSWORD:********");
      expect(text).not.toMatch(/\x1b\[2J|\x1b\]|\r|\x07/);
      expect(text).toContain("\\e[2J");
    }
  });

  it("plain lines are redacted and escaped", () => {
    let out = "";
    const r = plainReporter({ verbose: 2, diff: true, check: false, write: (s) => (out += s) });
    r.task({ ...summary(echo).tasks[0]!, diff: [{ path: "/etc/x", before: HOSTILE, after: tricky.reveal() }] });
    r.hostFinished("vps", { recap: summary(echo).hosts["vps\x1b[2J"]!, error: echo, remoteScripts: 1 });
    expect(out).not.toContain(tricky.reveal());
    expect(out).not.toMatch(/\x1b|\r|\x07/);
  });

  it("--json masks a secret holding quotes, backslashes and non-ASCII, and keeps everything else exact", () => {
    const text = jsonDocument(summary(echo));
    expect(text).not.toContain(tricky.reveal());
    expect(text).not.toContain(JSON.stringify(tricky.reveal()).slice(1, -1)); // its JSON-escaped form
    const doc = JSON.parse(text);
    expect(doc.tasks[0].error).toBe(echo.replace(tricky.reveal(), "********")); // control characters exact
    expect(Object.keys(doc.hosts)).toEqual(["vps\x1b[2J"]);
  });

  it("a hub password the tool draws itself is a secret from birth, drawn once per task, not per plan", () => {
    const t = softether({ adminPassword: secret("admin-pw-123"), hubs: [{ name: "VPN" }] });
    const empty = { state: "ok", server: serverStateFromConfig("declare root\n{\n}\n") };
    const script = t.resource
      .steps(empty)
      .map((s) => s.script)
      .join("\n");
    const create = /^HubCreate VPN \/PASSWORD:(.*)$/m.exec(script)!;
    const drawn = create[1];
    expect(drawn!.length).toBeGreaterThan(20);
    expect(
      t.resource
        .steps(empty)
        .map((s) => s.script)
        .join("\n"),
    ).toContain(create[0]);
    expect(redact(`HubDelete said: ${create[0]}`)).toBe("HubDelete said: HubCreate VPN /PASSWORD:********");
    expect(jsonDocument(summary(create[0]))).not.toContain(drawn);
  });
});

/** Run a script with sh, its temp files under a private TMPDIR; what is left there after. */
function inTmp(
  script: string,
  opts: { killAfterMs?: number; closeStdoutAfter?: number } = {},
): Promise<{ out: string; left: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "hcd-tmpd-"));
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", script], {
      env: { ...process.env, TMPDIR: dir },
      stdio: ["ignore", "pipe", "ignore"],
    }); // (a cut-off script complains on stderr, as meant)
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      // the reader goes away after the first bytes: the rest of the output meets SIGPIPE
      if (opts.closeStdoutAfter !== undefined && out.length >= opts.closeStdoutAfter) child.stdout.destroy();
    });
    if (opts.killAfterMs) setTimeout(() => child.kill("SIGTERM"), opts.killAfterMs);
    child.on("exit", () => setTimeout(() => resolve({ out, left: readdirSync(dir) }), 1200));
  });
}

describe("remote temp files: private, removed by a trap, never left for after the output", () => {
  const slow: ProbeItem[] = [
    ["p0", `echo first; stat -c '%a' "$hcd_d" "$hcd_d/0"; sleep 0.3; echo "hash-like secret"`, true],
    ["p1", "echo quick", false],
  ];
  const script = shDialect.header + shDialect.probes("TOK", slow);

  it("gives each slow probe's output back framed as before; its files were 0700/0600", async () => {
    const { out, left } = await inTmp(script);
    const s = parseSections("TOK", out);
    expect(s.get("p0")).toEqual({ output: "first\n700\n600\nhash-like secret", code: 0 });
    expect(s.get("p1")).toEqual({ output: "quick", code: 0 });
    expect(left).toEqual([]);
  });

  it("removes them when the reader is gone before the output is printed (the tool was killed)", async () => {
    const { left } = await inTmp(`printf 'x%.0s' $(seq 1 10); ${script}`, { closeStdoutAfter: 1 });
    expect(left).toEqual([]);
  });

  it("removes them on SIGTERM while the probes run", async () => {
    const { left } = await inTmp(script.replace("sleep 0.3", "sleep 2"), { killAfterMs: 400 });
    expect(left).toEqual([]);
  });

  it("configProbe's retries use one pair of temp files (commands, output), removed at the end", async () => {
    const bin = mkdtempSync(join(tmpdir(), "hcd-fakebin-"));
    // a vpncmd that cannot reach the server twice, then prints a config; it lists the temp files it sees
    writeFileSync(
      join(bin, "vpncmd"),
      `#!/bin/sh\nn=$(cat "$TMPDIR/../n" 2>/dev/null || echo 0); echo $((n+1)) > "$TMPDIR/../n"\nls "$TMPDIR" | wc -l | sed 's/^/files /'\nif [ "$n" -lt 2 ]; then echo "Error code: 1)"; else echo "declare root"; fi\n`,
    );
    chmodSync(join(bin, "vpncmd"), 0o755);
    const { out, left } = await inTmp(
      `mkdir -p "$TMPDIR/t"; export TMPDIR="$TMPDIR/t"; PATH=${bin}:$PATH; ( ${configProbe("pw-xyz", 5555).replace(/sleep 0\.5/, "true")} ); ls "$TMPDIR"`,
    );
    expect(out).toMatch(/^state ok$/m);
    expect(out).toMatch(/^files 2$/m);
    expect(out).not.toMatch(/^files [3-9]/m);
    expect(left.filter((f) => f !== "n")).toEqual(["t"]);
    expect(out.trim().split("\n").at(-1)).not.toMatch(/^tmp\./);
  });

  it("a file write cut off by SIGTERM leaves no temp file beside the target", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-aw-"));
    const w = atomicWrite(join(dir, "f"), "text\n", { mode: "0600", validate: "sleep 2; true %s" });
    await inTmp(w, { killAfterMs: 400 });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a validation failure says the command as it ran, without a literal %s", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcd-aw-"));
    const r = spawnSync("sh", ["-c", atomicWrite(join(dir, "radvd.conf"), "x\n", { validate: "false -C %s" })], {
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(`validation failed: false -C <new ${join(dir, "radvd.conf")}>\n\n`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("host keys: a host with any key on file is known", () => {
  const ed = blob("ssh-ed25519", "the-known-key");
  const ecdsa = blob("ecdsa-sha2-nistp256", "an-impostor-key");
  const file = parseKnownHosts(
    `vps.example ssh-ed25519 ${ed.toString("base64")}\nrsa.example ssh-rsa ${blob("ssh-rsa", "r").toString("base64")}\n`,
  );

  it("refuses a key of another type as changed, naming what is on file", () => {
    expect(checkHostKey(file, "vps.example", ecdsa)).toEqual({
      status: "changed",
      expected: [`ssh-ed25519 ${fingerprint(ed)}`],
      line: 1,
    });
    expect(checkHostKey(file, "new.example", ecdsa)).toEqual({ status: "unknown" });
  });

  it("negotiates only the key types on file for the host", () => {
    expect(hostKeyAlgorithms(knownKeyTypes(file, "vps.example"))).toEqual(["ssh-ed25519"]);
    expect(hostKeyAlgorithms(knownKeyTypes(file, "rsa.example"))).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
    expect(knownKeyTypes(file, "new.example")).toEqual([]);
  });
});

it("sh is what the scripts above ran on", () => {
  expect(execFileSync("sh", ["-c", "echo ok"], { encoding: "utf8" })).toBe("ok\n");
});
