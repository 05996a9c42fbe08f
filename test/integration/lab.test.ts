// The lab's own hygiene: what the controller keeps for the lab stays out of the hosts.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { labDir, labPaths } from "../../src/lab/paths.js";
import { onHost } from "../support/lab.js";

describe("lab hosts", () => {
  it("do not see the lab's directory (its key, the inventory's secrets, the other hosts' upper dirs)", () => {
    expect(existsSync(labPaths.key())).toBe(true);
    expect(existsSync(labPaths.host("h2"))).toBe(true);
    for (const h of ["h1", "h2"]) {
      expect(
        onHost(
          h,
          `for p in ${labDir()} ${labPaths.key()} ${labPaths.host("h2")}; do [ -e "$p" ] && echo "seen $p"; done; ls -d /var/lib/dpkg`,
        ),
      ).toBe("/var/lib/dpkg\n");
    }
  });
});
