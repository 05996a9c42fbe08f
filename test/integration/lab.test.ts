// The lab's own hygiene: what the controller keeps for the lab stays out of the hosts.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { join } from "node:path";
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

  it("do not see the controller's home directories, temp files or the checkout the lab runs from, even files made after boot", () => {
    const marks = ["/root/.hcd-lab-mark", "/home/hcd-lab-mark", "/tmp/hcd-lab-mark", "/var/tmp/hcd-lab-mark"];
    try {
      for (const m of marks) writeFileSync(m, "the controller's\n");
      mkdirSync("/home/hcd-lab-user", { recursive: true });
      expect(existsSync(join(process.cwd(), "package.json"))).toBe(true);
      for (const h of ["h1", "h2"]) {
        const seen = onHost(
          h,
          `for p in ${[...marks, "/home/hcd-lab-user", process.cwd()].join(" ")}; do [ -e "$p" ] && echo "seen $p"; done; ls -d /root/.ssh /var/lib/dpkg; stat -c %a /tmp /root`,
        );
        expect(seen).toBe("/root/.ssh\n/var/lib/dpkg\n1777\n700\n");
      }
    } finally {
      for (const m of marks) rmSync(m, { force: true });
      rmSync("/home/hcd-lab-user", { recursive: true, force: true });
    }
  });
});
