// Promise 9: bad input is refused clearly, before any connection.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapLimit } from "../../src/engine/pool.js";
import { BAD_INPUTS, GOOD_INVENTORY, GOOD_PLAYBOOK, type BadInput } from "../corpus/bad-inputs.js";

const LIB = resolve("dist/src/index.js");
let server: Server;
let port = 0;
let connections = 0;

function siteInventory(spec: string): string {
  const [from, to, isRe] = JSON.parse(spec) as [string, string, boolean];
  const text = readFileSync("inventory/lab.yaml", "utf8").replace(
    /!file \/var\/lib\/homecloud-lab\/secrets\/(\w+)/g,
    "!secret corpus-$1",
  );
  const out = isRe ? text.replace(new RegExp(from), to) : text.replace(from, to);
  if (out === text) throw new Error(`corpus case does not apply: ${from}`);
  // every host to the counting port: nothing may connect
  return out.replace(/ansible_host: [\d.]+/g, `ansible_host: 127.0.0.1\n          ansible_port: ${port}`);
}

function materialise(c: BadInput): string[] {
  const dir = mkdtempSync(join(tmpdir(), "hcd-bad-"));
  const invFile = join(dir, "inventory.yaml");
  const inv = c.inventory?.startsWith("SITE_INVENTORY:")
    ? siteInventory(c.inventory.slice(15))
    : (c.inventory ?? GOOD_INVENTORY).replace(/PORT/g, String(port));
  writeFileSync(invFile, inv);
  let pbFile = resolve("playbooks/site.ts");
  if (c.playbook !== "SITE") {
    pbFile = join(dir, "playbook.mjs");
    writeFileSync(pbFile, (c.playbook ?? GOOD_PLAYBOOK).replace(/LIB/g, LIB));
  }
  const emptyDir = join(dir, "empty");
  mkdirSync(emptyDir);
  const wrongPassword = join(dir, "wrong-pass");
  writeFileSync(wrongPassword, "not-the-pass\n");
  return (c.args ?? ["PLAYBOOK", "-i", "INVENTORY"]).map((a) =>
    a === "PLAYBOOK"
      ? pbFile
      : a === "INVENTORY"
        ? invFile
        : a === "EMPTYDIR"
          ? emptyDir
          : a === "WRONG_PASSWORD_FILE"
            ? wrongPassword
            : a,
  );
}

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, ["dist/site/cli.js", ...args], { env: { ...process.env, CI: "1" } });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => res({ code, out, err }));
  });
}

beforeAll(async () => {
  server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("the corpus of bad inputs", () => {
  it(`has at least 100 cases (${BAD_INPUTS.length})`, () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(BAD_INPUTS.map((c) => c.name)).size).toBe(BAD_INPUTS.length);
  });

  it("refuses every one with a one-screen message naming where and what, no stack trace, no connection", async () => {
    const results = await mapLimit(BAD_INPUTS, 6, async (c) => ({ c, r: await cli(materialise(c)) }));
    const bad: string[] = [];
    for (const { c, r } of results) {
      const lines = r.err.trimEnd().split("\n");
      const why = [
        r.code !== 3 && `exit ${r.code} (want 3)`,
        !c.expect.test(r.err) && `message does not match ${c.expect}`,
        lines.length > 40 && `${lines.length} lines`,
        /\n\s+at .*[(:]\d+/.test(r.err) && "stack trace",
        !/^error: /.test(r.err) && "does not start with error:",
        !/(\.yaml|\.ts|\.mjs)(:\d+)?| {2}- \/\S*:|--\w|field|command line|lab/.test(r.err) && "names no file or field",
      ].filter(Boolean);
      if (why.length) bad.push(`${c.name}: ${why.join(", ")}\n${r.err}`);
    }
    expect(bad).toEqual([]);
    expect(connections).toBe(0);
  }, 300_000);
});
