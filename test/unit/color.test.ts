import { describe, expect, it } from "vitest";
import { liveDisplay, useColor } from "../../src/output/color.js";
import { recapLines } from "../../src/output/recap.js";

describe("colour and the live display", () => {
  it("NO_COLOR wins, FORCE_COLOR forces, TERM=dumb and a pipe get none", () => {
    expect(useColor(true, {})).toBe(true);
    expect(useColor(false, {})).toBe(false);
    expect(useColor(true, { NO_COLOR: "1" })).toBe(false);
    expect(useColor(true, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
    expect(useColor(false, { FORCE_COLOR: "1" })).toBe(true);
    expect(useColor(true, { FORCE_COLOR: "0" })).toBe(true);
    expect(useColor(false, { FORCE_COLOR: "0" })).toBe(false);
    expect(useColor(true, { TERM: "dumb" })).toBe(false);
    // an empty NO_COLOR is not set (no-color.org)
    expect(useColor(true, { NO_COLOR: "" })).toBe(true);
  });
  it("the live display only on a terminal that can move its cursor, never in CI", () => {
    expect(liveDisplay(true, {})).toBe(true);
    expect(liveDisplay(true, { TERM: "dumb" })).toBe(false);
    expect(liveDisplay(true, { CI: "1" })).toBe(false);
    expect(liveDisplay(false, {})).toBe(false);
  });
  it("the recap has no escape sequence without colour", () => {
    const summary = {
      hosts: { vps: { ok: 1, changed: 1, failed: 0, unreachable: 0, skipped: 0, remoteScripts: 1 } },
    } as unknown as Parameters<typeof recapLines>[0];
    expect(recapLines(summary, false).join("\n")).not.toContain("\x1b[");
    expect(recapLines(summary, true).join("\n")).toContain("\x1b[");
  });
});
