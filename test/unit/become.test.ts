// Become settings: from the inventory (ansible_become_user, ansible_become_exe) and the command
// line (-b, --become-user, -K), as the sudo command line that runs a host's session shell.
import { describe, expect, it } from "vitest";
import { becomeFrom } from "../../src/cli/become-options.js";
import { parseRunArgs } from "../../src/cli/args.js";
import { isDeployError } from "../../src/errors.js";
import { resolveTargets } from "../../src/inventory/connection.js";
import { loadInventory } from "../../src/inventory/load.js";
import { secret } from "../../src/secrets.js";
import { sudoPrefix } from "../../src/transport/script-stream.js";
import type { SshTarget } from "../../src/transport/target.js";
import { writeInventory } from "../support/lab.js";

const target = (t: Partial<SshTarget>): SshTarget => ({
  name: "h",
  alias: "192.0.2.1",
  host: "192.0.2.1",
  port: 22,
  user: "debian",
  knownHostsFile: "/dev/null",
  acceptNewHostKey: false,
  become: true,
  timeoutMs: 1000,
  ...t,
});

describe("the sudo command line", () => {
  it("runs sudo only when the login is not already the user to become", () => {
    expect(sudoPrefix(target({}))).toBe("sudo -n -- ");
    expect(sudoPrefix(target({ become: false }))).toBe("");
    expect(sudoPrefix(target({ user: "root" }))).toBe("");
    // root logging in to become another user needs sudo too
    expect(sudoPrefix(target({ user: "root", becomeUser: "postgres" }))).toBe("sudo -n -u postgres -- ");
    expect(sudoPrefix(target({ user: "postgres", becomeUser: "postgres" }))).toBe("");
  });
  it("asks for the password with a prompt of ours, through the given sudo", () => {
    expect(sudoPrefix(target({ becomePassword: secret("x-unit-pw"), becomeExe: "/usr/local/bin/sudo" }))).toBe(
      "/usr/local/bin/sudo -S -p '[homecloud-deploy sudo]' -- ",
    );
    expect(sudoPrefix(target({ becomePassword: secret("x-unit-pw") }))).not.toContain("x-unit-pw");
  });
});

describe("doas and su", () => {
  it("doas runs non-interactively (-n), as root or -u USER; su and doas with a password are refused at input", () => {
    expect(sudoPrefix(target({ becomeMethod: "doas" }))).toBe("doas -n -- ");
    expect(sudoPrefix(target({ becomeMethod: "doas", becomeUser: "postgres" }))).toBe("doas -n -u postgres -- ");
    const inv = loadInventory(
      writeInventory(
        "all:\n  hosts:\n    a:\n      ansible_become_method: doas\n    b:\n      ansible_become_method: doas\n      ansible_become_password: x\n    c:\n      ansible_become_method: su\n",
      ),
    );
    const { targets, problems } = resolveTargets(inv, ["a", "b", "c"], {});
    expect(targets.get("a")!.becomeMethod).toBe("doas");
    expect(problems.map((p) => `${p.line} ${p.field}: ${p.message}`)).toEqual([
      "7 b.ansible_become_password: doas reads its password from a terminal only: it cannot be given one",
      '9 c.ansible_become_method: become method "su" is not supported here (su reads its password from a terminal only)',
    ]);
    // -K with doas: the same refusal
    const k = resolveTargets(inv, ["a"], { become: { become: true, password: secret("k-pw") } });
    expect(k.problems.map((p) => p.message)).toEqual([
      "doas reads its password from a terminal only: it cannot be given one",
    ]);
  });
});

describe("become settings from the inventory and the command line", () => {
  const inv = () =>
    loadInventory(
      writeInventory(
        [
          "all:",
          "  hosts:",
          "    a:",
          "      ansible_user: debian",
          "    b:",
          "      ansible_user: debian",
          "      ansible_become: true",
          "      ansible_become_user: postgres",
          "      ansible_become_exe: /usr/bin/sudo",
          "      ansible_become_password: !secret b-sudo-pw",
          "    r:",
          "      ansible_connection: rtx",
          "      ansible_password: !secret rtx-login",
          "      ansible_become_password: !secret rtx-admin",
          "",
        ].join("\n"),
      ),
    );
  it("reads ansible_become_user and ansible_become_exe", () => {
    const { targets, problems } = resolveTargets(inv(), ["a", "b"], {});
    expect(problems).toEqual([]);
    expect(targets.get("a")).toMatchObject({ become: false });
    expect(targets.get("b")).toMatchObject({ become: true, becomeUser: "postgres", becomeExe: "/usr/bin/sudo" });
  });
  it("-b, --become-user and -K win over every host's variables, except a router's administrator password", () => {
    const pw = secret("typed-at-the-prompt");
    const { targets } = resolveTargets(inv(), ["a", "b", "r"], {
      become: { become: true, user: "www-data", password: pw },
    });
    expect(targets.get("a")).toMatchObject({ become: true, becomeUser: "www-data", becomePassword: pw });
    expect(targets.get("b")).toMatchObject({ becomeUser: "www-data", becomePassword: pw });
    expect(targets.get("r")!.becomePassword!.reveal()).toBe("rtx-admin");
  });
  it("refuses a become user or sudo that is not a name, with file, line and field", () => {
    const bad = loadInventory(
      writeInventory(
        "all:\n  hosts:\n    a:\n      ansible_become_user: 'root; id'\n      ansible_become_exe: 'sudo -E'\n",
      ),
    );
    const { problems } = resolveTargets(bad, ["a"], {});
    expect(problems.map((p) => `${p.line} ${p.field} ${p.message}`).sort()).toEqual([
      '4 a.ansible_become_user become user "root; id" is not a user name',
      '5 a.ansible_become_exe "sudo -E" is not a command (a path or a name)',
    ]);
  });
  it("refuses a deploy_host_key that is neither a public key nor a SHA256 fingerprint", () => {
    const bad = loadInventory(
      writeInventory("all:\n  hosts:\n    a:\n      deploy_host_key: [SHA256:nope, 'ssh-ed25519 AAAA']\n"),
    );
    const { problems } = resolveTargets(bad, ["a"], {});
    expect(problems.map((p) => `${p.line} ${p.field}`)).toEqual(["4 a.deploy_host_key[0]", "4 a.deploy_host_key[1]"]);
    expect(problems[0]!.message).toMatch(/neither a public key .* nor a fingerprint/);
  });
  it("parses -b, --become-user and -K; -K without a terminal is bad input, not a hang", async () => {
    const args = parseRunArgs(["site.ts", "-b", "--become-user", "postgres"]);
    expect(await becomeFrom(args.become)).toEqual({ become: true, user: "postgres" });
    expect(await becomeFrom(parseRunArgs(["site.ts"]).become)).toBeUndefined();
    // a bad --become-user is named as the option it came from, not as an inventory variable
    const badUser = await becomeFrom(parseRunArgs(["site.ts", "--become-user", "root;id"]).become).catch((e) => e);
    expect(badUser.problems).toEqual([{ field: "--become-user", message: '"root;id" is not a user name' }]);
    const asked = await becomeFrom(parseRunArgs(["site.ts", "-K"]).become).catch((e) => e);
    expect(isDeployError(asked) && asked.message).toMatch(/1 problem/);
    expect(JSON.stringify(asked.problems)).toContain("--ask-become-pass");
  });
});
