// deploy completion: the scripts it prints work in the shell (bash for real; zsh through
// bashcompinit; fish's lines), offering subcommands, each subcommand's options from the command table,
// the inventory's hosts and groups after --limit and the playbook's tags after --tags.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { completionTable } from "../../src/cli/completion.js";
import { SITE_COMMANDS } from "../../site/commands.js";

const bin = mkdtempSync(join(tmpdir(), "hcd-complete-"));
writeFileSync(
  join(bin, "deploy"),
  `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(resolve("dist/site/cli.js"))} "$@"\n`,
  { mode: 0o755 },
);
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["dist/site/cli.js", ...args], { encoding: "utf8", env: { ...process.env, CI: "1" } });

/** What bash offers for the words typed (the last one being completed). */
function offered(...words: string[]): string[] {
  const script = cli("completion", "bash").stdout;
  const arr = words.map((w) => `'${w}'`).join(" ");
  const r = spawnSync(
    "bash",
    [
      "-c",
      `${script}\nCOMP_WORDS=(deploy ${arr}); COMP_CWORD=${words.length}; _deploy; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, cwd: resolve(".") },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").filter(Boolean);
}

describe("deploy completion", () => {
  it("takes each subcommand's options from the command table", () => {
    const { flags, after, subcommands } = completionTable(SITE_COMMANDS);
    expect(flags.verify).toEqual(expect.arrayContaining(["-i", "--inventory", "--html", "--json", "-K", "--help"]));
    expect(flags.plan).toContain("--html");
    expect(flags.init).toContain("--vps-prefix");
    expect(subcommands).toEqual(expect.arrayContaining(["plan", "verify", "init", "lab", "help"]));
    expect(subcommands).not.toContain("__complete");
    expect([...after.hosts]).toEqual(expect.arrayContaining(["-l", "--limit"]));
    expect([...after.file]).toEqual(expect.arrayContaining(["-i", "--html", "--log", "--private-key"]));
  });
  it("bash: subcommands, options, hosts and groups after --limit, tags after --tags", () => {
    expect(offered("ve")).toContain("verify");
    expect(offered("verify", "playbooks/site.ts", "--ht")).toEqual(["--html"]);
    expect(offered("playbooks/site.ts", "--start")).toEqual(["--start-at-task"]);
    expect(offered("playbooks/site.ts", "-i", "inventory/lab.yaml", "--limit", "vm")).toEqual([
      "vm1",
      "vm2",
      "vm3",
      "vm4",
      "vms",
    ]);
    expect(offered("playbooks/site.ts", "-i", "inventory/lab.yaml", "--tags", "soft")).toEqual([
      "softether-cascade",
      "softether-server",
    ]);
  }, 60_000);
  it("zsh and fish scripts; an unknown shell is bad input", () => {
    expect(cli("completion", "zsh").stdout).toContain("bashcompinit");
    const fish = cli("completion", "fish").stdout;
    expect(fish).toContain('complete -c deploy -n "__fish_seen_subcommand_from verify" -l html');
    expect(fish).toContain("deploy __complete hosts");
    expect(cli("completion", "tcsh").status).toBe(3);
  });
});
