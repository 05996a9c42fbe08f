import { quote } from "../transport/quote.js";
import type { Handler, Step } from "./types.js";

/**
 * Notifications are kept on the host: a task that changes writes a marker before its
 * steps run; the handler removes it after it ran. A run that failed in between leaves
 * the marker, and the next run runs the handler (the bug of ansible#10498 we do not have).
 */
export const NOTIFY_DIR = "/var/lib/homecloud-deploy/notify";

/** The marker names, one per line, by a glob of the shell (no process). */
export function pendingProbe(): string {
  return `for hcd_f in ${NOTIFY_DIR}/*; do [ -e "$hcd_f" ] && printf '%s\\n' "\${hcd_f##*/}"; done; true`;
}

export function parsePending(out: string): Set<string> {
  return new Set(
    out
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^[0-9a-f]{16}$/.test(l)),
  );
}

export function notifyMarkerStep(h: Handler): Step {
  return {
    why: `record notification of ${h.name}`,
    script: `mkdir -p ${NOTIFY_DIR} && : > ${quote(`${NOTIFY_DIR}/${h.id}`)}`,
  };
}

export function handlerStep(h: Handler): Step {
  return {
    why: h.name,
    script: `${h.script}\nrc=$?; [ "$rc" -eq 0 ] && rm -f ${quote(`${NOTIFY_DIR}/${h.id}`)}; exit $rc`,
  };
}
