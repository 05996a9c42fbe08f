import type { RemoteShell } from "../transport/target.js";
import type { Step } from "./types.js";

/**
 * A step that could lock us out armed a revert on the host. Prove that a NEW connection still
 * works by running its confirm script over one (it cancels the revert); retry for a while.
 */
export async function confirmAll(shell: RemoteShell, steps: Step[]): Promise<string | undefined> {
  for (const s of steps) {
    if (!s.confirm) continue;
    const deadline = Date.now() + Math.min(30, s.confirm.revertAfterSeconds / 2) * 1000;
    let last = "";
    for (;;) {
      try {
        const r = await shell.runScriptFresh(s.confirm.script);
        if (r.code === 0) break;
        last = `the confirmation script failed (exit ${r.code}): ${(r.stdout + r.stderr).trim()}`;
      } catch (e) {
        last = (e as Error).message;
      }
      if (Date.now() > deadline) {
        return `${s.why}: could not confirm over a new connection (${last}); the host reverts this change by itself within ${s.confirm.revertAfterSeconds} s`;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return undefined;
}
